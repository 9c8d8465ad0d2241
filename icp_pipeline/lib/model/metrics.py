"""Ranking and calibration metrics for value and win predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import brier_score_loss, roc_auc_score


def _order(pred: np.ndarray) -> np.ndarray:
    """Indices by prediction descending, ties in input order (deterministic)."""
    return np.lexsort((np.arange(len(pred)), -np.asarray(pred, dtype=float)))


def spearman(actual: np.ndarray, pred: np.ndarray) -> float:
    if len(actual) < 3 or np.ptp(pred) == 0 or np.ptp(actual) == 0:
        return float("nan")
    return float(spearmanr(actual, pred).statistic)


def _gini(actual: np.ndarray, pred: np.ndarray) -> float:
    a = np.asarray(actual, dtype=float)[_order(pred)]
    n, total = len(a), a.sum()
    if n == 0 or total == 0:
        return float("nan")
    return float(np.cumsum(a).sum() / total / n - (n + 1) / (2 * n))


def normalised_gini(actual: np.ndarray, pred: np.ndarray) -> float:
    """Gini of actual value ordered by prediction / Gini of the perfect ordering (1 = perfect)."""
    best = _gini(actual, actual)
    return float(_gini(actual, pred) / best) if best and np.isfinite(best) else float("nan")


def top_share(actual: np.ndarray, pred: np.ndarray, share: float = 0.1) -> tuple[float, float]:
    """(lift, cumulative gain) of the top `share` by prediction: mean ratio to all, share of total."""
    a = np.asarray(actual, dtype=float)
    k = max(1, int(np.ceil(share * len(a))))
    top = a[_order(pred)[:k]]
    mean, total = a.mean(), a.sum()
    return (
        float(top.mean() / mean) if mean else float("nan"),
        float(top.sum() / total) if total else float("nan"),
    )


def ranking_metrics(actual: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    lift, gain = top_share(actual, pred, 0.1)
    return {
        "spearman": spearman(actual, pred),
        "normalised_gini": normalised_gini(actual, pred),
        "top_decile_lift": lift,
        "top_decile_gain": gain,
        "n_accounts": float(len(actual)),
    }


def gain_curve(actual: np.ndarray, pred: np.ndarray, points: int = 20) -> pd.DataFrame:
    """Cumulative share of value captured by the top x % of accounts by prediction."""
    a = np.asarray(actual, dtype=float)[_order(pred)]
    n, total = len(a), a.sum()
    shares = np.linspace(0, 1, points + 1)
    ks = np.ceil(shares * n).astype(int)
    cum = np.concatenate([[0.0], np.cumsum(a)])
    return pd.DataFrame({"share_of_accounts": shares, "share_of_value": cum[ks] / total if total else np.nan})


def win_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    y = np.asarray(y, dtype=int)
    auc = float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")
    return {"win_auc": auc, "win_brier": float(brier_score_loss(y, p)), "win_n_accounts": float(len(y))}


def reliability_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Equal-width probability bins: mean predicted vs observed win rate (empty bins dropped)."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    b = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    df = pd.DataFrame({"bin": b, "p": p, "y": y})
    out = df.groupby("bin").agg(mean_predicted=("p", "mean"), observed_rate=("y", "mean"), n=("y", "size"))
    out = out.reset_index()
    out["bin_low"], out["bin_high"] = edges[out["bin"]], edges[out["bin"] + 1]
    return out[["bin", "bin_low", "bin_high", "mean_predicted", "observed_rate", "n"]]
