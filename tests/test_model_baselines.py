"""The linear baseline's median imputer: the same fit as scikit-learn's SimpleImputer."""

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer

from icp_pipeline.lib.model.baselines import MedianImputer


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(3.0, 1.0, size=(n, 4)).round(1)  # ties, so even counts average two values
    x[rng.random(size=x.shape) < 0.3] = np.nan
    f = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    f["d"] = np.nan  # all missing: 0 under keep_empty_features
    f["e"] = 1.5  # never missing: no indicator column
    f["f"] = -0.0
    return f


def test_median_imputer_equals_simple_imputer_bit_for_bit():
    for n, seed in [(2, 0), (7, 1), (1000, 2), (1001, 3)]:
        X = _frame(n, seed)
        for keep in (True, False):
            kw = dict(strategy="median", add_indicator=True, keep_empty_features=keep)
            ref, ours = SimpleImputer(**kw).fit(X), MedianImputer(**kw).fit(X)
            assert np.array_equal(ref.statistics_, ours.statistics_, equal_nan=True)
            assert np.array_equal(ref.statistics_.view(np.int64), ours.statistics_.view(np.int64))
            assert np.array_equal(ref.indicator_.features_, ours.indicator_.features_)
            assert np.array_equal(ref.transform(X), ours.transform(X), equal_nan=True)
    X = _frame(11, 4)
    assert MedianImputer(strategy="median").fit(X).statistics_[0] == np.median(X["a"].dropna())
