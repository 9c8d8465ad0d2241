"""One LightGBM thread count for every LightGBM call of the model stage.

LightGBM 4 keeps the `num_threads` of its most recent call in one process-wide variable
(`LGBM_DEFAULT_NUM_THREADS`, LightGBM's `utils/openmp_wrapper.cpp`; a call without `num_threads`
resets it to OpenMP's default, the machine's CPU count), and calls running at the same time read it
to size their per-thread buffers. The model stage runs LightGBM on two Python threads (the win model
beside the value model, bootstrap refits side by side, the two models' SHAP): a Dataset built on one
thread while the other predicts with another thread count writes past a buffer and kills the
process (`SparseBin::Push`; a segmentation fault of the 200 k-account bench, reproduced in
isolation). So every call passes the same count: the `num_threads` the booster was trained with
(`ModelSettings.num_threads` via `training.lgb_params` / `candidates.plain_params`).
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

__all__ = ["booster_threads", "predict"]


def booster_threads(booster: lgb.Booster) -> int:
    """The `num_threads` the booster was trained with (0, OpenMP's default, when it has none)."""
    return int((booster.params or {}).get("num_threads", 0) or 0)


def predict(booster: lgb.Booster, X, **kwargs) -> np.ndarray:
    """`booster.predict(X, **kwargs)` with the booster's own `num_threads` (see the module docstring)."""
    kwargs.setdefault("num_threads", booster_threads(booster))
    return np.asarray(booster.predict(X, **kwargs))
