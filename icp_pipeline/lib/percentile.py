"""The 0-100 percentile score of a ranking key, with an optional tie-breaking key.

Used for `icp_score` (expected value, ties broken by the best learnt candidate's prediction when a
coarse baseline scores the list, `lib/model/scoring.py`) and for the rules order when the model's
strength is `none` (rule score, ties by the model's icp_score, `lib/icp/rules.py`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def lexicographic_levels(primary: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Each row's level (0, 1, 2, ...; float) in the order of (`primary`, then `tiebreak`), both
    ascending; rows equal in both share a level; NaN in `primary` stays NaN (unranked), NaN in
    `tiebreak` ranks below every number."""
    p = np.asarray(primary, dtype=float)
    out = np.full(len(p), np.nan)
    if tiebreak is None:
        return p.copy()
    t = np.nan_to_num(np.asarray(tiebreak, dtype=float), nan=-np.inf)
    known = np.flatnonzero(~np.isnan(p))
    if not len(known):
        return out
    order = known[np.lexsort((t[known], p[known]))]
    po, to = p[order], t[order]
    new = np.r_[True, (po[1:] != po[:-1]) | (to[1:] != to[:-1])]
    out[order] = np.cumsum(new) - 1.0
    return out


def percentile_score(primary: np.ndarray | pd.Series, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Percentile rank of (`primary`, then `tiebreak`) scaled to 0-100 (average rank for rows equal
    in both), rounded to as many decimals as keep neighbouring ranks apart (one rank = 100 / (n - 1)
    points; at least 1 decimal), so the top of a large list is not a block of 100.0. NaN stays NaN."""
    levels = pd.Series(lexicographic_levels(np.asarray(primary, dtype=float), tiebreak))
    n = len(levels)
    if n == 0:
        return np.array([], dtype=float)
    if n == 1:
        return np.array([100.0])
    ranks = levels.rank(method="average").to_numpy()
    decimals = max(1, int(np.ceil(-np.log10(100.0 / (n - 1.0)))))
    return np.round((ranks - 1.0) / (n - 1.0) * 100.0, decimals)
