"""End-to-end `run_models` on synthetic data with planted truth (small n, few refits)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.config.icp import TierPolicy
from icp_pipeline.lib.model import ModelSettings, metric_value, run_models
from icp_pipeline.lib.model.reasons import MINUS, PLUS
from icp_pipeline.lib.publish.tiering import assign_tiers
from tests.synthetic_model_data import make_synthetic

FAST = ModelSettings(n_bootstrap=2, num_boost_round=150, cv_folds=3)


@pytest.fixture(scope="module")
def data():
    return make_synthetic(n_customers=160, n_prospects=400, seed=7)


@pytest.fixture(scope="module")
def result(data):
    return run_models(data.features, data.catalog, data.closed_opportunities, FAST)


def test_scores_shape(result, data):
    s = result.scores
    assert list(s.columns) == [
        "account_key",
        "predicted_ltv",
        "win_probability",
        "expected_value",
        "icp_score",
        "top_reasons",
    ]
    assert len(s) == len(data.features)
    assert s["account_key"].tolist() == data.features["account_key"].tolist()
    assert s["icp_score"].between(0, 100).all()
    assert np.allclose(s["expected_value"], s["predicted_ltv"] * s["win_probability"])
    assert result.win_booster is not None
    assert result.value_booster.model_to_string()


def test_strongest_driver_ranks_first(result, data):
    imp = result.importance
    top = imp.loc[imp["rank"] == 1].iloc[0]
    assert top["attribute"] == data.truth["strongest_driver"]
    assert top["direction"] == "+"
    assert top["recommended"]
    assert "median value" in top["summary"] and "customers" in top["summary"]
    assert top["rank_low"] <= 1 <= top["rank_high"]
    assert {"attribute", "family", "rank", "importance", "direction", "summary"} <= set(imp.columns)
    assert imp["recommended"].sum() <= FAST.n_recommended


def test_leak_excluded_with_reason(result, data):
    exc = result.exclusions.set_index("attribute")["reason"]
    assert "leakage" in exc[data.truth["leak"]]
    assert data.truth["leak"] not in result.features_used


def test_behavioural_not_used_for_scoring(result, data):
    exc = result.exclusions.set_index("attribute")["reason"]
    for beh in data.truth["behavioural"]:
        assert beh not in result.features_used
        assert "not observable" in exc[beh]
    assert not result.scores["top_reasons"].str.contains("activities_12m|lead_source").any()
    row = result.importance.set_index("attribute").loc["beh__activities_12m"]
    assert pd.isna(row["rank"]) and not row["recommended"]


def test_reasons_readable(result):
    reasons = result.scores["top_reasons"]
    assert reasons.map(lambda r: isinstance(r, str) and len(r) > 0).all()
    assert reasons.str.match(f"^[{PLUS}{MINUS}] ").all()
    assert (reasons.str.count("; ") <= 2).all()


def test_beats_rules_baseline(result):
    m = result.metrics
    assert set(m.columns) == {"metric", "model", "split", "value"}
    lgb_rho = metric_value(m, "spearman", "lightgbm", "cv")
    assert lgb_rho > metric_value(m, "spearman", "rules_baseline", "cv") + 0.1
    assert lgb_rho > 0.6
    assert {"cv", "time_holdout"} <= set(m["split"])
    assert 0.5 < metric_value(m, "win_auc") <= 1
    assert metric_value(m, "win_brier") < 0.3


def test_plots_are_png(result):
    assert set(result.plots) == {"attribute_importance", "lift_gain", "calibration"}
    assert all(png.startswith(b"\x89PNG") for png in result.plots.values())


def test_tiers_on_scores(result, data):
    scores = result.scores.assign(is_customer=data.features["is_customer"].to_numpy())
    tiers = assign_tiers(scores, TierPolicy())
    prospects = tiers[~tiers["is_customer"]]
    assert (prospects["tier"] == "Tier 1").sum() == round(0.1 * len(prospects))
    assert tiers["tier"].isin(["Tier 1", "Tier 2", "Tier 3"]).all()


SMALL = ModelSettings(n_bootstrap=1, run_validation=False, make_plots=False)


def test_small_data_works_and_is_reproducible():
    d = make_synthetic(n_customers=30, n_prospects=60, seed=11)
    a = run_models(d.features, d.catalog, d.closed_opportunities, SMALL)
    b = run_models(d.features, d.catalog, d.closed_opportunities, SMALL)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.importance, b.importance)
    assert a.scores["predicted_ltv"].nunique() > 1


def test_too_few_customers_raises():
    d = make_synthetic(n_customers=10, n_prospects=60, seed=11)
    with pytest.raises(ValueError, match="at least 20 customers"):
        run_models(d.features, d.catalog, d.closed_opportunities, SMALL)


def test_win_model_falls_back_to_prior():
    d = make_synthetic(n_customers=30, n_prospects=60, seed=12)
    feats = d.features.drop(columns=["label_has_closed_opportunity", "label_has_won_opportunity"])
    r = run_models(feats, d.catalog, None, SMALL)
    assert r.win_booster is None
    assert any("prior" in n for n in r.notes)
    assert r.scores["win_probability"].nunique() == 1
    assert abs(r.scores["win_probability"].iloc[0] - 30 / 90) < 1e-9


def test_when_every_account_with_a_closed_deal_has_won_the_prior_is_the_deal_win_rate():
    # a CRM export of existing customers only: every account won something, some deals were lost
    d = make_synthetic(n_customers=30, n_prospects=0, seed=13)
    won = d.closed_opportunities.assign(is_won=True)
    lost = won.assign(opportunity_id=won["opportunity_id"] + "_lost", is_won=False).head(10)
    r = run_models(d.features, d.catalog, pd.concat([won, lost]), SMALL)
    assert r.win_booster is None
    assert r.scores["win_probability"].unique().tolist() == pytest.approx([30 / 40])
    assert any("win rate of closed deals" in n for n in r.notes)


def test_a_value_label_missing_for_every_customer_falls_back_to_one_they_have():
    # e.g. label_acv without ERP contracts: the value model learns the first label customers have
    d = make_synthetic(n_customers=30, n_prospects=60, seed=14)
    feats = d.features.assign(label_acv=np.nan)
    settings = ModelSettings(value_label="label_acv", n_bootstrap=1, run_validation=False, make_plots=False)
    r = run_models(feats, d.catalog, d.closed_opportunities, settings)
    assert r.value_label == "label_annualised_value"
    assert any("label_acv" in n and "instead" in n for n in r.notes)
    assert r.scores["predicted_ltv"].nunique() > 1


def test_validation_cv_reuses_the_round_selection_folds(result):
    """The lightgbm CV predictions are the round-selection fold boosters' out-of-fold predictions."""
    oof = result.validation.value_oof
    np.testing.assert_allclose(oof["lightgbm"].to_numpy(), result.value_model.cv.oof)
    assert len(result.value_model.cv.folds) == FAST.cv_folds
    tests = np.concatenate([test for _, test in result.value_model.cv.folds])
    assert sorted(tests) == list(range(result.value_model.n_train))  # each customer predicted once
    win_oof = result.validation.win_oof
    np.testing.assert_allclose(win_oof["lightgbm"].to_numpy(), result.win_model.cv.oof)


def test_large_training_sets_get_bigger_trees_and_a_faster_rate_unless_configured():
    from icp_pipeline.lib.model.training import lgb_params

    small = lgb_params(ModelSettings(), 5_000, "regression")
    large = lgb_params(ModelSettings(), 20_000, "regression")
    assert (small["learning_rate"], small["num_leaves"]) == (0.03, 4)
    assert (large["learning_rate"], large["num_leaves"]) == (0.1, 15)
    pinned = lgb_params(ModelSettings(learning_rate=0.05, num_leaves=6), 50_000, "binary")
    assert (pinned["learning_rate"], pinned["num_leaves"]) == (0.05, 6)
    off = lgb_params(ModelSettings(large_data_rows=10**9), 50_000, "binary")
    assert (off["learning_rate"], off["num_leaves"]) == (0.03, 4)


def test_scores_and_reasons_do_not_depend_on_the_block_size(data):
    one_block = run_models(data.features, data.catalog, data.closed_opportunities, FAST)
    blocks = run_models(
        data.features,
        data.catalog,
        data.closed_opportunities,
        dataclasses.replace(FAST, shap_block_rows=97),
    )
    pd.testing.assert_frame_equal(one_block.scores, blocks.scores)
    pd.testing.assert_frame_equal(one_block.importance, blocks.importance)
