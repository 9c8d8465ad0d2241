"""90 % intervals of the tier validation's lift and cumulative gain, from the held-out predictions.

`icp.tier_validation` holds each tier's held-out accounts and outcome; the per-account rows behind it
are `model.holdout_predictions` (target, predicted, actual). The held-out accounts are ordered by their
prediction (best first) and cut into tiers of the published sizes; the interval is SciPy's
percentile bootstrap (`scipy.stats.bootstrap`, paired resampling of accounts with their tier fixed,
999 resamples, seed 0). When the sizes do not add up to the held-out rows the intervals are left out.
The resamples are drawn once per outcome, exactly as SciPy draws them, and every tier's lift and
gain is computed on each (the same intervals as one `scipy.stats.bootstrap` call per statistic).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy.stats import bootstrap

CONFIDENCE = 0.90
TIERS = ["Tier 1", "Tier 2", "Tier 3"]


N_RESAMPLES = 999


def _resample_positions(n: int) -> np.ndarray:
    """The 999 x n positions `scipy.stats.bootstrap(paired=True, n_resamples=999, rng=default_rng(0))`
    draws for n paired observations: one draw serves every statistic of an outcome (int64, 1.7 GB at
    216 k held-out accounts; SciPy materialised it and two resampled copies of the data for each of
    the 12 intervals: 10 GiB and two minutes at 1 M accounts)."""
    return np.random.default_rng(0).integers(0, n, (N_RESAMPLES, n))


def _percentile_interval(
    distribution: np.ndarray, actual: np.ndarray, codes: np.ndarray
) -> tuple[float, float]:
    """SciPy's percentile interval of a bootstrap distribution already computed (its own
    `bootstrap_result` path, so the quantile rule and NaN handling are SciPy's)."""
    try:
        result = bootstrap(
            (actual, codes),
            lambda a, c: np.nan,
            paired=True,
            vectorized=False,
            n_resamples=0,
            bootstrap_result=SimpleNamespace(bootstrap_distribution=distribution),
            confidence_level=CONFIDENCE,
            method="percentile",
        )
    except (ValueError, ZeroDivisionError):
        return np.nan, np.nan
    low, high = result.confidence_interval
    return float(low), float(high)


def _lift(a: np.ndarray, c: np.ndarray, t: int) -> float:
    m = a.mean()
    return a[c == t].mean() / m if m and (c == t).any() else np.nan


def _gain(a: np.ndarray, c: np.ndarray, t: int) -> float:
    s = a.sum()
    return a[c <= t].sum() / s if s else np.nan


def _distributions(
    actual: np.ndarray, codes: np.ndarray, tiers: list[int]
) -> dict[tuple[str, int], np.ndarray]:
    """Lift and gain of each tier on every resample of (actual, codes): {("lift", t): 999 values}."""
    positions = _resample_positions(len(actual))
    out = {(kind, t): np.empty(N_RESAMPLES) for kind in ("lift", "gain") for t in tiers}
    for r in range(N_RESAMPLES):
        a, c = actual[positions[r]], codes[positions[r]]
        for t in tiers:
            out[("lift", t)][r] = _lift(a, c, t)
            out[("gain", t)][r] = _gain(a, c, t)
    return out


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
        tiers = [t for t, tier in enumerate(TIERS) if sizes[tier] > 0]
        if len(actual) < 2:  # SciPy's bootstrap needs two observations
            continue
        dist = _distributions(actual, codes, tiers)
        for t in tiers:
            index = part.index[part["tier"] == TIERS[t]]
            out.loc[index, ["lift_low", "lift_high"]] = _percentile_interval(dist[("lift", t)], actual, codes)
            out.loc[index, ["gain_low", "gain_high"]] = _percentile_interval(dist[("gain", t)], actual, codes)
    return out
