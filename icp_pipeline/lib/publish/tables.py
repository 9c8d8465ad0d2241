"""The published tables of schema `icp` and their documented columns (the data dictionary's source).

Plain data: the Dagster column schema built from it is in `icp_pipeline/defs/publish/tables.py`.
"""

from dataclasses import dataclass

from icp_pipeline.lib.model.card import MODEL_CARD_COLUMNS

STAMP_COLUMNS = {
    "icp_version": "Id of the refresh that published the row (the Dagster run id).",
    "published_at": "UTC time the refresh published the table.",
}


@dataclass(frozen=True)
class PublishedTable:
    """A published table: its description and its columns (name -> meaning), stamps excluded."""

    description: str
    columns: dict[str, str]


PUBLISHED_TABLES: dict[str, PublishedTable] = {
    "target_accounts": PublishedTable(
        "One row per scored account (customers and prospects) with its ICP score, tier and reasons.",
        {
            "account_key": "Stable key of the resolved account: the normalised web domain where known, "
            "else `crm:<account_id>` or `erp:<erp_customer_id>`.",
            "crm_account_id": "CRM account id; null for a prospect known only from enrichment. A Salesforce "
            "id is given in its 15-character form (an 18-character case-safe id whose last 3 characters are "
            "its checksum is keyed by its first 15; dbt macro `crm_account_id`).",
            "account_name": "Company name (CRM, else ERP, else enrichment).",
            "domain": "Normalised web domain (lower case, no scheme, no www., no path).",
            "industry": "Canonical industry.",
            "country": "ISO-3166 alpha-2 country.",
            "employee_count": "Employees (enrichment preferred over CRM).",
            "is_customer": "True when the account has paid revenue or a won opportunity.",
            "icp_score": "0–100, higher = better fit: percentile rank of expected_value among all accounts; "
            "accounts of equal expected value (a coarse baseline's levels) ordered by the best learnt "
            "candidate's expected value. When the model's strength is `none` and tiers follow the icp.yaml "
            "rules (refresh_history.tier_basis), the percentile rank of the rule score, ties by the model's score.",
            "expected_value": "win_probability × predicted_ltv, in reporting currency; predicted_ltv alone when "
            "the win model was not learnt (icp.model_card.win_model_status). Null (withheld) when the model "
            "card rates the model weak or none: a weak model's point estimate is not evidence of money "
            "(money_basis says why; the list's order is still icp_score's, and icp.tier_summary gives each "
            "tier's observed customer value instead).",
            "predicted_ltv": "Predicted value to the seller if the account buys (the configured value label); "
            "null (withheld) like expected_value when the model card rates the model weak or none.",
            "win_probability": "Predicted probability that a deal with the account is won; null (withheld) "
            "when the win model was not learnt (icp.model_card.win_model_status): a constant prior is no "
            "figure about the account (win_probability_basis says why).",
            "tier": "`Tier 1`, `Tier 2`, `Tier 3` or `Disqualified`. Cut-offs are set over prospects; "
            "customers get the tier their score reaches but never count toward a prospect tier's quota.",
            "segment": "The segment profile the account belongs to (see icp.segments).",
            "top_reasons": "The attributes that raise (+) or lower (−) this account's score most, from its "
            "own SHAP values. When the tiers follow the icp.yaml rules (model strength none), the reasons are "
            "the rules the account matches alone, never the model's (`+ Rule: <id>`, `− Rule: <id>` for `expect: lower`, or "
            "`Rule: none matched`).",
            "disqualified_reason": "Why the account is Disqualified; null otherwise.",
            "override_note": "Who overrode the account's tier (icp.yaml `overrides`) and why; null otherwise.",
            "industry_label": "The industry as people read it (`financial_services` → `Financial services`; "
            "the wording of reasons and segment names, lib/model/labels.py `readable_value`), beside the "
            "`industry` code that filters and joins use.",
            "money_basis": "What expected_value and predicted_ltv rest on (`expected value of the model (rated "
            "strong)`), or why they are withheld (`withheld: ...`, model weak or none); the same on every row "
            "and as icp.tier_summary.money_basis (lib/publish/withheld_money.py).",
            "win_probability_basis": "What win_probability rests on (`win model learnt ...`), or why it is "
            "withheld (`withheld: the win model was not learnt (<icp.model_card.win_model_reason>) ...`); the "
            "same on every row (lib/publish/withheld_money.py).",
        },
    ),
    "attribute_importance": PublishedTable(
        "One row per candidate attribute, ranked by its contribution to predicted value.",
        {
            "attribute": "Attribute name as in the feature catalogue (`<family prefix>__<name>`).",
            "family": "firmographic, technographic, business_situation, behavioural or extra.",
            "rank": "1 = strongest.",
            "importance": "Mean |SHAP| of the value model, in value units (reporting currency).",
            "direction": "`+` raises value, `-` lowers it, `mixed` depends on the level.",
            "summary": "One sentence with a realised figure, e.g. median value of accounts with it vs the rest; "
            "attributes named by their labels.",
            "customers_with_attribute": "Customers for which the attribute is known (non-missing).",
            "rank_low": "10th percentile of the rank over bootstrap refits (a stable rank has a narrow interval).",
            "rank_high": "90th percentile of the rank over bootstrap refits.",
            "recommended": "One of the 10–12 strongest observable attributes: the ICP's defining characteristics.",
            "observable_for_prospects": "Whether the attribute is known before a sale (usable to score prospects).",
            "used_in_model": "Whether the value model used the attribute.",
            "excluded_reason": "Why the attribute was excluded (leakage, high cardinality, constant, an "
            "identifier-like number, or grouped with another attribute carrying the same information).",
            "attribute_group": "The group's representative: attributes carrying the same information (derived "
            "from one another per marts.attribute_catalog.derived_from, or |Spearman| >= 0.95) are fitted, "
            "ranked and explained once, as this attribute.",
            "group_members": "Every attribute of the group, representative first, comma separated.",
            "treatment": "How an identifier-like number (an industry or postal code) was used: as a category "
            "(of its leading digits when there are many codes); null for ordinary attributes.",
            "label": "The attribute as people read it (marts.attribute_catalog.label, else its naming rule).",
        },
    ),
    "model_metrics": PublishedTable(
        "Validation metrics of the models beside baselines on the same folds, plus attribute exclusions.",
        {
            "metric": "Metric name (spearman, normalised_gini, top_decile_lift, auc, brier, …).",
            "model": "lightgbm, plain_lightgbm (default LightGBM on every attribute), linear_baseline or "
            "rules_baseline. Metric `win_model_learnt` (split `fit`): 1 when the win model was learnt, 0 when "
            "not (see icp.model_card.win_model_reason).",
            "split": "cv (grouped cross-validation) or time_holdout (train earlier, test later customers).",
            "value": "The metric's value.",
        },
    ),
    "model_card": PublishedTable(
        "One row per refresh: which model scored the list, its hold-out metrics with 90 % bootstrap intervals "
        "and n beside the baselines', the strength of the evidence (strong, moderate, weak, none) and a "
        "one-sentence verdict; whether the win model was learnt. The rules: docs/model-card.md.",
        MODEL_CARD_COLUMNS,
    ),
    "tier_summary": PublishedTable(
        "Accounts, score range and expected value per tier, prospects and customers apart.",
        {
            "tier": "Tier 1, Tier 2, Tier 3 or Disqualified.",
            "is_customer": "Whether the row counts customers or prospects.",
            "accounts": "Number of accounts.",
            "share_of_prospects": "Share of all prospects in this tier (null for customer rows).",
            "min_icp_score": "Lowest ICP score in the tier.",
            "max_icp_score": "Highest ICP score in the tier.",
            "total_expected_value": "Sum of expected_value; null (withheld) when the model card rates the "
            "model weak or none: a weak model's point estimates are not money (see money_basis).",
            "avg_win_probability": "Mean win probability; null when the win model was not learnt "
            "(icp.model_card.win_model_status): a constant prior is no figure about the tier.",
            "customers_with_value": "Customers of this tier with an observed value (the value label): the n "
            "behind observed_value_per_customer. The same on the tier's prospect and customer rows.",
            "observed_value_per_customer": "Mean observed value of those customers (money with evidence).",
            "observed_value_low": "Lower end of its 90 % interval (bootstrap of the mean; null under 2 "
            "customers).",
            "observed_value_high": "Upper end of its 90 % interval.",
            "money_basis": "What total_expected_value rests on, or why it is withheld "
            "(icp_pipeline/lib/publish/tier_money.py).",
        },
    ),
    "icp_summary": PublishedTable(
        "The ICP in words: the team's answers to the seven qualitative questions and the headline figures.",
        {
            "section": "question (the seven qualitative questions) or headline (figures from the data).",
            "item": "The question or figure's name.",
            "value": "The answer or the figure, as text.",
        },
    ),
    "icp_profile": PublishedTable(
        "The 10–12 observable characteristics tested as the ICP, with their ranges among the best "
        "customers (top quartile by value); those with statistical support (in_brief) make the sales brief.",
        {
            "attribute": "Attribute name.",
            "family": "Attribute family.",
            "rank": "Importance rank of the attribute.",
            "kind": "numeric, categorical or flag.",
            "ideal_range": "Range (25th–75th percentile) or levels among the best customers.",
            "share_best": "Share of best customers inside the ideal range.",
            "share_others": "Share of all other accounts inside the ideal range.",
            "best_customers": "Number of best customers the profile is drawn from.",
            "brief_line": "One sentence for a sales brief.",
            "label": "The attribute's label (marts.attribute_catalog.label).",
            "other_accounts": "Number of other accounts (other customers and prospects) share_others is drawn from.",
            "difference_low": "Lower end of the 90 % interval of share_best - share_others (Newcombe's hybrid score "
            "interval from Wilson intervals).",
            "difference_high": "Upper end of that interval.",
            "in_brief": "The trait is in the ICP brief: difference_low above 0, at least 5 best customers with it, "
            "model importance above 0, at most 90 % of other accounts sharing it (lib/icp/support.py).",
            "not_in_brief": "Why the trait is left out of the brief (null when it is in).",
        },
    ),
    "segments": PublishedTable(
        "3–5 segments of high-value customers named by their defining traits; every scored account is "
        "assigned to the nearest segment whose traits it satisfies (else 'Other profiles') in "
        "target_accounts.segment, so every member satisfies its segment's name (docs/report.md).",
        {
            "segment_id": "Segment number (1 = largest share of value).",
            "segment_name": "The segment's defining traits in labels (at most two, joined by ' · '), or "
            "'Other profiles' for high-value customers that satisfy no segment's traits.",
            "customers": "High-value customers in the segment.",
            "median_value": "Median value of those customers.",
            "share_of_value": "Share of all high-value customers' value in the segment.",
            "top_attributes": "The attributes that set the segment apart.",
            "profile": "A short description of the typical account.",
            "example_accounts": "Three example customers.",
            "note": "Why fewer segments than configured were formed, and how many high-value customers "
            "fit no segment's traits, when so.",
        },
    ),
    "hypothesis_results": PublishedTable(
        "The team's beliefs from icp.yaml tested against the data: inside vs outside each filter.",
        {
            "id": "Hypothesis id from icp.yaml.",
            "statement": "The belief in words.",
            "filter": "The filter that defines accounts inside.",
            "expect": "higher or lower: the expected direction.",
            "metric": "value (median customer value) or win_rate.",
            "owner": "Who holds the belief.",
            "accounts_inside": "Accounts matching the filter.",
            "accounts_outside": "Accounts not matching.",
            "customers_inside": "Customers matching the filter.",
            "customers_outside": "Customers not matching.",
            "win_rate_inside": "Won share of accounts with a closed opportunity, inside.",
            "win_rate_outside": "The same, outside.",
            "median_value_inside": "Median customer value inside.",
            "median_value_outside": "Median customer value outside.",
            "value_lift": "median_value_inside / median_value_outside.",
            "win_rate_lift": "win_rate_inside / win_rate_outside.",
            "lift": "The lift of the hypothesis' metric.",
            "lift_ci_low": "Lower end of the bootstrap 90 % interval of lift (90 %: the level of every published interval).",
            "lift_ci_high": "Upper end of the bootstrap 90 % interval of lift.",
            "verdict": "supported, contradicted, inconclusive, or `not testable on this data` (the filter "
            "names an attribute the data do not have and resembling none they have).",
            "explanation": "The verdict in words a sales leader reads.",
        },
    ),
    "expansion_accounts": PublishedTable(
        "Existing customers ranked by what they are likely to add: headroom first, then the customers "
        "already at or above their prediction (best first), loss-making customers last.",
        {
            "account_key": "Resolved account key.",
            "crm_account_id": "CRM account id (a Salesforce id in its 15-character form).",
            "account_name": "Company name.",
            "realised_value": "The configured value label realised so far.",
            "predicted_ltv": "What the model expects an account like this to be worth; null (withheld) when "
            "the model card rates the model weak or none (money_basis).",
            "headroom": "What the account is likely to add: predicted_ltv − realised_value, a negative "
            "realised value counted as 0, floored at 0 (a loss never raises it). Null (withheld) with "
            "predicted_ltv; expansion_rank keeps the order it gave.",
            "expansion_basis": "The account's group: `headroom`, `no headroom: realised value at or above "
            "the prediction` (ranked by realised value) or `loss-making: realised value below zero` (last); "
            "when the model card rates the model weak or none, `by realised value: ...` (its headroom orders "
            "nothing) or loss-making (lib/icp/expansion.py).",
            "expansion_rank": "1 = first: most headroom (model weak or none: highest realised value); ties "
            "by expected value, then account key.",
            "icp_score": "ICP score.",
            "top_reasons": "Reasons from the account's SHAP values.",
            "money_basis": "What predicted_ltv and headroom rest on, or why they are withheld (as in "
            "icp.target_accounts.money_basis).",
        },
    ),
    "tier_validation": PublishedTable(
        "Does the tiering work on accounts the model has not seen? Out-of-fold predictions are cut by "
        "the tier policy and compared with what happened. When the tiers follow the icp.yaml rules (model "
        "strength none), the held-out accounts are tiered by the rules the same way (rule score first, ties "
        "by prediction), so the table validates the published tiers.",
        {
            "tier": "Tier of the held-out accounts by their out-of-fold prediction, or All.",
            "outcome": "won (accounts with a closed opportunity: won or not) or actual (customer value).",
            "accounts": "Held-out accounts in the tier.",
            "outcome_total": "Sum of the outcome in the tier.",
            "outcome_per_account": "Outcome per account in the tier.",
            "share_of_accounts": "Share of held-out accounts in the tier.",
            "share_of_outcome": "Share of all outcome in the tier.",
            "lift": "outcome_per_account / the overall rate.",
            "cumulative_share_of_accounts": "Share of held-out accounts in this tier and better ones.",
            "cumulative_gain": "Share of all outcome captured by this tier and better ones.",
            "cumulative_lift": "Outcome rate of this tier and better ones / the overall rate.",
        },
    ),
    "icp_validation": PublishedTable(
        "Campaign response of ICP-tier accounts vs the control group, and the share of recent leads "
        "inside Tiers 1–2.",
        {
            "check": "campaign or leads.",
            "metric": "What is measured.",
            "value": "The measured value.",
            "ci_low": "Lower end of the 90 % interval (where defined; Wilson for rates, log-normal for their ratio).",
            "ci_high": "Upper end of the 90 % interval (where defined).",
            "n": "Observations behind the figure.",
            "note": "Caveats, or why the figure could not be computed.",
        },
    ),
    "tier_changes": PublishedTable(
        "Per account, its tier in the previous and this refresh and why it changed.",
        {
            "account_key": "Resolved account key.",
            "previous_tier": "Tier in the previous refresh (null if new).",
            "new_tier": "Tier in this refresh (null if dropped).",
            "previous_score": "ICP score in the previous refresh.",
            "new_score": "ICP score in this refresh.",
            "changed": "Whether the tier changed.",
            "change_reason": "Why, in words (null when unchanged): an override, a disqualifier, the account's "
            "relative value crossing a frozen cut-off (both values and the cut-off quoted), a rebaseline and "
            "its reason, or a change of tier basis (model or icp.yaml rules).",
        },
    ),
    "refresh_history": PublishedTable(
        "One row per refresh, appended: inputs, thresholds, headline metrics and tier churn.",
        {
            "refresh_id": "The refresh's id (Dagster run id).",
            "refreshed_at": "UTC time of the refresh.",
            "landing_tables": "Row count per landing table (JSON).",
            "accounts": "Accounts scored.",
            "customers": "Customers among them.",
            "tier_policy": "The tier policy used.",
            "tier_basis": "What ranked the accounts into tiers: `expected value` (quantile and capacity "
            "policies), `icp_score` (threshold policy) or `icp.yaml rules` (the model's strength is `none`).",
            "tier1_cutoff": "Minimum expected value (or icp_score) of Tier 1 in this refresh; null under rules, and "
            "null (withheld) when it is an expected value and the model card rates the model weak or none.",
            "tier2_cutoff": "Minimum expected value (or icp_score) of Tier 2 in this refresh; null as tier1_cutoff.",
            "tier1_cutoff_relative": "The Tier 1 cut-off in relative value (expected value / value_scale): "
            "the unit frozen between refreshes, which does not drift with the data's scale.",
            "tier2_cutoff_relative": "The Tier 2 cut-off in relative value.",
            "value_scale": "Null (withheld) when the model card rates the model weak or none; else the "
            "median positive expected value of the ranked accounts (prospects, or all when "
            "there are none or include_customers is set) in this refresh.",
            "reference_quantiles": "JSON: the 101 percentiles of the ranked accounts' relative values at "
            "the baseline refresh, against which distribution shift is measured.",
            "thresholds_frozen": "Whether the relative cut-offs were carried over from the previous refresh.",
            "rebaseline_reason": "Why the cut-offs were recomputed this refresh (null when frozen): first "
            "refresh, requested, policy changed, distribution shifted (KS above rebaseline_max_ks) or the "
            "frozen cut-offs would break the policy's share_tolerance.",
            "distribution_shift_ks": "Kolmogorov–Smirnov distance between this refresh's relative values and "
            "the baseline's reference (null without a baseline).",
            "baseline_refresh_id": "The refresh whose cut-offs are in force.",
            "tier_counts": "Prospects per tier (JSON).",
            "cv_spearman": "Cross-validated Spearman correlation of predicted vs realised value.",
            "win_auc": "Cross-validated AUC of the win model.",
            "tier_churn": "Share of accounts in both refreshes whose tier changed.",
            "accounts_changed_tier": "Number of accounts whose tier changed.",
        },
    ),
    "data_coverage": PublishedTable(
        "What this refresh could and could not compute from what landed: one row per landing table "
        "(present or not, rows loaded and quarantined) and one per capability (value model, win model, "
        "enrichment, behaviour, validation, prospects to tier, …) with the reason when it was skipped.",
        {
            "area": "`landing_table`, `capability`, or `source_dialect` (a connector dialect this refresh read, "
            "how it was chosen and which account attributes were point-in-time; docs/connectors/).",
            "name": "The landing table (`crm/accounts`, …) or the capability (`value_model`, `win_model`, "
            "`value_from_erp_revenue`, `contract_value_and_churn`, `domain_matching`, "
            "`firmographic_enrichment`, `technographics`, `business_events`, `point_in_time_behaviour`, "
            "`candidate_attributes`, `time_holdout_validation`, `campaign_validation`, `lead_validation`, "
            "`prospects_to_tier`).",
            "available": "Landing table: a file was found and gave rows. Capability: it could be computed "
            "from this refresh's data.",
            "row_count": "Rows loaded into `raw` (landing tables; null for capabilities).",
            "quarantined_rows": "Rows moved to `raw._quarantine` (a missing required value, an impossible "
            "date or amount) for landing tables.",
            "detail": "One plain sentence: what was loaded or computed, or why not and what was done instead.",
        },
    ),
}


__all__ = ["PUBLISHED_TABLES", "STAMP_COLUMNS", "PublishedTable"]
