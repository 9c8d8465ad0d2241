"""ICP validation: tier lift on held-out accounts, campaign lift with CIs, share of leads in the ICP."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.icp.validation import (
    CAMPAIGN_COLUMNS,
    campaign_lift,
    leads_in_icp,
    tier_lift,
    wilson_interval,
)


def targets(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tier = rng.choice(["Tier 1", "Tier 2", "Tier 3", "Disqualified"], n, p=[0.1, 0.2, 0.65, 0.05])
    return pd.DataFrame(
        {
            "account_key": [f"acct{i}.com" for i in range(n)],
            "crm_account_id": [f"crm{i}" if i % 2 == 0 else None for i in range(n)],
            "domain": [f"acct{i}.com" for i in range(n)],
            "tier": tier,
        }
    )


def test_tier_lift_orders_tiers_and_ends_at_full_gain():
    t = targets()
    rng = np.random.default_rng(1)
    rate = t["tier"].map({"Tier 1": 0.30, "Tier 2": 0.15, "Tier 3": 0.05, "Disqualified": 0.01})
    holdout = pd.DataFrame({"account_key": t["account_key"], "is_customer": rng.random(len(t)) < rate})
    out = tier_lift(t, holdout).set_index("tier")
    assert out.index.tolist() == ["Tier 1", "Tier 2", "Tier 3", "Disqualified", "All"]
    assert out.loc["Tier 1", "lift"] > out.loc["Tier 2", "lift"] > 1 > out.loc["Tier 3", "lift"]
    assert out["cumulative_gain"].iloc[:-1].is_monotonic_increasing
    assert out.loc["Disqualified", "cumulative_gain"] == pytest.approx(1.0)
    assert out.loc["All", "lift"] == pytest.approx(1.0) and out.loc["All", "accounts"] == len(t)
    assert (out["outcome"] == "is_customer").all()


def test_tier_lift_on_realised_value_in_targets():
    t = pd.DataFrame(
        {
            "account_key": list("abcd"),
            "tier": ["Tier 1", "Tier 1", "Tier 2", "Tier 3"],
            "realised_value": [100.0, 50.0, None, 50.0],
        }
    )
    out = tier_lift(t).set_index("tier")
    assert out.loc["Tier 1", "share_of_outcome"] == pytest.approx(0.75)
    assert out.loc["Tier 1", "lift"] == pytest.approx(75 / 50)
    assert out.loc["Tier 2", "outcome_total"] == 0.0


def test_wilson_interval():
    lo, hi = wilson_interval(0, 10)
    assert lo == pytest.approx(0.0, abs=1e-12) and 0.2 < hi < 0.35
    assert np.isnan(wilson_interval(0, 0)[0])


@pytest.mark.parametrize("with_group", [False, True])
def test_campaign_lift_ci_contains_the_planted_difference(with_group):
    t = targets()
    rng = np.random.default_rng(2)
    members = t.sample(3000, random_state=3)[["account_key", "tier"]].reset_index(drop=True)
    icp = members["tier"].isin(["Tier 1", "Tier 2"])
    if with_group:
        members["group"] = np.where(rng.random(len(members)) < 0.5, "Control", "treated")
        treated_icp = icp & members["group"].eq("treated")
        members["responded"] = np.where(
            treated_icp, rng.random(len(members)) < 0.15, rng.random(len(members)) < 0.05
        )
    else:
        members["responded"] = np.where(icp, rng.random(len(members)) < 0.15, rng.random(len(members)) < 0.05)
    out = campaign_lift(members.drop(columns="tier"), t)
    assert list(out.columns) == CAMPAIGN_COLUMNS
    r = out.set_index("metric")
    diff, ratio = r.loc["response_rate_difference"], r.loc["response_rate_ratio"]
    assert diff["ci_low"] < 0.10 < diff["ci_high"] and diff["ci_low"] > 0
    assert ratio["ci_low"] < 3.0 < ratio["ci_high"] and ratio["ci_low"] > 1
    icp_rate, control_rate = r.loc["icp_response_rate"], r.loc["control_response_rate"]
    assert icp_rate["ci_low"] < icp_rate["value"] < icp_rate["ci_high"]
    assert diff["value"] == pytest.approx(icp_rate["value"] - control_rate["value"])
    assert diff["n"] == icp_rate["n"] + control_rate["n"]
    assert r.loc["unmatched_members", "value"] == 0


def test_campaign_lift_matches_by_crm_id_or_domain_and_explains_empty_input():
    t = targets(200)
    members = pd.DataFrame(
        {"domain": ["https://www.ACCT0.com/x", "acct1.com", "nowhere.org"], "responded": [1, 0, 1]}
    )
    out = campaign_lift(members, t).set_index("metric")
    assert out.loc["unmatched_members", "value"] == 1
    by_id = campaign_lift(pd.DataFrame({"crm_account_id": ["crm0", "crm2"], "responded": ["yes", "no"]}), t)
    assert len(by_id) >= 1

    empty = campaign_lift(pd.DataFrame(columns=["account_key", "responded"]), t)
    assert len(empty) == 1 and empty["value"].isna().all() and "no campaign members" in empty["note"].iloc[0]
    no_control = campaign_lift(
        pd.DataFrame({"account_key": ["acct0.com"], "responded": [True], "group": ["treated"]}), t
    )
    assert len(no_control) == 1 and "no" in no_control["note"].iloc[0]


def test_leads_in_icp_counts_recent_leads_by_converted_id_or_domain():
    t = pd.DataFrame(
        {
            "account_key": ["a.com", "b.com", "c.com", "crm:9"],
            "crm_account_id": ["1", "2", None, "9"],
            "domain": ["a.com", "b.com", "c.com", None],
            "tier": ["Tier 1", "Tier 3", "Tier 2", "Tier 2"],
        }
    )
    leads = pd.DataFrame(
        {
            "lead_id": ["l1", "l2", "l3", "l4", "l5", "l6"],
            "website": ["https://www.A.com/pricing", "b.com", None, "unknown.io", "c.com", "a.com"],
            "converted_account_id": [None, None, "9", None, None, None],
            "created_at": [
                "2026-06-01",
                "2026-06-10",
                "2026-06-20",
                "2026-06-25",
                "2026-06-30",
                "2026-01-01",
            ],
        }
    )
    r = leads_in_icp(leads, t, recent_days=90, as_of="2026-06-30").iloc[0]
    assert r["recent_leads"] == 5  # l6 is older than 90 days
    assert r["matched_leads"] == 4 and r["icp_leads"] == 3
    assert r["share_in_icp"] == pytest.approx(3 / 5) and r["share_in_icp_of_matched"] == pytest.approx(3 / 4)
    assert (
        r["leads_tier_1"] == 1
        and r["leads_tier_2"] == 2
        and r["leads_tier_3"] == 1
        and r["leads_unmatched"] == 1
    )
    # default as-of: the day of the newest lead; 10 days = 21-30 June
    assert leads_in_icp(leads, t, recent_days=10).iloc[0]["recent_leads"] == 2
    assert leads_in_icp(leads, t, recent_days=11).iloc[0]["recent_leads"] == 3
    none = leads_in_icp(leads.iloc[:0], t).iloc[0]
    assert none["recent_leads"] == 0 and np.isnan(none["share_in_icp"])
