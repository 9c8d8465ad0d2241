"""The final fit reuses the round selection's binned Dataset: the same boosters as a fresh one."""

from __future__ import annotations

import numpy as np

from icp_pipeline.lib.model import ModelSettings
from icp_pipeline.lib.model.features import build_design_matrix
from icp_pipeline.lib.model.training import fit_booster, train_value_model, train_win_model, win_labels
from tests.synthetic_model_data import make_synthetic

SETTINGS = ModelSettings(num_boost_round=60, cv_folds=3, early_stopping_min_n=100)


def test_models_fit_on_the_cv_dataset_equal_a_fit_on_a_fresh_one():
    data = make_synthetic(n_customers=400, n_prospects=900, seed=11)
    X = build_design_matrix(data.features, data.catalog, SETTINGS).X
    value = data.features[SETTINGS.value_label]
    vm = train_value_model(X, value, SETTINGS)
    assert vm.cv.folds and vm.cv.dataset is None  # chosen by CV; the binned data not kept
    mask = value.notna().to_numpy()
    y = np.log1p(np.maximum(value[mask].to_numpy(dtype=float), 0.0))
    fresh = fit_booster(X.loc[mask], y, vm.params, vm.num_rounds)
    assert vm.booster.model_to_string() == fresh.model_to_string()

    won = win_labels(data.features, data.closed_opportunities, SETTINGS)
    wm = train_win_model(X, won, SETTINGS, customer_share=0.3)
    assert wm.booster is not None and wm.cv.folds and wm.cv.dataset is None
    m = won.notna().to_numpy()
    fresh = fit_booster(X.loc[m], won[m].astype(bool).to_numpy().astype(float), wm.params, wm.num_rounds)
    assert wm.booster.model_to_string() == fresh.model_to_string()
