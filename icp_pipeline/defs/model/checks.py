"""Asset checks on the model card: the model beats its baselines, and its strength is not `none`.

Both read `model.model_card` (one row, written by `icp_models`) and attach the hold-out metrics as
numeric metadata, so the Dagster UI plots them across refreshes. Both are warnings: a weak model
still publishes (scored by the best baseline, said first in the summary and report).
"""

from __future__ import annotations

import math

import dagster as dg
import pandas as pd

from icp_pipeline.lib.warehouse.frames import read_frame
from icp_pipeline.resources import WarehouseResource

CARD = dg.AssetKey(["model", "model_card"])
NUMERIC_FIELDS = (
    "holdout_n",
    "holdout_spearman",
    "holdout_spearman_lo",
    "holdout_spearman_hi",
    "holdout_gini",
    "holdout_gini_lo",
    "holdout_gini_hi",
    "holdout_top_decile_lift",
    "holdout_top_decile_lift_lo",
    "holdout_top_decile_lift_hi",
    "learnt_gain_spearman",
    "learnt_gain_spearman_lo",
    "lightgbm_spearman",
    "plain_lightgbm_spearman",
    "linear_spearman",
    "rules_spearman",
    "win_auc",
    "win_auc_lo",
)


def card_metadata(card: pd.DataFrame) -> dict[str, dg.MetadataValue]:
    """Numeric fields as float metadata (NaN left out), plus strength, value model and verdict."""
    if card.empty:
        return {}
    row = card.iloc[0]
    meta: dict[str, dg.MetadataValue] = {
        "strength": dg.MetadataValue.text(str(row["strength"])),
        "value_model": dg.MetadataValue.text(str(row["value_model"])),
        "verdict": dg.MetadataValue.text(str(row["verdict"])),
        "win_model_status": dg.MetadataValue.text(str(row["win_model_status"])),
    }
    for name in NUMERIC_FIELDS:
        value = row.get(name)
        if value is not None and not pd.isna(value) and math.isfinite(float(value)):
            meta[name] = dg.MetadataValue.float(float(value))
    return meta


def _card(warehouse: WarehouseResource) -> pd.DataFrame:
    with warehouse.connect(read_only=True) as con:
        return read_frame(con, "select * from model.model_card")


@dg.asset_check(asset=CARD, name="model_beats_its_baselines", blocking=False)
def model_beats_its_baselines(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Passes when the list's LightGBM candidate (else the best one) ranks held-out customers better
    than the best baseline with support (the 5th percentile of the paired Spearman gain is above 0): the strength
    rule's test for `strong` (lib/model/card.py). A WARN does not stop publication: the list is still
    scored by the hold-out's winner, and the description and metadata `meaning_for_the_list` say what
    the WARN means for it (`warn_meaning`)."""
    card = _card(warehouse)
    if card.empty:
        return dg.AssetCheckResult(passed=False, description="model.model_card is empty")
    row = card.iloc[0]
    low = float(row["learnt_gain_spearman_lo"]) if not pd.isna(row["learnt_gain_spearman_lo"]) else math.nan
    passed = math.isfinite(low) and low > 0
    meaning = warn_meaning(row, passed)
    metadata = {**card_metadata(card), "meaning_for_the_list": dg.MetadataValue.text(meaning)}
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{_compared(row)} vs {row['best_baseline']}: Spearman gain {row['learnt_gain_spearman']:.3f} "
            f"(90 % interval {row['learnt_gain_spearman_lo']:.3f} to {row['learnt_gain_spearman_hi']:.3f}) "
            f"on {int(row['holdout_n'])} held-out customers. {meaning}"
        ),
        metadata=metadata,
    )


def _compared(row: pd.Series) -> str:
    """The LightGBM candidate the card's learnt_gain_spearman is of (lib/model/card.py card_row)."""
    return row["value_model"] if row["value_model"] in ("lightgbm", "plain_lightgbm") else row["best_learnt"]


def warn_meaning(row: pd.Series, passed: bool) -> str:
    """What the check's result means for the published list, in one or two sentences (the list is
    scored by whichever candidate won the hold-out, issue 14; a WARN never stops publication)."""
    scored_by, strength = row["value_model"], row["strength"]
    if passed and scored_by in ("rules", "linear"):
        return (
            f"LightGBM beats {row['best_baseline']} with support but by less than the tie margin, so the "
            f"simpler {scored_by} baseline scores the list (model card: {strength})."
        )
    if passed:
        return f"The list is scored by {scored_by}, which beats {row['best_baseline']} with support."
    if scored_by in ("rules", "linear"):
        return (
            f"No LightGBM candidate beats the baselines, so the list is scored by the {scored_by} baseline "
            f"and the model card rates it {strength} (its verdict is said first in the summary and report)."
        )
    return (
        f"WARN: the list is scored by {scored_by}, the best candidate on the hold-out, but its lead over "
        f"{row['best_baseline']} is within the bootstrap noise: its order is not shown to be better than "
        f"{row['best_baseline']}'s, so the model card rates it {strength} (not strong); use the tiers as a "
        "guide, not a precise ranking."
    )


@dg.asset_check(asset=CARD, name="model_strength_is_not_none", blocking=False)
def model_strength_is_not_none(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Fails (warning) when the card's strength is `none`: no evidence the list beats chance."""
    card = _card(warehouse)
    if card.empty:
        return dg.AssetCheckResult(passed=False, description="model.model_card is empty")
    row = card.iloc[0]
    return dg.AssetCheckResult(
        passed=str(row["strength"]) != "none",
        severity=dg.AssetCheckSeverity.WARN,
        description=f"strength {row['strength']}: {row['strength_reason']}. {row['verdict']}",
        metadata=card_metadata(card),
    )


model_checks = [model_beats_its_baselines, model_strength_is_not_none]
