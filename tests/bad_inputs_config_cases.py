"""The config-level cases of the bad-input matrix (docs/bad-inputs.md): `icp.yaml` texts that must be
refused, and filters checked against the feature mart's columns."""

from __future__ import annotations

CONFIG_CASES = [
    (
        "invalid_filter_syntax",
        "hypotheses:\n  - {id: h, statement: s, filter: employee_count >> 5}\n",
        r"hypotheses\.0\.filter: Value error, invalid filter: expected a number after '>', found '>' at position 16",
    ),
    (
        "filter_list_without_brackets",
        "disqualifiers:\n  - {id: d, filter: industry in education, reason: r}\n",
        r"disqualifiers\.0\.filter: .*expected '\[' to start a list of values, found 'education'",
    ),
    (
        "unknown_tier_policy",
        "tiers:\n  policy: quartile\n",
        r"tiers\.policy: Input should be 'quantile', 'threshold' or 'capacity'",
    ),
    (
        "tier_shares_leave_no_tier_3",
        "tiers:\n  tier1_share: 0.5\n  tier2_share: 0.5\n",
        r"tier1_share \+ tier2_share must be below 1",
    ),
    (
        "misspelt_section",
        "hypothesis:\n  - {id: h, statement: s, filter: uses snowflake}\n",
        r"hypothesis: Extra inputs are not permitted",
    ),
    (
        "misspelt_setting",
        "tiers:\n  teir1_share: 0.1\n",
        r"tiers\.teir1_share: Extra inputs are not permitted",
    ),
    (
        "unknown_value_label",
        "value_label: label_profit\n",
        r"value_label: Input should be 'label_annualised_value'",
    ),
    ("lower_case_currency", "reporting_currency: usd\n", r"reporting_currency: String should match pattern"),
    (
        "duplicate_hypothesis_id",
        "hypotheses:\n  - {id: h, statement: a, filter: uses x}\n  - {id: h, statement: b, filter: uses y}\n",
        r"duplicate id 'h'",
    ),
    ("not_yaml", "tiers: [unclosed\n", r"is not valid YAML"),
    ("yaml_with_python_tag", "tiers: !!python/object/apply:os.system ['echo pwned']\n", r"is not valid YAML"),
    ("mapping_of_unknown_table", "mappings:\n  crm/acounts: {path: a.csv}\n", r"unknown table 'crm/acounts'"),
    (
        "mapping_of_unknown_column",
        "mappings:\n  crm/accounts:\n    columns: {acount_id: Id}\n",
        r"'acount_id' is not a contract column of crm/accounts",
    ),
    (
        "mapping_multiply_not_a_finite_number",
        "mappings:\n  crm/accounts:\n    columns:\n      annual_revenue: {column: r, multiply: .inf}\n",
        r"multiply: Input should be a finite number",
    ),
    (
        "mapping_date_format_with_sql",
        "mappings:\n  erp/invoices:\n    columns:\n"
        '      invoice_date: {column: d, date_format: "%Y\'); drop table x; --"}\n',
        r"date_format .* has characters outside strftime codes",
    ),
]


MART_COLUMNS = [
    "account_key",
    "industry",
    "is_customer",
    "label_annualised_value",
    "firmo__industry",
    "firmo__employee_count",
    "tech__snowflake",
    "tech__hubspot",
    "sit__events_hiring_surge_12m",
]
FILTER_CASES = [
    # (id, section, filter, columns, error regex or None, warning regex or None)
    (
        "misspelt_technology",
        "hypotheses",
        "uses snowflak",
        MART_COLUMNS,
        r"hypotheses\.h: filter 'uses snowflak': unknown technology 'snowflak' \(no column tech__snowflak\); "
        r"did you mean tech__snowflake\?",
        None,
    ),
    (
        "misspelt_attribute",
        "hypotheses",
        "employe_count > 5",
        MART_COLUMNS,
        r"unknown attribute 'employe_count'; did you mean firmo__employee_count\?",
        None,
    ),
    (
        "misspelt_attribute_in_disqualifier",
        "disqualifiers",
        "industri in [education]",
        MART_COLUMNS,
        r"disqualifiers\.h: .*unknown attribute 'industri'; did you mean",
        None,
    ),
    (
        "unknown_attribute_without_look_alike",
        "hypotheses",
        "zodiac_sign = leo",
        MART_COLUMNS,
        None,
        r"hypotheses\.h: 'zodiac_sign = leo' is not testable on this data \(unknown attribute 'zodiac_sign' "
        r"\(no similar attribute\)\); published with the verdict 'not testable on this data'",
    ),
    (
        "unknown_attribute_without_look_alike_in_disqualifier",
        "disqualifiers",
        "zodiac_sign = leo",
        MART_COLUMNS,
        r"unknown attribute 'zodiac_sign' \(no similar attribute\)",
        None,
    ),
    (
        "hypothesis_on_technographics_that_did_not_land",
        "hypotheses",
        "uses snowflake",
        [c for c in MART_COLUMNS if not c.startswith("tech__")],
        None,
        r"'uses snowflake' is not testable on this data \(unknown technology 'snowflake'",
    ),
    (
        "hypothesis_on_a_technology_the_data_lack",
        "hypotheses",
        "uses snowflake",
        [c for c in MART_COLUMNS if c != "tech__snowflake"],
        None,
        r"'uses snowflake' is not testable on this data",
    ),
    (
        "disqualifier_on_technographics_that_did_not_land",
        "disqualifiers",
        "uses snowflake",
        [c for c in MART_COLUMNS if not c.startswith("tech__")],
        r"unknown technology 'snowflake'",
        None,
    ),
    (
        "valid_filters",
        "hypotheses",
        "uses snowflake and employee_count between 10 and 20 or event hiring_surge",
        MART_COLUMNS,
        None,
        None,
    ),
]
