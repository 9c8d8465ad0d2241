"""Segments: 3-5 k-means profiles of high-value customers; every account assigned; deterministic."""

from __future__ import annotations

import pandas as pd
import pytest

from icp_pipeline.lib.icp.segments import SEGMENT_COLUMNS, build_segments, high_value_customers
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
    "beh__activities_12m",
]


def importance() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "attribute": a,
                "family": family_of(a),
                "rank": i + 1,
                "recommended": True,
                "used_in_model": True,
            }
            for i, a in enumerate(RANKED)
        ]
    )


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    return make_synthetic(n_customers=240, n_prospects=600, seed=3).features


def test_segments_cover_high_value_customers_and_every_account(features):
    segments, assignment = build_segments(features, importance(), VALUE, n_segments=4)
    assert list(segments.columns) == SEGMENT_COLUMNS
    assert len(segments) == 4 and segments["segment_id"].tolist() == [1, 2, 3, 4]
    assert segments["segment_name"].is_unique
    assert segments["customers"].sum() == high_value_customers(features, VALUE).sum()
    assert segments["share_of_value"].sum() == pytest.approx(1.0)
    assert segments["share_of_value"].is_monotonic_decreasing
    assert segments["example_accounts"].str.count(",").le(2).all()
    assert segments["note"].isna().all()
    # every account, customers and prospects, gets a segment name
    assert assignment.index.equals(features.index) and assignment.notna().all()
    assert set(assignment) <= set(segments["segment_name"])
    # the high-value customers are assigned to their own cluster
    high = high_value_customers(features, VALUE)
    counts = assignment[high].value_counts()
    assert counts.reindex(segments["segment_name"]).tolist() == segments["customers"].tolist()


def test_behavioural_attributes_are_not_used(features):
    segments, _ = build_segments(features, importance(), VALUE)
    assert not segments["profile"].str.contains("activities").any()
    assert not segments["top_attributes"].str.contains("activities").any()


def test_deterministic_for_a_seed(features):
    a = build_segments(features, importance(), VALUE, seed=7)
    b = build_segments(features.sample(frac=1.0, random_state=1).sort_index(), importance(), VALUE, seed=7)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_series_equal(a[1], b[1])


@pytest.mark.parametrize(("wanted", "expected"), [(1, 3), (3, 3), (5, 5), (9, 5)])
def test_count_is_clamped_to_three_to_five(features, wanted, expected):
    segments, _ = build_segments(features, importance(), VALUE, n_segments=wanted)
    assert len(segments) == expected


def test_few_customers_give_fewer_segments_with_a_note(features):
    few = features.copy()
    customers = few.index[few["is_customer"]]
    few.loc[customers[12:], "is_customer"] = False  # 12 customers -> 6 high-value
    segments, assignment = build_segments(few, importance(), VALUE, n_segments=4)
    assert len(segments) == 1 and "instead of 4" in segments["note"].iloc[0]
    assert assignment.eq(segments["segment_name"].iloc[0]).all()

    none = features.assign(**{VALUE: float("nan")})
    segments, assignment = build_segments(none, importance(), VALUE)
    assert segments.empty and assignment.isna().all()
