"""Tier assignment over scored prospects: quantile, threshold or capacity policy."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

TIERS = ("Tier 1", "Tier 2", "Tier 3")
DISQUALIFIED = "Disqualified"
POLICY_KINDS = ("quantile", "threshold", "capacity")


@dataclass(frozen=True)
class TierPolicy:
    """How prospects are split into tiers.

    - quantile: Tier 1 = top `tier1_share`, Tier 2 = next `tier2_share`, Tier 3 = rest (by expected value)
    - threshold: Tier 1 = icp_score >= `tier1_min_score`, Tier 2 = >= `tier2_min_score`, Tier 3 = rest
    - capacity: Tier 1 = top `reps` x `accounts_per_rep`, Tier 2 = next `marketing_capacity`, Tier 3 = rest
    Customers get `customer_tier` (default null) and take no tier slots unless `include_customers`.
    Rows with a non-null `disqualified_reason` are `Disqualified` and take no slots either.
    """

    kind: str = "quantile"
    tier1_share: float = 0.10
    tier2_share: float = 0.20
    tier1_min_score: float = 80.0
    tier2_min_score: float = 50.0
    reps: int = 10
    accounts_per_rep: int = 25
    marketing_capacity: int = 500
    include_customers: bool = False
    customer_tier: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in POLICY_KINDS:
            raise ValueError(f"tier policy kind must be one of {POLICY_KINDS}, got {self.kind!r}")

    @classmethod
    def from_dict(cls, config: dict[str, Any] | None) -> TierPolicy:
        """From a config mapping (e.g. icp.yaml `tier_policy`); `policy` is accepted for `kind`."""
        config = dict(config or {})
        if "policy" in config and "kind" not in config:
            config["kind"] = config.pop("policy")
        known = {f.name for f in fields(cls)}
        unknown = set(config) - known
        if unknown:
            raise ValueError(f"unknown tier policy keys: {sorted(unknown)}")
        return cls(**config)


def _round_half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def assign_tiers(
    scores: pd.DataFrame, policy: TierPolicy | dict | None = None, is_customer: pd.Series | None = None
) -> pd.DataFrame:
    """Copy of `scores` with `tier` and `tier_rank` (1 = best eligible account, null if not tiered).

    Needs `account_key` and `expected_value` (`icp_score` for the threshold policy); customers come
    from an `is_customer` column or argument. Ordering is by expected value (then icp_score), ties
    broken by account_key, so the result is deterministic.
    """
    policy = policy if isinstance(policy, TierPolicy) else TierPolicy.from_dict(policy)
    out = scores.copy()
    cust = is_customer if is_customer is not None else out.get("is_customer")
    cust = (
        pd.Series(False, index=out.index)
        if cust is None
        else pd.Series(cust, index=out.index).astype("boolean").fillna(False).astype(bool)
    )
    disq = (
        out["disqualified_reason"].notna()
        if "disqualified_reason" in out
        else pd.Series(False, index=out.index)
    )
    eligible = ~disq if policy.include_customers else ~disq & ~cust
    sort_cols = [c for c in ("expected_value", "icp_score") if c in out]
    ranked = out.loc[eligible, sort_cols + ["account_key"]].sort_values(
        sort_cols + ["account_key"],
        ascending=[False] * len(sort_cols) + [True],
        na_position="last",
        kind="mergesort",
    )
    n = len(ranked)
    pos = np.arange(n)
    if policy.kind == "threshold":
        s = ranked["icp_score"].to_numpy(dtype=float)
        labels = np.where(
            s >= policy.tier1_min_score, TIERS[0], np.where(s >= policy.tier2_min_score, TIERS[1], TIERS[2])
        )
    else:
        if policy.kind == "quantile":
            n1 = _round_half_up(policy.tier1_share * n)
            n12 = _round_half_up((policy.tier1_share + policy.tier2_share) * n)
        else:
            n1 = min(n, policy.reps * policy.accounts_per_rep)
            n12 = min(n, n1 + policy.marketing_capacity)
        labels = np.where(pos < n1, TIERS[0], np.where(pos < n12, TIERS[1], TIERS[2]))
    out["tier"] = pd.Series(None, index=out.index, dtype=object)
    out.loc[cust, "tier"] = policy.customer_tier
    out.loc[disq, "tier"] = DISQUALIFIED
    out.loc[ranked.index, "tier"] = labels
    out["tier_rank"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out.loc[ranked.index, "tier_rank"] = pos + 1
    return out
