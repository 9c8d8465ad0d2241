"""`icp.refresh_history`: one row per refresh, appended; and the tier plan read from it."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from icp_pipeline.lib.config.icp import IcpConfig
from icp_pipeline.lib.publish.tier_baseline import (
    Baseline,
    TierOutcome,
    baseline_from_history,
    history_columns,
)


def last_refresh(history: pd.DataFrame | None) -> pd.Series | None:
    """The latest row of `icp.refresh_history` (None when there is none)."""
    if history is None or history.empty:
        return None
    return history.sort_values("refreshed_at").iloc[-1]


def tier_plan(
    history: pd.DataFrame | None, config: IcpConfig, rebaseline: bool
) -> tuple[Baseline | None, str | None]:
    """(the frozen baseline to keep, or None with the reason to rebaseline); see `tier_baseline`."""
    if rebaseline:
        return None, "a rebaseline was requested (publish config rebaseline: true)"
    return baseline_from_history(last_refresh(history), config.tiers.model_dump_json())


def history_row(
    refresh_id: str,
    refreshed_at: dt.datetime,
    config: IcpConfig,
    targets: pd.DataFrame,
    metrics: pd.DataFrame,
    changes: pd.DataFrame,
    churn: float,
    landing_tables: dict[str, int],
) -> dict:
    """This refresh's row: inputs (`landing_tables`: raw table -> rows, `_`-tables left out), the tier
    policy and tiering (`targets.attrs["tiering"]`, a `TierOutcome`), prospects per tier, the LightGBM
    cv Spearman and win AUC of `metrics` (NaN when absent) and the tier churn."""
    prospect_tiers = targets["tier"][~targets["is_customer"].astype(bool).to_numpy()]

    def metric(name: str) -> float:
        hit = metrics[
            (metrics["metric"] == name) & (metrics["model"] == "lightgbm") & (metrics["split"] == "cv")
        ]
        return float(hit["value"].iloc[0]) if len(hit) else np.nan

    outcome: TierOutcome = targets.attrs["tiering"]
    tiering = history_columns(outcome)
    if tiering["baseline_refresh_id"] is None and outcome.basis == "expected value":
        tiering["baseline_refresh_id"] = refresh_id  # this refresh set the cut-offs
    return {
        "refresh_id": refresh_id,
        "refreshed_at": refreshed_at,
        "landing_tables": json.dumps(
            {name: int(n) for name, n in landing_tables.items() if not name.startswith("_")}
        ),
        "accounts": len(targets),
        "customers": int(targets["is_customer"].sum()),
        "tier_policy": config.tiers.model_dump_json(),
        **tiering,
        "tier_counts": json.dumps(
            {str(k): int(v) for k, v in prospect_tiers.value_counts().sort_index().items()}
        ),
        "cv_spearman": metric("spearman"),
        "win_auc": metric("win_auc"),
        "tier_churn": churn,
        "accounts_changed_tier": int(changes["changed"].sum()) if len(changes) else 0,
    }


def build_refresh_history(previous: pd.DataFrame | None, row: dict) -> pd.DataFrame:
    """The previous history (its stamps dropped: publication stamps them again) with `row` appended."""
    new = pd.DataFrame([row])
    if previous is None:
        return new.reset_index(drop=True)
    kept = previous.drop(columns=["icp_version", "published_at"], errors="ignore")
    return pd.concat([kept, new]).reset_index(drop=True)
