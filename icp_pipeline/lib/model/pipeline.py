"""`run_models`: design matrix -> leakage guard -> value + win models -> scores, SHAP, validation."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd

from icp_pipeline.lib.model.labels import Labels

from .candidates import BaselineScorer, plain_model
from .card import SHORT_LABEL
from .evaluation import value_card, win_card
from .explain import attribute_importance, shap_matrix
from .features import build_design_matrix
from .grouped_importance import with_groups
from .groups import attribute_groups
from .leakage import detect_leakage
from .lgb_threads import predict
from .plots import calibration_chart, importance_chart, lift_gain_chart
from .scoring import SCORE_COLUMNS, expected_values, score_accounts, score_and_explain, score_with_baseline
from .settings import ModelSettings
from .training import (
    ValueModel,
    WinModel,
    deal_win_rate,
    train_value_model,
    train_win_model,
    value_target,
    win_labels,
)
from .validation import METRIC_COLUMNS, Validation, combine, validate_value, validate_win

__all__ = ["ModelResult", "ModelSettings", "model_status", "resolve_value_label", "run_models"]

# Labels tried, in this order, when the configured one is missing for too many customers.
VALUE_LABEL_FALLBACKS = (
    "label_annualised_value",
    "label_gross_margin_ltv",
    "label_revenue",
    "label_won_amount",
    "label_acv",
)
STATUS_COLUMNS = ["component", "available", "detail"]


@dataclass
class ModelResult:
    """Everything the model assets publish.

    scores: account_key, predicted_ltv, win_probability, expected_value, icp_score, top_reasons
    (one row per row of `features`, same order). importance / metrics / exclusions: see modules.
    """

    scores: pd.DataFrame
    importance: pd.DataFrame
    metrics: pd.DataFrame
    exclusions: pd.DataFrame
    value_booster: lgb.Booster
    win_booster: lgb.Booster | None
    value_model: ValueModel
    win_model: WinModel
    validation: Validation | None = None
    plots: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    features_used: list[str] = field(default_factory=list)
    value_label: str = ""  # the label the value model learnt (the configured one or its fallback)
    # one row: the candidate that scored the list, strength, verdict, hold-out metrics (lib/model/card.py)
    card: pd.DataFrame = field(default_factory=pd.DataFrame)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)  # attribute, attribute_group, ...


def _is_customer(features: pd.DataFrame, value: pd.Series) -> pd.Series:
    if "is_customer" in features:
        return features["is_customer"].astype("boolean").fillna(False).astype(bool)
    return value.notna()


def run_models(
    features: pd.DataFrame,
    catalog: pd.DataFrame | None,
    closed_opportunities: pd.DataFrame | None = None,
    settings: ModelSettings | None = None,
    scorer=score_and_explain,
) -> ModelResult:
    """Fit, explain, validate and score. Raises ValueError when too few customers carry the value label.

    `scorer` scores and explains every account with a learnt model: `score_and_explain` (default) or
    a function of the same contract that runs elsewhere (ICP_ENGINE=spark:
    `lib.engine.spark_scoring.score_and_explain_on_spark`, per partition)."""
    settings = settings or ModelSettings()
    if settings.value_label not in features:
        raise ValueError(f"value label column '{settings.value_label}' not in account_features")
    features = features.reset_index(drop=True)
    notes: list[str] = []
    label, label_note = resolve_value_label(features, settings)
    if label_note:
        notes.append(label_note)
        settings = dataclasses.replace(settings, value_label=label)
    raw_value = pd.to_numeric(features[settings.value_label], errors="coerce")
    is_customer = _is_customer(features, raw_value)
    value = raw_value.where(is_customer)

    dm = build_design_matrix(features, catalog, settings)
    dm = dm.drop(detect_leakage(dm.X, is_customer, settings))
    X_all = dm.X
    if X_all.shape[1] == 0:
        raise ValueError("no usable observable attributes left after exclusions; see exclusions")
    kinds = dict(zip(dm.attributes["attribute"], dm.attributes["kind"], strict=True))
    # attributes carrying the same information are fitted once (their representative)
    groups = attribute_groups(
        X_all, kinds, catalog, settings.near_duplicate_spearman, settings.group_sample_rows, settings.seed
    )
    X = X_all[groups.loc[groups["is_representative"], "attribute"].tolist()]

    won = win_labels(features, closed_opportunities, settings)
    dates = features.get("first_won_date")

    def win_side() -> tuple[WinModel, tuple | None]:
        model = train_win_model(
            X,
            won,
            settings,
            customer_share=float(is_customer.mean()),
            deal_rate=deal_win_rate(closed_opportunities),
        )
        return model, validate_win(X, won, model, settings) if settings.run_validation else None

    # The win model trains and is validated on a second thread while the value model trains and is
    # validated on this one (independent fits, the same numbers as one after the other): the value
    # side's validation fills the time this thread used to wait for the larger win model. Only
    # training and predictions overlap here, all with `num_threads` (lgb_threads).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="win-model") as pool:
        pending_win = pool.submit(win_side)
        value_model = train_value_model(X, value, settings)
        value_part = (
            validate_value(X, value, value_model, settings, dates, X_plain=X_all)
            if settings.run_validation
            else None
        )
        win_model, win_part = pending_win.result()
    notes.append(
        f"value model trained on {value_model.n_train} customers with '{settings.value_label}', "
        f"{value_model.num_rounds} rounds, {X.shape[1]} attribute groups of {X_all.shape[1]} attributes"
    )
    notes.append(win_model.note)

    validation = None
    metrics = pd.DataFrame(columns=METRIC_COLUMNS)
    if value_part is not None and win_part is not None:
        validation = combine(value_part, win_part)
        metrics = validation.metrics
    card, chosen = value_card(validation, settings, settings.value_label)
    win = win_card(win_model, validation, settings)
    card.update(win)
    if not win["expected_value_uses_win"]:
        notes.append(f"win model not learnt ({win['win_model_reason']}): expected value is not scaled by it")
    scored_by = SHORT_LABEL.get(chosen, chosen)  # the candidate in words, not its code
    notes.append(f"model card: {card['strength']}; list scored by {scored_by}. {card['verdict']}")
    metrics = pd.concat(
        [
            metrics,
            pd.DataFrame(
                [
                    {
                        "metric": "win_model_learnt",
                        "model": "lightgbm",
                        "split": "fit",
                        "value": float(win["expected_value_uses_win"]),
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    scoring_win = (
        win_model if win["expected_value_uses_win"] else WinModel(None, win_model.prior, win_model.note)
    )

    train = value.notna()
    labels = Labels.from_frame(catalog)  # reasons read as marts.attribute_catalog's labels
    args = (kinds, train.to_numpy(), settings.n_reasons, settings.shap_block_rows, labels)
    value_shap_train = tiebreak = None
    if chosen == "lightgbm":
        value_log, win_probability, top_reasons, value_shap_train = scorer(X, value_model, scoring_win, *args)
    elif chosen == "plain_lightgbm":
        plain = plain_model(X_all.loc[train], value_target(value[train]), settings)
        value_log, win_probability, top_reasons, _ = scorer(X_all, plain, scoring_win, *args)
    else:
        scorer = BaselineScorer(chosen, X_all, value, settings)  # baselines see every attribute
        value_log, win_probability, top_reasons = score_with_baseline(X_all, scorer, scoring_win, *args)
        # a baseline has few levels (rules: a count of attributes): accounts of one level are ordered
        # by the best learnt candidate's expected value, not by name (docs/model-card.md, "Ties")
        learnt_log = (
            predict(plain_model(X_all.loc[train], value_target(value[train]), settings).booster, X_all)
            if card.get("best_learnt") == "plain_lightgbm"
            else predict(value_model.booster, X)
        )
        tiebreak = expected_values(learnt_log, win_probability, win["expected_value_uses_win"])[2]
    if value_shap_train is None:  # importance always explains the LightGBM model of the groups
        value_shap_train = shap_matrix(value_model.booster, X.loc[train])
    scores = score_accounts(
        features["account_key"],
        value_log,
        win_probability,
        scale_by_win=win["expected_value_uses_win"],
        tiebreak=tiebreak,
    )
    scores["top_reasons"] = top_reasons
    scores = scores[SCORE_COLUMNS + ["top_reasons"]].reset_index(drop=True)

    importance = attribute_importance(
        value_model,
        X.loc[train],
        value[train],
        features.loc[train],
        dm.attributes,
        dm.exclusions,
        settings,
        shap=value_shap_train,
    )
    importance = with_groups(
        importance, groups, features.loc[train], value[train], dm.attributes, dm.treatments
    )

    plots: dict[str, bytes] = {}
    if settings.make_plots:
        plots["attribute_importance"] = importance_chart(importance)
        plots["lift_gain"] = lift_gain_chart(validation.value_oof if validation else pd.DataFrame())
        plots["calibration"] = calibration_chart(validation.calibration if validation else pd.DataFrame())

    exclusions = pd.DataFrame(dm.exclusions, columns=["attribute", "reason"])
    return ModelResult(
        scores=scores,
        importance=importance,
        metrics=metrics,
        exclusions=exclusions,
        value_booster=value_model.booster,
        win_booster=win_model.booster,
        value_model=value_model,
        win_model=win_model,
        validation=validation,
        plots=plots,
        notes=notes,
        features_used=list(X.columns),
        value_label=settings.value_label,
        card=pd.DataFrame([card]),
        groups=groups,
    )


def _customers_with_label(features: pd.DataFrame, label: str) -> int:
    if label not in features:
        return 0
    value = pd.to_numeric(features[label], errors="coerce")
    return int(value.where(_is_customer(features, value)).notna().sum())


def resolve_value_label(features: pd.DataFrame, settings: ModelSettings) -> tuple[str, str | None]:
    """The configured value label, or, when fewer than `min_customers` customers have it (e.g. ACV
    without ERP contracts), the first of `VALUE_LABEL_FALLBACKS` they do have, with a note saying so.
    The configured label is kept (and the value model then raises) when no label qualifies."""
    configured = settings.value_label
    n = _customers_with_label(features, configured)
    if n >= settings.min_customers:
        return configured, None
    for label in VALUE_LABEL_FALLBACKS:
        if label != configured and _customers_with_label(features, label) >= settings.min_customers:
            return label, (
                f"value label '{configured}' is known for only {n} customers (minimum "
                f"{settings.min_customers}), so the value model learnt '{label}' instead"
            )
    return configured, None


def model_status(result: ModelResult) -> pd.DataFrame:
    """One row per model component (value_model, win_model): whether it was trained and how."""
    value_notes = [n for n in result.notes if not n.startswith("win model")]
    rows = [
        {"component": "value_model", "available": True, "detail": "; ".join(value_notes)},
        {
            "component": "win_model",
            # learnt per the model card: trained, and better than a coin on held-out accounts
            "available": _win_learnt(result),
            "detail": result.card.iloc[0]["win_model_reason"] if len(result.card) else result.win_model.note,
        },
        {"component": "value_label", "available": True, "detail": result.value_label},
    ]
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _win_learnt(result: ModelResult) -> bool:
    if len(result.card):
        return bool(result.card.iloc[0]["win_model_status"] == "learnt")
    return result.win_model.booster is not None


def metric_value(metrics: pd.DataFrame, metric: str, model: str = "lightgbm", split: str = "cv") -> float:
    """One value from the long metrics table (NaN when absent)."""
    sel = metrics[(metrics["metric"] == metric) & (metrics["model"] == model) & (metrics["split"] == split)]
    return float(sel["value"].iloc[0]) if len(sel) else float(np.nan)
