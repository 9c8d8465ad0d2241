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
    """Passes when the best LightGBM candidate ranks held-out customers better than the best
    baseline with support (the 5th percentile of the paired Spearman gain is above 0)."""
    card = _card(warehouse)
    if card.empty:
        return dg.AssetCheckResult(passed=False, description="model.model_card is empty")
    row = card.iloc[0]
    low = float(row["learnt_gain_spearman_lo"]) if not pd.isna(row["learnt_gain_spearman_lo"]) else math.nan
    passed = math.isfinite(low) and low > 0
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{row['best_learnt']} vs {row['best_baseline']}: Spearman gain {row['learnt_gain_spearman']:.3f} "
            f"(90 % interval {row['learnt_gain_spearman_lo']:.3f} to {row['learnt_gain_spearman_hi']:.3f}) "
            f"on {int(row['holdout_n'])} held-out customers; the list is scored by {row['value_model']}"
        ),
        metadata=card_metadata(card),
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
