"""The ICP profile of the best customers: 10-12 attributes with sensible ranges and brief lines."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from icp_pipeline.lib.icp.profile import PROFILE_COLUMNS, best_customers, build_profile
from icp_pipeline.lib.model.families import family_of
from tests.synthetic_model_data import make_synthetic

VALUE = "label_annualised_value"
RANKED = [
    "tech__snowflake",
    "firmo__employee_count",
    "firmo__industry",
    "sit__company_age_years",
    "firmo__annual_revenue",
    "sit__employee_growth_12m",
    "tech__cat_crm",
    "sit__funding_stage",
    "tech__salesforce",
    "x__noise_1",
    "x__noise_2",
    "x__noise_3",
    "firmo__country",
]


def importance(n_recommended: int = 12) -> pd.DataFrame:
    rows = [
        {
            "attribute": a,
            "family": family_of(a),
            "rank": i + 1,
            "direction": "+",
            "recommended": i < n_recommended,
            "used_in_model": True,
            "observable_for_prospects": True,
        }
        for i, a in enumerate(RANKED)
    ]
    rows.append(
        {
            "attribute": "beh__activities_12m",
            "family": "behavioural",
            "rank": None,
            "direction": "+",
            "recommended": False,
            "used_in_model": False,
            "observable_for_prospects": False,
        }
    )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    return make_synthetic(n_customers=200, n_prospects=600, seed=0).features


def test_profile_rows_follow_the_recommended_attributes(features):
    p = build_profile(features, importance(), VALUE)
    assert list(p.columns) == PROFILE_COLUMNS
    assert 10 <= len(p) <= 12
    assert p["attribute"].tolist() == RANKED[:12]
    assert p["rank"].tolist() == list(range(1, 13))
    assert set(p["kind"]) == {"flag", "numeric", "categorical"}
    assert p["brief_line"].str.endswith(".").all() and p["best_customers"].eq(50).all()


def test_top_up_to_ten_rows_when_few_are_recommended(features):
    p = build_profile(features, importance(n_recommended=4), VALUE)
    assert len(p) == 10 and p["attribute"].tolist() == RANKED[:10]


def test_flag_numeric_and_categorical_ranges_are_sensible(features):
    p = build_profile(features, importance(), VALUE).set_index("attribute")
    best = best_customers(features, VALUE, 0.25)

    sf = p.loc["tech__snowflake"]
    assert sf["ideal_range"].startswith("Uses Snowflake (")
    assert sf["share_best"] == pytest.approx(features.loc[best, "tech__snowflake"].mean())
    assert sf["share_best"] > 0.8 > 0.4 > sf["share_others"]
    assert sf["brief_line"].startswith(f"{sf['share_best'] * 100:.0f} % of our best customers use Snowflake")

    emp = p.loc["firmo__employee_count"]
    lo, hi = (
        float(x.replace(",", ""))
        for x in re.match(r"Employee count: ([\d,.]+) to ([\d,.]+)$", emp["ideal_range"]).groups()
    )
    q25, q75 = features.loc[best, "employee_count"].quantile([0.25, 0.75])
    assert lo < hi and lo == pytest.approx(q25, rel=0.05) and hi == pytest.approx(q75, rel=0.05)
    assert 0.3 < emp["share_best"] < 0.7

    ind = p.loc["firmo__industry"]
    assert ind["kind"] == "categorical" and ind["ideal_range"].startswith("Industry: ")
    assert "Software" in ind["ideal_range"]  # planted: software customers are worth more
    assert ind["share_best"] > ind["share_others"] and ind["brief_line"].startswith(
        f"{ind['share_best'] * 100:.0f} %"
    )


def test_no_customer_value_gives_an_empty_profile(features):
    empty = build_profile(features.assign(**{VALUE: float("nan")}), importance(), VALUE)
    assert empty.empty and list(empty.columns) == PROFILE_COLUMNS


def test_the_brief_keeps_only_traits_with_statistical_support(features):
    """Issue 15 point 2: noise attributes, traits the model ranks at zero and traits the best
    customers have less often than other accounts never reach the brief."""
    imp = importance().assign(importance=1.0)
    imp.loc[imp["attribute"] == "sit__funding_stage", "importance"] = 0.0
    p = build_profile(features, imp, VALUE).set_index("attribute")
    brief = p[p["in_brief"]]
    assert {"tech__snowflake", "firmo__industry"} <= set(brief.index)
    assert not brief.index.str.startswith("x__noise").any()  # planted noise: no support
    assert p.at["sit__funding_stage", "not_in_brief"] == "the model ranks it at zero"
    assert (brief["difference_low"] > 0).all() and (brief["share_best"] > brief["share_others"]).all()
    assert (brief["difference_low"] < brief["share_best"] - brief["share_others"]).all()
    left_out = p[~p["in_brief"]]
    assert left_out["not_in_brief"].notna().all() and brief["not_in_brief"].isna().all()
    assert brief["rank"].is_monotonic_increasing  # the model's order
    assert p["other_accounts"].eq(len(features) - 50).all()
    assert not brief["brief_line"].str.contains("__|_", regex=True).any()


def test_newcombe_interval_matches_the_published_example():
    """Newcombe (1998) table II, example (a): 56/70 vs 48/80, 95 % interval 0.0524 to 0.3339."""
    from icp_pipeline.lib.icp.support import share_difference_interval

    low, high = share_difference_interval(56, 70, 48, 80, confidence=0.95)
    assert low == pytest.approx(0.0524, abs=5e-4) and high == pytest.approx(0.3339, abs=5e-4)


def test_a_year_reads_without_a_thousands_separator(features):
    frame = features.assign(x__year_established=2000 + (features.index % 20))
    imp = pd.concat(
        [
            importance(),
            pd.DataFrame(
                [
                    {
                        "attribute": "x__year_established",
                        "family": "extra",
                        "rank": 0,
                        "recommended": True,
                        "used_in_model": True,
                        "observable_for_prospects": True,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    p = build_profile(frame, imp, VALUE).set_index("attribute")
    assert re.fullmatch(r"Year established: 20\d\d to 20\d\d", p.at["x__year_established", "ideal_range"])
    assert "2,0" not in p.at["x__year_established", "brief_line"]
