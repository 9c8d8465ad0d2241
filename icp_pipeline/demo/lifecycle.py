"""Who becomes a customer, when, for how long, at what value, and in which currency."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import (
    REFERENCE_DATE,
    add_days,
    choice,
    days_before_reference,
    sigmoid,
    stream,
    uniform_dates,
)
from icp_pipeline.demo.companies import ROLE_CRM, ROLE_ERP_ONLY
from icp_pipeline.demo.drivers import annual_gross_margin, calibrated_intercept, fit_signal
from icp_pipeline.demo.vocab import COUNTRIES

CUSTOMER_SHARE = 0.30  # of CRM accounts
ERP_COVERAGE = 0.92  # CRM customers with an ERP record
ENRICHMENT_COVERAGE = 0.93  # CRM accounts whose domain the enrichment vendor knows
WIN_DAYS_AGO = (90, 6 * 365)


def _currencies(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    """Local billing currency for most companies, USD for the rest."""
    local = np.array([COUNTRIES[c][2] for c in country], dtype=object)
    return np.where(rng.random(len(country)) < 0.8, local, "USD").astype(object)


def simulate_lifecycle(seed: int, companies: pd.DataFrame) -> pd.DataFrame:
    """Add outcome columns: is_customer, win/churn/end dates, value, currency, billing, coverage."""
    rng = stream(seed, "lifecycle")
    df = companies.copy()
    n = len(df)
    role = df["role"].to_numpy()
    crm = role == ROLE_CRM
    fit = fit_signal(df)
    df["fit"] = fit
    df["annual_gross_margin"] = annual_gross_margin(rng, df)
    intercept = calibrated_intercept(fit[crm], CUSTOMER_SHARE)
    df["win_probability"] = sigmoid(intercept + fit)
    is_customer = (crm & (rng.random(n) < df["win_probability"].to_numpy())) | (role == ROLE_ERP_ONLY)
    df["is_customer"] = is_customer

    win = days_before_reference(rng.integers(*WIN_DAYS_AGO, n))
    tenure = (REFERENCE_DATE - win).astype(int)
    churn_p = sigmoid(-1.3 - 0.5 * (fit - fit.mean()))
    churns = is_customer & (tenure > 420) & (rng.random(n) < churn_p)
    churn = uniform_dates(rng, add_days(win, 365), days_before_reference(np.full(n, 30)))
    df["win_date"] = np.where(is_customer, win, np.datetime64("NaT"))
    df["churn_date"] = np.where(churns, churn, np.datetime64("NaT"))
    df["end_date"] = np.where(churns, churn, np.where(is_customer, REFERENCE_DATE, np.datetime64("NaT")))
    df["as_of"] = np.where(is_customer, win, REFERENCE_DATE)
    # CRM accounts exist for a while before their first win (or before today for prospects).
    created = np.where(
        is_customer,
        add_days(win, -rng.integers(250, 1000, n)),
        days_before_reference(rng.integers(60, 2500, n)),
    )
    df["crm_created_date"] = created.astype("datetime64[D]")

    df["gross_margin_rate"] = rng.uniform(0.55, 0.85, n)
    df["arr_usd"] = df["annual_gross_margin"] / df["gross_margin_rate"]
    df["arr_growth"] = rng.normal(0.05, 0.04, n)
    df["currency"] = _currencies(rng, df["country"].to_numpy())
    df["billing_months"] = choice(rng, (1, 3, 12), n, (0.45, 0.35, 0.2)).astype(int)
    df["has_erp"] = is_customer & ((role == ROLE_ERP_ONLY) | (rng.random(n) < ERP_COVERAGE))
    df["has_enrichment"] = ~crm | (rng.random(n) < ENRICHMENT_COVERAGE)
    return df
