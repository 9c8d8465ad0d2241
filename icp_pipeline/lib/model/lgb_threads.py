"""LightGBM calls that may run at the same time pass the same thread count.

LightGBM 4 keeps the `num_threads` of its most recent call in one process-wide variable
(`LGBM_DEFAULT_NUM_THREADS`, LightGBM's `utils/openmp_wrapper.cpp`; a call without `num_threads`
resets it to OpenMP's default, the machine's CPU count), and calls running at the same time read it
to size their per-thread buffers. The model stage runs LightGBM on two Python threads (the win model
beside the value model, bootstrap refits side by side, the two models' SHAP): a Dataset built on one
thread while the other predicts with another thread count writes past a buffer and kills the
process (`SparseBin::Push`; a segmentation fault of the 200 k-account bench, reproduced in
isolation). So:
- training, cross-validation and predictions pass `ModelSettings.num_threads` (the booster's own
  `num_threads`, from `training.lgb_params` / `candidates.plain_params`; `predict` below);
- SHAP values (`fast_shap`, thousands of one-tree calls on a few hundred rows each, where OpenMP's
  start-up per call costs more than the work) pass `SHAP_THREADS` = 1, and never run beside
  training: the value and win models' SHAP run side by side after every fit, and the bootstrap
  refits are all fitted before their SHAP values are computed (`explain.bootstrap_ranks`).
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

__all__ = ["SHAP_THREADS", "booster_threads", "predict"]

SHAP_THREADS = 1


def booster_threads(booster: lgb.Booster) -> int:
    """The `num_threads` the booster was trained with (0, OpenMP's default, when it has none)."""
    return int((booster.params or {}).get("num_threads", 0) or 0)


def predict(booster: lgb.Booster, X, **kwargs) -> np.ndarray:
    """`booster.predict(X, **kwargs)` with the booster's own `num_threads` (see the module docstring)."""
    kwargs.setdefault("num_threads", booster_threads(booster))
    return np.asarray(booster.predict(X, **kwargs))
