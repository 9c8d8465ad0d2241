"""90 % intervals of the tier validation's lift and cumulative gain, from the held-out predictions.

`icp.tier_validation` holds each tier's held-out accounts and outcome; the per-account rows behind it
are `model.holdout_predictions` (target, predicted, actual). The held-out accounts are ordered by their
prediction (best first) and cut into tiers of the published sizes; the interval is SciPy's
percentile bootstrap (`scipy.stats.bootstrap`, paired resampling of accounts with their tier fixed,
999 resamples, seed 0). When the sizes do not add up to the held-out rows the intervals are left out.
The resamples are drawn once per outcome, exactly as SciPy draws them, and every tier's lift and
gain is computed on each (the same intervals as one `scipy.stats.bootstrap` call per statistic).
A resample enters as its vector of row counts (how often each held-out account was drawn): the tiers
are contiguous runs of the ordered accounts, so a tier's resampled sum is its counts times its
outcomes, for all tiers of a chunk of resamples in one matrix product. The sums are the same numbers
added in another order: equal for a 0/1 outcome, within float rounding (~1e-15 relative) for value.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy.stats import bootstrap

CONFIDENCE = 0.90
TIERS = ["Tier 1", "Tier 2", "Tier 3"]


N_RESAMPLES = 999
CHUNK = 32  # resamples per chunk: positions and counts of 32 x n (about 80 MB at 216 k accounts)


def _resample_chunks(n: int):
    """The 999 x n positions `scipy.stats.bootstrap(paired=True, n_resamples=999, rng=default_rng(0))`
    draws for n paired observations, in chunks of `CHUNK` rows (the same stream as SciPy's one
    999 x n draw, drawn as int32 and never held whole: 1.7 GB at 216 k held-out accounts)."""
    rng = np.random.default_rng(0)
    for start in range(0, N_RESAMPLES, CHUNK):
        yield rng.integers(0, n, (min(CHUNK, N_RESAMPLES - start), n), dtype=np.int32)


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


def _distributions(
    actual: np.ndarray, sizes: np.ndarray, tiers: list[int]
) -> dict[tuple[str, int], np.ndarray]:
    """Lift and gain of each tier on every resample: {("lift", t): 999 values}.

    `actual` is ordered best prediction first and `sizes` cuts it into the tiers (tier t holds rows
    bounds[t]:bounds[t + 1]). On a resample, tier t's lift is the mean outcome of the accounts drawn
    from it over the mean of all drawn (NaN when none was drawn or the mean is 0), its gain the share
    of the drawn outcome in tiers 0..t (NaN when the total is 0)."""
    n = len(actual)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    out = {(kind, t): np.empty(N_RESAMPLES) for kind in ("lift", "gain") for t in tiers}
    done = 0
    counts = np.empty((CHUNK, n))  # how often each account was drawn, per resample of the chunk
    for positions in _resample_chunks(n):
        k = len(positions)
        for r in range(k):
            counts[r] = np.bincount(positions[r], minlength=n)
        blocks = list(zip(bounds[:-1], bounds[1:], strict=True))
        sums = np.stack([counts[:k, a:b] @ actual[a:b] for a, b in blocks], axis=1)
        drawn = np.stack([counts[:k, a:b].sum(axis=1) for a, b in blocks], axis=1)
        cumulative = np.cumsum(sums, axis=1)
        total = cumulative[:, -1]  # so the last tier's gain is exactly 1, as a.sum() / a.sum() was
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = total / n
            gains = cumulative / total[:, None]
            for t in tiers:
                lift = (sums[:, t] / drawn[:, t]) / mean
                out[("lift", t)][done : done + k] = np.where((mean != 0) & (drawn[:, t] > 0), lift, np.nan)
                out[("gain", t)][done : done + k] = np.where(total != 0, gains[:, t], np.nan)
        done += k
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
        dist = _distributions(actual, sizes.to_numpy(), tiers)
        for t in tiers:
            index = part.index[part["tier"] == TIERS[t]]
            out.loc[index, ["lift_low", "lift_high"]] = _percentile_interval(dist[("lift", t)], actual, codes)
            out.loc[index, ["gain_low", "gain_high"]] = _percentile_interval(dist[("gain", t)], actual, codes)
    return out
