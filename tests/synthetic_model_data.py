"""Synthetic `account_features` / `attribute_catalog` / `closed_opportunities` with planted truth,
for tests and notebooks (not the demo data generator)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.families import NON_OBSERVABLE_FAMILIES, family_of

INDUSTRIES = ["software", "finance", "retail", "manufacturing", "health", "education"]
TRUTH = {
    "strongest_driver": "tech__snowflake",
    "drivers": ["tech__snowflake", "firmo__employee_count", "firmo__industry", "sit__company_age_years"],
    "leak": "x__crm_health_score",
    "behavioural": ["beh__activities_12m", "beh__lead_source"],
    "constant": "sit__constant_flag",
    "all_missing": "firmo__all_missing",
    "high_cardinality": "firmo__description",
}


@dataclass
class SyntheticData:
    features: pd.DataFrame
    catalog: pd.DataFrame
    closed_opportunities: pd.DataFrame
    truth: dict


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() or 1.0)


def make_synthetic(
    n_customers: int = 200, n_prospects: int = 600, seed: int = 0, closed_lost_share: float = 0.3
) -> SyntheticData:
    """Value = exp(9 + 1.5 snowflake + 0.35 z(log employees) + 0.4 software - 0.3 z(age) + noise)."""
    rng = np.random.default_rng(seed)
    n = n_customers + n_prospects
    emp = np.round(np.exp(rng.normal(5.0, 1.2, n))) + 1
    industry = rng.choice(INDUSTRIES, n)
    snowflake = rng.binomial(1, 0.3, n).astype(float)
    age = rng.uniform(1, 50, n).round(1)
    software = (industry == "software").astype(float)
    propensity = -0.5 + 0.8 * snowflake + 0.3 * _z(np.log(emp)) + 0.3 * software + rng.gumbel(size=n)
    is_customer = np.zeros(n, dtype=bool)
    is_customer[np.argsort(-propensity, kind="stable")[:n_customers]] = True
    log_value = (
        9.0
        + 1.5 * snowflake
        + 0.35 * _z(np.log(emp))
        + 0.4 * software
        - 0.3 * _z(age)
        + rng.normal(0, 0.35, n)
    )
    value = np.where(is_customer, np.round(np.exp(log_value), 2), np.nan)
    closed_lost = ~is_customer & (rng.random(n) < closed_lost_share)
    keys = np.array([f"acct{i:05d}.com" for i in range(n)])
    won_date = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="D")
    funding = rng.choice(["seed", "series_a", "series_b", "growth", "public"], n).astype(object)
    funding[rng.random(n) < 0.2] = None

    f = pd.DataFrame(
        {
            "account_key": keys,
            "crm_account_id": [f"crm{i}" for i in range(n)],
            "erp_customer_id": np.where(is_customer, [f"erp{i}" for i in range(n)], None),
            "account_name": [f"Account {i}" for i in range(n)],
            "domain": keys,
            "industry": industry,
            "country": rng.choice(["US", "GB", "DE", "FR", "NL"], n),
            "employee_count": emp,
            "is_customer": is_customer,
            "as_of_date": pd.Timestamp("2025-01-01"),
            "first_won_date": pd.Series(won_date).where(is_customer),
            "label_annualised_value": value,
            "label_gross_margin_ltv": value * 2.1,
            "label_has_closed_opportunity": is_customer | closed_lost,
            "label_has_won_opportunity": is_customer,
        }
    )
    f["firmo__industry"] = industry
    f["firmo__employee_count"] = emp
    f["firmo__country"] = f["country"]
    f["firmo__annual_revenue"] = np.round(emp * 150_000 * np.exp(rng.normal(0, 0.5, n)), -3)
    f["firmo__description"] = [f"company {i} doing things" for i in range(n)]
    f["firmo__all_missing"] = np.nan
    f["tech__snowflake"] = snowflake
    f["tech__salesforce"] = rng.binomial(1, 0.5, n).astype(float)
    f["tech__cat_crm"] = rng.poisson(1.5, n).astype(float)
    f["sit__company_age_years"] = age
    f["sit__funding_stage"] = funding
    f["sit__employee_growth_12m"] = rng.normal(0.05, 0.1, n).round(3)
    f["sit__constant_flag"] = 1.0
    for i in range(1, 4):
        f[f"x__noise_{i}"] = rng.normal(0, 1, n)
    f["x__crm_health_score"] = np.where(is_customer, rng.uniform(0, 100, n).round(1), np.nan)
    f["beh__activities_12m"] = np.where(is_customer, rng.poisson(40, n), rng.poisson(5, n)).astype(float)
    f["beh__lead_source"] = rng.choice(["inbound", "outbound", "partner", "event"], n)

    attrs = [c for c in f.columns if "__" in c]
    catalog = pd.DataFrame(
        {
            "attribute": attrs,
            "family": [family_of(a) for a in attrs],
            "observable_for_prospects": [family_of(a) not in NON_OBSERVABLE_FAMILIES for a in attrs],
            "data_type": ["numeric" if pd.api.types.is_numeric_dtype(f[a]) else "categorical" for a in attrs],
            "description": attrs,
        }
    )
    closed_idx = np.flatnonzero(is_customer | closed_lost)
    opps = pd.DataFrame(
        {
            "opportunity_id": [f"opp{i}" for i in closed_idx],
            "account_key": keys[closed_idx],
            "is_won": is_customer[closed_idx],
            "amount_reporting": np.where(is_customer[closed_idx], value[closed_idx], 10_000.0),
            "close_date": won_date[closed_idx],
        }
    )
    return SyntheticData(f, catalog, opps, dict(TRUTH))
