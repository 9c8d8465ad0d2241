"""`icp.tier_changes`: per account, its tier in the previous and this refresh and why it changed."""

from __future__ import annotations

import pandas as pd

from icp_pipeline.lib.icp.churn import ChangeContext, tier_changes_and_churn
from icp_pipeline.lib.publish.tier_baseline import TierOutcome

# The columns of the previous icp.target_accounts the comparison reads.
CHANGE_SOURCE_COLUMNS = [
    "account_key", "tier", "icp_score", "disqualified_reason", "override_note", "expected_value",
]  # fmt: skip


def change_context(last: pd.Series | None, outcome: TierOutcome) -> ChangeContext:
    """How the previous refresh (its history row) and this one tiered, for `tier_changes` reasons."""

    def num(row, name):
        value = row.get(name) if row is not None else None
        return None if value is None or pd.isna(value) else float(value)

    previous_basis = last.get("tier_basis") if last is not None else None
    if not isinstance(previous_basis, str):
        previous_basis = None
    if previous_basis == "icp_score":
        previous_cuts = (num(last, "tier1_cutoff"), num(last, "tier2_cutoff"))
    elif last is not None:
        previous_cuts = (num(last, "tier1_cutoff_relative"), num(last, "tier2_cutoff_relative"))
    else:
        previous_cuts = None
    return ChangeContext(
        previous_basis=previous_basis if previous_basis is not None else outcome.basis,
        basis=outcome.basis,
        previous_cutoffs=previous_cuts,
        cutoffs=outcome.relative_cutoffs if outcome.basis == "expected value" else outcome.cutoffs,
        previous_scale=num(last, "value_scale"),
        scale=outcome.value_scale,
        frozen=outcome.frozen,
        rebaseline_reason=outcome.rebaseline_reason,
    )


def build_tier_changes(
    previous: pd.DataFrame | None, targets: pd.DataFrame, last: pd.Series | None
) -> tuple[pd.DataFrame, float]:
    """(icp.tier_changes, tier churn): `targets` (with `attrs["tiering"]`) against the previously
    published target list (`CHANGE_SOURCE_COLUMNS`; None on a first refresh, whose churn is 0) and the
    previous refresh's history row `last` (`refresh_history.last_refresh`)."""
    changes, churn = tier_changes_and_churn(
        previous if previous is not None else targets.iloc[0:0],
        targets[CHANGE_SOURCE_COLUMNS],
        change_context(last, targets.attrs["tiering"]),
    )
    return changes, (churn if previous is not None else 0.0)
