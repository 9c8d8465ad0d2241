"""SHAP contributions (LightGBM `pred_contrib`) and the attribute importance table."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import lightgbm as lgb
import numpy as np
import pandas as pd

from .fast_shap import PatternCache, pred_contrib
from .settings import ModelSettings
from .summaries import attribute_values, customers_with, summarise
from .training import ValueModel, fit_booster

IMPORTANCE_COLUMNS = [
    "attribute",
    "family",
    "rank",
    "importance",
    "direction",
    "summary",
    "customers_with_attribute",
    "rank_low",
    "rank_high",
    "recommended",
    "observable_for_prospects",
    "used_in_model",
    "excluded_reason",
]


def shap_and_raw_score(
    booster: lgb.Booster, X: pd.DataFrame, cache: PatternCache | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row SHAP values (model output space, n x features, in X's column order) and the raw
    score they sum to with the bias (log value, or log-odds for the win model): scoring needs no
    second pass over the trees.

    LightGBM's `pred_contrib`, computed once per distinct split pattern for larger frames (fast_shap;
    `cache`: the patterns of earlier blocks of rows of the same booster)."""
    contrib = pred_contrib(booster, X, cache=cache)
    return contrib[:, :-1], contrib.sum(axis=1)


def shap_matrix(booster: lgb.Booster, X: pd.DataFrame) -> pd.DataFrame:
    """Per-row SHAP values (model output space), one column per feature, bias column dropped."""
    shap = shap_and_raw_score(booster, X)[0]
    return pd.DataFrame(shap, index=X.index, columns=list(X.columns), copy=False)


def mean_abs_shap(booster: lgb.Booster, X: pd.DataFrame) -> pd.Series:
    return shap_matrix(booster, X).abs().mean()


def rank_of(importance: pd.Series) -> pd.Series:
    """1 = largest; ties broken by attribute name."""
    order = sorted(importance.index, key=lambda a: (-float(importance[a]), a))
    return pd.Series(np.arange(1, len(order) + 1), index=order).reindex(importance.index)


def bootstrap_ranks(
    model: ValueModel, X: pd.DataFrame, y_log: np.ndarray, settings: ModelSettings
) -> pd.DataFrame:
    """rank_low / rank_high: 10th / 90th percentile of an attribute's rank over `n_bootstrap` refits
    on customers resampled with replacement (same parameters and rounds), SHAP on the original rows
    (on a fixed random sample of `bootstrap_shap_rows` of them when there are more).

    Each refit draws min(n, `bootstrap_max_rows`) customers: beyond that many, ranks barely move and
    a smaller resample only widens the intervals (conservative), at a fraction of the cost."""
    cols = list(X.columns)
    if settings.n_bootstrap <= 0 or not cols:
        return pd.DataFrame(index=cols, columns=["rank_low", "rank_high"], dtype="float64")
    rng = np.random.default_rng(settings.seed)
    shap_rows = X
    if len(X) > settings.bootstrap_shap_rows:
        sample = np.random.default_rng(settings.seed + 1).choice(
            len(X), settings.bootstrap_shap_rows, replace=False
        )
        shap_rows = X.iloc[np.sort(sample)]
    draws = [
        rng.integers(0, len(X), min(len(X), settings.bootstrap_max_rows)) for _ in range(settings.n_bootstrap)
    ]

    def refit(idx: np.ndarray) -> lgb.Booster:
        return fit_booster(X.iloc[idx], y_log[idx], model.params, model.num_rounds)

    def rank(booster: lgb.Booster) -> np.ndarray:
        return rank_of(mean_abs_shap(booster, shap_rows)).to_numpy()

    # `num_threads` refits at a time, then `num_threads` refits' SHAP at a time (mostly single-threaded
    # numpy, which releases the GIL): every refit is fitted before any SHAP runs, as LightGBM's training
    # and SHAP calls use different thread counts and must not overlap (lgb_threads). Each refit is
    # deterministic (`deterministic`, fixed seed and threads), so the ranks are those of refitting
    # one after another.
    with ThreadPoolExecutor(max_workers=max(1, settings.num_threads), thread_name_prefix="bootstrap") as pool:
        boosters = list(pool.map(refit, draws))
        ranks = list(pool.map(rank, boosters))
    arr = np.vstack(ranks)
    return pd.DataFrame(
        {
            "rank_low": np.floor(np.percentile(arr, 10, axis=0)),
            "rank_high": np.ceil(np.percentile(arr, 90, axis=0)),
        },
        index=cols,
    )


def direction_of(x: pd.Series, shap: pd.Series, kind: str) -> str:
    """'+'/'-' from corr(value, SHAP) (|r| >= 0.3) for numerics; categoricals are 'mixed' unless
    >= 90 % of their non-zero SHAP values share one sign."""
    if kind == "categorical":
        s = shap[shap.abs() > 1e-12]
        if s.empty:
            return "mixed"
        pos = float((s > 0).mean())
        return "+" if pos >= 0.9 else "-" if pos <= 0.1 else "mixed"
    known = x.notna()
    xv, sv = x[known].to_numpy(dtype=float), shap[known].to_numpy(dtype=float)
    if len(xv) < 3 or np.ptp(xv) == 0 or np.ptp(sv) == 0:
        return "mixed"
    r = float(np.corrcoef(xv, sv)[0, 1])
    return "+" if r >= 0.3 else "-" if r <= -0.3 else "mixed"


def realised_direction(x: pd.Series, value: pd.Series, kind: str | None) -> str:
    """Direction from the data alone (Spearman |rho| >= 0.1), for attributes outside the model."""
    if kind not in ("numeric", "binary"):
        return "mixed"
    known = x.notna()
    if known.sum() < 3 or x[known].nunique() < 2:
        return "mixed"
    rho = x[known].rank().corr(value[known].rank())
    return "+" if rho >= 0.1 else "-" if rho <= -0.1 else "mixed"


def attribute_importance(
    model: ValueModel,
    X_train: pd.DataFrame,
    value_train: pd.Series,
    raw_train: pd.DataFrame,
    attributes: pd.DataFrame,
    exclusions: list[dict],
    settings: ModelSettings,
    shap: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per candidate attribute; model attributes ranked, excluded ones appended unranked.

    importance = mean |SHAP| over training customers (log1p space) x median predicted value of those
    customers: a first-order conversion to value units (d value ~ value x d log value).
    `shap`: the value model's SHAP values of `X_train` when already computed (else computed here).
    """
    meta = attributes.set_index("attribute")
    if shap is None:
        shap = shap_matrix(model.booster, X_train)
    else:
        shap = shap.loc[X_train.index, list(X_train.columns)]
    median_pred = float(np.median(model.predict(X_train))) if len(X_train) else 0.0
    importance = shap.abs().mean() * median_pred
    ranks = rank_of(importance)
    boot = bootstrap_ranks(model, X_train, np.log1p(np.maximum(value_train.to_numpy(float), 0)), settings)
    rows = []
    for attr in X_train.columns:
        kind = str(meta.at[attr, "kind"])
        x = X_train[attr] if kind == "categorical" else X_train[attr].astype(float)
        rank = int(ranks[attr])
        rows.append(
            {
                "attribute": attr,
                "family": meta.at[attr, "family"],
                "rank": rank,
                "importance": float(importance[attr]),
                "direction": direction_of(x, shap[attr], kind),
                "summary": summarise(attr, _as_values(x, kind), value_train, kind),
                "customers_with_attribute": customers_with(x, kind),
                "rank_low": boot.at[attr, "rank_low"] if settings.n_bootstrap > 0 else rank,
                "rank_high": boot.at[attr, "rank_high"] if settings.n_bootstrap > 0 else rank,
                "recommended": rank <= settings.n_recommended and importance[attr] > 0,
                "observable_for_prospects": True,
                "used_in_model": True,
                "excluded_reason": None,
            }
        )
    for exc in exclusions:
        attr = exc["attribute"]
        kind = meta.at[attr, "kind"] if attr in meta.index else None
        kind = None if pd.isna(kind) else str(kind)
        has_raw = attr in raw_train.columns and kind is not None and not exc["reason"].startswith("high-card")
        vals = attribute_values(raw_train[attr], kind) if has_raw else None
        rows.append(
            {
                "attribute": attr,
                "family": meta.at[attr, "family"] if attr in meta.index else None,
                "rank": None,
                "importance": np.nan,
                "direction": realised_direction(vals, value_train, kind) if has_raw else "mixed",
                "summary": summarise(attr, vals, value_train, kind) if has_raw else "",
                "customers_with_attribute": customers_with(vals, kind) if has_raw else 0,
                "rank_low": np.nan,
                "rank_high": np.nan,
                "recommended": False,
                "observable_for_prospects": bool(meta.at[attr, "observable_for_prospects"])
                if attr in meta.index
                else False,
                "used_in_model": False,
                "excluded_reason": exc["reason"],
            }
        )
    out = pd.DataFrame(rows, columns=IMPORTANCE_COLUMNS)
    out["rank"] = out["rank"].astype("Int64")
    out["rank_low"] = out["rank_low"].astype("Int64")
    out["rank_high"] = out["rank_high"].astype("Int64")
    out["customers_with_attribute"] = out["customers_with_attribute"].astype("int64")
    out["recommended"] = out["recommended"].astype(bool)
    out = out.sort_values(
        ["used_in_model", "rank", "attribute"], ascending=[False, True, True], na_position="last"
    )
    return out.reset_index(drop=True)


def _as_values(x: pd.Series, kind: str) -> pd.Series:
    return x.astype(object).where(x.notna(), np.nan) if kind == "categorical" else x
