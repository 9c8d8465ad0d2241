"""The ICP filter language: every operator, precedence, missing values, helpful errors, no eval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.icp.filters import (
    FilterError,
    compile_filter,
    describe_filter,
    parse_filter,
    validate_filter,
)


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_key": ["a", "b", "c", "d", "e"],
            "firmo__industry": ["Software", "fintech", None, "retail", "  software "],
            "firmo__employee_count": [10.0, 500.0, np.nan, 3000.0, 250.0],
            "firmo__country": ["US", "GB", "US", None, "DE"],
            "tech__snowflake": [1.0, 0.0, 1.0, np.nan, 0.0],
            "tech__google_analytics": [0.0, 1.0, 0.0, 0.0, 1.0],
            "sit__events_funding_round_12m": [0.0, 2.0, 1.0, np.nan, 0.0],
            "sit__ownership": ["private", "public", "private", "public", None],
        }
    )


def hits(text: str, df: pd.DataFrame) -> list[str]:
    mask = compile_filter(text, df)
    assert mask.dtype == bool and mask.index.equals(df.index)
    return df.loc[mask, "account_key"].tolist()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("industry in [software, fintech]", ["a", "b", "e"]),
        ("industry in ['SOFTWARE']", ["a", "e"]),
        ('firmo__industry in ["Fintech", retail]', ["b", "d"]),
        ("industry not in [software]", ["b", "d"]),
        ("employee_count between 200 and 3000", ["b", "d", "e"]),
        ("employee_count between 3000 and 200", ["b", "d", "e"]),
        ("employee_count >= 500", ["b", "d"]),
        ("employee_count > 500", ["d"]),
        ("employee_count <= 250", ["a", "e"]),
        ("employee_count < 250", ["a"]),
        ("employee_count = 500", ["b"]),
        ("employee_count == 500", ["b"]),
        ("employee_count != 500", ["a", "d", "e"]),
        ("country = us", ["a", "c"]),
        ("country != us", ["b", "e"]),
        ("uses snowflake", ["a", "c"]),
        ("uses Google Analytics", ["b", "e"]),
        ("uses 'google-analytics'", ["b", "e"]),
        ("does not use snowflake", ["b", "e"]),
        ("event funding round within 12 months", ["b", "c"]),
        ("event funding_round", ["b", "c"]),
        ("event funding round within 12m", ["b", "c"]),
    ],
)
def test_each_operator(df, text, expected):
    assert hits(text, df) == expected


def test_keywords_are_case_insensitive(df):
    assert hits("INDUSTRY IN [software] AND NOT Uses SNOWFLAKE", df) == ["e"]
    assert hits("employee_count BETWEEN 100 AND 600 Or country = de", df) == ["b", "e"]


def test_not_binds_tighter_than_and_tighter_than_or(df):
    # or has the lowest precedence: a or (b and c)
    assert hits("country = gb or uses snowflake and industry = software", df) == ["a", "b"]
    assert hits("(country = gb or uses snowflake) and industry = software", df) == ["a"]
    # not applies to the next clause only
    assert hits("not uses snowflake and country = de", df) == ["e"]
    assert hits("not (uses snowflake or country = de)", df) == ["b"]
    assert hits("not not uses snowflake", df) == ["a", "c"]


def test_missing_values_never_match(df):
    # c has no industry and no employee count, d no country and no snowflake flag
    assert "c" not in hits("industry in [software]", df)
    assert "c" not in hits("industry not in [software]", df)
    assert "c" not in hits("not industry in [software]", df)
    assert "c" not in hits("employee_count < 100000", df)
    assert "c" not in hits("not employee_count < 10", df)
    assert "d" not in hits("country != us", df)
    assert "d" not in hits("uses snowflake", df) and "d" not in hits("does not use snowflake", df)
    # but a known True on one side of `or` is enough
    assert "d" in hits("uses snowflake or industry = retail", df)


def test_attribute_resolution_with_or_without_prefix(df):
    assert validate_filter("industry = x and firmo__employee_count > 1 and ownership = y", df.columns) == [
        "firmo__industry",
        "firmo__employee_count",
        "sit__ownership",
    ]
    assert validate_filter("uses snowflake or event funding round", df.columns) == [
        "tech__snowflake",
        "sit__events_funding_round_12m",
    ]
    both = df.assign(x__industry="a")
    with pytest.raises(FilterError, match="ambiguous"):
        validate_filter("industry = software", both.columns)
    assert validate_filter("firmo__industry = software", both.columns) == ["firmo__industry"]


def test_unknown_attribute_names_it_and_suggests_the_closest(df):
    with pytest.raises(FilterError) as err:
        compile_filter("employe_count > 5", df)
    assert err.value.attribute == "employe_count"
    assert err.value.suggestions[0] == "firmo__employee_count"
    assert "employe_count" in str(err.value) and "firmo__employee_count" in str(err.value)

    with pytest.raises(FilterError, match="tech__snowflake"):
        validate_filter("uses snowflak", df.columns)
    with pytest.raises(FilterError, match="only available within 12 months"):
        validate_filter("event funding round within 6 months", df.columns)
    assert validate_filter(
        "event funding round within 6 months", [*df.columns, "sit__events_funding_round_6m"]
    )


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("industry in [software", 21),
        ("industry in software", 12),
        ("employee_count >= ", 18),
        ("employee_count >= big", 18),
        ("industry = software )", 20),
        ("uses snowflake and", 18),
        ("(uses snowflake", 15),
        ("industry ~ software", 9),
        ("industry = 'software", 11),
        ("", 0),
    ],
)
def test_syntax_errors_carry_the_position(text, position):
    with pytest.raises(FilterError) as err:
        parse_filter(text)
    assert err.value.position == position
    assert f"position {position}" in str(err.value)


def test_nothing_is_evaluated(df):
    for text in ["__import__('os').system('true')", "industry.__class__ = x()", "exec('1')"]:
        with pytest.raises(FilterError):
            compile_filter(text, df)


def test_bare_and_quoted_multiword_values():
    df = pd.DataFrame(
        {"account_key": ["a", "b"], "firmo__industry": ["Financial Services", "research and development"]}
    )
    assert hits("industry in [financial services]", df) == ["a"]
    assert hits("industry = Financial Services or industry = 'research and development'", df) == ["a", "b"]
    assert hits("industry in [research and development]", df) == ["b"]


def test_empty_frame_gives_empty_mask(df):
    assert compile_filter("uses snowflake", df.iloc[:0]).empty


def test_describe_reads_like_english():
    assert describe_filter("uses Snowflake") == "using Snowflake"
    assert (
        describe_filter("employee_count between 200 and 2000") == "with employee count between 200 and 2,000"
    )
    assert describe_filter("not uses x and industry in [a, b]") == "not using X and with industry in A, B"
    # category codes and technologies as people read them, never the code
    assert describe_filter("industry in [financial_services, software]") == (
        "with industry in Financial services, Software"
    )
    assert describe_filter("uses google_cloud") == "using Google Cloud"
    assert describe_filter("not employee_count >= 5") == "with employee count < 5"


def test_describe_writes_years_without_thousands_separators():
    """Maven CRM's hypothesis 'year_established > 2000' was explained as '> 2,000'. Any attribute
    the labels call a year (its name has a `year` word) keeps the year as written; others keep
    their separators."""
    assert describe_filter("year_established > 2000") == "with year established > 2000"
    assert describe_filter("founded_year between 1990 and 2005") == "with founded year between 1990 and 2005"
    assert describe_filter("not fiscal_year_end >= 2010") == "with fiscal year end < 2010"
    assert describe_filter("x__year_established in [1999, 2000]") == "with year established in 1999, 2000"
    assert describe_filter("employee_count > 5000") == "with employee count > 5,000"
    assert describe_filter("company_age_years > 2000") == "with company age years > 2,000"
