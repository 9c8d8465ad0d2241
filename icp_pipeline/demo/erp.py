"""ERP tables: customer master, invoices (credit notes, voids), contracts and FX rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import (
    REFERENCE_DATE,
    REPORTING_CURRENCY,
    add_days,
    blank,
    fx_rate,
    groups,
    make_ids,
    stream,
)
from icp_pipeline.demo.companies import ROLE_CRM
from icp_pipeline.demo.crm import account_ids
from icp_pipeline.demo.mess import country_variants, legal_names, website_variants
from icp_pipeline.demo.vocab import FX_RATES

STALE_CRM_ID_RATE = 0.10
MISSING_CRM_ID_RATE = 0.12
CREDIT_NOTE_RATE = 0.04
VOID_RATE = 0.02
MISSING_COST_RATE = 0.07


def erp_customers(companies: pd.DataFrame) -> pd.DataFrame:
    """The companies with an ERP record, in the order their `erp_customer_id`s are assigned."""
    return companies[companies["has_erp"]].reset_index(drop=True)


def build_customers(seed: int, customers: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """erp/customers: legal-name variants, crm_account_id correct, missing or stale."""
    rng = stream(seed, "erp/customers")
    n = len(customers)
    crm_ids = account_ids(len(accounts))
    position = pd.Series(np.arange(len(accounts)), index=accounts["company_idx"].to_numpy())
    in_crm = customers["role"].to_numpy() == ROLE_CRM
    own = np.full(n, None, dtype=object)
    own[in_crm] = crm_ids[position.loc[customers["company_idx"].to_numpy()[in_crm]].to_numpy()]
    website = website_variants(rng, customers["domain"].to_numpy(), null_rate=0.08)
    u = rng.random(n)
    stale = in_crm & (u < STALE_CRM_ID_RATE) & pd.notna(website)
    missing = ~in_crm | ((u >= STALE_CRM_ID_RATE) & (u < STALE_CRM_ID_RATE + MISSING_CRM_ID_RATE))
    crm_id = own.copy()
    # A stale id points at another (merged or re-created) account while the website stays right.
    other = crm_ids[rng.integers(0, len(crm_ids), n)]
    crm_id[stale] = np.where(other[stale] == own[stale], crm_ids[0], other[stale])
    crm_id[missing] = None
    return pd.DataFrame(
        {
            "erp_customer_id": make_ids("C", n, width=6, start=100001),
            "customer_name": legal_names(
                rng, customers["base_name"].to_numpy(), customers["legal_suffix"].to_numpy()
            ),
            "website": website,
            "crm_account_id": crm_id,
            "country": country_variants(rng, customers["country"].to_numpy(), null_rate=0.05),
            "_is_stale": stale,
        }
    )


def build_invoices(seed: int, customers: pd.DataFrame) -> pd.DataFrame:
    """Periodic invoices summing to the customer's value, plus credit notes and void invoices."""
    rng = stream(seed, "erp/invoices")
    win = customers["win_date"].to_numpy().astype("datetime64[D]")
    end = customers["end_date"].to_numpy().astype("datetime64[D]")
    months = customers["billing_months"].to_numpy()
    tenure_months = (end - win).astype(float) / 30.4375
    owner, k = groups(np.maximum(np.ceil(tenure_months / months), 1).astype(int))
    period = months[owner]
    date = add_days(win[owner], np.round(k * period * 30.4375).astype(int))
    year = (k * period) // 12
    usd = (
        customers["arr_usd"].to_numpy()[owner]
        * (1 + customers["arr_growth"].to_numpy()[owner]) ** year
        * period
        / 12
        * np.exp(rng.normal(0, 0.03, len(owner)))
    )
    currency = customers["currency"].to_numpy()[owner]
    amount = usd / fx_rate(currency, date)
    cost = (
        amount
        * (1 - customers["gross_margin_rate"].to_numpy()[owner])
        * np.exp(rng.normal(0, 0.05, len(owner)))
    )
    cost[rng.random(len(owner)) < MISSING_COST_RATE] = np.nan
    status = np.where(date > REFERENCE_DATE - np.timedelta64(45, "D"), "open", "paid").astype(object)
    inv = pd.DataFrame(
        {
            "owner": owner,
            "invoice_date": date,
            "amount": amount,
            "cost": cost,
            "currency": currency,
            "status": status,
        }
    )

    # Credit notes: an over-billed invoice corrected later, so the net stays at the true value.
    credited = inv[rng.random(len(inv)) < CREDIT_NOTE_RATE]
    extra = credited["amount"].to_numpy() * rng.uniform(0.05, 0.3, len(credited))
    inv.loc[credited.index, "amount"] += extra
    credit = credited.assign(
        amount=-extra,
        cost=0.0,
        status="paid",
        invoice_date=add_days(credited["invoice_date"].to_numpy(), rng.integers(5, 40, len(credited))),
    )
    # Void invoices: issued by mistake and cancelled; they must not count as revenue.
    void = inv[rng.random(len(inv)) < VOID_RATE].assign(status="void")
    void["invoice_date"] = add_days(void["invoice_date"].to_numpy(), -rng.integers(1, 5, len(void)))
    inv = pd.concat([inv, credit, void], ignore_index=True)
    inv = inv[inv["invoice_date"] <= np.datetime64(REFERENCE_DATE, "s")]
    inv = inv.sort_values(["invoice_date", "owner"], kind="stable").reset_index(drop=True)
    inv["amount"] = inv["amount"].round(2)
    inv["cost"] = inv["cost"].round(2)
    inv.insert(0, "invoice_id", make_ids("INV", len(inv), width=8))
    inv.insert(1, "erp_customer_id", make_ids("C", len(customers), width=6, start=100001)[inv.pop("owner")])
    inv.loc[(inv["currency"] == REPORTING_CURRENCY) & (rng.random(len(inv)) < 0.2), "currency"] = None
    return inv


def build_contracts(seed: int, customers: pd.DataFrame) -> pd.DataFrame:
    """Yearly subscription terms from the win to the churn (or still active)."""
    rng = stream(seed, "erp/contracts")
    win = customers["win_date"].to_numpy().astype("datetime64[D]")
    end = customers["end_date"].to_numpy().astype("datetime64[D]")
    churned = pd.notna(customers["churn_date"]).to_numpy()
    years = np.maximum(np.ceil((end - win).astype(float) / 365.25), 1).astype(int)
    owner, k = groups(years)
    start = add_days(win[owner], np.round(k * 365.25).astype(int))
    last = k == years[owner] - 1
    term_end = add_days(start, 364)
    end_date = np.where(last, np.where(churned[owner], end[owner], np.datetime64("NaT")), term_end)
    status = np.where(last, np.where(churned[owner], "churned", "active"), "ended").astype(object)
    currency = customers["currency"].to_numpy()[owner]
    usd = customers["arr_usd"].to_numpy()[owner] * (1 + customers["arr_growth"].to_numpy()[owner]) ** k
    contracts = pd.DataFrame(
        {
            "contract_id": make_ids("K", len(owner), width=7),
            "erp_customer_id": make_ids("C", len(customers), width=6, start=100001)[owner],
            "start_date": start,
            "end_date": end_date.astype("datetime64[D]"),
            "annual_value": np.round(usd / fx_rate(currency, start), 2),
            "currency": currency,
            "status": blank(rng, status, 0.03),
        }
    )
    return contracts


def build_fx_rates() -> pd.DataFrame:
    """Yearly rates to the reporting currency, plus the reporting currency itself (always 1)."""
    rows = [{"currency": REPORTING_CURRENCY, "rate_to_reporting": 1.0, "valid_from": None}]
    for currency, by_year in FX_RATES.items():
        rows += [
            {"currency": currency, "rate_to_reporting": rate, "valid_from": f"{year}-01-01"}
            for year, rate in sorted(by_year.items())
        ]
    fx = pd.DataFrame(rows)
    fx["valid_from"] = pd.to_datetime(fx["valid_from"])
    return fx
