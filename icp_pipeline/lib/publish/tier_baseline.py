"""Tier cut-offs frozen in a unit that does not drift with the data's scale, and when to rebaseline.

An amount cut-off (e.g. "Tier 1 = expected value >= 52,009.6") swells Tier 1 as soon as expected
values grow with the data (every quarter of won deals raises them), so the frozen unit here is the
*relative value*: an account's expected value divided by the ranking pool's `value_scale`, the
median positive expected value of the accounts the policy ranks (prospects, or everybody when
there are none or `include_customers` is set). Multiplying every expected value by the same factor
changes no relative value, so no tier.

A refresh keeps the baseline's relative cut-offs (`frozen`) unless one of these rebaselines it, with
the reason stated in `icp.refresh_history.rebaseline_reason` and in `icp.tier_changes`:

1. no usable baseline: the first refresh, `rebaseline: true` asked for, the tier policy changed,
   the previous refresh tiered by other means (rules, or amounts in an older version);
2. the distribution shifted: the two-sample Kolmogorov–Smirnov distance between the pool's relative
   values and the baseline's reference distribution (101 quantiles kept in the history) exceeds
   both the policy's `rebaseline_max_ks` (default 0.10: a tenth of the accounts would change side of
   some cut-off) and the distance sampling noise reaches at the 1 % level for n accounts,
   1.63 * sqrt(2 / n) (0.25 at 85 accounts, 0.02 at 20,000), so a small list is not rebaselined on
   noise;
3. the policy's tolerance would be violated: with the frozen cut-offs Tier 1 (or Tier 1 + 2) would
   hold a share of the pool outside `tier1_share` (`tier1_share + tier2_share`) by more than
   `share_tolerance` of it (relative, at least one account), or, for the capacity policy, a count
   outside reps x accounts per rep (+ marketing capacity) by that tolerance.

A rebaseline cuts the pool by the policy's quotas (ranks; accounts tied at a quota kept in one tier, `tiering.tie_boundary`) and stores the new relative
cut-offs and reference. The threshold policy's cut-offs are icp_score values (a percentile rank,
already scale-free) and are never rebaselined.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from icp_pipeline.lib.publish.tiering import _customer_mask, _ranking_pool, tier_labels, tier_quotas

REFERENCE_POINTS = 101  # quantiles 0, 1, ..., 100 % of the pool's relative values


@dataclass(frozen=True)
class Baseline:
    """Frozen cut-offs in relative value (multiples of the pool's value scale) and their reference."""

    tier1_relative: float
    tier2_relative: float
    reference: tuple[float, ...]
    refresh_id: str | None = None


@dataclass
class TierOutcome:
    """What tiering did this refresh (`refresh_history` columns and the tier-change reasons)."""

    basis: str  # 'expected value', 'icp_score' (threshold policy) or 'icp.yaml rules'
    cutoffs: tuple[float, float]  # in this refresh's unit: expected value (or icp_score)
    relative_cutoffs: tuple[float, float] | None = None  # multiples of value_scale
    value_scale: float | None = None
    reference: tuple[float, ...] | None = None
    frozen: bool = False
    rebaseline_reason: str | None = None
    ks_distance: float | None = None
    baseline_refresh_id: str | None = None
    notes: list[str] = field(default_factory=list)


def value_scale(expected_value: np.ndarray) -> float:
    """Median of the positive, finite expected values (1.0 when there is none)."""
    ev = np.asarray(expected_value, dtype=float)
    positive = ev[np.isfinite(ev) & (ev > 0)]
    return float(np.median(positive)) if len(positive) else 1.0


def reference_quantiles(relative: np.ndarray) -> tuple[float, ...]:
    """The 101 percentiles (0..100 %) of the finite relative values (empty when none)."""
    values = np.asarray(relative, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return ()
    return tuple(float(q) for q in np.quantile(values, np.linspace(0, 1, REFERENCE_POINTS)))


def ks_distance(reference: tuple[float, ...] | list[float], values: np.ndarray) -> float:
    """Two-sample Kolmogorov–Smirnov distance sup|F_now - F_ref| between the finite `values` and
    the reference (its quantiles taken as an equally weighted sample); NaN when either is empty."""
    ref = np.sort(np.asarray(reference, dtype=float))
    now = np.asarray(values, dtype=float)
    now = np.sort(now[np.isfinite(now)])
    if not len(ref) or not len(now):
        return float("nan")
    points = np.concatenate([ref, now])
    f_ref = np.searchsorted(ref, points, side="right") / len(ref)
    f_now = np.searchsorted(now, points, side="right") / len(now)
    return float(np.max(np.abs(f_ref - f_now)))


def ks_limit(policy, n: int) -> float:
    """The KS distance above which the distribution counts as shifted: the larger of the policy's
    `rebaseline_max_ks` and the 1 % critical value of the two-sample test, 1.63 * sqrt(2 / n)."""
    return max(policy.rebaseline_max_ks, 1.63 * np.sqrt(2.0 / n) if n > 0 else np.inf)


def baseline_from_history(last: pd.Series | None, policy_json: str) -> tuple[Baseline | None, str | None]:
    """(the baseline to keep, or None with the reason to rebaseline) from the last history row."""
    if last is None:
        return None, "first refresh: no earlier cut-offs"
    basis = last.get("tier_basis")
    if isinstance(basis, str) and basis != "expected value":
        return None, f"the previous refresh tiered by {basis}"
    rel1, rel2 = last.get("tier1_cutoff_relative"), last.get("tier2_cutoff_relative")
    reference = last.get("reference_quantiles")
    if rel1 is None or pd.isna(rel1) or rel2 is None or pd.isna(rel2) or not isinstance(reference, str):
        return None, "the previous refresh stored its cut-offs as amounts, which drift with the data's scale"
    if last.get("tier_policy") != policy_json:
        return None, "the tier policy changed"
    baseline_id = last.get("baseline_refresh_id")
    return Baseline(
        float(rel1),
        float(rel2),
        tuple(json.loads(reference)),
        baseline_id if isinstance(baseline_id, str) else None,
    ), None


def tolerance_violation(policy, n_pool: int, n_tier1: int, n_tier12: int) -> str | None:
    """Why the tier sizes break the policy's tolerance (None when they fit); see the module doc."""
    if n_pool == 0:
        return None
    if policy.policy == "quantile":
        targets = [("Tier 1", policy.tier1_share * n_pool, n_tier1)]
        targets.append(("Tiers 1-2", (policy.tier1_share + policy.tier2_share) * n_pool, n_tier12))
    else:
        n1 = min(policy.sales_reps * policy.accounts_per_rep, n_pool)
        targets = [
            ("Tier 1", n1, n_tier1),
            ("Tiers 1-2", min(n1 + policy.marketing_capacity, n_pool), n_tier12),
        ]
    for name, target, got in targets:
        allowed = max(policy.share_tolerance * target, 1.0)
        if abs(got - target) > allowed:
            return (
                f"with the frozen cut-offs {name} would hold {got:,} of {n_pool:,} ranked accounts "
                f"({got / n_pool:.1%}), outside the policy's {target:,.0f} ± {allowed:,.0f}"
            )
    return None


def tier_refresh(
    scored: pd.DataFrame,
    policy,
    baseline: Baseline | None,
    reason: str | None,
    order: np.ndarray | None = None,
) -> tuple[np.ndarray, TierOutcome]:
    """(each row's tier, what was done): frozen relative cut-offs when `baseline` holds, else quotas.

    `scored`: is_customer, expected_value, icp_score (the accounts free to take a tier); `reason`:
    why there is no baseline (stated when rebaselining); `order`: see `tiering.tier_labels`.
    """
    if policy.policy == "threshold":
        labels, cuts, _ = tier_labels(scored, policy, order=order)
        return labels, TierOutcome(basis="icp_score", cutoffs=cuts)
    ev = scored["expected_value"].to_numpy(dtype=float, na_value=np.nan)
    in_pool = _ranking_pool(_customer_mask(scored), policy)
    scale = value_scale(ev[in_pool])
    relative = ev / scale
    ks = ks_distance(baseline.reference, relative[in_pool]) if baseline is not None else None
    limit = ks_limit(policy, int(in_pool.sum()))
    if baseline is not None and ks is not None and ks > limit:
        reason = (
            f"the expected-value distribution shifted (Kolmogorov–Smirnov distance {ks:.2f} from the "
            f"baseline's, above {limit:.2f})"
        )
        baseline = None
    if baseline is not None:
        cuts_rel = (baseline.tier1_relative, baseline.tier2_relative)
        frozen_frame = scored[["is_customer"]].assign(expected_value=relative, icp_score=np.nan)
        labels, _, _ = tier_labels(frozen_frame, policy, frozen_cutoffs=cuts_rel)
        pool_labels = labels[in_pool]
        n1 = int((pool_labels == "Tier 1").sum())
        violation = tolerance_violation(
            policy, int(in_pool.sum()), n1, n1 + int((pool_labels == "Tier 2").sum())
        )
        if violation is None:
            return labels, TierOutcome(
                basis="expected value",
                cutoffs=(cuts_rel[0] * scale, cuts_rel[1] * scale),
                relative_cutoffs=cuts_rel,
                value_scale=scale,
                reference=baseline.reference,
                frozen=True,
                ks_distance=ks,
                baseline_refresh_id=baseline.refresh_id,
            )
        reason = violation
    labels, cuts, tie = tier_labels(scored, policy, order=order)
    return labels, TierOutcome(
        basis="expected value",
        cutoffs=cuts,
        relative_cutoffs=(cuts[0] / scale, cuts[1] / scale),
        value_scale=scale,
        reference=reference_quantiles(relative[in_pool]),
        frozen=False,
        rebaseline_reason=reason,
        ks_distance=ks,
        notes=[tie] if tie else [],
    )


def rules_tiers(
    scored: pd.DataFrame, policy, rule_score: np.ndarray, order: np.ndarray | None = None
) -> tuple[np.ndarray, TierOutcome]:
    """Tiers by the team's rules (model strength `none`): the pool ranked by `rule_score` (high
    first), ties by expected value (the scores' order), cut by the policy's quotas (the threshold
    policy: as many as its score cut-offs would take), accounts equal in all three kept in one tier
    (`tiering.tie_boundary`). Accounts outside the pool (customers) take
    the tier of their place in the same order."""
    from icp_pipeline.lib.publish.tiering import tie_note, tied_quotas, ties_previous, value_order

    n = len(scored)
    by_value = value_order(scored) if order is None else order
    value_rank = np.empty(n, np.intp)
    value_rank[by_value] = np.arange(n)
    rules = np.nan_to_num(np.asarray(rule_score, dtype=float), nan=0.0)
    ranked_all = np.lexsort((value_rank, -rules))
    in_pool = _ranking_pool(_customer_mask(scored), policy)
    ranked = ranked_all[in_pool[ranked_all]]
    if policy.policy == "threshold":
        score = scored["icp_score"].to_numpy(dtype=float, na_value=np.nan)[in_pool]
        with np.errstate(invalid="ignore"):
            n1 = int((score >= policy.tier1_min_score).sum())
            n2 = int((score >= policy.tier2_min_score).sum())
    else:
        n1, n2 = tier_quotas(policy, len(ranked))
    # accounts equal in rule score, expected value and icp_score are never split between tiers
    ev = scored["expected_value"].to_numpy(dtype=float, na_value=np.nan)
    score = scored["icp_score"].to_numpy(dtype=float, na_value=np.nan)
    quotas = (n1, n2)
    n1, n2 = tied_quotas(n1, n2, ties_previous([rules, ev, score], ranked))
    note = tie_note(quotas, (n1, n2), len(ranked))
    place = np.empty(n, np.intp)
    place[ranked_all] = np.arange(n)
    last1 = place[ranked[n1 - 1]] if n1 > 0 else -1
    last2 = place[ranked[n2 - 1]] if n2 > 0 else -1
    tier = np.where(place <= last1, "Tier 1", np.where(place <= last2, "Tier 2", "Tier 3")).astype(object)
    tier[ranked[:n1]] = "Tier 1"
    tier[ranked[n1:n2]] = "Tier 2"
    tier[ranked[n2:]] = "Tier 3"
    return tier, TierOutcome(basis="icp.yaml rules", cutoffs=(np.nan, np.nan), notes=[note] if note else [])


def tier_size_check(tiered: pd.DataFrame, policy) -> dict:
    """Tier sizes of a published list against the policy: `tiered` holds is_customer and tier of
    the accounts free to take a tier (not disqualified, not overridden). Returns the ranked count,
    Tier 1 and Tiers 1-2 shares with their targets, and `problem` (None when within tolerance)."""
    customers = tiered["is_customer"].astype(bool).to_numpy()
    pool = tiered["tier"].to_numpy()[_ranking_pool(customers, policy)]
    n = len(pool)
    n1 = int((pool == "Tier 1").sum())
    n12 = n1 + int((pool == "Tier 2").sum())
    if policy.policy == "threshold" or n == 0:
        t1 = t12 = float("nan")
        problem = None
    else:
        q1, q12 = tier_quotas(policy, n)
        t1, t12 = q1 / n, q12 / n
        problem = tolerance_violation(policy, n, n1, n12)
        if problem is not None:
            problem = problem.replace("with the frozen cut-offs ", "").replace(" would hold ", " holds ")
    return {
        "ranked": n,
        "tier1_share": n1 / n if n else float("nan"),
        "tier12_share": n12 / n if n else float("nan"),
        "tier1_target_share": t1,
        "tier12_target_share": t12,
        "problem": problem,
    }


def history_columns(outcome: TierOutcome, rebaseline_requested: bool = False) -> dict:
    """The `icp.refresh_history` columns describing `outcome` (cut-offs, unit, baseline, reason)."""
    rel = outcome.relative_cutoffs
    return {
        "tier_basis": outcome.basis,
        "tier1_cutoff": outcome.cutoffs[0],
        "tier2_cutoff": outcome.cutoffs[1],
        "tier1_cutoff_relative": rel[0] if rel else np.nan,
        "tier2_cutoff_relative": rel[1] if rel else np.nan,
        "value_scale": outcome.value_scale if outcome.value_scale is not None else np.nan,
        "reference_quantiles": json.dumps(list(outcome.reference)) if outcome.reference else None,
        "thresholds_frozen": outcome.frozen,
        "rebaseline_reason": outcome.rebaseline_reason,
        "distribution_shift_ks": outcome.ks_distance if outcome.ks_distance is not None else np.nan,
        "baseline_refresh_id": outcome.baseline_refresh_id,
    }
