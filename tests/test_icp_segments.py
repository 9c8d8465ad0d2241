"""Segments: 3-5 k-means profiles of high-value customers; every account assigned; deterministic."""

from __future__ import annotations

import pandas as pd
import pytest

from icp_pipeline.lib.icp.attributes import numbers, texts
from icp_pipeline.lib.icp.segments import OTHER_SEGMENT, SEGMENT_COLUMNS, build_segments, high_value_customers
from icp_pipeline.lib.model.families import family_of
from icp_pipeline.lib.model.labels import Labels, readable_value
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
    named = segments[segments["segment_name"] != OTHER_SEGMENT]
    assert len(named) == 4 and segments["segment_id"].tolist() == list(range(1, len(segments) + 1))
    assert segments["segment_name"].is_unique
    assert segments["customers"].sum() == high_value_customers(features, VALUE).sum()
    assert segments["share_of_value"].sum() == pytest.approx(1.0)
    assert segments["share_of_value"].is_monotonic_decreasing
    assert segments["example_accounts"].str.count(",").le(2).all()
    other = segments.loc[segments["segment_name"] == OTHER_SEGMENT, "customers"].sum()
    assert (
        segments["note"].isna().all()
        if not other
        else segments["note"].str.startswith(f"{other} high-value").all()
    )
    # every account, customers and prospects, gets a segment name
    assert assignment.index.equals(features.index) and assignment.notna().all()
    assert set(assignment) <= set(segments["segment_name"]) | {OTHER_SEGMENT}
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
    assert (segments["segment_name"] != OTHER_SEGMENT).sum() == expected


def test_few_customers_give_fewer_segments_with_a_note(features):
    few = features.copy()
    customers = few.index[few["is_customer"]]
    few.loc[customers[12:], "is_customer"] = False  # 12 customers -> 6 high-value
    segments, assignment = build_segments(few, importance(), VALUE, n_segments=4)
    named = segments[segments["segment_name"] != OTHER_SEGMENT]
    assert len(named) == 1 and "instead of 4" in segments["note"].iloc[0]
    assert assignment.isin([named["segment_name"].iloc[0], OTHER_SEGMENT]).all()

    none = features.assign(**{VALUE: float("nan")})
    segments, assignment = build_segments(none, importance(), VALUE)
    assert segments.empty and assignment.isna().all()


def _holds(phrase: str, members: pd.DataFrame, labels: Labels) -> pd.Series:
    """Whether each member satisfies one phrase of a segment name, read as a person reads it."""
    for attr in RANKED:
        label, name = labels.label(attr), labels.name(attr)
        if phrase == label:  # 'Uses Snowflake'
            return numbers(members[attr]) == 1
        if label.startswith("Uses ") and phrase == "Does not use " + label[5:]:
            return numbers(members[attr]) == 0
        if phrase.startswith(f"{name}: "):  # 'Funding stage: Public or Private'
            levels = phrase[len(name) + 2 :].split(" or ")
            return (
                texts(members[attr])
                .map(lambda v: readable_value(v.casefold()).casefold() if v else None)
                .isin([lv.casefold() for lv in levels])
            )
        if phrase.startswith(f"{name} ") and " to " in phrase:  # 'Employee count 39 to 300'
            low, high = (
                float(v.replace(",", "").replace(" M", "e6")) for v in phrase[len(name) + 1 :].split(" to ")
            )
            x = numbers(members[attr])
            return (x >= low) & (x <= high)
    if " to " not in phrase and ":" not in phrase:  # a place or industry alone: 'Software or Retail'
        levels = phrase.split(" or ")
        industry = texts(members["firmo__industry"])
        return industry.map(lambda v: readable_value(v.casefold()).casefold() if v else None).isin(
            [lv.casefold() for lv in levels]
        )
    raise AssertionError(f"no attribute reads as {phrase!r}")


def test_every_member_satisfies_the_traits_its_segment_name_states(features):
    """Issue 15 point 5: no 'Large accounts' whose example has 9 employees."""
    segments, assignment = build_segments(features, importance(), VALUE, n_segments=4)
    labels = Labels()
    for name in segments["segment_name"]:
        if name == OTHER_SEGMENT:
            continue
        members = features[assignment == name]
        assert len(members)
        for phrase in name.split(" · "):
            assert _holds(phrase, members, labels).all(), (name, phrase)
    for row in segments.itertuples():  # size, value share and 3 examples, all members of the segment
        examples = row.example_accounts.split(", ")
        assert len(examples) == min(3, row.customers) and row.customers > 0 and 0 < row.share_of_value <= 1
        assert set(examples) <= set(features.loc[assignment == row.segment_name, "account_name"])


def test_the_profile_gives_the_customers_median_value_with_its_currency(features):
    """Maven: '26 high-value customers with median won amount 140,134' had no currency beside it."""
    from icp_pipeline.lib.model.labels import Labels

    segments, _ = build_segments(features, importance(), VALUE, labels=Labels(currency="USD"))
    assert segments["profile"].str.contains(r"high-value customers with median .+ [\d,.]+ USD; ").all()
    plain, _ = build_segments(features, importance(), VALUE)
    assert not plain["profile"].str.contains("USD").any()


def test_a_categorical_trait_names_its_attribute_so_a_code_alone_is_never_a_segment_name():
    """Maven's 'US' segment: a country or industry level alone does not say what the segment is."""
    from icp_pipeline.lib.icp.segments import Trait, trait_phrase

    labels = Labels(known={"firmo__country": ("Country", None), "firmo__industry": ("Industry", None)})
    country = Trait("firmo__country", "categorical", levels=("us",), shown=("US",))
    industry = Trait("firmo__industry", "categorical", levels=("software", "retail_consumer"))
    assert trait_phrase(country, labels) == "Country: US"
    assert trait_phrase(industry, labels) == "Industry: Software or Retail consumer"
