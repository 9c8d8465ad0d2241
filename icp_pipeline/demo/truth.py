"""The planted truth: drivers, leaks and noise by their feature-mart attribute names, plus counts."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import REFERENCE_DATE, REPORTING_CURRENCY
from icp_pipeline.demo.drivers import (
    BASE_ANNUAL_GROSS_MARGIN,
    DRIVERS,
    INTERACTIONS,
    VALUE_NOISE_SD,
    driver_matrix,
)
from icp_pipeline.demo.vocab import INDUSTRIES, LEAK_TECHNOLOGY, NOISE_TECHNOLOGIES


def tech_attribute(technology: str) -> str:
    """`tech__<slug>`: lower case, runs of other characters replaced by `_`."""
    return "tech__" + re.sub(r"[^a-z0-9]+", "_", technology.lower()).strip("_")


def _drivers(companies: pd.DataFrame) -> list[dict]:
    """Each driver with its planted coefficients and the value ratio observed among customers."""
    customers = companies[companies["is_customer"]]
    x = driver_matrix(customers)
    value = customers["annual_gross_margin"].to_numpy()
    out = []
    for d in DRIVERS:
        present = x[d.column].to_numpy() > 0
        ratio = (
            np.median(value[present]) / np.median(value[~present])
            if present.any() and (~present).any()
            else None
        )
        out.append(
            {
                "attribute": d.attribute,
                "effect": d.effect,
                "strength": d.value_coef,
                "value_multiplier": round(float(np.exp(d.value_coef)), 3),
                "win_log_odds": d.win_coef,
                "observed_median_value_ratio": None if ratio is None else round(float(ratio), 3),
                "description": d.description,
                **d.detail,
            }
        )
    return out


def _interactions() -> list[dict]:
    return [
        {"attributes": list(i.attributes), "strength": i.value_coef, "description": i.description}
        for i in INTERACTIONS
    ]


def _leaks() -> list[dict]:
    return [
        {
            "attribute": "x__onboarding_status",
            "kind": "populated_only_for_customers",
            "source": "crm/accounts.onboarding_status",
        },
        {
            "attribute": "x__customer_success_manager",
            "kind": "populated_only_for_customers_and_personal_data",
            "source": "crm/accounts.customer_success_manager",
            "description": "A person's name: the loader must not load it at all (personal data).",
        },
        {
            "attribute_prefix": "beh__activities",
            "kind": "post_win_activities",
            "source": "crm/activities",
            "description": "Customers log ~18 activities a year after the win; count only activities before as_of.",
        },
        {
            "attribute_prefix": "beh__contacts",
            "kind": "post_win_contacts",
            "source": "crm/contacts",
            "description": "Customers gain contacts after the win; count only contacts created before as_of.",
        },
        {
            "attribute": tech_attribute(LEAK_TECHNOLOGY[0]),
            "kind": "technology_first_seen_after_win",
            "source": "enrichment/technographics",
            "description": f"{LEAK_TECHNOLOGY[0]} (the seller's own product tag) appears after the win.",
        },
    ]


def _noise() -> list[str]:
    techs = [tech_attribute(t[0]) for t in NOISE_TECHNOLOGIES]
    return [
        "x__account_tier_legacy",
        "x__web_traffic_rank",
        "firmo__country",
        "sit__employee_growth_12m",
        "sit__events_funding_round_12m",
        "sit__events_layoff_12m",
        "sit__events_leadership_change_12m",
        *techs,
    ]


def _counts(companies: pd.DataFrame, tables: dict[str, pd.DataFrame], extra: dict[str, int]) -> dict:
    role = companies["role"]
    crm = companies[role == "crm"]
    counts = {
        "crm_accounts": len(crm),
        "crm_customers": int(crm["is_customer"].sum()),
        "crm_prospects": int((~crm["is_customer"]).sum()),
        "erp_only_customers": int((role == "erp_only").sum()),
        "enrichment_only_prospects": int((role == "prospect").sum()),
        "subsidiaries": int((crm["parent_idx"] >= 0).sum()),
        "churned_customers": int(companies["churn_date"].notna().sum()),
        **extra,
    }
    counts["rows"] = {name: len(frame) for name, frame in tables.items()}
    return counts


def build_truth(
    seed: int, companies: pd.DataFrame, tables: dict[str, pd.DataFrame], extra: dict[str, int]
) -> dict:
    """Everything a correct pipeline should recover, in attribute names of `marts.account_features`."""
    return {
        "seed": seed,
        "reference_date": str(REFERENCE_DATE),
        "reporting_currency": REPORTING_CURRENCY,
        "value_definition": (
            "Customer value = gross margin (invoice amount - cost, reporting currency, void excluded, credit "
            "notes netted). Annual gross margin is lognormal: "
            f"{BASE_ANNUAL_GROSS_MARGIN:.0f} * exp(sum(strength * driver) + sum(strength * driver_a * driver_b "
            f"over interactions) + N(0, {VALUE_NOISE_SD}^2)); "
            "LTV = annual value x tenure. Win log-odds = intercept + sum(win_log_odds * driver)."
        ),
        "drivers": _drivers(companies),
        "interactions": _interactions(),
        "strongest_driver": DRIVERS[0].attribute,
        "leaks": _leaks(),
        "noise": _noise(),
        "hypotheses": {
            "true": "Companies that use Snowflake are worth more as customers than companies that do not.",
            "true_filter": "uses snowflake",
            "true_attribute": DRIVERS[0].attribute,
            # Value peaks at 200-2000 employees, so the common belief that small companies are the
            # sweet spot is planted false (they are worth less); HubSpot is pure noise (inconclusive).
            "false": "Small companies (fewer than 200 employees) are worth more as customers.",
            "false_filter": "employee_count < 200",
            "false_attribute": "firmo__employee_count",
            "noise": "Companies that use HubSpot are worth more as customers than companies that do not.",
            "noise_filter": "uses hubspot",
            "noise_attribute": tech_attribute("HubSpot"),
        },
        "industry_spellings": {key: list(spec[3]) for key, spec in INDUSTRIES.items()},
        "counts": _counts(companies, tables, extra),
    }
