"""Money per tier with evidence (issue 14: "every published number earns its place"): a weak or none
model's expected value is withheld with the reason; each tier's customers' observed value stands,
with n and a 90 % interval (icp_pipeline/lib/publish/tier_money.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from icp_pipeline.lib.model.strength import STRENGTH_WORDS, ModelStrength
from icp_pipeline.lib.publish.tier_money import mean_interval, observed_value_by_tier, with_tier_money
from icp_pipeline.lib.publish.tiering import tier_summary


def _targets() -> pd.DataFrame:
    # Tier 1: 2 prospects, customers worth 10 and 20 (mean 15); Tier 2: 1 customer worth 5, 1 without
    # a value; Tier 3: prospects only. The weak model predicted 3 distinct values (as on Maven).
    return pd.DataFrame(
        {
            "account_key": list("abcdefghij"),
            "tier": ["Tier 1"] * 4 + ["Tier 2"] * 3 + ["Tier 3"] * 3,
            "is_customer": [False, False, True, True, True, True, False, False, False, False],
            "icp_score": np.linspace(100, 10, 10),
            "expected_value": [900.0] * 4 + [500.0] * 3 + [100.0] * 3,
            "win_probability": [0.5] * 10,
            "_value": [np.nan, np.nan, 10.0, 20.0, 5.0, np.nan, np.nan, np.nan, np.nan, np.nan],
        }
    )


def _summary(strength: ModelStrength | None) -> pd.DataFrame:
    t = _targets()
    observed = observed_value_by_tier(
        t["tier"].to_numpy(), t["is_customer"].to_numpy(), t["_value"].to_numpy()
    )
    return with_tier_money(tier_summary(t), observed, strength).set_index(["tier", "is_customer"])


@pytest.mark.parametrize("strength", ["weak", "none"])
def test_a_weak_model_s_expected_value_is_withheld_with_its_reason(strength):
    out = _summary(ModelStrength(strength, "", "lightgbm"))
    assert out["total_expected_value"].isna().all()
    assert (
        out["money_basis"]
        .str.startswith(
            f"withheld: on the model card the value model (the LightGBM model) {STRENGTH_WORDS[strength]}"
        )
        .all()
    )
    # the observed value of each tier's customers stands beside every row of the tier
    assert out.loc[("Tier 1", False), "customers_with_value"] == 2
    assert out.loc[("Tier 1", False), "observed_value_per_customer"] == 15.0
    assert out.loc[("Tier 1", True), "observed_value_per_customer"] == 15.0
    assert (
        out.loc[("Tier 2", True), "customers_with_value"] == 1
    )  # the customer without a value is not counted
    assert out.loc[("Tier 2", True), "observed_value_per_customer"] == 5.0
    assert np.isnan(out.loc[("Tier 2", True), "observed_value_low"])  # no interval from one customer
    assert out.loc[("Tier 3", False), "customers_with_value"] == 0
    assert np.isnan(out.loc[("Tier 3", False), "observed_value_per_customer"])


@pytest.mark.parametrize("strength", [None, ModelStrength("strong", "", "lightgbm")])
def test_a_model_with_evidence_keeps_its_expected_value(strength):
    out = _summary(strength)
    assert out.loc[("Tier 1", False), "total_expected_value"] == 1800.0
    assert out["money_basis"].str.startswith("expected value of the model").all()


def test_the_interval_is_scipy_s_percentile_bootstrap_of_the_mean():
    values = np.random.default_rng(3).lognormal(8, 1, 60)
    mean, low, high = mean_interval(values)
    ref = stats.bootstrap((values,), np.mean, confidence_level=0.9, method="percentile", random_state=0)
    assert mean == pytest.approx(values.mean())
    assert low == pytest.approx(ref.confidence_interval.low, rel=0.03)
    assert high == pytest.approx(ref.confidence_interval.high, rel=0.03)
    assert low < mean < high


def test_an_unlearnt_win_model_gives_no_average_win_probability():
    """Maven: every tier showed avg_win_probability 0.63, the constant prior of an unlearnt win model."""
    t = _targets()
    observed = observed_value_by_tier(
        t["tier"].to_numpy(), t["is_customer"].to_numpy(), t["_value"].to_numpy()
    )
    assert (
        with_tier_money(tier_summary(t), observed, None, win_learnt=False)["avg_win_probability"].isna().all()
    )
    assert (with_tier_money(tier_summary(t), observed, None)["avg_win_probability"] == 0.5).all()
