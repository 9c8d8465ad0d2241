"""Cut scored accounts into Tier 1/2/3 by the ICP config's tier policy.

Tiers are set over prospects: Tier 1 and Tier 2 take a share (quantile), a score cut-off (threshold)
or a number of accounts (capacity) of the prospects ranked by expected value (ties by icp_score, then
account_key for a deterministic order). Accounts that tie at a quota's boundary (equal expected value
and icp_score: nothing tells them apart) are never split between two tiers (`tie_boundary`): the
whole tied group goes to the tier where most of it would fall by position, up when exactly half, so
a tier may hold a few accounts more or fewer than its quota; the check `tier_sizes_match_policy`
compares the result with the policy's `share_tolerance` and the run logs the deviation. Customers
are scored with the same cut-offs but never take a prospect's place, unless `include_customers`
puts them in the ranking. With no prospects at all (every account is a customer, e.g. a CRM export
of existing accounts) the customers are ranked instead, so the list is still a prioritised (expansion) list rather than one flat tier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the config imports the ICP package, which imports this module
    from icp_pipeline.lib.config.icp import TierPolicy

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
    ev = scored["expected_value"].to_numpy(dtype=float)
    return _quota_cutoffs(ev, ranked, policy, _value_ties(scored, ranked))


def tie_boundary(ties_previous: np.ndarray, n: int) -> int:
    """Where to cut a ranked list of accounts nearest position `n` without splitting a tied group.

    `ties_previous[i]`: whether the i-th ranked account ties with the (i-1)-th (`[0]` is ignored).
    When the group holding positions n-1 and n straddles the cut, it goes wholly above the cut
    (returns its end) when at least half of it is above `n`, else wholly below (returns its start).
    """
    ties_previous = np.asarray(ties_previous, bool)
    if n <= 0 or n >= len(ties_previous) or not ties_previous[n]:
        return n
    group = np.cumsum(~ties_previous)
    start = int(np.searchsorted(group, group[n], side="left"))
    end = int(np.searchsorted(group, group[n], side="right"))
    return end if n - start >= end - n else start


def ties_previous(keys: list[np.ndarray], ranked: np.ndarray) -> np.ndarray:
    """Per ranked position, whether the account ties with the one before it on every key array
    (missing equals missing)."""
    same = np.zeros(len(ranked), bool)
    if len(ranked) < 2:
        return same
    same[1:] = True
    for key in keys:
        k = np.asarray(key, dtype=float)[ranked]
        a, b = k[1:], k[:-1]
        same[1:] &= (a == b) | (np.isnan(a) & np.isnan(b))
    return same


def tied_quotas(n1: int, n2: int, ties: np.ndarray) -> tuple[int, int]:
    """The quotas (Tier 1, Tiers 1-2) moved to the nearest boundary between tied groups."""
    t1 = tie_boundary(ties, n1)
    return t1, max(tie_boundary(ties, n2), t1)


def tie_note(quotas: tuple[int, int], tied: tuple[int, int], n: int) -> str | None:
    """The deviation from the policy's quotas that keeping ties together caused, in words (None: none)."""
    parts = []
    for name, want, got in (("Tier 1", quotas[0], tied[0]), ("Tiers 1-2", quotas[1], tied[1])):
        if want != got:
            parts.append(f"{name} holds {got:,} of {n:,} ranked accounts instead of the policy's {want:,}")
    if not parts:
        return None
    return (
        "accounts tied at a tier cut-off (same score, nothing to tell them apart) were kept in one tier: "
        + "; ".join(parts)
    )


def _value_ties(scored: pd.DataFrame, ranked: np.ndarray) -> np.ndarray:
    keys = [scored["expected_value"].to_numpy(dtype=float, na_value=np.nan)]
    if "icp_score" in scored:
        keys.append(scored["icp_score"].to_numpy(dtype=float, na_value=np.nan))
    return ties_previous(keys, ranked)


def _quota_cutoffs(
    ev: np.ndarray, ranked: np.ndarray, policy: TierPolicy, ties: np.ndarray
) -> tuple[float, float]:
    return _cutoffs_at(ev, ranked, *tied_quotas(*tier_quotas(policy, len(ranked)), ties))


def _cutoffs_at(ev: np.ndarray, ranked: np.ndarray, n1: int, n2: int) -> tuple[float, float]:
    """The expected values of the last account of Tier 1 and of Tiers 1-2 (inf for an empty tier)."""
    cut1 = ev[ranked[n1 - 1]] if n1 > 0 else np.inf
    cut2 = ev[ranked[n2 - 1]] if n2 > 0 else np.inf
    return float(cut1), float(cut2)


def tier_labels(
    scored: pd.DataFrame,
    policy: TierPolicy,
    frozen_cutoffs: tuple[float, float] | None = None,
    order: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[float, float], str | None]:
    """(the tier of every row, as an array, the cut-offs used, and the deviation from the policy's
    quotas that keeping tied accounts together caused, in words or None); see `assign_tiers`.

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
        return tier, (float(cut1), float(cut2)), None
    ev = scored["expected_value"].to_numpy(dtype=float, na_value=np.nan)
    in_pool = _ranking_pool(_customer_mask(scored), policy)
    ranked = _ranked_pool(scored, in_pool, order)
    # Prospects take tiers by rank position (quotas moved to keep ties together, see `tie_boundary`);
    # customers by the resulting cut-offs.
    quotas = tier_quotas(policy, len(ranked))
    n1, n2 = tied_quotas(*quotas, _value_ties(scored, ranked))
    cut1, cut2 = _cutoffs_at(ev, ranked, n1, n2)
    tier = np.full(len(scored), "Tier 3", dtype=object)
    tier[ranked[:n1]] = "Tier 1"
    tier[ranked[n1:n2]] = "Tier 2"
    others = ~in_pool
    reach1, reach2 = _reaches(scored, ev, ranked, n1), _reaches(scored, ev, ranked, n2)
    tier[others & reach1] = "Tier 1"
    tier[others & ~reach1 & reach2] = "Tier 2"
    note = tie_note(quotas, (n1, n2), len(ranked))
    return tier, (float(cut1), float(cut2)), note


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
    tier, cutoffs, _ = tier_labels(scored, policy, frozen_cutoffs)
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
