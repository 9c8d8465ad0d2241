"""The model stage's work on two threads gives the numbers of doing it one step after another:
bootstrap refits side by side, and the win model's SHAP beside the value model's."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.model import ModelSettings, run_models
from icp_pipeline.lib.model.explain import bootstrap_ranks, mean_abs_shap, rank_of
from icp_pipeline.lib.model.fast_shap import MIN_ROWS
from icp_pipeline.lib.model.features import build_design_matrix
from icp_pipeline.lib.model.scoring import score_and_explain
from icp_pipeline.lib.model.training import fit_booster
from tests.synthetic_model_data import make_synthetic

# enough rows that SHAP takes the fast path (fast_shap.MIN_ROWS), the one that runs on threads
SETTINGS = ModelSettings(
    n_bootstrap=4, num_boost_round=60, cv_folds=3, run_validation=False, make_plots=False
)


@pytest.fixture(scope="module")
def fitted():
    data = make_synthetic(n_customers=700, n_prospects=1800, seed=3)
    result = run_models(data.features, data.catalog, data.closed_opportunities, SETTINGS)
    X = build_design_matrix(data.features, data.catalog, SETTINGS).X[result.features_used]
    assert len(X) >= MIN_ROWS
    return data, result, X


def test_bootstrap_ranks_equal_those_of_refits_one_after_another(fitted):
    _, result, X = fitted
    model = result.value_model
    y = np.random.default_rng(5).normal(10.0, 1.0, len(X))
    settings = dataclasses.replace(SETTINGS, bootstrap_max_rows=len(X), bootstrap_shap_rows=len(X))
    got = bootstrap_ranks(model, X, y, settings)

    rng = np.random.default_rng(settings.seed)
    ranks = []
    for _ in range(settings.n_bootstrap):
        idx = rng.integers(0, len(X), len(X))
        booster = fit_booster(X.iloc[idx], y[idx], model.params, model.num_rounds)
        ranks.append(rank_of(mean_abs_shap(booster, X)).to_numpy())
    arr = np.vstack(ranks)
    assert got["rank_low"].tolist() == np.floor(np.percentile(arr, 10, axis=0)).tolist()
    assert got["rank_high"].tolist() == np.ceil(np.percentile(arr, 90, axis=0)).tolist()
    assert (got["rank_low"] < got["rank_high"]).any()  # the refits do differ


def test_scores_from_shap_on_two_threads_equal_each_models_own_predictions(fitted):
    _, result, X = fitted
    value_model, win_model = result.value_model, result.win_model
    assert win_model.booster is not None
    kinds = {c: "categorical" if isinstance(X[c].dtype, pd.CategoricalDtype) else "numeric" for c in X}
    train = np.zeros(len(X), dtype=bool)
    train[:700] = True
    value_log, win_probability, reasons, _ = score_and_explain(
        X, value_model, win_model, kinds, train, 3, 1000
    )
    np.testing.assert_allclose(value_log, value_model.booster.predict(X), rtol=1e-9, atol=1e-9)
    win_X = X[win_model.booster.feature_name()]
    np.testing.assert_allclose(win_probability, win_model.booster.predict(win_X), rtol=1e-9, atol=1e-9)
    assert reasons.index.equals(X.index) and reasons.str.len().gt(0).all()


def test_scoring_on_one_thread_gives_what_two_threads_give(fitted):
    """A Spark task holds `spark.task.cpus` cores (default 1): it scores with threads=1, the win
    model's SHAP after the value model's on the same thread. Same scores, same reasons."""
    _, result, X = fitted
    kinds = {c: "categorical" if isinstance(X[c].dtype, pd.CategoricalDtype) else "numeric" for c in X}
    train = np.zeros(len(X), dtype=bool)
    train[:700] = True
    args = (X, result.value_model, result.win_model, kinds, train, 3, 1000)
    two = score_and_explain(*args, threads=2)
    one = score_and_explain(*args, threads=1)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    assert one[1].std() > 0  # the win model was learnt: its probabilities came from its SHAP pass
    pd.testing.assert_series_equal(one[2], two[2])
    pd.testing.assert_frame_equal(one[3], two[3])
