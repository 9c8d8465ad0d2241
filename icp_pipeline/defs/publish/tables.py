"""The published tables: their documented columns and how each is built from the model outputs."""

from dataclasses import dataclass

import dagster as dg
import duckdb
import pandas as pd

from icp_pipeline.lib.icp_config import IcpConfig
from icp_pipeline.lib.tiering import TIER_ORDER, assign_tiers, tier_summary

STAMP_COLUMNS = {
    "icp_version": "Id of the refresh that published the row (the Dagster run id).",
    "published_at": "UTC time the refresh published the table.",
}


@dataclass(frozen=True)
class PublishedTable:
    description: str
    columns: dict[str, str]

    @property
    def column_schema(self) -> dg.TableSchema:
        return dg.TableSchema(
            columns=[
                dg.TableColumn(name, description=text)
                for name, text in {**self.columns, **STAMP_COLUMNS}.items()
            ]
        )


PUBLISHED_TABLES: dict[str, PublishedTable] = {
    "target_accounts": PublishedTable(
        "One row per scored account (customers and prospects) with its ICP score, tier and reasons.",
        {
            "account_key": "Stable key of the resolved account: the normalised web domain where known, "
            "else `crm:<account_id>` or `erp:<erp_customer_id>`.",
            "crm_account_id": "CRM account id; null for a prospect known only from enrichment.",
            "account_name": "Company name (CRM, else ERP, else enrichment).",
            "domain": "Normalised web domain (lower case, no scheme, no www., no path).",
            "industry": "Canonical industry.",
            "country": "ISO-3166 alpha-2 country.",
            "employee_count": "Employees (enrichment preferred over CRM).",
            "is_customer": "True when the account has paid revenue or a won opportunity.",
            "icp_score": "0–100, higher = better fit: percentile rank of expected_value among all accounts.",
            "expected_value": "win_probability × predicted_ltv, in reporting currency.",
            "predicted_ltv": "Predicted value to the seller if the account buys (the configured value label).",
            "win_probability": "Predicted probability that a deal with the account is won.",
            "tier": "`Tier 1`, `Tier 2`, `Tier 3` or `Disqualified`. Cut-offs are set over prospects; "
            "customers get the tier their score reaches but never count toward a prospect tier's quota.",
            "segment": "The segment profile the account belongs to (see icp.segments).",
            "top_reasons": "The attributes that raise (+) or lower (−) this account's score most, from its "
            "own SHAP values.",
            "disqualified_reason": "Why the account is Disqualified; null otherwise.",
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
            "summary": "One sentence with a realised figure, e.g. median value of accounts with it vs the rest.",
        },
    ),
    "model_metrics": PublishedTable(
        "Validation metrics of the models beside baselines on the same folds, plus attribute exclusions.",
        {
            "metric": "Metric name (spearman, normalised_gini, top_decile_lift, auc, brier, …).",
            "model": "lightgbm, linear_baseline or rules_baseline.",
            "split": "cv (grouped cross-validation) or time_holdout (train earlier, test later customers).",
            "value": "The metric's value.",
        },
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
            "total_expected_value": "Sum of expected_value.",
            "avg_win_probability": "Mean win probability.",
        },
    ),
}


def build_published_frames(con: duckdb.DuckDBPyConnection, config: IcpConfig) -> dict[str, pd.DataFrame]:
    """Every published table of this refresh, as frames, in publication order."""
    scored = con.execute(
        """
        select
            f.account_key, f.crm_account_id, f.account_name, f.domain, f.industry, f.country,
            f.employee_count, f.is_customer,
            s.icp_score, s.expected_value, s.predicted_ltv, s.win_probability, s.top_reasons
        from model.account_scores as s
        inner join marts.account_features as f using (account_key)
        """
    ).df()
    targets = assign_tiers(scored, config.tiers)
    targets["segment"] = None
    targets = targets[list(PUBLISHED_TABLES["target_accounts"].columns)]
    importance = con.execute("select * from model.attribute_importance order by rank").df()
    metrics = con.execute("select metric, model, split, value from model.model_metrics").df()
    return {
        "target_accounts": targets.sort_values(["icp_score", "account_key"], ascending=[False, True]),
        "attribute_importance": importance,
        "model_metrics": metrics,
        "tier_summary": tier_summary(targets),
    }


__all__ = ["PUBLISHED_TABLES", "TIER_ORDER", "build_published_frames"]
