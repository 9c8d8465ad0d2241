"""Out-of-fold and time hold-out validation of the value and win models against baselines."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .baselines import linear_frame, linear_model, rules_scores
from .candidates import plain_model
from .lgb_threads import predict
from .metrics import ranking_metrics, reliability_table, win_metrics
from .settings import ModelSettings
from .training import ValueModel, WinModel, cv_folds, fit_booster, value_target

METRIC_COLUMNS = ["metric", "model", "split", "value"]
MODELS = ("lightgbm", "linear_baseline", "rules_baseline", "plain_lightgbm")
MIN_HOLDOUT_TEST = 5


@dataclass
class Validation:
    """Long metrics table plus the frames behind the plots."""

    metrics: pd.DataFrame
    value_oof: pd.DataFrame = field(default_factory=pd.DataFrame)  # actual + one column per model
    # time hold-out test customers: actual + one column per model (empty without a time hold-out)
    value_holdout: pd.DataFrame = field(default_factory=pd.DataFrame)
    win_oof: pd.DataFrame = field(default_factory=pd.DataFrame)  # won, lightgbm, linear_baseline
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)  # reliability table of win model


def _rows(values: dict[str, float], model: str, split: str) -> list[dict]:
    return [{"metric": k, "model": model, "split": split, "value": float(v)} for k, v in values.items()]


def linear_rows(n: int, max_rows: int, seed: int) -> np.ndarray:
    """Positions of the training rows the linear baseline is fitted on: all of them up to `max_rows`,
    else a fixed random `max_rows` (a linear model of a few hundred coefficients gains nothing from
    more rows, and its solver's cost grows with them)."""
    if n <= max_rows:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, max_rows, replace=False))


def _fit_predict_value(
    Xtr,
    ytr,
    Xte,
    model: ValueModel,
    settings: ModelSettings,
    lightgbm: np.ndarray | None = None,
    plain: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    fit_plain: bool = True,
) -> dict[str, np.ndarray]:
    """Log-space predictions of LightGBM (same params and rounds as `model`; `lightgbm` when the
    round selection already made them), of the linear baseline and, given `plain` = (train, test)
    frames of every observable attribute, of the plain default LightGBM. The baselines see every
    observable attribute (`plain` when given), as a script would; only the pipeline's LightGBM is
    fitted on one representative per attribute group."""
    if lightgbm is None:
        lightgbm = predict(fit_booster(Xtr, ytr, model.params, model.num_rounds), Xte)
    Btr, Bte = plain if plain is not None else (Xtr, Xte)
    rows = linear_rows(len(Btr), settings.linear_max_rows, settings.seed)
    lin = linear_model(Btr, seed=settings.seed).fit(linear_frame(Btr.iloc[rows]), ytr[rows])
    out = {"lightgbm": lightgbm, "linear_baseline": lin.predict(linear_frame(Bte))}
    if plain is not None and fit_plain:
        out["plain_lightgbm"] = predict(plain_model(plain[0], ytr, settings).booster, plain[1])
    return out


def _folds(model: ValueModel | WinModel, n: int, settings: ModelSettings, y: np.ndarray | None = None):
    """The round selection's folds and out-of-fold predictions, else fresh folds (small data)."""
    if model.cv is not None and model.cv.folds:
        return model.cv.folds, model.cv.oof
    return cv_folds(n, settings, y, min_fold_rows=5), None


def validate_value(
    X: pd.DataFrame,
    value: pd.Series,
    model: ValueModel,
    settings: ModelSettings,
    first_won_date: pd.Series | None = None,
    X_plain: pd.DataFrame | None = None,
) -> tuple[list[dict], pd.DataFrame, pd.DataFrame]:
    """K-fold out-of-fold predictions (one row per account) and, when `first_won_date` allows,
    a time hold-out (train on the earliest 75 % of customers, test on the latest 25 %; its test rows'
    predictions are the third value). Metrics compare predicted ranking with realised value (value
    units). `X_plain`: every observable attribute, for the plain LightGBM candidate and the baselines;
    the plain candidate is cross-validated only when the time hold-out has fewer than
    `min_holdout_n` customers (the model card then judges on the k-fold predictions)."""
    value = value.reindex(X.index)
    mask = value.notna().to_numpy()
    Xc, actual = X.loc[mask], value[mask].to_numpy(dtype=float)
    Xp = X_plain.loc[mask] if X_plain is not None else None
    y = value_target(value[mask])
    rules = rules_scores(Xc if Xp is None else Xp, settings.rules_baseline)
    rows: list[dict] = []
    holdout = pd.DataFrame()
    if first_won_date is not None:
        holdout_rows, holdout = _time_holdout(
            Xc, y, actual, rules, first_won_date.reindex(Xc.index), model, settings, Xp
        )
        rows += holdout_rows
    # The plain candidate's k-fold predictions only matter when the model card falls back to them
    # (a time hold-out below `min_holdout_n`): five more fits saved on large data otherwise.
    plain_in_cv = len(holdout) < settings.min_holdout_n
    folds, lightgbm_oof = _folds(model, len(y), settings)
    oof = pd.DataFrame({"actual": actual}, index=Xc.index)
    if folds:
        preds: dict[str, np.ndarray] = {}
        for tr, te in folds:
            known = None if lightgbm_oof is None else lightgbm_oof[te]
            plain = None if Xp is None else (Xp.iloc[tr], Xp.iloc[te])
            fold = _fit_predict_value(
                Xc.iloc[tr], y[tr], Xc.iloc[te], model, settings, known, plain, fit_plain=plain_in_cv
            )
            for m, p in fold.items():
                preds.setdefault(m, np.zeros(len(y)))[te] = p
        preds["rules_baseline"] = rules
        for m, p in preds.items():
            oof[m] = p
            rows += _rows(ranking_metrics(actual, p), m, "cv")
    return rows, oof, holdout


def _time_holdout(
    Xc, y, actual, rules, dates: pd.Series, model: ValueModel, settings: ModelSettings, Xp=None
) -> tuple[list[dict], pd.DataFrame]:
    dates = pd.to_datetime(dates, errors="coerce")
    known = np.flatnonzero(dates.notna().to_numpy())
    n_test = int(round(settings.time_holdout_share * len(known)))
    if len(known) - n_test < settings.min_customers or n_test < MIN_HOLDOUT_TEST:
        return [], pd.DataFrame()
    order = known[np.lexsort((known, dates.to_numpy()[known]))]
    tr, te = order[: len(order) - n_test], order[len(order) - n_test :]
    plain = None if Xp is None else (Xp.iloc[tr], Xp.iloc[te])
    preds = _fit_predict_value(Xc.iloc[tr], y[tr], Xc.iloc[te], model, settings, plain=plain)
    # the rules' medians come from the training customers only, as any fitted candidate's
    preds["rules_baseline"] = _rules_on_test(Xc if Xp is None else Xp, tr, te, rules, settings)
    rows = []
    for m, p in preds.items():
        rows += _rows(ranking_metrics(actual[te], p), m, "time_holdout")
    frame = pd.DataFrame({"actual": actual[te], **preds}, index=Xc.index[te])
    return rows, frame


def _rules_on_test(Xc: pd.DataFrame, tr, te, rules: np.ndarray, settings: ModelSettings) -> np.ndarray:
    if settings.rules_baseline is not None:
        return rules[te]
    num = [c for c in Xc.columns if not isinstance(Xc[c].dtype, pd.CategoricalDtype)]
    if not num:
        return np.zeros(len(te))
    values = Xc[num].astype(float)
    return (values.iloc[te] > values.iloc[tr].median()).sum(axis=1).to_numpy(dtype=float)


def validate_win(
    X: pd.DataFrame, won: pd.Series, model: WinModel, settings: ModelSettings
) -> tuple[list[dict], pd.DataFrame, pd.DataFrame]:
    """Stratified k-fold out-of-fold win probabilities: AUC, Brier and a reliability table."""
    if model.booster is None:
        return [], pd.DataFrame(), pd.DataFrame()
    won = won.reindex(X.index)
    mask = won.notna().to_numpy()
    Xw, y = X.loc[mask], won[mask].astype(bool).to_numpy().astype(int)
    folds, lightgbm_oof = _folds(model, len(y), settings, y)
    if not folds:
        return [], pd.DataFrame(), pd.DataFrame()
    preds = {m: np.zeros(len(y)) for m in MODELS[:2]}
    for tr, te in folds:
        if lightgbm_oof is None:
            booster = fit_booster(Xw.iloc[tr], y[tr].astype(float), model.params, model.num_rounds)
            preds["lightgbm"][te] = predict(booster, Xw.iloc[te])
        else:
            preds["lightgbm"][te] = lightgbm_oof[te]
        lin = linear_model(Xw.iloc[tr], classification=True, seed=settings.seed)
        fit_rows = tr[linear_rows(len(tr), settings.linear_max_rows, settings.seed)]
        lin.fit(linear_frame(Xw.iloc[fit_rows]), y[fit_rows])
        preds["linear_baseline"][te] = lin.predict_proba(linear_frame(Xw.iloc[te]))[:, 1]
    rows: list[dict] = []
    for m, p in preds.items():
        rows += _rows(win_metrics(y, p), m, "cv")
    oof = pd.DataFrame({"won": y, **preds}, index=Xw.index)
    return rows, oof, reliability_table(y, preds["lightgbm"], settings.calibration_bins)


def validate(
    X: pd.DataFrame,
    value: pd.Series,
    won: pd.Series,
    value_model: ValueModel,
    win_model: WinModel,
    settings: ModelSettings,
    first_won_date: pd.Series | None = None,
    X_plain: pd.DataFrame | None = None,
) -> Validation:
    """All validation: metrics table with columns metric, model, split, value. The win model's
    validation runs on a second thread beside the value model's (independent fits; the same numbers).
    `run_models` calls the two halves itself, each right after its model's fit (`combine`)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate-win") as pool:
        win = pool.submit(validate_win, X, won, win_model, settings)
        value_part = validate_value(X, value, value_model, settings, first_won_date, X_plain)
        return combine(value_part, win.result())


def combine(value_part: tuple, win_part: tuple) -> Validation:
    """`Validation` from the results of `validate_value` and `validate_win`."""
    value_rows, value_oof, holdout = value_part
    win_rows, win_oof, calibration = win_part
    metrics = pd.DataFrame(value_rows + win_rows, columns=METRIC_COLUMNS)
    return Validation(metrics, value_oof, value_holdout=holdout, win_oof=win_oof, calibration=calibration)
