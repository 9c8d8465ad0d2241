"""Attribute labels, units and numbers as people read them (issue 15, point 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.labels import Labels, attribute_label, format_number, format_value, humanize
from icp_pipeline.lib.model.reasons import MINUS, PLUS, reason_codes


def test_unknown_columns_get_readable_labels_by_rule():
    assert attribute_label("x__sic_code") == ("SIC code", None)
    assert attribute_label("custom__region_c") == ("Region", None)
    assert attribute_label("x__tier__c") == ("Tier", None)
    assert attribute_label("x__property_lifecycle_stage") == ("Lifecycle stage", None)
    assert attribute_label("x__year_established") == ("Year established", "year")
    assert attribute_label("sit__company_age_years")[1] != "year"
    assert attribute_label("tech__snowflake") == ("Uses Snowflake", None)
    assert attribute_label("tech__cat_crm") == ("CRM tools used", "tools")
    assert attribute_label("beh__activities_meeting_6m") == (
        "Meeting activities, last 6 months",
        "activities",
    )
    assert humanize("annual_revenue") == "Annual revenue"


def test_numbers_are_formatted_for_people():
    assert format_value(2004.0, "year") == "2004"  # never '2,004'
    assert format_value(1_234_567.0, "USD") == "1.23 M USD"
    assert format_value(12_345.6, "USD") == "12,300 USD"
    assert format_value(0.1234, "share") == "12 %"
    assert format_value(3.0, "years") == "3 years"
    assert format_number(12_345.6) == "12,300"
    assert format_number(0.012345) == "0.0123"
    assert format_number(12.0) == "12"
    assert format_value(np.nan, "USD") == "n/a"


def test_reasons_read_in_labels_with_units_and_the_sign_of_their_effect():
    X = pd.DataFrame(
        {
            "tech__snowflake": [1.0, 0.0],
            "firmo__annual_revenue": [2_500_000.0, 40_000.0],
            "x__year_established": [2004.0, 1998.0],
            "x__sic_code": pd.Categorical(["7372", None]),
        }
    )
    shap = pd.DataFrame(
        {
            "tech__snowflake": [0.9, -0.5],
            "firmo__annual_revenue": [0.3, -0.2],
            "x__year_established": [0.2, -0.1],
            "x__sic_code": [0.01, 0.05],
        }
    )
    kinds = {
        "tech__snowflake": "binary",
        "firmo__annual_revenue": "numeric",
        "x__year_established": "numeric",
        "x__sic_code": "categorical",
    }
    labels = Labels({"firmo__annual_revenue": ("Annual revenue (USD)", "USD")})
    r = reason_codes(shap, X, kinds, n_reasons=3, labels=labels)
    assert r[0] == (
        f"{PLUS} Uses Snowflake; {PLUS} Annual revenue: 2.5 M USD (high); {PLUS} Year established: 2004 (high)"
    )
    assert r[1] == (
        f"{MINUS} Does not use Snowflake; {MINUS} Annual revenue: 40,000 USD (low); {MINUS} Year established: 1998 (low)"
    )
    for text in r:
        assert "__" not in text and "True" not in text and "nan" not in text


def test_python_and_dbt_write_the_same_acronyms():
    """The acronym lists of labels.py and macros/attribute_labels.sql agree (the dbt test compares
    their labels on the fixture's columns; this compares the lists themselves)."""
    import re
    from pathlib import Path

    from icp_pipeline.lib.model.labels import ACRONYMS

    macro = (Path(__file__).resolve().parent.parent / "dbt_project/macros/attribute_labels.sql").read_text()
    listed = re.search(r"set acronyms = \[(.*?)\]", macro, re.S).group(1)
    assert set(re.findall(r"'([a-z0-9]+)'", listed)) == ACRONYMS
    assert attribute_label("tech__cat_bi") == ("BI tools used", "tools")
    assert attribute_label("tech__power_bi") == ("Uses Power BI", None)
