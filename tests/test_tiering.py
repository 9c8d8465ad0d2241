"""Tier policies cut prospects by share, score or capacity; customers never take a prospect's place."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.config.icp import TierPolicy
from icp_pipeline.lib.publish.tiering import assign_tiers, tier_summary


def scored(n_prospects: int = 1000, n_customers: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_prospects + n_customers
    ev = rng.lognormal(8, 1, n)
    return pd.DataFrame(
        {
            "account_key": [f"a{i:05d}" for i in range(n)],
            "is_customer": [False] * n_prospects + [True] * n_customers,
            "expected_value": ev,
            "icp_score": pd.Series(ev).rank(pct=True).mul(100).round(1),
            "win_probability": rng.uniform(0, 1, n),
        }
    )


def test_quantile_policy_gives_exact_prospect_shares():
    out = assign_tiers(scored(), TierPolicy())
    prospects = out[~out["is_customer"]]
    assert prospects["tier"].value_counts().to_dict() == {"Tier 3": 700, "Tier 2": 200, "Tier 1": 100}


def test_customers_get_the_tier_their_value_reaches_without_taking_quota():
    out = assign_tiers(scored(), TierPolicy())
    prospects, customers = out[~out["is_customer"]], out[out["is_customer"]]
    cut1 = prospects.loc[prospects["tier"] == "Tier 1", "expected_value"].min()
    assert (customers.loc[customers["expected_value"] >= cut1, "tier"] == "Tier 1").all()
    assert (customers.loc[customers["expected_value"] < cut1, "tier"] != "Tier 1").all()


def test_accounts_tied_in_value_and_score_are_never_split_between_tiers():
    """Identical accounts (same expected value and score) used to be split at the exact quota by
    account_key: 10 of 100 identical prospects in Tier 1, 20 in Tier 2, 70 in Tier 3. A tied group
    now goes wholly to the tier where most of it falls (here: below both cut-offs)."""
    frame = scored(100, 0).assign(expected_value=1.0, icp_score=50.0)
    out = assign_tiers(frame, TierPolicy())
    assert out["tier"].nunique() == 1 and out["tier"].iloc[0] == "Tier 3"


def _with_tie(positions: range) -> pd.DataFrame:
    """100 prospects with distinct values, except those at `positions` of the value order (0 = best)."""
    frame = scored(100, 0)
    ev = np.linspace(1000.0, 10.0, 100)
    ev[list(positions)] = ev[positions.start]
    return frame.assign(expected_value=ev, icp_score=pd.Series(ev).rank(pct=True).mul(100).to_numpy())


@pytest.mark.parametrize(
    ("tied", "tier1"),
    [
        (range(8, 13), 8),  # 2 of 5 inside Tier 1's quota of 10: the group goes down
        (range(7, 11), 11),  # 3 of 4 inside: up
        (range(8, 12), 12),  # exactly half inside: up
    ],
)
def test_a_tie_at_the_tier1_cut_off_goes_wholly_to_the_tier_most_of_it_falls_in(tied, tier1):
    from icp_pipeline.lib.publish.tiering import tier_labels, value_order

    frame = _with_tie(tied)
    labels, _, note = tier_labels(frame, TierPolicy(), order=value_order(frame))
    tiers = pd.Series(labels, index=frame.index)
    assert tiers.iloc[list(tied)].nunique() == 1
    assert int((tiers == "Tier 1").sum()) == tier1
    assert int((tiers.isin(["Tier 1", "Tier 2"])).sum()) == 30  # Tier 2's cut-off had no tie
    assert note == (
        "accounts tied at a tier cut-off (same score, nothing to tell them apart) were kept in one tier: "
        f"Tier 1 holds {tier1} of 100 ranked accounts instead of the policy's 10"
    )


def test_a_tie_of_customers_and_prospects_at_the_cut_off_shares_one_tier():
    frame = _with_tie(range(8, 13))
    frame = pd.concat([frame, frame.iloc[[9]].assign(account_key="c1", is_customer=True)], ignore_index=True)
    out = assign_tiers(frame, TierPolicy())
    tied = out[out["expected_value"] == out["expected_value"].iloc[8]]
    assert len(tied) == 6 and tied["tier"].nunique() == 1


def test_rules_tiers_keep_accounts_equal_in_rules_value_and_score_together():
    from icp_pipeline.lib.publish.tier_baseline import rules_tiers

    frame = scored(100, 0).assign(expected_value=1.0, icp_score=50.0)
    rule = np.zeros(100)
    rule[:5] = 1.0  # 5 accounts match a rule; the other 95 are identical
    labels, outcome = rules_tiers(frame, TierPolicy(), rule)
    assert (labels[:5] == "Tier 1").all()
    assert len(set(labels[5:])) == 1  # quota 10 (Tier 1) and 30 (Tiers 1-2) fall inside the 95
    assert outcome.notes and "Tier 1 holds 5 of 100" in outcome.notes[0]


def test_capacity_policy_fills_tier1_with_reps_times_accounts():
    out = assign_tiers(
        scored(), TierPolicy(policy="capacity", sales_reps=3, accounts_per_rep=20, marketing_capacity=90)
    )
    counts = out[~out["is_customer"]]["tier"].value_counts().to_dict()
    assert counts == {"Tier 1": 60, "Tier 2": 90, "Tier 3": 850}


def test_threshold_policy_uses_score_cutoffs():
    out = assign_tiers(scored(), TierPolicy(policy="threshold", tier1_min_score=95, tier2_min_score=80))
    assert (out.loc[out["icp_score"] >= 95, "tier"] == "Tier 1").all()
    assert (out.loc[(out["icp_score"] < 95) & (out["icp_score"] >= 80), "tier"] == "Tier 2").all()


def test_include_customers_puts_them_in_the_ranking():
    out = assign_tiers(scored(), TierPolicy(include_customers=True))
    assert (out["tier"] == "Tier 1").sum() == 120


@pytest.mark.parametrize("policy", ["quantile", "capacity", "threshold"])
def test_summary_counts_every_account_once(policy):
    out = assign_tiers(scored(), TierPolicy(policy=policy))
    summary = tier_summary(out)
    assert summary["accounts"].sum() == len(out)
    assert summary.loc[~summary["is_customer"], "share_of_prospects"].sum() == pytest.approx(1.0)


def test_frozen_cutoffs_keep_tiers_by_value_instead_of_quotas():
    frame = scored()
    first = assign_tiers(frame, TierPolicy())
    cut1, cut2 = first.attrs["cutoffs"]
    # a refresh where every account is worth a little more: quotas would reshuffle, frozen cut-offs do not
    again = assign_tiers(
        frame.assign(expected_value=frame["expected_value"] * 1.5), TierPolicy(), (cut1, cut2)
    )
    assert (again["tier"] == "Tier 1").sum() > (first["tier"] == "Tier 1").sum()
    same = assign_tiers(frame, TierPolicy(), (cut1, cut2))
    prospects = ~frame["is_customer"]
    assert same.loc[prospects, "tier"].tolist() == first.loc[prospects, "tier"].tolist()


@pytest.mark.parametrize(
    "policy", [TierPolicy(), TierPolicy(policy="capacity", sales_reps=1, accounts_per_rep=5)]
)
def test_without_prospects_the_customers_are_ranked_into_tiers(policy):
    # a CRM export of existing accounts only: the list must still be prioritised, not one flat tier
    out = assign_tiers(scored(n_prospects=0, n_customers=85), policy)
    counts = out["tier"].value_counts()
    assert counts.get("Tier 1", 0) > 0 and counts.get("Tier 2", 0) > 0
    ranked = out.sort_values("expected_value", ascending=False)["tier"].tolist()
    assert ranked == sorted(ranked, key=["Tier 1", "Tier 2", "Tier 3"].index)
    assert np.isfinite(out.attrs["cutoffs"]).all()


@pytest.mark.parametrize(
    "policy", [TierPolicy(), TierPolicy(policy="capacity", sales_reps=3, accounts_per_rep=10)]
)
def test_a_known_value_order_gives_the_same_tiers_as_sorting(policy):
    from icp_pipeline.lib.publish.tiering import tier_labels, value_order

    data = scored(seed=4).assign(expected_value=lambda d: d["expected_value"].round(-3))  # many ties
    sorted_tiers = assign_tiers(data, policy)
    labels, cutoffs, _ = tier_labels(data, policy, order=value_order(data))
    assert list(labels) == sorted_tiers["tier"].tolist() and cutoffs == sorted_tiers.attrs["cutoffs"]


# --- frozen cut-offs in relative value (icp_pipeline.lib.publish.tier_baseline) ----------------------------


def _refresh(frame, policy=None, last=None):
    import json

    from icp_pipeline.lib.publish.tier_baseline import baseline_from_history, history_columns, tier_refresh

    policy = policy or TierPolicy()
    baseline, reason = baseline_from_history(last, policy.model_dump_json())
    labels, outcome = tier_refresh(frame, policy, baseline, reason)
    row = pd.Series({"tier_policy": policy.model_dump_json(), **history_columns(outcome)})
    json.loads(row["reference_quantiles"])  # stored as JSON
    return labels, outcome, row


def test_growing_values_keep_tier1_share_and_tiers_when_cut_offs_are_frozen():
    frame = scored()
    first, outcome1, row = _refresh(frame)
    assert outcome1.rebaseline_reason == "first refresh: no earlier cut-offs" and not outcome1.frozen
    # the next refresh: every expected value grew 2.5x (a quarter of won deals more), plus noise
    rng = np.random.default_rng(1)
    grown = frame.assign(expected_value=frame["expected_value"] * 2.5 * rng.lognormal(0, 0.05, len(frame)))
    second, outcome2, _ = _refresh(grown, last=row)
    assert outcome2.frozen and outcome2.rebaseline_reason is None
    assert outcome2.relative_cutoffs == outcome1.relative_cutoffs
    prospects = ~frame["is_customer"].to_numpy()
    share = (second[prospects] == "Tier 1").mean()
    assert abs(share - 0.10) <= 0.025
    assert (second[prospects] != first[prospects]).mean() < 0.05
    # an amount cut-off (the old freezing) would have swollen Tier 1 to most prospects
    amounts = assign_tiers(grown, TierPolicy(), outcome1.cutoffs)
    assert (amounts.loc[prospects, "tier"] == "Tier 1").mean() > 0.3


def test_a_shifted_distribution_rebaselines_with_the_ks_distance_as_reason():
    frame = scored()
    _, _, row = _refresh(frame)
    # the spread of values widens sharply: the same median, much heavier top
    shifted = frame.assign(expected_value=np.exp(3 * np.log(frame["expected_value"] / 3000.0)) * 3000.0)
    labels, outcome, _ = _refresh(shifted, last=row)
    assert not outcome.frozen
    assert outcome.rebaseline_reason.startswith("the expected-value distribution shifted (Kolmogorov–Smirnov")
    assert outcome.ks_distance > TierPolicy().rebaseline_max_ks
    prospects = ~frame["is_customer"].to_numpy()
    assert (labels[prospects] == "Tier 1").sum() == 100  # quotas again


def test_tier_sizes_outside_the_policys_tolerance_rebaseline():
    from icp_pipeline.lib.publish.tier_baseline import tolerance_violation

    policy = TierPolicy(rebaseline_max_ks=1.0)  # only the tolerance can trigger
    frame = scored()
    _, _, row = _refresh(frame, policy)
    # the top tenth of prospects move to just above the median: a KS-small change that empties Tier 1
    ev = frame["expected_value"].to_numpy().copy()
    prospects = ~frame["is_customer"].to_numpy()
    top = prospects & (ev >= np.quantile(ev[prospects], 0.9))
    ev[top] = np.median(ev[prospects]) * 1.01
    labels, outcome, _ = _refresh(frame.assign(expected_value=ev), policy, last=row)
    assert not outcome.frozen and "would hold" in outcome.rebaseline_reason
    assert (labels[prospects] == "Tier 1").sum() == 100
    assert tolerance_violation(policy, 1000, 100, 300) is None
    assert tolerance_violation(policy, 1000, 126, 300).startswith(
        "with the frozen cut-offs Tier 1 would hold 126"
    )


def test_amount_cut_offs_of_an_older_history_are_rebaselined_with_that_reason():
    from icp_pipeline.lib.publish.tier_baseline import baseline_from_history

    last = pd.Series(
        {"tier_policy": TierPolicy().model_dump_json(), "tier1_cutoff": 52009.6, "tier2_cutoff": 1.0}
    )
    baseline, reason = baseline_from_history(last, TierPolicy().model_dump_json())
    assert baseline is None and "amounts" in reason


def test_rules_tiers_rank_rule_matches_first_then_expected_value():
    from icp_pipeline.lib.publish.tier_baseline import rules_tiers

    frame = scored(100, 10)
    rule = np.zeros(len(frame))
    rule[[50, 60, 70]] = 1.0  # three prospects match the team's ICP rules
    labels, outcome = rules_tiers(frame, TierPolicy(), rule)
    assert outcome.basis == "icp.yaml rules"
    assert set(np.flatnonzero(labels == "Tier 1")) >= {50, 60, 70}
    prospects = ~frame["is_customer"].to_numpy()
    assert (labels[prospects] == "Tier 1").sum() == 10
    rest = [i for i in np.flatnonzero(prospects & (labels == "Tier 1")) if i not in (50, 60, 70)]
    others = frame.loc[prospects & (rule == 0), "expected_value"].nlargest(7)
    assert sorted(rest) == sorted(others.index.tolist())


# ---- ties and the rules basis in the published list (tier_target_accounts, no warehouse needed) --------


def _build(scored_frame: pd.DataFrame, policy: TierPolicy | None = None, rule_score=None) -> pd.DataFrame:
    """`tier_target_accounts` on a scored list in published order (icp_score desc, ev desc, account_key)."""
    from icp_pipeline.lib.config.icp import IcpConfig
    from icp_pipeline.lib.publish.target_accounts import tier_target_accounts

    frame = scored_frame.sort_values(
        ["icp_score", "expected_value", "account_key"], ascending=[False, False, True]
    ).reset_index(drop=True)
    features = scored_frame[["account_key"]].sort_values("account_key").reset_index(drop=True)
    frame = frame.assign(crm_account_id=None, domain=None)
    config = IcpConfig(tiers=policy or TierPolicy())
    rules = None
    if rule_score is not None:  # per row of features (account_key order)
        rules = pd.Series(rule_score, index=scored_frame["account_key"]).reindex(features["account_key"])
        rules = rules.to_numpy(dtype=float)
    targets, _ = tier_target_accounts(frame, features, config, rule_score=rules)
    return targets


def _assert_tiers_follow_the_published_score(targets: pd.DataFrame) -> None:
    order = ["Tier 1", "Tier 2", "Tier 3"]
    assert targets["icp_score"].is_monotonic_decreasing  # the published order
    by_score = targets.sort_values("icp_score", ascending=False, kind="stable")
    assert by_score["tier"].map(order.index).is_monotonic_increasing


def test_tiers_by_the_rules_publish_the_rules_order_as_icp_score():
    # customers only (as the AWS SaaS-Sales export); the rule favours accounts the model ranks low
    n = 40
    ev = np.linspace(1000.0, 40_000.0, n)
    frame = pd.DataFrame(
        {
            "account_key": [f"k{i:03d}" for i in range(n)],
            "is_customer": True,
            "expected_value": ev,
            "icp_score": pd.Series(ev).rank(pct=True).mul(100).round(1),
            "predicted_ltv": ev,
            "win_probability": 1.0,
            "top_reasons": "x",
        }
    )
    rule = np.where(np.arange(n) < 8, 1.0, 0.0)  # the 8 lowest by value match the team's rule
    targets = _build(frame, TierPolicy(), rule)
    _assert_tiers_follow_the_published_score(targets)
    matching = targets["account_key"].isin([f"k{i:03d}" for i in range(8)])
    assert targets.loc[matching, "icp_score"].min() > targets.loc[~matching, "icp_score"].max()
    # within the rule's matches, the model's order is kept: k007 (highest value of them) first
    assert targets["account_key"].iloc[0] == "k007"
    assert (targets["tier"] == "Tier 1").sum() == round(TierPolicy().tier1_share * n)


def test_a_coarse_score_is_cut_by_the_learnt_tiebreak_not_by_name():
    from icp_pipeline.lib.model.scoring import score_accounts

    n = 40
    keys = pd.Series([f"k{i:03d}" for i in range(n)])
    value_log = np.where(np.arange(n) < 20, np.log1p(500.0), np.log1p(100.0))  # two levels (rules)
    learnt = np.arange(n, dtype=float)  # the learnt candidate's order: within each level k000 is worst
    scores = score_accounts(keys, value_log, np.ones(n), scale_by_win=False, tiebreak=learnt)
    assert scores["expected_value"].nunique() == 2  # no value is changed by the tiebreak
    assert scores["icp_score"].nunique() == n
    top = scores.sort_values("icp_score", ascending=False)["account_key"].head(20).tolist()
    assert top == [f"k{i:03d}" for i in range(19, -1, -1)]

    frame = scores.assign(is_customer=True, top_reasons="x")
    policy = TierPolicy()
    targets = _build(frame, policy)
    _assert_tiers_follow_the_published_score(targets)
    n1, n12 = round(policy.tier1_share * n), round((policy.tier1_share + policy.tier2_share) * n)
    assert (targets["tier"] == "Tier 1").sum() == n1  # policy sizes kept inside a tied block
    assert ((targets["tier"] == "Tier 1") | (targets["tier"] == "Tier 2")).sum() == n12
    tier1 = set(targets.loc[targets["tier"] == "Tier 1", "account_key"])
    assert tier1 == {f"k{i:03d}" for i in range(19, 19 - n1, -1)}  # the learnt best, not k000.. by name


def test_customers_inside_a_tied_block_take_the_tier_of_their_place_in_it():
    # prospects and customers share one expected value (a baseline level); icp_score orders them
    n = 40
    frame = pd.DataFrame(
        {
            "account_key": [f"k{i:03d}" for i in range(n)],
            "is_customer": np.arange(n) % 4 == 0,  # 10 customers, 30 prospects
            "expected_value": 500.0,
            "icp_score": np.linspace(100.0, 0.0, n),  # k000 best
            "predicted_ltv": 500.0,
            "win_probability": 1.0,
            "top_reasons": "x",
        }
    )
    policy = TierPolicy()
    targets = _build(frame, policy)
    _assert_tiers_follow_the_published_score(targets)
    prospects = targets[~targets["is_customer"]]
    assert (prospects["tier"] == "Tier 1").sum() == round(policy.tier1_share * 30)
