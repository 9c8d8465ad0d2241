"""The leakage guard's rank sums and shared folds give scipy's rankdata AUCs exactly."""

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from icp_pipeline.lib.model.leakage import level_folds, rank_auc, separation_auc


def _rankdata_auc(score: np.ndarray, y: np.ndarray) -> float:
    n1, n0 = int(y.sum()), int((~y).sum())
    return float((rankdata(score)[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def test_rank_sums_equal_rankdata_with_ties_zeros_and_missing_low_or_high():
    rng = np.random.default_rng(0)
    y = rng.random(5000) < 0.2
    x = rng.integers(0, 7, size=5000).astype(float)  # heavy ties
    x[rng.random(5000) < 0.1] = -0.0
    x[y & (rng.random(5000) < 0.5)] += 0.5  # some signal
    assert rank_auc(x, y) == _rankdata_auc(x, y)
    x[rng.random(5000) < 0.3] = np.nan
    miss = np.isnan(x)
    low, high = np.where(miss, x[~miss].min() - 1, x), np.where(miss, x[~miss].max() + 1, x)
    expected = max(max(a, 1 - a) for a in (_rankdata_auc(low, y), _rankdata_auc(high, y)))
    assert separation_auc(pd.Series(x), y) == expected
    assert np.isnan(rank_auc(np.array([1.0, np.nan, 2.0]), np.array([True, False, False])))  # as rankdata


def test_categoricals_with_shared_folds_equal_their_own_split():
    rng = np.random.default_rng(1)
    y = rng.random(3000) < 0.3
    col = pd.Series(pd.Categorical(rng.choice(["a", "b", "c", None], size=3000)))
    folds = level_folds(y, 7)
    assert len(folds) == 5
    assert separation_auc(col, y, 7, folds) == separation_auc(col, y, 7)
    assert level_folds(np.array([True, False, False]), 0) == []
