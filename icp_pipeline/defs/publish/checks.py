"""Asset checks on the published target list: tier sizes follow the policy, and Tier 1 beats Tier 2
on held-out accounts. Metrics are numeric metadata, so the Dagster UI plots them across refreshes."""

from __future__ import annotations

import dagster as dg
import numpy as np

from icp_pipeline.lib.config.icp import TierPolicy
from icp_pipeline.lib.publish.tier_baseline import tier_size_check
from icp_pipeline.lib.warehouse.frames import read_frame
from icp_pipeline.resources import WarehouseResource

TARGETS = dg.AssetKey(["icp", "target_accounts"])


def _float(value) -> dg.MetadataValue:
    return dg.MetadataValue.float(float(value) if value is not None and np.isfinite(value) else float("nan"))


def _within_policy(result: dict) -> str:
    """The pass description, with any deviation from the policy's shares (ties kept in one tier)."""
    t1, want1 = result["tier1_share"], result["tier1_target_share"]
    t12, want12 = result["tier12_share"], result["tier12_target_share"]
    if not (np.isfinite(want1) and np.isfinite(want12)) or (
        round(t1 * result["ranked"]) == round(want1 * result["ranked"])
        and round(t12 * result["ranked"]) == round(want12 * result["ranked"])
    ):
        return "Tier sizes follow the policy."
    return (
        f"Tier sizes within the policy's tolerance: Tier 1 {t1:.1%} (policy {want1:.1%}), Tiers 1-2 "
        f"{t12:.1%} (policy {want12:.1%}); accounts tied at a cut-off are kept in one tier."
    )


@dg.asset_check(
    asset=TARGETS,
    description="Tier 1 and Tiers 1-2 hold the share (quantile) or count (capacity) of the ranked accounts "
    "the tier policy asks for, within its share_tolerance (relative, at least one account). The threshold "
    "policy sets score cut-offs, not sizes: reported, always passes.",
)
def tier_sizes_match_policy(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        policy_json = con.execute(
            "select tier_policy from icp.refresh_history order by refreshed_at desc limit 1"
        ).fetchone()[0]
        rows = read_frame(
            con,
            "select is_customer, tier from icp.target_accounts "
            "where tier <> 'Disqualified' and override_note is null",
        )
    policy = TierPolicy.model_validate_json(policy_json)
    result = tier_size_check(rows, policy)
    return dg.AssetCheckResult(
        passed=result["problem"] is None,
        severity=dg.AssetCheckSeverity.ERROR,
        description=result["problem"] or _within_policy(result),
        metadata={
            "ranked_accounts": int(result["ranked"]),
            "tier1_share": _float(result["tier1_share"]),
            "tier1_target_share": _float(result["tier1_target_share"]),
            "tier12_share": _float(result["tier12_share"]),
            "tier12_target_share": _float(result["tier12_target_share"]),
            "policy": policy.policy,
        },
    )


@dg.asset_check(
    asset=TARGETS,
    description="On held-out accounts (icp.tier_validation, customer value), Tier 1's lift is above Tier 2's. "
    "Warns when it is not, or when there is no hold-out to measure it: then the tiers are not shown to rank.",
)
def tier1_holdout_lift_above_tier2(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        lifts = read_frame(con, "select outcome, tier, lift, accounts from icp.tier_validation")
    by = {(r.outcome, r.tier): (r.lift, r.accounts) for r in lifts.itertuples()}
    t1, n1 = by.get(("actual", "Tier 1"), (np.nan, 0))
    t2, n2 = by.get(("actual", "Tier 2"), (np.nan, 0))
    measurable = bool(np.isfinite(t1) and np.isfinite(t2) and n1 and n2)
    passed = measurable and t1 > t2
    if not measurable:
        text = "No held-out Tier 1 and Tier 2 accounts with a value: the tiers' ranking is not measured."
    else:
        text = f"Held-out lift: Tier 1 {t1:.2f}, Tier 2 {t2:.2f} (n = {int(n1)} and {int(n2)})."
        text += "" if passed else " Tier 1 does not beat Tier 2: the list does not rank on unseen accounts."
    metadata = {
        "tier1_lift": _float(t1),
        "tier2_lift": _float(t2),
        "tier1_holdout_accounts": int(n1 or 0),
        "tier2_holdout_accounts": int(n2 or 0),
    }
    for tier in ("Tier 1", "Tier 2", "Tier 3"):
        won = by.get(("won", tier))
        if won is not None:
            metadata[f"{tier.lower().replace(' ', '')}_win_lift"] = _float(won[0])
    return dg.AssetCheckResult(
        passed=passed, severity=dg.AssetCheckSeverity.WARN, description=text, metadata=metadata
    )


publish_checks = [tier_sizes_match_policy, tier1_holdout_lift_above_tier2]
