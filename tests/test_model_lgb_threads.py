"""LightGBM calls of the model stage that may run at the same time pass the same `num_threads`.

LightGBM 4 keeps the thread count of its latest call in one process-wide variable that calls running
at the same time read to size per-thread buffers; the model stage calls LightGBM from two Python
threads, and a Dataset built while another thread computed SHAP values with one thread crashed the
process (`lib/model/lgb_threads.py`). Training and predictions use the configured count (here one
more than the machine's CPUs, so a call that does not pass it shows up); SHAP values use
`SHAP_THREADS` and never overlap training or predictions in time."""

from __future__ import annotations

import os
import threading
import time

import lightgbm as lgb
import pytest

from icp_pipeline.lib.model import ModelSettings, run_models
from icp_pipeline.lib.model.fast_shap import MIN_ROWS
from icp_pipeline.lib.model.lgb_threads import SHAP_THREADS
from tests.synthetic_model_data import make_synthetic


@pytest.fixture
def lightgbm_calls(monkeypatch):
    """(kind, num_threads, start, end) of every lgb.train / lgb.cv / Booster.predict call."""
    calls: list[tuple[str, object, float, float]] = []
    lock = threading.Lock()
    train, cv, predict = lgb.train, lgb.cv, lgb.Booster.predict

    def recorded(kind, threads, fn, *a, **k):
        start = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            with lock:
                calls.append((kind, threads, start, time.perf_counter()))

    def record_predict(self, data, *a, **k):
        kind = "shap" if k.get("pred_contrib") else "predict"
        return recorded(kind, k.get("num_threads"), predict, self, data, *a, **k)

    monkeypatch.setattr(
        lgb,
        "train",
        lambda params, *a, **k: recorded("train", params.get("num_threads"), train, params, *a, **k),
    )
    monkeypatch.setattr(
        lgb, "cv", lambda params, *a, **k: recorded("cv", params.get("num_threads"), cv, params, *a, **k)
    )
    monkeypatch.setattr(lgb.Booster, "predict", record_predict)
    return calls


def test_lightgbm_calls_that_overlap_in_time_use_one_thread_count(lightgbm_calls):
    threads = (os.cpu_count() or 1) + 1  # never the count a call without `num_threads` would use
    data = make_synthetic(n_customers=700, n_prospects=1800, seed=3)
    assert len(data.features) >= MIN_ROWS  # SHAP takes the fast path, one LightGBM call per tree
    settings = ModelSettings(
        n_bootstrap=4, num_boost_round=40, cv_folds=3, make_plots=False, num_threads=threads
    )
    run_models(data.features, data.catalog, data.closed_opportunities, settings)

    assert {"train", "cv", "predict", "shap"} <= {kind for kind, *_ in lightgbm_calls}
    shap = [c for c in lightgbm_calls if c[0] == "shap"]
    other = [c for c in lightgbm_calls if c[0] != "shap"]
    assert sorted({(k, n) for k, n, *_ in other if n != threads}, key=str) == []
    assert {n for _, n, *_ in shap} == {SHAP_THREADS}
    overlapping = [(s[0], o[0]) for s in shap for o in other if s[2] < o[3] and o[2] < s[3]]
    assert overlapping == [], f"{len(overlapping)} SHAP calls ran beside training or predictions"
