"""Tier churn between refreshes, with a reason per changed account."""

from __future__ import annotations

import pandas as pd
import pytest

from icp_pipeline.lib.icp.churn import CHANGE_COLUMNS, ChangeContext, tier_changes, tier_churn_rate


@pytest.fixture
def previous() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_key": ["a", "b", "c", "d", "e", "g"],
            "tier": ["Tier 2", "Tier 1", "Tier 3", "Tier 2", "Tier 3", "Disqualified"],
            "icp_score": [78.0, 95.0, 40.0, 80.0, 50.0, 60.0],
            "disqualified_reason": [None, None, None, None, None, "competitor"],
        }
    )


@pytest.fixture
def current() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_key": ["a", "b", "c", "d", "f", "g"],
            "tier": ["Tier 1", "Tier 2", "Disqualified", "Tier 1", "Tier 3", "Tier 3"],
            "icp_score": [92.4, 85.0, 40.0, 80.0, 30.0, 60.0],
            "disqualified_reason": [None, None, "sanctioned country", None, None, None],
            "override_note": [
                None,
                None,
                None,
                "override by anna: include as Tier 1 (strategic logo)",
                None,
                None,
            ],
        }
    )


def test_identical_refreshes_have_zero_churn(previous):
    changes = tier_changes(previous, previous.copy())
    assert list(changes.columns) == CHANGE_COLUMNS
    assert not changes["changed"].any() and changes["change_reason"].isna().all()
    assert tier_churn_rate(previous, previous.copy()) == 0.0


def test_reasons_for_each_kind_of_change(previous, current):
    c = tier_changes(previous, current).set_index("account_key")
    assert c.loc["a", "change_reason"] == "score 78→92 crossed the Tier 1 cut-off"
    assert c.loc["b", "change_reason"] == "score 95→85 fell below the Tier 1 cut-off"
    assert c.loc["c", "change_reason"] == "newly disqualified: sanctioned country"
    assert c.loc["d", "change_reason"] == "override by anna: include as Tier 1 (strategic logo)"
    assert c.loc["e", "change_reason"] == "dropped from data" and pd.isna(c.loc["e", "new_tier"])
    assert c.loc["f", "change_reason"] == "new account" and pd.isna(c.loc["f", "previous_tier"])
    assert c.loc["g", "change_reason"] == "no longer disqualified (was: competitor)"
    assert c.loc["a", "previous_tier"] == "Tier 2" and c.loc["a", "new_tier"] == "Tier 1"
    assert c["changed"].tolist() == [True, True, True, True, False, True, False]
    # 5 of the 5 accounts present in both changed tier (e dropped, f new)
    assert tier_churn_rate(previous, current) == pytest.approx(5 / 5)


def test_tier_moving_against_the_score_claims_no_cut_off_move_it_does_not_know(previous):
    current = previous.assign(tier=["Tier 3", "Tier 1", "Tier 3", "Tier 2", "Tier 3", "Disqualified"])
    c = tier_changes(previous, current).set_index("account_key")
    assert c.loc["a", "change_reason"] == (
        "moved from Tier 2 to Tier 3 (score 78→78; how the cut-offs were set is not recorded)"
    )
    assert tier_churn_rate(previous, current) == pytest.approx(1 / 6)


def _values(tiers, scores, values):
    return pd.DataFrame(
        {"account_key": ["a", "b"], "tier": tiers, "icp_score": scores, "expected_value": values}
    )


def test_frozen_cut_offs_are_never_said_to_move_and_the_value_that_crossed_is_named():
    previous = _values(["Tier 2", "Tier 1"], [80.0, 95.0], [150.0, 300.0])
    # a's score fell (80→78) yet its relative value rose above the frozen Tier 1 cut-off (2.0×)
    current = _values(["Tier 1", "Tier 2"], [78.0, 90.0], [420.0, 380.0])
    ctx = ChangeContext(
        previous_basis="expected value",
        basis="expected value",
        previous_cutoffs=(2.0, 1.0),
        cutoffs=(2.0, 1.0),
        previous_scale=100.0,
        scale=200.0,
        frozen=True,
    )
    c = tier_changes(previous, current, ctx).set_index("account_key")
    assert c.loc["a", "change_reason"] == (
        "expected value 1.50×→2.10× the median ranked account rose above the frozen Tier 1 cut-off "
        "(2.00×); score 80→78"
    )
    assert c.loc["b", "change_reason"] == (
        "expected value 3.00×→1.90× the median ranked account fell below the frozen Tier 1 cut-off "
        "(2.00×); score 95→90"
    )
    assert not c["change_reason"].str.contains("moved").any()


def test_a_withheld_previous_value_is_named_and_the_move_stays_true():
    """The previous refresh's model was weak: icp.target_accounts published no expected value
    (withheld_money). The reason says so and where the account stands now, never 'at the cut-off'
    for an account above it."""
    previous = _values(["Tier 2", "Tier 1"], [80.0, 95.0], [None, None])
    current = _values(["Tier 1", "Tier 2"], [78.0, 90.0], [420.0, 380.0])
    ctx = ChangeContext(
        previous_basis="expected value",
        basis="expected value",
        previous_cutoffs=(2.0, 1.0),
        cutoffs=(2.0, 1.0),
        previous_scale=100.0,
        scale=200.0,
        frozen=True,
    )
    c = tier_changes(previous, current, ctx).set_index("account_key")
    assert c.loc["a", "change_reason"] == (
        "expected value withheld last refresh→2.10× the median ranked account, at or above the frozen "
        "Tier 1 cut-off (2.00×); score 80→78"
    )
    assert c.loc["b", "change_reason"] == (
        "expected value withheld last refresh→1.90× the median ranked account, below the frozen "
        "Tier 1 cut-off (2.00×); score 95→90"
    )


def test_a_rebaseline_is_the_stated_reason_of_the_moves_it_causes():
    previous = _values(["Tier 2", "Tier 1"], [80.0, 95.0], [150.0, 300.0])
    current = _values(["Tier 1", "Tier 2"], [70.0, 96.0], [140.0, 310.0])
    ctx = ChangeContext(
        previous_basis="expected value",
        basis="expected value",
        previous_cutoffs=(2.0, 1.0),
        cutoffs=(1.3, 0.8),
        previous_scale=100.0,
        scale=100.0,
        frozen=False,
        rebaseline_reason="the tier policy changed",
    )
    c = tier_changes(previous, current, ctx).set_index("account_key")
    assert c.loc["a", "change_reason"] == (
        "cut-offs rebaselined (the tier policy changed): the Tier 1 cut-off is 1.30× (was 2.00×); "
        "expected value 1.50×→1.40× the median ranked account; score 80→70"
    )


def test_no_overlap_gives_nan_churn(previous):
    other = previous.assign(account_key=[f"z{i}" for i in range(len(previous))])
    assert pd.isna(tier_churn_rate(previous, other))


def test_text_columns_in_arrow_or_objects_give_the_same_changes(previous, current):
    """Published tables are read back with Arrow-backed text; the changes must not depend on it."""
    as_text = {c: "str" for c in ("account_key", "tier", "disqualified_reason")}
    shuffled = current.sample(frac=1.0, random_state=3)  # another order: new accounts follow it
    expected = tier_changes(previous, shuffled)
    got = tier_changes(previous.astype(as_text), shuffled.astype(as_text))
    assert got["account_key"].tolist() == expected["account_key"].tolist()
    for col in CHANGE_COLUMNS:
        assert got[col].tolist() == expected[col].tolist() or (
            got[col].isna().tolist() == expected[col].isna().tolist()
            and got[col].dropna().tolist() == expected[col].dropna().tolist()
        ), col
    assert tier_churn_rate(previous.astype(as_text), shuffled.astype(as_text)) == tier_churn_rate(
        previous, shuffled
    )
