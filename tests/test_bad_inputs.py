"""The bad-input matrix (docs/bad-inputs.md): every kind of bad input and what the pipeline does with it.

Each case either stops with an error that names the file, column, line and fix, or is repaired by a
documented rule with the affected rows counted and kept in `raw._quarantine`. File- and value-level
cases run the extract loader directly (fast); config cases load an `icp.yaml`; the dataset-level
cases (too few customers, one industry, no closed deals, unmatched enrichment, shared domains, parent
cycles, orphans) need whole pipeline runs, shared by module-scoped fixtures (three small runs).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from icp_pipeline.lib.filter_check import check_config_filters
from icp_pipeline.lib.icp_config import IcpConfig, IcpConfigError, load_icp_config
from icp_pipeline.lib.landing.contract import get_table
from icp_pipeline.lib.landing.files import LandingDataError
from icp_pipeline.lib.landing.loader import load_table
from icp_pipeline.lib.landing.mapping import parse_mappings
from icp_pipeline.lib.progress import failure_message
from icp_pipeline.lib.settings import DEFAULT_CONFIG, PROJECT_ROOT

TODAY = dt.date(2026, 11, 24)  # the loader's "today" in these tests, so future dates are fixed
BAD_INPUTS_DOC = PROJECT_ROOT / "docs" / "bad-inputs.md"


@dataclass
class Case:
    """One landing-level bad input: files to write, and either an error or a check of the repair."""

    id: str
    table: str
    files: dict[str, bytes | Callable[[Path], None]]
    error: str | None = None  # regex the LandingDataError must match
    check: Callable[[duckdb.DuckDBPyConnection, object], None] | None = None
    mapping: dict | None = None
    marks: list = field(default_factory=list)


def csv(text: str) -> bytes:
    return text.encode("utf-8")


def parquet(sql: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with duckdb.connect() as con:
            con.execute(f"copy ({sql}) to '{path}' (format parquet)")

    return write


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def quarantine(con) -> list[tuple]:
    return rows(con, "select source_file, line, reason from raw._quarantine order by source_file, line")


def expect(*, rows_: int, quarantined: int = 0, repaired: int = 0, reasons: tuple[str, ...] = ()):
    """A check: loaded/quarantined/repaired counts, and the quarantine reasons (regexes, in order)."""

    def check(con, report):
        assert (report.rows, report.quarantined, report.repaired) == (rows_, quarantined, repaired)
        found = [r[2] for r in quarantine(con)]
        assert len(found) == len(reasons), found
        for pattern, reason in zip(reasons, found, strict=True):
            assert re.search(pattern, reason), (pattern, reason)

    return check


ACC = "crm/accounts/accounts.csv"
HEADER = "account_id,account_name"

LANDING_CASES = [
    # --- columns ---------------------------------------------------------------------------
    Case(
        "missing_required_column",
        "crm/accounts",
        {ACC: csv("account_id,website\n1,acme.com\n")},
        error=r"crm/accounts: missing required column\(s\) \['account_name'\]. Columns found: \['account_id', "
        r"'website'\].*map it under `mappings: crm/accounts: columns:`",
    ),
    Case(
        "renamed_required_column",
        "crm/accounts",
        {ACC: csv("Account ID,Account Name\n1,Acme\n")},
        error=r"missing required column\(s\) \['account_id', 'account_name'\].*Did you mean 'Account ID' for "
        r"account_id, 'Account Name' for account_name\?",
    ),
    Case(
        "renamed_optional_column",
        "crm/accounts",
        {ACC: csv("account_id,account_name,employees\n1,Acme,120\n")},
        check=lambda con, report: (
            expect(rows_=1)(con, report),
            report.extra_columns == ["employees"] or pytest.fail(report.extra_columns),
            "employee_count" in report.missing_optional_columns or pytest.fail("not reported"),
        ),
    ),
    Case(
        "columns_differ_only_in_case",
        "crm/accounts",
        {ACC: csv("account_id,account_name,Industry,INDUSTRY\n1,A,x,y\n")},
        error=r"columns 'Industry' and 'INDUSTRY' differ only in case",
    ),
    Case(
        "personal_data_extra_column",
        "crm/accounts",
        {
            ACC: csv(
                "account_id,account_name,Contact Email,owner_phone,Account Owner,customer_success_manager,segment\n"
                "1,A,a@b.com,+4912345,Jane Doe,John Roe,smb\n"
            )
        },
        check=lambda con, report: (
            report.personal_data_columns
            == ["account_owner", "contact_email", "customer_success_manager", "owner_phone"]
            or pytest.fail(report),
            report.extra_columns == ["segment"] or pytest.fail(report.extra_columns),
            "a@b.com" not in str(rows(con, "select * from raw.crm__accounts")) or pytest.fail("email loaded"),
            any("personal data" in w for w in report.warnings) or pytest.fail(report.warnings),
        ),
    ),
    # --- types -----------------------------------------------------------------------------
    Case(
        "wrong_type_integer",
        "crm/accounts",
        {ACC: csv(f"{HEADER},employee_count\n1,A,120\n2,B,many\n")},
        error=r"crm/accounts: column 'employee_count' expects a whole number, but 1 row\(s\) do not parse "
        r"\(accounts\.csv line 3: 'many'\)",
    ),
    Case(
        "fractional_integer",
        "crm/accounts",
        {ACC: csv(f"{HEADER},employee_count\n1,A,12.5\n2,B,120.0\n")},
        error=r"'employee_count' expects a whole number.*accounts\.csv line 2: '12\.5'",
    ),
    Case(
        "nan_or_infinite_amount",
        "erp/invoices",
        {"erp/invoices.csv": csv("invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-01-02,NaN\n")},
        error=r"erp/invoices: column 'amount' expects a plain decimal number.*invoices\.csv line 2: 'NaN'",
    ),
    Case(
        "unparsable_date",
        "crm/accounts",
        {ACC: csv(f"{HEADER},created_at\n1,A,2024-01-02\n2,B,31/02/2024\n")},
        error=r"'created_at' expects an ISO-8601 timestamp.*accounts\.csv line 3: '31/02/2024'.*`date_format`",
    ),
    Case(
        "impossible_date",
        "erp/invoices",
        {"erp/invoices.csv": csv("invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-02-31,10\n")},
        error=r"'invoice_date' expects a date YYYY-MM-DD.*invoices\.csv line 2: '2024-02-31'",
    ),
    Case(
        "unparsable_boolean",
        "marketing/campaign_members",
        {
            "marketing/campaign_members.csv": csv(
                "campaign_id,account_id,sent_at,responded\nK1,1,2024-01-02,maybe\n"
            )
        },
        error=r"'responded' expects true/false.*line 2: 'maybe'",
    ),
    # --- implausible values: repaired by rule, counted, logged ---------------------------------
    Case(
        "future_date_in_required_column",
        "erp/invoices",
        {
            "erp/invoices.csv": csv(
                "invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-01-02,10\nI2,C1,2099-01-01,10\n"
                "I3,C1,2026-11-25,10\n"  # tomorrow: within the one day of grace for time zones
            )
        },
        check=expect(
            rows_=2, quarantined=1, reasons=(r"invoice_date 2099-01-01 is in the future.*row quarantined",)
        ),
    ),
    Case(
        "future_date_in_optional_column",
        "crm/accounts",
        {ACC: csv(f"{HEADER},created_at\n1,A,2099-05-01T10:00:00\n2,B,2020-01-01\n")},
        check=lambda con, report: (
            expect(
                rows_=2,
                repaired=1,
                reasons=(r"created_at 2099-05-01T10:00:00 is in the future.*set to null",),
            )(con, report),
            rows(con, "select created_at from raw.crm__accounts where account_id = '1'") == [(None,)]
            or pytest.fail("not nulled"),
        ),
    ),
    Case(
        "future_founded_year",
        "enrichment/firmographics",
        {"enrichment/firmographics.csv": csv("domain,founded_year\na.com,2999\nb.com,1999\n")},
        check=expect(rows_=2, repaired=1, reasons=(r"founded_year 2999 is in the future",)),
    ),
    Case(
        "contract_dates_may_lie_ahead",
        "erp/contracts",
        {
            "erp/contracts.csv": csv(
                "contract_id,erp_customer_id,start_date,end_date,annual_value\nK1,C1,2026-12-01,2029-11-30,100\n"
            )
        },
        check=expect(rows_=1),
    ),
    Case(
        "negative_size",
        "crm/accounts",
        {ACC: csv(f"{HEADER},employee_count,annual_revenue\n1,A,-5,100\n2,B,10,-1\n")},
        check=expect(
            rows_=2, repaired=2, reasons=(r"employee_count -5 is negative", r"annual_revenue -1 is negative")
        ),
    ),
    Case(
        "negative_required_amount",
        "erp/contracts",
        {
            "erp/contracts.csv": csv(
                "contract_id,erp_customer_id,start_date,annual_value\nK1,C1,2024-01-01,-100\n"
            )
        },
        check=expect(rows_=0, quarantined=1, reasons=(r"annual_value -100 is negative.*row quarantined",)),
    ),
    Case(
        "credit_note_is_a_negative_invoice",
        "erp/invoices",
        {
            "erp/invoices.csv": csv(
                "invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-01-02,-250.5\n"
            )
        },
        check=lambda con, report: (
            expect(rows_=1)(con, report),
            rows(con, "select amount from raw.erp__invoices") == [(-250.5,)] or pytest.fail("changed"),
        ),
    ),
    Case(
        "absurd_amount_in_required_column",
        "erp/invoices",
        {
            "erp/invoices.csv": csv(
                "invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-01-02,1e15\nI2,C1,2024-01-02,99\n"
            )
        },
        check=expect(rows_=1, quarantined=1, reasons=(r"amount 1e15 is absurd.*row quarantined",)),
    ),
    Case(
        "absurd_amount_in_optional_column",
        "crm/opportunities",
        {
            "crm/opportunities.csv": csv(
                "opportunity_id,account_id,stage,amount\nO1,1,Won,50000000000000\nO2,1,Lost,-10\n"
            )
        },
        check=expect(
            rows_=2,
            repaired=2,
            reasons=(r"amount 50000000000000 is absurd.*set to null", r"amount -10 is negative"),
        ),
    ),
    Case(
        "zero_exchange_rate",
        "erp/fx_rates",
        {"erp/fx_rates.csv": csv("currency,rate_to_reporting\nEUR,1.1\nXYZ,0\n")},
        check=expect(
            rows_=1, quarantined=1, reasons=(r"rate_to_reporting 0 is not a positive exchange rate",)
        ),
    ),
    # --- keys ------------------------------------------------------------------------------
    Case(
        "duplicate_keys",
        "crm/accounts",
        {ACC: csv(f"{HEADER}\n1,A\n1,B\n2,C\n")},
        error=r"key column 'account_id' must be unique, but 1 value\(s\) repeat \('1' x2 at accounts\.csv:2, "
        r"accounts\.csv:3\).*`deduplicate_on: account_id`",
    ),
    Case(
        "duplicate_keys_across_parts",
        "crm/accounts",
        {
            "crm/accounts/part1.csv": csv(f"{HEADER}\n1,A\n"),
            "crm/accounts/part2.csv": csv(f"{HEADER}\n1,B\n"),
        },
        error=r"'1' x2 at part1\.csv:2, part2\.csv:2",
    ),
    Case(
        "null_keys",
        "crm/accounts",
        {ACC: csv(f"{HEADER}\n1,A\n,B\n   ,C\n")},
        check=expect(rows_=1, quarantined=2, reasons=(r"missing required value in account_id",) * 2),
    ),
    Case(
        "null_required_value",
        "crm/opportunities",
        {"crm/opportunities.csv": csv("opportunity_id,account_id,stage\nO1,1,Won\nO2,1,\n")},
        check=expect(
            rows_=1, quarantined=1, reasons=(r"missing required value in opportunity_id, account_id, stage",)
        ),
    ),
    # --- files -----------------------------------------------------------------------------
    Case(
        "empty_file_required_table",
        "crm/accounts",
        {ACC: b""},
        error=r"crm/accounts: .*accounts\.csv is empty \(0 bytes\)\. Export it again with its header row",
    ),
    Case(
        "empty_file_optional_table",
        "erp/invoices",
        {"erp/invoices.csv": b""},
        error=r"invoices\.csv is empty \(0 bytes\).*delete the file if the table has no data \(the table is "
        r"optional",
    ),
    Case(
        "header_only_required_table",
        "crm/accounts",
        {ACC: csv(f"{HEADER},website\n")},
        error=r"crm/accounts: accounts\.csv has no usable row: it has a header but no data rows",
    ),
    Case(
        "header_only_optional_table",
        "erp/invoices",
        {"erp/invoices.csv": csv("invoice_id,erp_customer_id,invoice_date,amount\n")},
        check=lambda con, report: (report.present and report.rows == 0) or pytest.fail(report),
    ),
    Case(
        "every_row_quarantined_in_required_table",
        "crm/accounts",
        {ACC: csv(f"{HEADER}\n,A\n2,\n")},
        error=r"has no usable row: all 2 row\(s\) went to raw\._quarantine",
    ),
    Case(
        "utf8_byte_order_mark",
        "crm/accounts",
        {ACC: "\ufeffaccount_id,account_name\n1,Café\n".encode()},
        check=lambda con, report: (
            rows(con, "select account_id, account_name from raw.crm__accounts") == [("1", "Café")]
            or pytest.fail("BOM")
        ),
    ),
    Case(
        "latin1_bytes",
        "crm/accounts",
        {ACC: f"{HEADER}\n1,Acme\n2,Café Noir\n".encode("latin-1")},
        error=r"accounts\.csv: line 3 is not UTF-8 \(byte 0xE9 at offset \d+, 'é' in Latin-1/Windows-1252\).*"
        r"iconv -f latin1 -t utf-8",
    ),
    Case(
        "semicolon_delimiter",
        "crm/accounts",
        {ACC: csv("account_id;account_name;industry\n1;Acme;software\n")},
        error=r"accounts\.csv: the header 'account_id;account_name;industry' is semicolon separated \(';'\); "
        r"the landing contract expects comma-separated CSV",
    ),
    Case(
        "semicolon_delimiter_with_decimal_commas",
        "crm/accounts",
        {ACC: csv("account_id;account_name;annual_revenue\n1;Acme;1234,50\n2;Beta;99,90\n")},
        error=r"is semicolon separated \(';'\)",
    ),
    Case(
        "tab_delimiter",
        "crm/accounts",
        {ACC: csv("account_id\taccount_name\n1\tAcme\n")},
        error=r"is tab separated \('\\t'\)",
    ),
    Case(
        "quoted_newlines",
        "crm/accounts",
        {ACC: csv(f'{HEADER},industry\n1,"Acme\nHoldings, Inc.",software\n2,"Beta ""B""",retail\n')},
        check=lambda con, report: (
            rows(con, "select account_name, industry from raw.crm__accounts order by 1")
            == [("Acme\nHoldings, Inc.", "software"), ('Beta "B"', "retail")]
            or pytest.fail("quoting")
        ),
    ),
    Case(
        "csv_and_parquet_parts_mixed",
        "crm/accounts",
        {
            "crm/accounts/a.csv": csv(f"{HEADER}\n1,A\n"),
            "crm/accounts/b.parquet": parquet("select '2' as account_id"),
        },
        error=r"found both CSV and Parquet files.*Keep one format per table",
    ),
    Case(
        "parts_with_different_optional_columns",
        "crm/accounts",
        {
            "crm/accounts/part1.csv": csv(f"{HEADER}\n1,A\n"),
            "crm/accounts/part2.csv": csv("account_name,website,account_id\nB,b.com,2\n"),
        },
        check=lambda con, report: (
            rows(con, "select account_id, website from raw.crm__accounts order by 1")
            == [("1", None), ("2", "b.com")]
            or pytest.fail("union")
        ),
    ),
    Case(
        "parts_missing_a_required_column",
        "crm/accounts",
        {
            "crm/accounts/part1.csv": csv(f"{HEADER}\n1,A\n"),
            "crm/accounts/part2.csv": csv("account_id,website\n2,b.com\n"),
        },
        error=r"the parts of the table differ in required columns \(part2\.csv lacks \['account_name'\]\)",
    ),
    Case(
        "parquet_with_text_in_a_number_column",
        "crm/accounts",
        {
            "crm/accounts.parquet": parquet(
                "select '1' as account_id, 'A' as account_name, 'many' as employee_count"
            )
        },
        error=r"'employee_count' expects a whole number.*accounts\.parquet row 1: 'many'",
    ),
    Case(
        "parquet_with_unexpected_types",
        "crm/accounts",
        {
            "crm/accounts.parquet": parquet(
                "select 42 as account_id, 'A' as account_name, 120.0::double as employee_count, "
                "date '2024-01-02' as created_at, {'tier': 'gold'} as nested, timestamp '2024-01-02 03:04:05' as ts, "
                "3::tinyint as small_int"
            )
        },
        check=lambda con, report: (
            rows(
                con,
                "select account_id, employee_count, created_at::varchar, nested, ts, small_int from raw.crm__accounts",
            )
            == [("42", 120, "2024-01-02 00:00:00", "{'tier': gold}", "2024-01-02 03:04:05", 3.0)]
            or pytest.fail(rows(con, "select * from raw.crm__accounts")),
        ),
    ),
    Case(
        "parquet_file_that_is_not_parquet",
        "crm/accounts",
        {"crm/accounts.parquet": csv(f"{HEADER}\n1,A\n")},
        error=r"could not read .*accounts\.parquet as Parquet.*Export the table again",
    ),
    # --- mappings and hostile names: identifiers are quoted, values are literals ------------------
    Case(
        "mapping_names_a_missing_column",
        "crm/accounts",
        {"export.csv": csv("Id,Name\n1,A\n")},
        mapping={"path": "export.csv", "columns": {"account_id": "Id", "account_name": "Company"}},
        error=r"mapping for 'account_name' names column 'Company', which the file does not have. Columns found: "
        r"\['Id', 'Name'\]",
    ),
    Case(
        "hostile_column_names",
        "crm/accounts",
        {
            "export.csv": csv(
                '"id""; drop table raw._quarantine; --","name\'); drop table x; --","x"" or 1=1 --"\n'
                "1,O'Brien & Co,evil\n"
            )
        },
        mapping={
            "path": "export.csv",
            "columns": {
                "account_id": 'id"; drop table raw._quarantine; --',
                "account_name": "name'); drop table x; --",
                "industry": {"constant": "it's; drop table y; --"},
                "country": {"column": "name'); drop table x; --", "values": {"O'Brien & Co": "'; --"}},
            },
        },
        check=lambda con, report: (
            rows(con, "select account_id, account_name, industry, country, x_or_1_1 from raw.crm__accounts")
            == [("1", "O'Brien & Co", "it's; drop table y; --", "'; --", "evil")]
            or pytest.fail(rows(con, "select * from raw.crm__accounts")),
            rows(con, "select count(*) from raw._quarantine") == [(0,)] or pytest.fail("quarantine dropped"),
        ),
    ),
]


@pytest.mark.parametrize("case", LANDING_CASES, ids=[c.id for c in LANDING_CASES])
def test_landing_input(case: Case, tmp_path):
    for rel, content in case.files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        content(path) if callable(content) else path.write_bytes(content)
    mapping = parse_mappings({case.table: case.mapping})[case.table] if case.mapping else None
    with duckdb.connect() as con:
        if case.error:
            with pytest.raises(LandingDataError, match=re.compile(case.error, re.S)):
                load_table(con, tmp_path, get_table(case.table), mapping, today=TODAY)
        else:
            report = load_table(con, tmp_path, get_table(case.table), mapping, today=TODAY)
            case.check(con, report)


# --- the ICP config -------------------------------------------------------------------------------

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


@pytest.mark.parametrize(("text", "error"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_config_input(text, error, tmp_path):
    path = tmp_path / "icp.yaml"
    path.write_text(text)
    with pytest.raises(
        IcpConfigError, match=re.compile(rf"ICP config {re.escape(str(path))}.*{error}", re.S)
    ):
        load_icp_config(path)


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


@pytest.mark.parametrize(
    ("section", "filter_", "columns", "error", "warning"),
    [c[1:] for c in FILTER_CASES],
    ids=[c[0] for c in FILTER_CASES],
)
def test_config_filters_are_checked_against_the_feature_mart(section, filter_, columns, error, warning):
    item = {"id": "h", "filter": filter_}
    item.update({"statement": "s"} if section == "hypotheses" else {"reason": "r"})
    config = IcpConfig.model_validate({section: [item]})
    if error:
        with pytest.raises(
            IcpConfigError, match=rf"marts\.account_features does not have: .*{error}.*Fix the"
        ):
            check_config_filters(config, columns)
        return
    warnings = check_config_filters(config, columns)
    assert [re.search(warning, w) is not None for w in warnings] == ([True] if warning else [])


# --- whole datasets: three small pipeline runs ------------------------------------------------------


def _read(landing: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(landing / f"{name}.csv", dtype=str, keep_default_na=False)


def _write(landing: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(landing / f"{name}.csv", index=False)


def _append(landing: Path, name: str, new_rows: list[dict]) -> None:
    _write(landing, name, pd.concat([_read(landing, name), pd.DataFrame(new_rows)]).fillna(""))


def make_degenerate_dataset(landing: Path) -> dict[str, str]:
    """Demo data made awkward but valid: every customer in one industry, no closed opportunity, an
    enrichment feed matching no account, shared domains, self and cyclic parents, orphans, an unknown
    currency, implausible values and personal data in extra columns. Returns the ids it planted."""
    accounts = _read(landing, "crm/accounts")
    ids = accounts["account_id"].tolist()
    accounts["industry"] = "Software"
    accounts.loc[1, "website"] = accounts.loc[0, "website"] = "https://www.Shared-Domain.com/about"
    accounts.loc[2, "website"], accounts.loc[3, "website"] = "shared-two.com", "http://shared-two.com/"
    accounts.loc[4, "parent_account_id"] = ids[4]  # its own parent
    accounts.loc[5, "parent_account_id"], accounts.loc[6, "parent_account_id"] = ids[6], ids[5]  # a cycle
    accounts["Contact Email"] = "owner" + accounts.index.astype(str) + "@leak.example"  # personal data
    _write(landing, "crm/accounts", accounts)

    opportunities = _read(landing, "crm/opportunities")
    opportunities["stage"], opportunities["close_date"] = "Prospecting", ""  # nothing closed
    _write(landing, "crm/opportunities", opportunities)
    _append(
        landing,
        "crm/opportunities",
        [{"opportunity_id": "ORPHAN-OPP", "account_id": "NO-SUCH", "stage": "Won"}],
    )
    contacts = _read(landing, "crm/contacts")
    contacts["first_name"], contacts["last_name"] = "Ada" + contacts.index.astype(str), "Lovelace"
    _write(landing, "crm/contacts", contacts)
    _append(landing, "crm/contacts", [{"contact_id": "ORPHAN-CONTACT", "account_id": "NO-SUCH"}])

    customer = _read(landing, "erp/invoices")["erp_customer_id"].iloc[0]
    invoice = {"erp_customer_id": customer, "invoice_date": "2024-03-01", "amount": "100", "status": "paid"}
    _append(
        landing,
        "erp/invoices",
        [
            {**invoice, "invoice_id": "ORPHAN-INV", "erp_customer_id": "NO-SUCH", "currency": "USD"},
            {**invoice, "invoice_id": "XYZ-INV", "currency": "XYZ"},
            {**invoice, "invoice_id": "FUTURE-INV", "invoice_date": "2099-01-01", "currency": "USD"},
            {**invoice, "invoice_id": "ABSURD-INV", "amount": "1e15", "currency": "USD"},
        ],
    )
    for name in ("enrichment/firmographics", "enrichment/technographics", "enrichment/events"):
        frame = _read(landing, name)
        frame["domain"] = "nomatch-" + frame["domain"].str.replace(r"[^a-z0-9]", "", regex=True) + ".example"
        if "company_name" in frame:
            frame["company_name"] = "Unrelated " + frame.index.astype(str)
        _write(landing, name, frame)
    return {"self_parent": ids[4], "cycle": ids[5]}


def make_few_customers_dataset(landing: Path, n: int) -> None:
    """Only `n` ERP customers keep their invoices and contracts; no opportunity is won."""
    keep = _read(landing, "erp/customers")["erp_customer_id"].iloc[:n].tolist()
    for name in ("erp/invoices", "erp/contracts"):
        frame = _read(landing, name)
        _write(landing, name, frame[frame["erp_customer_id"].isin(keep)])
    opportunities = _read(landing, "crm/opportunities")
    opportunities.loc[opportunities["stage"].str.lower().str.contains("won"), "stage"] = "Closed Lost"
    _write(landing, "crm/opportunities", opportunities)


def _failure_messages(run) -> dict[str, str]:
    return {
        event.step_key: failure_message(event.event_specific_data.error)
        for event in run.result.all_events
        if event.is_step_failure
    }


def _published(warehouse: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'icp'"
            ).fetchall()
        ]
        return {name: con.execute(f"select * from icp.{name}").df() for name in sorted(names)}


@pytest.fixture(scope="module")
def degenerate(tmp_path_factory):
    from icp_pipeline.demo.generator import generate_demo_data
    from tests.pipeline_harness import run_pipeline

    root = tmp_path_factory.mktemp("degenerate")
    generate_demo_data(root / "landing", n_accounts=300, n_prospects=100, seed=5)
    planted = make_degenerate_dataset(root / "landing")
    run = run_pipeline(root, root / "landing", config_path=DEFAULT_CONFIG, raise_on_error=False)
    assert run.result.success, _failure_messages(run)
    return run, planted


@pytest.fixture(scope="module", params=[0, 5], ids=["zero_customers", "five_customers"])
def few_customers(request, degenerate, tmp_path_factory):
    """A refresh with too few customers, into a copy of the degenerate run's warehouse."""
    from icp_pipeline.demo.generator import generate_demo_data
    from tests.pipeline_harness import run_pipeline

    root = tmp_path_factory.mktemp(f"customers_{request.param}")
    generate_demo_data(root / "landing", n_accounts=300, n_prospects=100, seed=5)
    make_few_customers_dataset(root / "landing", request.param)
    warehouse = root / "warehouse.duckdb"
    shutil.copy(degenerate[0].warehouse, warehouse)
    run = run_pipeline(
        root, root / "landing", config_path=DEFAULT_CONFIG, raise_on_error=False, warehouse=warehouse
    )
    return request.param, run, degenerate[0]


@pytest.mark.slow
def test_too_few_customers_fail_the_run_with_the_reason_and_keep_the_last_publication(few_customers):
    n, run, previous = few_customers
    assert not run.result.success
    failures = _failure_messages(run)
    assert list(failures) == ["icp_models"]
    assert re.search(
        rf"value model needs at least 20 customers with a non-null 'label_annualised_value', got {n}; add "
        r"customer history.*A customer is an account with paid revenue \(erp/invoices\) or a won opportunity",
        failures["icp_models"],
    ), failures
    before, after = _published(previous.warehouse), _published(run.warehouse)
    assert list(before) == list(after)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


@pytest.mark.slow
def test_every_customer_in_one_industry_still_gives_a_complete_tiered_list(degenerate):
    run, _ = degenerate
    industries = run.query(
        "select distinct industry from marts.account_features where crm_account_id is not null"
    )
    assert industries["industry"].dropna().tolist() == ["software"]
    targets = run.query("select * from icp.target_accounts")
    assert targets["account_key"].is_unique and targets["tier"].notna().all()
    assert {"Tier 1", "Tier 2", "Tier 3"} <= set(targets["tier"])


@pytest.mark.slow
def test_no_closed_opportunity_leaves_the_win_model_out_and_says_why(degenerate):
    run, _ = degenerate
    coverage = run.query("select name, available, detail from icp.data_coverage").set_index("name")
    assert not coverage.loc["win_model", "available"]
    assert "0 won / 0 lost" in coverage.loc["win_model", "detail"]
    assert run.query("select count(*) as n from marts.closed_opportunities")["n"].iloc[0] == 0


@pytest.mark.slow
def test_an_enrichment_feed_that_matches_nothing_is_reported(degenerate):
    run, _ = degenerate
    coverage = run.query("select name, detail from icp.data_coverage").set_index("name")["detail"]
    assert re.search(r"It matched 0 of [\d,]+ CRM accounts", coverage["firmographic_enrichment"])
    rates = run.query("select * from marts.identity_match_rates").set_index("source_pair")
    assert rates.loc["crm/accounts -> enrichment/firmographics", "match_rate"] == 0
    kept = run.query("select count(*) as n from icp.target_accounts where domain like 'nomatch-%'")["n"].iloc[
        0
    ]
    assert kept > 0  # unmatched enrichment rows are prospects, not dropped


@pytest.mark.slow
def test_shared_domains_are_merged_and_listed_as_conflicts(degenerate):
    run, _ = degenerate
    conflicts = run.query(
        "select * from marts.identity_conflicts where conflict_type = 'duplicate_crm_domain'"
    )
    assert {"shared-domain.com", "shared-two.com"} <= {
        d for d in ("shared-domain.com", "shared-two.com") if conflicts["detail"].str.contains(d).any()
    }
    targets = run.query(
        "select domain from icp.target_accounts where domain in ('shared-domain.com', 'shared-two.com')"
    )
    assert sorted(targets["domain"]) == ["shared-domain.com", "shared-two.com"]


@pytest.mark.slow
def test_self_and_cyclic_parents_end_the_roll_up_and_are_listed(degenerate):
    run, planted = degenerate
    conflicts = run.query("select conflict_type, detail from marts.identity_conflicts")
    assert (
        conflicts[conflicts["conflict_type"] == "self_parent"]["detail"]
        .str.contains(planted["self_parent"])
        .any()
    )
    assert (conflicts["conflict_type"] == "parent_cycle").sum() >= 2
    groups = run.query("select count(*) as n from intermediate.int_account_groups where has_parent_cycle")
    assert groups["n"].iloc[0] == 2


@pytest.mark.slow
def test_orphans_and_unknown_currencies_are_counted_in_unmatched_records(degenerate):
    run, _ = degenerate
    unmatched = run.query("select source_table, record_id, reason from marts.unmatched_records")
    found = set(unmatched.itertuples(index=False, name=None))
    assert {
        ("crm/opportunities", "ORPHAN-OPP", "unknown_account_id"),
        ("crm/contacts", "ORPHAN-CONTACT", "unknown_account_id"),
        ("erp/invoices", "ORPHAN-INV", "unknown_erp_customer_id"),
        ("erp/invoices", "XYZ-INV", "unknown_currency"),
    } <= found


@pytest.mark.slow
def test_implausible_values_are_quarantined_and_counted_in_data_coverage(degenerate):
    run, _ = degenerate
    quarantined = run.query(
        "select reason from raw._quarantine where landing_table = 'erp/invoices' order by 1"
    )
    assert [r.split(" ")[0] for r in quarantined["reason"]] == ["amount", "invoice_date"]
    coverage = run.query("select * from icp.data_coverage where name = 'erp/invoices'")
    assert coverage["quarantined_rows"].iloc[0] == 2
    assert "2 rows went to raw._quarantine" in coverage["detail"].iloc[0]


@pytest.mark.slow
def test_personal_data_in_extra_columns_stays_out_of_marts_and_published_tables(degenerate):
    run, _ = degenerate
    personal = re.compile(r"^(x__)?(contact_)?(email|first_name|last_name)$")
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in ('raw', 'staging', 'intermediate', 'marts', 'model', 'icp')"
        ).fetchall()
        # contacts.email and the contacts' name extras stay in raw; crm/accounts' `Contact Email` is not loaded
        found = {(s, t, c) for s, t, c in columns if personal.search(c)}
        # personal data stays in raw (connector tables such as raw.salesforce__contact keep their email there)
        assert {(s, t, c) for s, t, c in found if s != "raw"} == set()
        assert {(s, t, c) for s, t, c in found if t == "crm__contacts"} == {
            ("raw", "crm__contacts", "email"),
            ("raw", "crm__contacts", "first_name"),
            ("raw", "crm__contacts", "last_name"),
        }
        staged = [c for s, t, c in columns if (s, t) == ("staging", "stg_crm__contacts")]
        assert "has_email" in staged
        emails = [
            r[0]
            for r in con.execute("select email from raw.crm__contacts where email is not null").fetchall()
        ]
        names = [r[0] for r in con.execute("select first_name from raw.crm__contacts").fetchall()]
        text = "".join(
            con.execute(f"select * from {s}.{t}").df().to_csv()
            for s, t in sorted({(s, t) for s, t, _ in columns if s != "raw"})
        )
    assert len(emails) > 1000 and not [e for e in emails if e in text]
    assert (
        "@leak.example" not in text and "Lovelace" not in text and not [n for n in names if f",{n}," in text]
    )
    exported = "".join(
        p.read_text(errors="ignore") for p in run.exports.iterdir() if p.suffix in (".csv", ".html")
    )
    assert "@leak.example" not in exported and "Lovelace" not in exported
    # the employee who owns an account is a person too: the demo's customer_success_manager is not loaded
    managers = set(_read(run.warehouse.parent / "landing", "crm/accounts")["customer_success_manager"]) - {""}
    assert managers and not [m for m in managers if m in text or m in exported]


# --- a typo in the config fails the step before it trains or publishes --------------------------------


def _materialise(asset, warehouse: Path, config_path: Path, export_dir: Path):
    from icp_pipeline.defs.transform.assets import dbt_resource
    from icp_pipeline.resources import IcpPathsResource, WarehouseResource

    resources = {
        "warehouse": WarehouseResource(duckdb_path=str(warehouse)),
        "paths": IcpPathsResource(landing_dir="", export_dir=str(export_dir), config_path=str(config_path)),
        "dbt": dbt_resource(),
    }
    return dg.materialize(
        [asset], resources=resources, raise_on_error=False, instance=dg.DagsterInstance.ephemeral()
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("step", "section"),
    [
        ("model", "hypotheses:\n  - {id: snow, statement: s, filter: uses snowflak}\n"),
        ("publish", "disqualifiers:\n  - {id: edu, filter: employe_count > 5, reason: r}\n"),
    ],
    ids=["misspelt_hypothesis_stops_the_model_step", "misspelt_disqualifier_stops_the_publish_step"],
)
def test_a_misspelt_filter_attribute_fails_the_step_with_a_suggestion(step, section, degenerate, tmp_path):
    from icp_pipeline.defs.model.assets import icp_models
    from icp_pipeline.defs.publish.assets import icp_published_tables

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(degenerate[0].warehouse, warehouse)
    config = tmp_path / "icp.yaml"
    config.write_text(section)
    asset = icp_models if step == "model" else icp_published_tables
    result = _materialise(asset, warehouse, config, tmp_path / "exports")
    assert not result.success
    [message] = [failure_message(e.event_specific_data.error) for e in result.all_events if e.is_step_failure]
    suggestion = "did you mean tech__snowflake" if step == "model" else "firmo__employee_count"
    assert f"ICP config {config}" in message and suggestion in message, message
    pd.testing.assert_frame_equal(
        _published(degenerate[0].warehouse)["target_accounts"], _published(warehouse)["target_accounts"]
    )


def test_every_case_is_documented_in_bad_inputs_md():
    doc = BAD_INPUTS_DOC.read_text(encoding="utf-8")
    ids = [c.id for c in LANDING_CASES] + [c[0] for c in CONFIG_CASES] + [c[0] for c in FILTER_CASES]
    ids += [
        "zero_customers",
        "five_customers",
        "one_industry",
        "no_closed_opportunities",
        "enrichment_matches_nothing",
        "duplicate_domains",
        "self_and_cyclic_parents",
        "orphans",
        "unknown_currency",
        "misspelt_filter_in_a_run",
    ]
    assert not [i for i in ids if f"`{i}`" not in doc]
