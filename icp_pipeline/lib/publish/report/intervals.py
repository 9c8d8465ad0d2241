"""90 % intervals of the tier validation's lift and cumulative gain, from the held-out predictions.

`icp.tier_validation` holds each tier's held-out accounts and outcome; the per-account rows behind it
are `model.holdout_predictions` (target, predicted, actual). The held-out accounts are ordered by their
prediction (best first) and cut into tiers of the published sizes; the interval is SciPy's
percentile bootstrap (`scipy.stats.bootstrap`, paired resampling of accounts with their tier fixed,
999 resamples, seed 0). When the sizes do not add up to the held-out rows the intervals are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import bootstrap

CONFIDENCE = 0.90
TIERS = ["Tier 1", "Tier 2", "Tier 3"]


def _interval(statistic, actual: np.ndarray, codes: np.ndarray) -> tuple[float, float]:
    try:
        result = bootstrap(
            (actual, codes),
            statistic,
            paired=True,
            vectorized=False,
            n_resamples=999,
            confidence_level=CONFIDENCE,
            method="percentile",
            rng=np.random.default_rng(0),
        )
    except (ValueError, ZeroDivisionError):
        return np.nan, np.nan
    low, high = result.confidence_interval
    return float(low), float(high)


def tier_intervals(validation: pd.DataFrame, holdout: pd.DataFrame) -> pd.DataFrame:
    """`validation` (tier rows of Tier 1-3) with lift_low/lift_high and gain_low/gain_high."""
    out = validation[validation["tier"].isin(TIERS)].copy()
    for column in ("lift_low", "lift_high", "gain_low", "gain_high"):
        out[column] = np.nan
    if holdout.empty:
        return out
    for outcome, part in out.groupby("outcome", sort=False):
        # outcome `won` is target `win`, `actual` every other target (the value), as build.py names them
        rows = holdout[(holdout["target"] == "win") == (outcome == "won")]
        sizes = part.set_index("tier")["accounts"].reindex(TIERS).fillna(0).astype(int)
        if rows.empty or int(sizes.sum()) != len(rows):
            continue
        actual = rows.sort_values("predicted", ascending=False, kind="stable")["actual"].to_numpy(float)
        codes = np.repeat(np.arange(len(TIERS)), sizes.to_numpy())
        if not np.isfinite(actual).all() or actual.mean() == 0:
            continue
        for t, tier in enumerate(TIERS):
            if sizes[tier] == 0:
                continue

            def lift(a, c, t=t):
                m = a.mean()
                return a[c == t].mean() / m if m and (c == t).any() else np.nan

            def gain(a, c, t=t):
                s = a.sum()
                return a[c <= t].sum() / s if s else np.nan

            index = part.index[part["tier"] == tier]
            out.loc[index, ["lift_low", "lift_high"]] = _interval(lift, actual, codes)
            out.loc[index, ["gain_low", "gain_high"]] = _interval(gain, actual, codes)
    return out
