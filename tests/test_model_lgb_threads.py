"""Every LightGBM call of the model stage passes the same `num_threads`.

LightGBM 4 keeps the thread count of its latest call in one process-wide variable that calls running
at the same time read to size per-thread buffers; the model stage calls LightGBM from two Python
threads, and a Dataset built while another thread predicted with a different count crashed the
process (`lib/model/lgb_threads.py`). A count other than the machine's default (what a call without
`num_threads` uses) makes any call that does not pass it show up here."""

from __future__ import annotations

import os

import lightgbm as lgb
import pytest

from icp_pipeline.lib.model import ModelSettings, run_models
from icp_pipeline.lib.model.fast_shap import MIN_ROWS
from tests.synthetic_model_data import make_synthetic


@pytest.fixture
def recorded_threads(monkeypatch):
    seen: list[tuple[str, object]] = []
    train, cv, predict = lgb.train, lgb.cv, lgb.Booster.predict

    def record_train(params, *a, **k):
        seen.append(("train", params.get("num_threads")))
        return train(params, *a, **k)

    def record_cv(params, *a, **k):
        seen.append(("cv", params.get("num_threads")))
        return cv(params, *a, **k)

    def record_predict(self, data, *a, **k):
        seen.append(("predict" + ("(pred_contrib)" if k.get("pred_contrib") else ""), k.get("num_threads")))
        return predict(self, data, *a, **k)

    monkeypatch.setattr(lgb, "train", record_train)
    monkeypatch.setattr(lgb, "cv", record_cv)
    monkeypatch.setattr(lgb.Booster, "predict", record_predict)
    return seen


def test_every_lightgbm_call_of_run_models_uses_the_configured_thread_count(recorded_threads):
    threads = (os.cpu_count() or 1) + 1  # never the count a call without `num_threads` would use
    data = make_synthetic(n_customers=700, n_prospects=1800, seed=3)
    assert len(data.features) >= MIN_ROWS  # SHAP takes the fast path, one LightGBM call per tree
    settings = ModelSettings(
        n_bootstrap=2, num_boost_round=40, cv_folds=3, make_plots=False, num_threads=threads
    )
    run_models(data.features, data.catalog, data.closed_opportunities, settings)
    kinds = {kind for kind, _ in recorded_threads}
    assert {"train", "cv", "predict", "predict(pred_contrib)"} <= kinds
    wrong = sorted({(kind, n) for kind, n in recorded_threads if n != threads}, key=str)
    assert wrong == [], f"LightGBM calls with another num_threads than {threads}: {wrong}"
