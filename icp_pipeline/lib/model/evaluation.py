"""From validation to the model card: which held-out predictions judge the candidates, and whether
the win model learnt anything (rules: `card` module docstring)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .card import CANDIDATES, METRICS_NAME, CardRules, auc_interval, bootstrap_intervals, card_row, win_status
from .settings import ModelSettings
from .training import WinModel
from .validation import Validation


def card_rules(settings: ModelSettings) -> CardRules:
    return CardRules(
        tie_margin=settings.tie_margin_spearman,
        min_holdout_n=settings.min_holdout_n,
        moderate_spearman_low=settings.moderate_spearman_low,
        strong_spearman_low=settings.strong_spearman_low,
    )


def evaluation_frame(validation: Validation | None, settings: ModelSettings) -> tuple[pd.DataFrame, str]:
    """(actual + one column per candidate, split): the time hold-out when it has at least
    `min_holdout_n` customers, else the k-fold out-of-fold predictions."""
    if validation is None:
        return pd.DataFrame(), "none"
    holdout = validation.value_holdout
    if len(holdout) >= settings.min_holdout_n or (len(holdout) and validation.value_oof.empty):
        return holdout, "time_holdout"
    if not validation.value_oof.empty and "lightgbm" in validation.value_oof:
        return validation.value_oof, "cv"
    return holdout, "time_holdout"


def value_card(validation: Validation | None, settings: ModelSettings, value_label: str) -> tuple[dict, str]:
    """(model card fields of the value model, the candidate that scores the list)."""
    frame, split = evaluation_frame(validation, settings)
    preds = {c: frame[METRICS_NAME[c]].to_numpy(dtype=float) for c in CANDIDATES if METRICS_NAME[c] in frame}
    if "lightgbm" not in preds:  # no validation at all: nothing to judge, the list is LightGBM's
        empty = np.array([], dtype=float)
        preds = {c: empty for c in CANDIDATES}
        actual = empty
    else:
        actual = frame["actual"].to_numpy(dtype=float)
    iv = bootstrap_intervals(actual, preds, settings.n_metric_bootstrap, settings.seed)
    row, chosen = card_row(iv, split, card_rules(settings), value_label)
    if "lightgbm" not in frame:
        row["value_model"], chosen = "lightgbm", "lightgbm"
        row["strength_reason"] = "no validation ran (too few customers, or run_validation is off)"
    return row, chosen


def win_card(win_model: WinModel, validation: Validation | None, settings: ModelSettings) -> dict:
    """Win model fields of the card: `learnt` only when a model was trained, its out-of-fold
    predictions vary, and the 90 % interval of its out-of-fold AUC is above 0.5."""
    oof = validation.win_oof if validation is not None else pd.DataFrame()
    if win_model.booster is None:
        return win_status(False, win_model.note, (np.nan, np.nan, np.nan), 0)
    if oof.empty or "lightgbm" not in oof:
        return win_status(
            False,
            "a win model was trained but could not be validated out of fold",
            (np.nan,) * 3,
            win_model.n_train,
        )
    y, p = oof["won"].to_numpy(dtype=bool), oof["lightgbm"].to_numpy(dtype=float)
    auc = auc_interval(y, p, settings.n_metric_bootstrap, settings.seed)
    if np.ptp(p) == 0:
        return win_status(False, "the win model predicts the same probability for every account", auc, len(y))
    if not np.isfinite(auc[1]) or auc[1] <= 0.5:
        return win_status(
            False,
            f"out-of-fold AUC {auc[0]:.2f} (90 % interval {auc[1]:.2f} to {auc[2]:.2f}) is no better than a "
            f"coin flip on {len(y):,} accounts",
            auc,
            len(y),
        )
    return win_status(True, win_model.note, auc, len(y))
