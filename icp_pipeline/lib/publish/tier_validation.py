"""`icp.tier_validation`: do the tiers rank accounts the model has not seen?"""

from __future__ import annotations

import pandas as pd

from icp_pipeline.lib.config.icp import TierPolicy
from icp_pipeline.lib.icp import tier_lift
from icp_pipeline.lib.publish.tables import PUBLISHED_TABLES
from icp_pipeline.lib.publish.tier_baseline import rules_tiers
from icp_pipeline.lib.publish.tiering import assign_tiers

TIER_VALIDATION_COLUMNS = list(PUBLISHED_TABLES["tier_validation"].columns)


def build_tier_validation(
    holdout: pd.DataFrame, policy: TierPolicy, rule_score: pd.Series | None = None
) -> pd.DataFrame:
    """Held-out accounts tiered by their out-of-fold prediction with the policy's shares (as a
    `quantile` policy), and each tier's outcome and lift (`icp.validation.tier_lift`).

    `holdout`: `model.holdout_predictions` (account_key, target `value` or `win`, predicted, actual).
    The win target's rows have outcome `won`, the value target's `actual`. No rows: an empty table.
    `rule_score` ({account_key: icp.yaml rule score}): given when the published tiers follow the
    team's rules (model strength none); the held-out accounts are then tiered the same way (rule
    score first, ties by prediction: `tier_baseline.rules_tiers`), so the table validates the tiers
    that were published, not the model's that were not.
    """
    quantile = policy.model_copy(update={"policy": "quantile"})
    frames = []
    for target, part in holdout.groupby("target", sort=True):
        part = part.rename(columns={"predicted": "expected_value"}).assign(is_customer=False)
        if rule_score is not None:
            part = part.assign(icp_score=part["expected_value"]).reset_index(drop=True)
            rules = rule_score.reindex(part["account_key"]).to_numpy(dtype=float)
            labels, _ = rules_tiers(part, quantile, rules)
            tiered = part.assign(tier=labels)
        else:
            tiered = assign_tiers(part, quantile)
        lift = tier_lift(tiered[["account_key", "tier", "actual"]], outcome="actual")
        frames.append(lift.assign(outcome="won" if target == "win" else "actual"))
    return (
        pd.concat(frames)[TIER_VALIDATION_COLUMNS]
        if frames
        else pd.DataFrame(columns=TIER_VALIDATION_COLUMNS)
    )
