"""Build every published table of a refresh from the marts and model outputs, as frames."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import pandas as pd

from icp_pipeline.defs.publish.tables import PUBLISHED_TABLES
from icp_pipeline.lib.coverage import data_coverage, model_value_label
from icp_pipeline.lib.icp import (
    apply_disqualifiers_and_overrides,
    build_profile,
    build_segments,
    campaign_lift,
    leads_in_icp,
    test_hypotheses,
    tier_changes,
    tier_churn_rate,
    tier_lift,
)
from icp_pipeline.lib.icp_config import IcpConfig
from icp_pipeline.lib.tiering import assign_tiers, tier_summary
from icp_pipeline.lib.warehouse import table_exists

TARGET_SOURCE_SQL = """
    select
        f.account_key, f.crm_account_id, f.account_name, f.domain, f.industry, f.country,
        f.employee_count, f.is_customer,
        s.icp_score, s.expected_value, s.predicted_ltv, s.win_probability, s.top_reasons
    from model.account_scores as s
    inner join marts.account_features as f using (account_key)
"""


def _previous(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame | None:
    return con.execute(f"select * from icp.{table}").df() if table_exists(con, "icp", table) else None


def frozen_cutoffs(
    history: pd.DataFrame | None, config: IcpConfig, rebaseline: bool
) -> tuple[float, float] | None:
    """The last refresh's cut-offs when the policy is unchanged and no re-baseline was asked for."""
    if rebaseline or history is None or history.empty or config.tiers.policy == "threshold":
        return None
    last = history.sort_values("refreshed_at").iloc[-1]
    if last["tier_policy"] != config.tiers.model_dump_json():
        return None
    return float(last["tier1_cutoff"]), float(last["tier2_cutoff"])


def build_targets(
    con: duckdb.DuckDBPyConnection,
    features: pd.DataFrame,
    config: IcpConfig,
    cutoffs: tuple[float, float] | None,
) -> tuple[pd.DataFrame, list[str]]:
    """Scored accounts → tiers → disqualifiers and overrides; returns (targets, warnings)."""
    scored = con.execute(TARGET_SOURCE_SQL).df()
    # Disqualified and overridden accounts are settled first, so they take no place in a tier's quota.
    settled, warnings = apply_disqualifiers_and_overrides(
        scored.assign(tier="Tier 3", disqualified_reason=None), features, config
    )
    fixed = (settled["tier"] == "Disqualified") | settled["override_note"].notna()
    tiered = assign_tiers(scored[~fixed.to_numpy()], config.tiers, cutoffs)
    targets = settled
    targets.loc[~fixed, "tier"] = tiered["tier"]
    targets.attrs["cutoffs"] = tiered.attrs["cutoffs"]
    return targets, warnings


def _expansion(targets: pd.DataFrame, features: pd.DataFrame, value_col: str) -> pd.DataFrame:
    customers = targets[targets["is_customer"].astype(bool)].merge(
        features[["account_key", value_col]].rename(columns={value_col: "realised_value"}), on="account_key"
    )
    customers["headroom"] = customers["predicted_ltv"] - customers["realised_value"].fillna(0.0)
    customers = customers.sort_values(["headroom", "account_key"], ascending=[False, True])
    customers["expansion_rank"] = np.arange(1, len(customers) + 1)
    return customers[list(PUBLISHED_TABLES["expansion_accounts"].columns)]


def _tier_validation(con: duckdb.DuckDBPyConnection, config: IcpConfig) -> pd.DataFrame:
    """Held-out accounts tiered by their out-of-fold prediction with the policy's shares."""
    holdout = con.execute("select * from model.holdout_predictions").df()
    frames = []
    for target, part in holdout.groupby("target", sort=True):
        part = part.rename(columns={"predicted": "expected_value"}).assign(is_customer=False)
        tiered = assign_tiers(part, config.tiers.model_copy(update={"policy": "quantile"}))
        lift = tier_lift(tiered[["account_key", "tier", "actual"]], outcome="actual")
        frames.append(lift.assign(outcome="won" if target == "win" else "actual"))
    columns = list(PUBLISHED_TABLES["tier_validation"].columns)
    return pd.concat(frames)[columns] if frames else pd.DataFrame(columns=columns)


def _icp_validation(con: duckdb.DuckDBPyConnection, targets: pd.DataFrame, config: IcpConfig) -> pd.DataFrame:
    members = con.execute(
        "select campaign_id, account_id as crm_account_id, has_responded as responded, campaign_group as group, "
        "sent_at "
        "from staging.stg_marketing__campaign_members"
    ).df()
    campaign = campaign_lift(members, targets).assign(check="campaign")
    leads = con.execute("select * from staging.stg_crm__leads").df()
    lead_row = leads_in_icp(leads, targets, recent_days=config.validation.leads_recent_days).iloc[0]
    leads_frame = pd.DataFrame(
        [
            {
                "check": "leads",
                "metric": f"share of leads in the last {config.validation.leads_recent_days} days in Tier 1–2",
                "value": lead_row["share_in_icp"],
                "ci_low": np.nan,
                "ci_high": np.nan,
                "n": lead_row["recent_leads"],
                "note": lead_row["note"],
            }
        ]
    )
    return pd.concat([campaign, leads_frame])[list(PUBLISHED_TABLES["icp_validation"].columns)]


def _summary(config: IcpConfig, targets: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    rows = [("question", name, answer) for name, answer in config.questions.model_dump().items() if answer]
    prospects = targets[~targets["is_customer"].astype(bool)]
    rows += [
        ("headline", "accounts scored", f"{len(targets):,}"),
        ("headline", "customers", f"{int(targets['is_customer'].sum()):,}"),
        ("headline", "prospects in Tier 1", f"{int((prospects['tier'] == 'Tier 1').sum()):,}"),
    ]
    rows += [
        ("headline", f"defining attribute {i + 1}", line) for i, line in enumerate(profile["brief_line"])
    ]
    return pd.DataFrame(rows, columns=["section", "item", "value"])


def _history_row(
    con: duckdb.DuckDBPyConnection,
    refresh_id: str,
    refreshed_at: dt.datetime,
    config: IcpConfig,
    targets: pd.DataFrame,
    metrics: pd.DataFrame,
    changes: pd.DataFrame,
    churn: float,
    frozen: bool,
) -> dict:
    tables = con.execute(
        "select table_name, estimated_size from duckdb_tables() where schema_name = 'raw' order by table_name"
    ).fetchall()
    prospects = targets[~targets["is_customer"].astype(bool)]

    def metric(name: str) -> float:
        hit = metrics[
            (metrics["metric"] == name) & (metrics["model"] == "lightgbm") & (metrics["split"] == "cv")
        ]
        return float(hit["value"].iloc[0]) if len(hit) else np.nan

    cut1, cut2 = targets.attrs["cutoffs"]
    return {
        "refresh_id": refresh_id,
        "refreshed_at": refreshed_at,
        "landing_tables": json.dumps({name: int(n) for name, n in tables if not name.startswith("_")}),
        "accounts": len(targets),
        "customers": int(targets["is_customer"].sum()),
        "tier_policy": config.tiers.model_dump_json(),
        "tier1_cutoff": cut1,
        "tier2_cutoff": cut2,
        "thresholds_frozen": frozen,
        "tier_counts": json.dumps(
            {str(k): int(v) for k, v in prospects["tier"].value_counts().sort_index().items()}
        ),
        "cv_spearman": metric("spearman"),
        "win_auc": metric("win_auc"),
        "tier_churn": churn,
        "accounts_changed_tier": int(changes["changed"].sum()) if len(changes) else 0,
    }


def build_published_frames(
    con: duckdb.DuckDBPyConnection,
    config: IcpConfig,
    refresh_id: str,
    refreshed_at: dt.datetime,
    rebaseline: bool = False,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every published table of this refresh (publication order) and warnings to show the user."""
    value_col = model_value_label(con, config.value_label)
    features = con.execute("select * from marts.account_features order by account_key").df()
    importance = con.execute("select * from model.attribute_importance order by rank").df()
    metrics = con.execute("select metric, model, split, value from model.model_metrics").df()
    history = _previous(con, "refresh_history")
    cutoffs = frozen_cutoffs(history, config, rebaseline)
    targets, warnings = build_targets(con, features, config, cutoffs)

    segments, assignment = build_segments(features, importance, value_col, n_segments=config.segments.count)
    segment_of = pd.Series(assignment.to_numpy(), index=features["account_key"].to_numpy())
    targets["segment"] = targets["account_key"].map(segment_of)
    targets = targets.sort_values(["icp_score", "account_key"], ascending=[False, True])
    cutoffs_used = targets.attrs.get("cutoffs")
    targets = targets[list(PUBLISHED_TABLES["target_accounts"].columns)]
    targets.attrs["cutoffs"] = cutoffs_used

    previous = _previous(con, "target_accounts")
    changes = (
        tier_changes(previous, targets) if previous is not None else tier_changes(targets.iloc[0:0], targets)
    )
    churn = tier_churn_rate(previous, targets) if previous is not None else 0.0
    profile = build_profile(features, importance, value_col)
    history_row = _history_row(
        con, refresh_id, refreshed_at, config, targets, metrics, changes, churn, cutoffs is not None
    )
    new_history = pd.DataFrame([history_row])
    history = (
        new_history
        if history is None
        else pd.concat([history.drop(columns=["icp_version", "published_at"], errors="ignore"), new_history])
    )
    frames = {
        "target_accounts": targets,
        "attribute_importance": importance,
        "model_metrics": metrics,
        "tier_summary": tier_summary(targets),
        "icp_summary": _summary(config, targets, profile),
        "icp_profile": profile,
        "segments": segments,
        "hypothesis_results": test_hypotheses(features, config.hypotheses, value_col),
        "expansion_accounts": _expansion(targets, features, value_col),
        "tier_validation": _tier_validation(con, config),
        "icp_validation": _icp_validation(con, targets, config),
        "tier_changes": changes,
        "refresh_history": history.reset_index(drop=True),
        "data_coverage": data_coverage(con, targets, features),
    }
    return frames, warnings
