"""LightGBM value (regression on log1p value) and win (binary) models."""

from __future__ import annotations

from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from .lgb_threads import predict
from .settings import ModelSettings, resolved_learning_rate, resolved_num_leaves

MIN_ROUNDS = 20


def lgb_params(settings: ModelSettings, n: int, objective: str) -> dict:
    """LightGBM parameters; capacity shrinks and L2 grows for small n.

    num_leaves = clip(n // 10, 4, resolved_num_leaves); min_data_in_leaf = clip(n / 25, 3,
    settings.max_min_data_in_leaf); lambda_l2 = settings.lambda_l2 * max(1, 200 / n).
    """
    min_leaf = int(np.clip(round(n / 25), 3, settings.max_min_data_in_leaf))
    return {
        "objective": objective,
        "learning_rate": resolved_learning_rate(settings, n),
        "num_leaves": int(np.clip(n // 10, 4, resolved_num_leaves(settings, n))),
        "min_data_in_leaf": min_leaf,
        "min_data_per_group": min_leaf,
        "cat_smooth": 10.0,
        "max_cat_to_onehot": 4,
        "lambda_l2": settings.lambda_l2 * max(1.0, 200.0 / max(n, 1)),
        "feature_fraction": settings.feature_fraction,
        "bagging_fraction": settings.bagging_fraction,
        "bagging_freq": settings.bagging_freq,
        "seed": settings.seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": settings.num_threads,
        "verbose": -1,
    }


def fit_booster(
    X: pd.DataFrame, y: np.ndarray, params: dict, rounds: int, dataset: lgb.Dataset | None = None
) -> lgb.Booster:
    """Train with pandas `category` columns as LightGBM native categoricals. `dataset`: the same
    rows and label already binned by `choose_rounds` with the same params (not binned again)."""
    if dataset is None:
        dataset = lgb.Dataset(X, label=y, categorical_feature="auto")
    return lgb.train(params, dataset, num_boost_round=rounds)


def cv_folds(
    n: int, settings: ModelSettings, y: np.ndarray | None = None, min_fold_rows: int = 10
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled k-fold splits of n training rows (stratified when binary labels `y` are given), k =
    min(`cv_folds`, n // min_fold_rows, and for `y` the smaller class); [] when k < 2. Round selection
    and validation share them, so the round-selection boosters double as the validation folds."""
    k = int(min(settings.cv_folds, n // min_fold_rows))
    if y is not None:
        k = int(min(k, y.sum(), len(y) - y.sum()))
    if k < 2:
        return []
    splitter = StratifiedKFold if y is not None else KFold
    return list(splitter(n_splits=k, shuffle=True, random_state=settings.seed).split(np.zeros((n, 1)), y))


@dataclass
class RoundSelection:
    """Boosting rounds, plus the k-fold out-of-fold predictions at those rounds when chosen by CV."""

    rounds: int
    folds: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    oof: np.ndarray | None = None  # raw score (log value / probability) per training row
    # the CV's full Dataset (binned once), for the final fit on the same rows; dropped after it
    dataset: lgb.Dataset | None = field(default=None, repr=False)


def choose_rounds(X: pd.DataFrame, y: np.ndarray, params: dict, settings: ModelSettings) -> RoundSelection:
    """Boosting rounds: k-fold CV with early stopping, or fixed rounds for small data.

    The fold boosters' predictions at the chosen rounds are kept as out-of-fold predictions, so
    validation need not refit the same folds (the rounds are one hyper-parameter chosen on all
    folds, as a refit with them would be too)."""
    n = len(y)
    binary = params["objective"] == "binary"
    folds = cv_folds(n, settings, y if binary else None) if n >= settings.early_stopping_min_n else []
    if not folds:
        return RoundSelection(min(settings.small_data_rounds, settings.num_boost_round))
    dataset = lgb.Dataset(X, label=y, categorical_feature="auto")
    hist = lgb.cv(
        params,
        dataset,
        num_boost_round=settings.num_boost_round,
        folds=folds,
        callbacks=[lgb.early_stopping(settings.early_stopping_rounds, verbose=False)],
        return_cvbooster=True,
    )
    cvbooster = hist.pop("cvbooster")
    rounds = max(MIN_ROUNDS, len(next(iter(hist.values()))))
    oof = np.zeros(n)
    for (_, test), booster in zip(folds, cvbooster.boosters, strict=True):
        oof[test] = predict(booster, X.iloc[test], num_iteration=rounds)
    return RoundSelection(rounds, folds, oof, dataset)


@dataclass
class ValueModel:
    """Regression on log1p(max(value, 0)); `predict` returns value units."""

    booster: lgb.Booster
    params: dict
    num_rounds: int
    n_train: int
    cv: RoundSelection | None = None  # folds and out-of-fold log predictions of the round selection

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.maximum(np.expm1(predict(self.booster, X)), 0.0)


def value_target(value: pd.Series) -> np.ndarray:
    return np.log1p(np.maximum(value.to_numpy(dtype=float), 0.0))


def train_value_model(X: pd.DataFrame, value: pd.Series, settings: ModelSettings) -> ValueModel:
    """Fit on rows of X with a non-null `value`; ValueError below `settings.min_customers` rows."""
    value = value.reindex(X.index)
    mask = value.notna().to_numpy()
    n = int(mask.sum())
    if n < settings.min_customers:
        raise ValueError(
            f"value model needs at least {settings.min_customers} customers with a non-null "
            f"'{settings.value_label}', got {n}; add customer history or lower min_customers. A customer is "
            "an account with paid revenue (erp/invoices) or a won opportunity (crm/opportunities); "
            "min_customers is in the icp_models run config"
        )
    Xt, y = X.loc[mask], value_target(value[mask])
    params = lgb_params(settings, n, "regression")
    selection = choose_rounds(Xt, y, params, settings)
    booster = fit_booster(Xt, y, params, selection.rounds, selection.dataset)
    selection.dataset = None
    return ValueModel(booster, params, selection.rounds, n, selection)


@dataclass
class WinModel:
    """Binary win model, or a constant `prior` when there are too few won/lost accounts."""

    booster: lgb.Booster | None
    prior: float
    note: str
    params: dict | None = None
    num_rounds: int = 0
    n_train: int = 0
    cv: RoundSelection | None = None  # folds and out-of-fold probabilities of the round selection


def win_labels(
    features: pd.DataFrame, closed_opportunities: pd.DataFrame | None, settings: ModelSettings
) -> pd.Series:
    """Nullable boolean per account: won (True) / closed but never won (False) / no closed opp (NA).

    Uses `label_has_won_opportunity` among `label_has_closed_opportunity` accounts when the feature
    mart has them, else derives both from `closed_opportunities` (account_key, is_won).
    """
    out = pd.Series(pd.NA, index=features.index, dtype="boolean")
    if settings.closed_label in features and settings.won_label in features:
        closed = features[settings.closed_label].astype("boolean").fillna(False).astype(bool)
        won = features[settings.won_label].astype("boolean").fillna(False).astype(bool)
        if closed.any():
            out[closed] = won[closed]
            return out
    if closed_opportunities is None or closed_opportunities.empty or "account_key" not in features:
        return out
    per_acct = closed_opportunities.assign(is_won=closed_opportunities["is_won"].astype("boolean"))
    per_acct = per_acct.groupby("account_key")["is_won"].agg(lambda s: bool(s.fillna(False).any()))
    mapped = features["account_key"].map(per_acct)
    has = mapped.notna()
    out[has] = mapped[has].astype(bool)
    return out


def deal_win_rate(closed_opportunities: pd.DataFrame | None) -> float | None:
    """Won share of closed opportunities (None without any)."""
    if closed_opportunities is None or closed_opportunities.empty or "is_won" not in closed_opportunities:
        return None
    return float(closed_opportunities["is_won"].astype("boolean").fillna(False).astype(bool).mean())


def train_win_model(
    X: pd.DataFrame,
    won: pd.Series,
    settings: ModelSettings,
    customer_share: float,
    deal_rate: float | None = None,
) -> WinModel:
    """Fit on accounts with a closed opportunity. Fallback prior when either class has fewer than
    `min_win_class` accounts: the observed win rate among closed accounts; when that is 0 or 1 (one
    class absent, e.g. every account has won a deal) the win rate of closed deals `deal_rate`;
    without closed opportunities, the customer share of all accounts."""
    won = won.reindex(X.index)
    mask = won.notna().to_numpy()
    y = won[mask].astype(bool).to_numpy()
    n_won, n_lost = int(y.sum()), int((~y).sum())
    if min(n_won, n_lost) < settings.min_win_class:
        if len(y) and min(n_won, n_lost) == 0 and deal_rate is not None:
            side = "has won at least one" if n_lost == 0 else "has lost them all"
            prior = float(deal_rate)
            source = f"win rate of closed deals, as every account with a closed deal {side}"
        elif len(y):
            prior, source = float(y.mean()), "observed win rate among accounts with closed opportunities"
        else:
            prior, source = float(customer_share), "customer share of all accounts"
        note = (
            f"win model not trained: {n_won} won / {n_lost} lost accounts, at least {settings.min_win_class} "
            f"of each needed; win_probability is a constant prior of {prior:.3f}, the {source}"
        )
        return WinModel(None, prior, note)
    Xt = X.loc[mask]
    params = lgb_params(settings, len(y), "binary")
    selection = choose_rounds(Xt, y.astype(float), params, settings)
    rounds = selection.rounds
    booster = fit_booster(Xt, y.astype(float), params, rounds, selection.dataset)
    selection.dataset = None
    note = f"win model trained on {n_won} won / {n_lost} lost accounts, {rounds} rounds"
    return WinModel(booster, float(y.mean()), note, params, rounds, len(y), selection)
