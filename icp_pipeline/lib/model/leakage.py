"""Leakage guard: attributes that exist (or separate) only because an account already is a customer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.model_selection import StratifiedKFold

from .settings import ModelSettings

MIN_CLASS = 5  # fewer customers or non-customers: the guard cannot judge and flags nothing


def detect_leakage(X: pd.DataFrame, is_customer: pd.Series, settings: ModelSettings | None = None) -> dict:
    """{attribute: reason} for attributes that leak the customer label.

    Two tests: (1) coverage: non-null for >= `leak_coverage_customers` of customers and
    <= `leak_coverage_others` of other accounts, or customer coverage >= 0.5 and
    `leak_coverage_ratio` times the others'; (2) separation: single-attribute AUC >= `leak_auc`
    (rank AUC for numerics with missing placed lowest or highest; out-of-fold level rates for
    categoricals).
    """
    settings = settings or ModelSettings()
    y = is_customer.reindex(X.index).fillna(False).astype(bool).to_numpy()
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 < MIN_CLASS or n0 < MIN_CLASS:
        return {}
    # the categoricals' out-of-fold folds depend only on the label and the seed: split once
    folds = (
        level_folds(y, settings.seed) if any(isinstance(X[c].dtype, pd.CategoricalDtype) for c in X) else []
    )
    # attributes are judged one by one, `num_threads` at a time (numpy and scipy release the GIL);
    # the verdicts are collected in column order
    with ThreadPoolExecutor(max_workers=max(1, settings.num_threads), thread_name_prefix="leakage") as pool:
        verdicts = list(pool.map(lambda name: _leak_reason(X[name], y, settings, folds), X.columns))
    return {name: reason for name, reason in zip(X.columns, verdicts, strict=True) if reason}


def _leak_reason(
    col: pd.Series, y: np.ndarray, settings: ModelSettings, folds: list | None = None
) -> str | None:
    """Why one attribute leaks the label (`detect_leakage`'s two tests), or None."""
    present = col.notna().to_numpy()
    cov_c, cov_o = present[y].mean(), present[~y].mean()
    if (cov_c >= settings.leak_coverage_customers and cov_o <= settings.leak_coverage_others) or (
        cov_c >= 0.5 and cov_c >= settings.leak_coverage_ratio * cov_o
    ):
        return (
            f"leakage: populated for {cov_c:.0%} of customers but {cov_o:.0%} of other accounts "
            "(likely recorded after the sale)"
        )
    auc = separation_auc(col, y, settings.seed, folds)
    if auc >= settings.leak_auc:
        return f"leakage: separates customers from other accounts almost perfectly on its own (AUC {auc:.3f})"
    return None


def separation_auc(col: pd.Series, y: np.ndarray, seed: int = 0, folds: list | None = None) -> float:
    """Best single-attribute AUC for the boolean label `y` (direction-free, >= 0.5). `folds`:
    `level_folds(y, seed)` when already split (the categoricals' out-of-fold rates), else split here."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return _oof_level_auc(col, y, level_folds(y, seed) if folds is None else folds)
    x = col.to_numpy(dtype=float)
    miss = np.isnan(x)
    if miss.all():
        return 0.5
    return max(_directionless(a) for a in _missing_low_high_auc(x, miss, y))


def _missing_low_high_auc(x: np.ndarray, miss: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """`rank_auc` with missing values filled below the minimum and above the maximum, from one
    ranking of the known values: the missing rows tie at the bottom (average rank (m + 1) / 2, known
    ranks shifted by m) or at the top (average rank known + (m + 1) / 2)."""
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return 0.5, 0.5
    m = int(miss.sum())
    known = len(x) - m
    pos_known = _positive_rank_sum(x[~miss], y[~miss])
    n1_known = int(y[~miss].sum())
    n1_miss = n1 - n1_known
    r1_low = n1_miss * (m + 1) / 2 + pos_known + n1_known * m
    r1_high = pos_known + n1_miss * (known + (m + 1) / 2)
    base = n1 * (n1 + 1) / 2
    return float((r1_low - base) / (n1 * n0)), float((r1_high - base) / (n1 * n0))


def rank_auc(score: np.ndarray, y: np.ndarray) -> float:
    """Mann-Whitney AUC with average ranks for ties."""
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return 0.5
    score = np.asarray(score, dtype=float)
    pos = _positive_rank_sum(score, y) if not np.isnan(score).any() else float(rankdata(score)[y].sum())
    return float((pos - n1 * (n1 + 1) / 2) / (n1 * n0))


def _positive_rank_sum(values: np.ndarray, positive: np.ndarray) -> float:
    """Sum of the average ranks (1-based, ties averaged: scipy's rankdata) of the `positive` rows
    of `values` (no NaN), from one sort and two binary searches per positive row: a value's
    average rank is (rows below it + rows at or below it + 1) / 2. Integer sums halved once, so
    the same float as summing rankdata's ranks (every partial sum is an exact half below 2**53)."""
    ordered = np.sort(values)
    wanted = values[positive]
    below = np.searchsorted(ordered, wanted, side="left").sum(dtype=np.int64)
    at_or_below = np.searchsorted(ordered, wanted, side="right").sum(dtype=np.int64)
    return float(int(below) + int(at_or_below) + len(wanted)) / 2


def _directionless(auc: float) -> float:
    return max(auc, 1.0 - auc)


def level_folds(y: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) of the stratified 5-fold split (fewer folds when a class has fewer
    than 5 rows; [] below 2) that every categorical's out-of-fold level rates use."""
    n_splits = int(min(5, y.sum(), (~y).sum()))
    if n_splits < 2:
        return []
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(folds.split(np.zeros(len(y)), y))


def _oof_level_auc(col: pd.Series, y: np.ndarray, folds: list, smoothing: float = 5.0) -> float:
    """AUC of out-of-fold smoothed level win rates over `folds` (`level_folds`; missing is a level;
    unseen levels get the prior); 0.5 without folds."""
    codes = col.cat.codes.to_numpy().astype(np.int64) + 1  # 0 = missing
    if not folds:
        return 0.5
    n_levels = int(codes.max()) + 1
    enc = np.zeros(len(y))
    for tr, te in folds:
        prior = y[tr].mean()
        positives = np.bincount(codes[tr], weights=y[tr].astype(float), minlength=n_levels)
        counts = np.bincount(codes[tr], minlength=n_levels)
        enc[te] = ((positives + smoothing * prior) / (counts + smoothing))[codes[te]]
    return _directionless(rank_auc(enc, y))
