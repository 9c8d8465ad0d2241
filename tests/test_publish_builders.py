"""Each published table's builder (`icp_pipeline/lib/publish/<table>.py`) on small frames.

The frames have the shapes the warehouse readers give (`refresh.build_published_frames` reads them);
the expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.config.icp import IcpConfig, TierPolicy
from icp_pipeline.lib.icp.rules import rule_reasons, rule_scores
from icp_pipeline.lib.model.card import MODEL_CARD_COLUMNS
from icp_pipeline.lib.publish.expansion_accounts import EXPANSION_COLUMNS, build_expansion_accounts
from icp_pipeline.lib.publish.icp_summary import build_icp_summary
from icp_pipeline.lib.publish.icp_validation import ICP_VALIDATION_COLUMNS, build_icp_validation
from icp_pipeline.lib.publish.model_card import build_model_card
from icp_pipeline.lib.publish.refresh_history import (
    build_refresh_history,
    history_row,
    last_refresh,
    tier_plan,
)
from icp_pipeline.lib.publish.target_accounts import (
    TARGET_COLUMNS,
    build_target_accounts,
    feature_positions,
    tier_target_accounts,
)
from icp_pipeline.lib.publish.tier_changes import build_tier_changes
from icp_pipeline.lib.publish.tier_validation import build_tier_validation

# 12 accounts in the published order (icp_score high to low); k03 and k11 are customers.
EV = [900.0, 800.0, 700.0, 600.0, 500.0, 400.0, 300.0, 200.0, 150.0, 100.0, 50.0, 10.0]
KEYS = [f"k{i:02d}" for i in range(1, 13)]
CUSTOMERS = {"k03", "k11"}
POLICY = TierPolicy(tier1_share=0.25, tier2_share=0.25)
CONFIG = IcpConfig.model_validate(
    {
        "tiers": POLICY.model_dump(),
        "disqualifiers": [
            {"id": "edu", "filter": "industry in [education]", "reason": "Education procurement"}
        ],
        "overrides": [
            {
                "match": {"domain": "k10.com"},
                "action": "include",
                "tier": "Tier 1",
                "reason": "Strategic partner",
                "owner": "VP Sales",
            }
        ],
    }
)


def _scored() -> pd.DataFrame:
    """`TARGET_SOURCE_SQL`'s rows: published order."""
    return pd.DataFrame(
        {
            "account_key": KEYS,
            "crm_account_id": [f"001{i:02d}" if k in CUSTOMERS else None for i, k in enumerate(KEYS, 1)],
            "account_name": [f"Account {k}" for k in KEYS],
            "domain": [f"{k}.com" for k in KEYS],
            "industry": ["education" if k == "k02" else "software" for k in KEYS],
            "country": "DE",
            "employee_count": 100,
            "is_customer": [k in CUSTOMERS for k in KEYS],
            "icp_score": np.linspace(100, 0, 12).round(1),
            "expected_value": EV,
            "predicted_ltv": [2 * v for v in EV],
            "win_probability": 0.5,
            "top_reasons": "+ industry = software",
        }
    )


def _features() -> pd.DataFrame:
    """The mart's rows in account_key order (here the same as the published order)."""
    scored = _scored()
    return pd.DataFrame(
        {
            "account_key": KEYS,
            "domain": scored["domain"],
            "industry": scored["industry"],
            "is_customer": scored["is_customer"],
            "label_annualised_value": [np.nan, np.nan, 400.0, *[np.nan] * 7, 300.0, np.nan],
        }
    )


def _tiered():
    return tier_target_accounts(_scored(), _features(), CONFIG)


def test_target_accounts_settle_disqualifiers_and_overrides_then_cut_quotas_over_free_prospects():
    tiered, warnings = _tiered()
    assert warnings == []
    tiers = dict(zip(tiered["account_key"], tiered["tier"], strict=True))
    # free prospects: k01 k04 k05 k06 k07 k08 k09 k12 (8): Tier 1 = round(0.25*8) = 2, Tiers 1-2 = 4
    assert [k for k, t in tiers.items() if t == "Tier 1" and k not in CUSTOMERS and k != "k10"] == [
        "k01",
        "k04",
    ]
    assert [k for k, t in tiers.items() if t == "Tier 2" and k not in CUSTOMERS] == ["k05", "k06"]
    assert [tiers[k] for k in ("k07", "k08", "k09", "k12")] == ["Tier 3"] * 4
    assert tiers["k02"] == "Disqualified"
    assert (
        tiered.set_index("account_key").loc["k02", "disqualified_reason"].startswith("Education procurement")
    )
    assert tiers["k10"] == "Tier 1"  # the override, though its value is in Tier 3's range
    assert "VP Sales" in tiered.set_index("account_key").loc["k10", "override_note"]
    # customers take the tier their value reaches: k03 (700) above the Tier 1 cut (600), k11 (50) below Tier 2's
    assert (tiers["k03"], tiers["k11"]) == ("Tier 1", "Tier 3")
    assert tiered["_feature_row"].tolist() == list(range(12))
    assert tiered.attrs["tiering"].basis == "expected value"


def test_target_accounts_publish_the_documented_columns_with_each_feature_rows_segment():
    tiered, _ = _tiered()
    assignment = pd.Series(["Large software" if i % 2 else "Small software" for i in range(12)])
    targets = build_target_accounts(tiered, _features(), assignment)
    assert list(targets.columns) == TARGET_COLUMNS
    assert targets["account_key"].tolist() == KEYS  # the published order is kept
    assert targets.set_index("account_key").loc[["k01", "k02"], "segment"].tolist() == [
        "Small software",
        "Large software",
    ]
    assert targets.attrs["tiering"].basis == "expected value"


def test_target_accounts_carry_each_industry_code_as_people_read_it():
    """A CRM import and a sales leader read `Financial services`, not `financial_services`; the code
    stays beside it for filters and joins."""
    scored = _scored()
    scored["industry"] = ["financial_services", "it_services", None] + ["software"] * (len(KEYS) - 3)
    tiered, _ = tier_target_accounts(scored, _features(), CONFIG)
    targets = build_target_accounts(tiered, _features(), pd.Series(["s"] * 12)).set_index("account_key")
    assert targets.loc[KEYS[:4], "industry_label"].tolist() == [
        "Financial services",
        "IT services",
        None,
        "Software",
    ]
    assert targets.loc[KEYS[0], "industry"] == "financial_services"


def test_tiers_by_the_rules_give_the_rules_as_their_only_reasons():
    """AWS SaaS-Sales (model strength none): Tier 1 followed the 'finance' rule, yet its reasons
    opened with '− Industry: Financial services' (the weak model's), and after the rules came model
    reasons contradicting them. The rules an account matches are its reasons; an account matching
    none says so; no model reason is mixed in."""
    features = _features()
    features.loc[features["account_key"] == "k12", "industry"] = "finance"
    hypotheses = [
        {"id": "finance", "statement": "Finance buys more.", "filter": "industry in [finance]"},
        {
            "id": "schools",
            "statement": "Schools buy less.",
            "filter": "industry in [education]",
            "expect": "lower",
        },
        {"id": "untestable", "statement": "x", "filter": "no_such_column > 1"},
    ]
    rule, used = rule_scores(features, hypotheses)
    assert used == ["finance", "schools"]
    reasons = rule_reasons(features, hypotheses)
    scored = _scored()
    scored.loc[scored["account_key"] == "k07", "top_reasons"] = None
    tiered, _ = tier_target_accounts(scored, features, CONFIG, rule_score=rule, rule_reasons=reasons)
    by_key = tiered.set_index("account_key")["top_reasons"]
    assert tiered["account_key"].iloc[0] == "k12"
    # reasons follow the source that set the tier: the rules alone, no model reason after them
    # (the weak model's '− industry not software' contradicted a '+ Rule: software')
    assert by_key["k12"] == "+ Rule: Finance"  # the rule's id as people read it
    assert by_key["k02"] == "− Rule: Schools"
    assert by_key["k05"] == "Rule: none matched"
    assert by_key["k07"] == "Rule: none matched"
    assert not tiered["top_reasons"].str.contains("industry = software").any()
    # a rule id of several words reads as words (AWS: '+ Rule: finance_industry')
    named = [{"id": "finance_industry", "statement": "x", "filter": "industry in [finance]"}]
    assert set(rule_reasons(features, named)) == {"+ Rule: Finance industry", "Rule: none matched"}
    # without a rule score (the model ranks) the reasons are the model's alone
    plain, _ = tier_target_accounts(_scored(), features, CONFIG, rule_reasons=reasons)
    assert (plain["top_reasons"] == "+ industry = software").all()


def test_without_any_segment_the_column_is_missing_everywhere():
    tiered, _ = _tiered()
    targets = build_target_accounts(tiered, _features(), pd.Series([np.nan] * 12))
    assert targets["segment"].isna().all()


def test_target_accounts_follow_the_rules_order_when_a_rule_score_is_given():
    rule = np.zeros(12)
    rule[11] = 1.0  # k12, the lowest by value, matches the team's only rule
    tiered, _ = tier_target_accounts(_scored(), _features(), CONFIG, rule_score=rule)
    assert tiered["account_key"].iloc[0] == "k12"
    assert tiered["icp_score"].is_monotonic_decreasing
    assert tiered.set_index("account_key").loc["k12", "tier"] == "Tier 1"


def test_a_scored_account_missing_from_the_mart_is_an_error_with_the_count():
    with pytest.raises(ValueError, match="2 scored accounts are missing from marts.account_features"):
        feature_positions(pd.Series(["a", "x", "y"]), pd.Series(["a", "b"]))


def test_expansion_ranks_customers_by_headroom_then_realised_value():
    tiered, _ = _tiered()
    targets = build_target_accounts(tiered, _features(), pd.Series(["S"] * 12))
    feature_row = tiered["_feature_row"].to_numpy()
    by_position = build_expansion_accounts(targets, _features(), "label_annualised_value", feature_row)
    by_key = build_expansion_accounts(targets, _features(), "label_annualised_value")
    pd.testing.assert_frame_equal(by_position, by_key)
    assert list(by_position.columns) == EXPANSION_COLUMNS
    # k03: predicted 1,400, realised 400 -> headroom 1,000; k11: predicted 100 <= realised 300 -> none
    assert by_position["account_key"].tolist() == ["k03", "k11"]
    assert by_position["headroom"].tolist() == [1000.0, 0.0]
    assert by_position["realised_value"].tolist() == [400.0, 300.0]
    assert by_position["expansion_basis"].iloc[0] == "headroom"
    assert by_position["expansion_rank"].tolist() == [1, 2]


def test_tier_validation_cuts_out_of_fold_predictions_by_the_policy_and_measures_lift():
    n = 10
    holdout = pd.DataFrame(
        {
            "account_key": [f"h{i}" for i in range(n)] * 2,
            "target": ["value"] * n + ["win"] * n,
            "predicted": list(range(n, 0, -1)) * 2,
            # value: 100 for the best-predicted account, 50 for the third; win: the first two won
            "actual": [100.0, 0.0, 50.0, *[0.0] * 7, 1.0, 1.0, *[0.0] * 8],
        }
    )
    table = build_tier_validation(holdout, TierPolicy())
    rows = table.set_index(["outcome", "tier"])
    # Tier 1 = round(0.1*10) = 1 account, Tier 2 = the next 2; overall value per account = 150/10 = 15
    assert rows.loc[("actual", "Tier 1"), "accounts"] == 1
    assert rows.loc[("actual", "Tier 1"), "lift"] == pytest.approx(100 / 15)
    assert rows.loc[("actual", "Tier 2"), "lift"] == pytest.approx(25 / 15)
    assert rows.loc[("actual", "Tier 3"), "lift"] == 0
    # won: overall rate 0.2; Tier 1 (1 won of 1) lift 5, Tier 2 (1 of 2) lift 2.5
    assert rows.loc[("won", "Tier 1"), "lift"] == pytest.approx(5.0)
    assert rows.loc[("won", "Tier 2"), "lift"] == pytest.approx(2.5)
    empty = build_tier_validation(holdout.iloc[0:0], TierPolicy())
    assert empty.empty and list(empty.columns) == list(table.columns)


def test_tier_validation_of_tiers_by_rules_tiers_the_held_out_accounts_by_the_rules():
    """AWS (strength none): the published tiers followed the icp.yaml rules, but icp.tier_validation
    (and the Tier 1 > Tier 2 check) measured tiers cut by the model's predictions, which were not
    published. With the rule scores, the held-out accounts are tiered as the list was."""
    n = 10
    holdout = pd.DataFrame(
        {
            "account_key": [f"h{i}" for i in range(n)],
            "target": ["value"] * n,
            "predicted": list(range(n, 0, -1)),  # h0 predicted best
            "actual": [0.0] * 9 + [100.0],  # h9, predicted worst, is the one worth something
        }
    )
    rules = pd.Series([0.0] * 9 + [1.0], index=[f"h{i}" for i in range(n)])  # h9 matches the rule
    by_model = build_tier_validation(holdout, TierPolicy()).set_index(["outcome", "tier"])
    by_rules = build_tier_validation(holdout, TierPolicy(), rules).set_index(["outcome", "tier"])
    assert by_model.loc[("actual", "Tier 1"), "lift"] == 0
    assert by_rules.loc[("actual", "Tier 1"), "accounts"] == 1
    assert by_rules.loc[("actual", "Tier 1"), "lift"] == pytest.approx(10.0)  # 100 vs 10 per account


def test_icp_validation_has_the_campaign_rows_and_one_leads_row():
    tiered, _ = _tiered()
    targets = build_target_accounts(tiered, _features(), pd.Series(["S"] * 12))
    members = pd.DataFrame(columns=["campaign_id", "crm_account_id", "responded", "group", "sent_at"])
    created = pd.to_datetime(["2026-06-01", "2026-06-20", "2026-06-30", "2025-01-01"], utc=True)
    leads = pd.DataFrame(
        {
            "lead_id": ["l1", "l2", "l3", "l4"],
            "created_at": created,
            "converted_account_id": [None, None, None, None],
            "website": ["k01.com", "k12.com", "k05.com", "k04.com"],
        }
    )
    table = build_icp_validation(members, leads, targets, leads_recent_days=90)
    assert list(table.columns) == ICP_VALIDATION_COLUMNS
    assert table["check"].tolist() == ["campaign", "leads"]
    assert table["note"].iloc[0] == "no campaign members: nothing to measure"
    lead = table.iloc[1]
    # the last 90 days up to 2026-06-30 hold l1-l3; k01 (Tier 1) and k05 (Tier 2) are in Tiers 1-2
    assert lead["metric"] == "share of leads in the last 90 days in Tier 1–2"
    assert lead["n"] == 3
    assert lead["value"] == pytest.approx(2 / 3)


def test_icp_summary_lists_answered_questions_then_the_headline_figures():
    tiered, _ = _tiered()
    targets = build_target_accounts(tiered, _features(), pd.Series(["S"] * 12))
    profile = pd.DataFrame(
        {
            "brief_line": ["Uses Snowflake", "Industry: retail", "200-2,000 employees"],
            "in_brief": [True, False, True],  # a trait without statistical support stays out
        }
    )
    summary = build_icp_summary({"who_buys": "RevOps leads", "why_now": None}, targets, profile)
    assert summary.values.tolist() == [
        ["question", "who_buys", "RevOps leads"],
        ["headline", "accounts scored", "12"],
        ["headline", "customers", "2"],
        ["headline", "prospects in Tier 1", "3"],  # k01, k04 and the override k10
        ["headline", "defining attribute 1", "Uses Snowflake"],
        ["headline", "defining attribute 2", "200-2,000 employees"],
    ]


def test_refresh_history_appends_this_refresh_with_its_inputs_metrics_and_churn():
    tiered, _ = _tiered()
    targets = build_target_accounts(tiered, _features(), pd.Series(["S"] * 12))
    metrics = pd.DataFrame(
        {
            "metric": ["spearman", "spearman", "win_auc"],
            "model": ["lightgbm", "lightgbm", "lightgbm"],
            "split": ["cv", "time_holdout", "cv"],
            "value": [0.61, 0.55, 0.74],
        }
    )
    changes, churn = build_tier_changes(None, targets, None)
    at = dt.datetime(2026, 11, 23, 6)
    row = history_row(
        "r1", at, CONFIG, targets, metrics, changes, churn, {"crm__accounts": 12, "_quarantine": 3}
    )
    assert json.loads(row["landing_tables"]) == {"crm__accounts": 12}
    assert (row["accounts"], row["customers"], row["cv_spearman"], row["win_auc"]) == (12, 2, 0.61, 0.74)
    assert json.loads(row["tier_counts"]) == {"Disqualified": 1, "Tier 1": 3, "Tier 2": 2, "Tier 3": 4}
    assert row["tier_churn"] == 0.0 and row["baseline_refresh_id"] == "r1"
    previous = pd.DataFrame([{**row, "refresh_id": "r0", "refreshed_at": at - dt.timedelta(days=7)}]).assign(
        icp_version="r0", published_at=at
    )
    history = build_refresh_history(previous, row)
    assert history["refresh_id"].tolist() == ["r0", "r1"]
    assert "icp_version" not in history.columns
    assert last_refresh(history)["refresh_id"] == "r1"
    assert tier_plan(history, CONFIG, rebaseline=True) == (
        None,
        "a rebaseline was requested (publish config rebaseline: true)",
    )


def test_tier_changes_name_the_accounts_that_moved():
    tiered, _ = _tiered()
    targets = build_target_accounts(tiered, _features(), pd.Series(["S"] * 12))
    previous = targets[
        ["account_key", "tier", "icp_score", "disqualified_reason", "override_note", "expected_value"]
    ]
    previous = previous.assign(tier=np.where(previous["account_key"] == "k05", "Tier 1", previous["tier"]))
    changes, churn = build_tier_changes(previous.copy(), targets, None)
    moved = changes[changes["changed"]]
    assert moved["account_key"].tolist() == ["k05"]
    assert (moved["previous_tier"].iloc[0], moved["new_tier"].iloc[0]) == ("Tier 1", "Tier 2")
    assert churn == pytest.approx(1 / 12)


def test_model_card_keeps_the_documented_columns_in_order():
    card = pd.DataFrame([{"verdict": "Strong.", "strength": "strong", "undocumented": 1}])
    out = build_model_card(card)
    assert list(out.columns) == list(MODEL_CARD_COLUMNS)
    assert (out["strength"].iloc[0], out["verdict"].iloc[0]) == ("strong", "Strong.")


def test_icp_summary_of_customers_only_counts_the_customers_in_tier_1():
    """Maven (85 customers, no prospect): the headline said 'prospects in Tier 1: 0' of a list whose
    Tier 1 held 8 customers; it now says how many customers Tier 1 holds."""
    tiered, _ = _tiered()
    targets = build_target_accounts(tiered, _features(), pd.Series(["S"] * 12)).assign(is_customer=True)
    profile = pd.DataFrame({"brief_line": ["x"], "in_brief": [False]})
    summary = build_icp_summary({}, targets, profile).set_index("item")["value"]
    assert summary["prospects in Tier 1"] == "0"
    assert summary["customers in Tier 1 (no prospects: an expansion list)"] == str(
        int((targets["tier"] == "Tier 1").sum())
    )


def test_attribute_importance_is_published_in_labels_not_column_names():
    """AWS / Maven: 'x__segment = SMB: median value 1.7× the rest' and 'grouped with
    firmo__annual_revenue' in icp.attribute_importance, read by BI users directly."""
    from icp_pipeline.lib.model.labels import Labels
    from icp_pipeline.lib.publish.refresh import importance_in_words

    importance = pd.DataFrame(
        {
            "attribute": ["x__segment", "firmo__employee_count"],
            "summary": ["x__segment = SMB: median value 1.7× the rest (52 customers)", None],
            "excluded_reason": [None, "grouped with firmo__annual_revenue (|Spearman| 0.96)"],
        }
    )
    labels = Labels(known={"firmo__annual_revenue": ("Annual revenue (USD)", "USD")})
    out = importance_in_words(importance, labels)
    assert out["label"].tolist() == ["Segment", "Employee count"]
    assert out["summary"].tolist()[0] == "Segment = SMB: median value 1.7× the rest (52 customers)"
    assert out["excluded_reason"].tolist()[1] == "grouped with Annual revenue (USD) (|Spearman| 0.96)"
    assert out["attribute"].tolist() == ["x__segment", "firmo__employee_count"]  # the key is kept
