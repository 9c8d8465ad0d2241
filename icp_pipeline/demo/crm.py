"""CRM accounts (with their extra columns) and opportunities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import (
    add_days,
    blank,
    choice,
    days_before_reference,
    fx_rate,
    groups,
    make_ids,
    office_hours,
    stream,
    uniform_dates,
)
from icp_pipeline.demo.companies import ROLE_CRM
from icp_pipeline.demo.mess import country_variants, crm_industries, crm_names, website_variants
from icp_pipeline.demo.vocab import (
    ACCOUNT_TIERS,
    ADDON_PRODUCTS,
    CSM_NAMES,
    LEAD_SOURCES,
    LOST_STAGES,
    ONBOARDING_STATUSES,
    OPEN_STAGES,
    PRODUCTS,
    WON_STAGES,
)


def crm_accounts(companies: pd.DataFrame) -> pd.DataFrame:
    """The CRM companies, in the order their `account_id`s are assigned."""
    return companies[companies["role"] == ROLE_CRM].reset_index(drop=True)


def account_ids(n: int) -> np.ndarray:
    return make_ids("001Dn", n)


def build_accounts(seed: int, accounts: pd.DataFrame) -> pd.DataFrame:
    """crm/accounts with extra columns: a noise tier and two post-sale leaks filled (almost) only for
    customers: the CSM (personal data, which the loader must drop) and the onboarding status."""
    rng = stream(seed, "crm/accounts")
    n = len(accounts)
    ids = account_ids(n)
    parent_pos = pd.Series(np.arange(n), index=accounts["company_idx"].to_numpy())
    parents = accounts["parent_idx"].to_numpy()
    parent_ids = np.full(n, None, dtype=object)
    has_parent = parents >= 0
    parent_ids[has_parent] = ids[parent_pos.loc[parents[has_parent]].to_numpy()]
    employees = np.round(accounts["employee_count"].to_numpy() * np.exp(rng.normal(0, 0.15, n)))
    revenue = np.round(accounts["annual_revenue"].to_numpy() * np.exp(rng.normal(0, 0.2, n)), -3)
    is_customer = accounts["is_customer"].to_numpy()
    csm = np.where(is_customer & (rng.random(n) < 0.93), choice(rng, CSM_NAMES, n), None)
    frame = pd.DataFrame(
        {
            "account_id": ids,
            "account_name": crm_names(
                rng, accounts["base_name"].to_numpy(), accounts["legal_suffix"].to_numpy()
            ),
            "website": website_variants(rng, accounts["domain"].to_numpy(), null_rate=0.05),
            "industry": crm_industries(rng, accounts["industry"].to_numpy(), null_rate=0.1),
            "country": country_variants(rng, accounts["country"].to_numpy(), null_rate=0.08),
            "employee_count": pd.array(np.where(rng.random(n) < 0.3, np.nan, employees), dtype="Int64"),
            "annual_revenue": np.where(rng.random(n) < 0.45, np.nan, revenue),
            "parent_account_id": parent_ids,
            "created_at": office_hours(rng, accounts["crm_created_date"].to_numpy()),
            "account_tier_legacy": blank(rng, choice(rng, ACCOUNT_TIERS, n), 0.2),
            "customer_success_manager": csm,
        }
    )
    # Drawn last so that the columns above stay as they were for a given seed.
    onboarded = is_customer & (rng.random(n) < 0.9)
    frame["onboarding_status"] = np.where(onboarded, choice(rng, ONBOARDING_STATUSES, n), None)
    return frame


def _opps(rng, owner, stage_set, created, close, amount_usd, currency, products) -> pd.DataFrame:
    n = len(owner)
    rate = fx_rate(currency, np.where(np.isnat(close), created, close))
    return pd.DataFrame(
        {
            "owner": owner,
            "stage": choice(rng, stage_set, n),
            "amount": np.round(amount_usd / rate, -2),
            "currency": currency,
            "created_at": created,
            "close_date": close,
            "product": choice(rng, products, n),
            "lead_source": blank(rng, choice(rng, LEAD_SOURCES, n), 0.15),
        }
    )


def build_opportunities(seed: int, accounts: pd.DataFrame) -> pd.DataFrame:
    """Won deals for customers (first win, add-ons), lost and open deals for everyone else."""
    rng = stream(seed, "crm/opportunities")
    n = len(accounts)
    ids = account_ids(n)
    cust = accounts["is_customer"].to_numpy()
    win = accounts["win_date"].to_numpy().astype("datetime64[D]")
    end = accounts["end_date"].to_numpy().astype("datetime64[D]")
    created_acc = accounts["crm_created_date"].to_numpy().astype("datetime64[D]")
    currency = accounts["currency"].to_numpy()
    arr = accounts["arr_usd"].to_numpy()
    deal_noise = np.exp(rng.normal(0, 0.1, n))
    frames = []

    c = np.flatnonzero(cust)  # first win: amount = first-year ARR
    frames.append(
        _opps(
            rng,
            c,
            WON_STAGES,
            add_days(win[c], -rng.integers(30, 240, len(c))),
            win[c],
            arr[c] * deal_noise[c],
            currency[c],
            PRODUCTS,
        )
    )
    k = rng.poisson(0.6, len(c))  # add-ons after the win
    o, _ = groups(k)
    a = c[o]
    close = uniform_dates(rng, add_days(win[a], 60), end[a])
    frames.append(
        _opps(
            rng,
            a,
            WON_STAGES,
            add_days(close, -rng.integers(20, 120, len(a))),
            close,
            arr[a] * rng.uniform(0.1, 0.4, len(a)),
            currency[a],
            ADDON_PRODUCTS,
        )
    )

    lost_counts = np.where(cust, rng.random(n) < 0.2, (rng.random(n) < 0.5) * (1 + (rng.random(n) < 0.3)))
    o, _ = groups(lost_counts.astype(int))
    last = np.where(cust[o], add_days(win[o], -30), days_before_reference(np.full(len(o), 20)))
    close = uniform_dates(rng, add_days(created_acc[o], 30), last)
    lost_amount = arr[o] * np.exp(rng.normal(0, 0.3, len(o)))
    opened = np.maximum(add_days(close, -rng.integers(20, 200, len(o))), created_acc[o])
    frames.append(_opps(rng, o, LOST_STAGES, opened, close, lost_amount, currency[o], PRODUCTS))

    p = np.flatnonzero(~cust & (rng.random(n) < 0.15))  # open pipeline
    opened = days_before_reference(rng.integers(5, 200, len(p)))
    frames.append(
        _opps(
            rng,
            p,
            OPEN_STAGES,
            np.maximum(opened, created_acc[p]),
            np.full(len(p), np.datetime64("NaT"), dtype="datetime64[D]"),
            arr[p] * np.exp(rng.normal(0, 0.3, len(p))),
            currency[p],
            PRODUCTS,
        )
    )

    opps = pd.concat(frames, ignore_index=True)
    opps = opps.sort_values(["created_at", "owner"], kind="stable").reset_index(drop=True)
    opps.insert(0, "opportunity_id", make_ids("006Dn", len(opps)))
    opps.insert(1, "account_id", ids[opps.pop("owner").to_numpy()])
    usd = opps["currency"].to_numpy() == "USD"
    opps.loc[usd & (rng.random(len(opps)) < 0.3), "currency"] = None  # default = reporting currency
    return opps
