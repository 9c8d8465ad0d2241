"""Cut scored accounts into Tier 1/2/3 by the ICP config's tier policy.

Tiers are set over prospects: Tier 1 and Tier 2 take a share (quantile), a score cut-off (threshold)
or a number of accounts (capacity) of the prospects ranked by expected value, ties broken by
account_key so the result is deterministic. Customers are scored with the same cut-offs but never
take a prospect's place, unless `include_customers` puts them in the ranking. With no prospects at
all (every account is a customer, e.g. a CRM export of existing accounts) the customers are ranked
instead, so the list is still a prioritised (expansion) list rather than one flat tier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the config imports the ICP package, which imports this module
    from icp_pipeline.lib.icp_config import TierPolicy

TIER_ORDER = ["Tier 1", "Tier 2", "Tier 3", "Disqualified"]


def tier_quotas(policy: TierPolicy, n: int) -> tuple[int, int]:
    """How many of `n` ranked accounts end in Tier 1, and in Tier 1 or 2 (quantile and capacity policies)."""
    if policy.policy == "quantile":
        return round(policy.tier1_share * n), round((policy.tier1_share + policy.tier2_share) * n)
    n1 = min(policy.sales_reps * policy.accounts_per_rep, n)
    return n1, min(n1 + policy.marketing_capacity, n)


def ranking_pool(scored: pd.DataFrame, policy: TierPolicy) -> np.ndarray:
    """Accounts whose ranking sets the cut-offs: prospects, or everybody when `include_customers`
    is set or there are no prospects."""
    return _ranking_pool(_customer_mask(scored), policy)


def _customer_mask(scored: pd.DataFrame) -> np.ndarray:
    return scored["is_customer"].astype(bool).to_numpy()


def _ranking_pool(is_customer: np.ndarray, policy: TierPolicy) -> np.ndarray:
    prospects = ~is_customer
    if policy.include_customers or not prospects.any():
        return np.ones(len(is_customer), bool)
    return prospects


def value_order(scored: pd.DataFrame) -> np.ndarray:
    """Row positions by expected value (highest first, missing last), ties by icp_score (highest
    first: a coarse baseline's ties are ordered by the learnt candidate, see lib/model/scoring.py),
    then by account_key (stable)."""
    by = (
        ["expected_value", "icp_score", "account_key"]
        if "icp_score" in scored
        else ["expected_value", "account_key"]
    )
    keys = scored[by].reset_index(drop=True)
    return keys.sort_values(by, ascending=[False] * (len(by) - 1) + [True]).index.to_numpy()


def _ranked_pool(scored: pd.DataFrame, in_pool: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    """Positions of the pool's accounts in ranking order (`order`: every row's, see `value_order`)."""
    if order is None:
        pool = np.flatnonzero(in_pool)
        return pool[value_order(scored.iloc[pool])]
    return order[in_pool[order]]


def tier_cutoffs(scored: pd.DataFrame, policy: TierPolicy) -> tuple[float, float]:
    """Minimum expected value (quantile, capacity) or icp_score (threshold) of Tier 1 and Tier 2."""
    if policy.policy == "threshold":
        return policy.tier1_min_score, policy.tier2_min_score
    ranked = _ranked_pool(scored, ranking_pool(scored, policy), None)
    return _quota_cutoffs(scored["expected_value"].to_numpy(dtype=float), ranked, policy)


def _quota_cutoffs(ev: np.ndarray, ranked: np.ndarray, policy: TierPolicy) -> tuple[float, float]:
    n1, n2 = tier_quotas(policy, len(ranked))
    cut1 = ev[ranked[n1 - 1]] if n1 > 0 else np.inf
    cut2 = ev[ranked[n2 - 1]] if n2 > 0 else np.inf
    return float(cut1), float(cut2)


def tier_labels(
    scored: pd.DataFrame,
    policy: TierPolicy,
    frozen_cutoffs: tuple[float, float] | None = None,
    order: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[float, float]]:
    """(the tier of every row, as an array, and the cut-offs used); see `assign_tiers`.

    `order`: the rows' positions sorted as `value_order` sorts them, when already known (saves
    sorting the rows by their text keys).
    """
    measure = "icp_score" if policy.policy == "threshold" else "expected_value"
    if policy.policy == "threshold" or frozen_cutoffs is not None:
        if frozen_cutoffs is not None and policy.policy != "threshold":
            cut1, cut2 = frozen_cutoffs
        else:
            cut1, cut2 = policy.tier1_min_score, policy.tier2_min_score
        m = scored[measure].to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            tier = np.select([m >= cut1, m >= cut2], ["Tier 1", "Tier 2"], "Tier 3")
        return tier, (float(cut1), float(cut2))
    ev = scored["expected_value"].to_numpy(dtype=float, na_value=np.nan)
    in_pool = _ranking_pool(_customer_mask(scored), policy)
    ranked = _ranked_pool(scored, in_pool, order)
    cut1, cut2 = _quota_cutoffs(ev, ranked, policy)
    # Prospects take tiers by rank position (exact quotas); customers by the resulting cut-offs.
    n1, n2 = tier_quotas(policy, len(ranked))
    tier = np.full(len(scored), "Tier 3", dtype=object)
    tier[ranked[:n1]] = "Tier 1"
    tier[ranked[n1:n2]] = "Tier 2"
    others = ~in_pool
    reach1, reach2 = _reaches(scored, ev, ranked, n1), _reaches(scored, ev, ranked, n2)
    tier[others & reach1] = "Tier 1"
    tier[others & ~reach1 & reach2] = "Tier 2"
    return tier, (float(cut1), float(cut2))


def _reaches(scored: pd.DataFrame, ev: np.ndarray, ranked: np.ndarray, n: int) -> np.ndarray:
    """Rows at or above the n-th ranked account in ranking order: higher expected value, or equal
    expected value and at least its icp_score (the tiebreak of a coarse score's levels)."""
    if n <= 0:
        return np.zeros(len(ev), bool)
    last = ranked[n - 1]
    with np.errstate(invalid="ignore"):
        above = ev > ev[last]
        if "icp_score" not in scored:
            return above | (ev == ev[last])
        score = np.nan_to_num(scored["icp_score"].to_numpy(dtype=float, na_value=np.nan), nan=-1.0)
        return above | ((ev == ev[last]) & (score >= score[last]))


def assign_tiers(
    scored: pd.DataFrame, policy: TierPolicy, frozen_cutoffs: tuple[float, float] | None = None
) -> pd.DataFrame:
    """Add `tier` and `disqualified_reason`; rank positions (not values) decide ties at a cut-off.

    `frozen_cutoffs` (a previous refresh's expected-value cut-offs) keep tiers stable between
    refreshes: accounts are then tiered by value against them instead of by fresh quotas.
    The cut-offs used are in `out.attrs["cutoffs"]`.
    """
    tier, cutoffs = tier_labels(scored, policy, frozen_cutoffs)
    out = scored.copy()
    out["tier"] = tier
    out["disqualified_reason"] = None
    out.attrs["cutoffs"] = cutoffs
    return out


def tier_summary(targets: pd.DataFrame) -> pd.DataFrame:
    """Accounts, score range and value per tier, prospects and customers apart."""
    n_prospects = int((~targets["is_customer"].astype(bool)).sum())
    summary = (
        targets.groupby(["tier", "is_customer"], dropna=False)
        .agg(
            accounts=("account_key", "count"),
            min_icp_score=("icp_score", "min"),
            max_icp_score=("icp_score", "max"),
            total_expected_value=("expected_value", "sum"),
            avg_win_probability=("win_probability", "mean"),
        )
        .reset_index()
    )
    summary["share_of_prospects"] = np.where(
        summary["is_customer"].astype(bool), np.nan, summary["accounts"] / max(n_prospects, 1)
    )
    summary["tier"] = pd.Categorical(summary["tier"], TIER_ORDER, ordered=True)
    summary = summary.sort_values(["is_customer", "tier"]).reset_index(drop=True)
    summary["tier"] = summary["tier"].astype(str)
    return summary[
        [
            "tier",
            "is_customer",
            "accounts",
            "share_of_prospects",
            "min_icp_score",
            "max_icp_score",
            "total_expected_value",
            "avg_win_probability",
        ]
    ]
