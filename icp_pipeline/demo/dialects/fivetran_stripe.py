"""The demo billing data as Fivetran lands Stripe: schema `stripe`, amounts in minor units.

Same records as the contract-form `erp/customers`, `erp/invoices` and `erp/contracts`:
- customers carry the CRM account id and website in `metadata` (JSON), the country in
  `address_country`; a few extra customers are deleted (`is_deleted`).
- invoices with a positive amount are invoices (`total` in minor units: cents, or yen for JPY),
  negative ones credit notes; a few extra draft invoices must be ignored.
- contracts are subscriptions with one subscription item and one price each (monthly or yearly
  `unit_amount`); an ended contract is a subscription canceled at its scheduled `cancel_at`, a
  churned one canceled before any scheduled end.
Returns counts of what was added.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from icp_pipeline.demo.dialects.common import timestamps, write_csv

ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}  # fmt: skip
THREE_DECIMAL = {"BHD", "JOD", "KWD", "OMR", "TND"}


def minor_units(currency: str) -> int:
    """Stripe's minor units per major unit (https://docs.stripe.com/currencies#zero-decimal)."""
    code = (currency or "").upper()
    return 1 if code in ZERO_DECIMAL else 1000 if code in THREE_DECIMAL else 100


def _to_minor(amount: pd.Series, currency: pd.Series) -> pd.Series:
    units = currency.map(minor_units)
    return (amount.abs() * units).round().astype("int64")


def write_fivetran_stripe(
    out_dir: Path, tables: dict[str, pd.DataFrame], seed: int, reporting: str = "USD"
) -> dict[str, int]:
    customers, invoices, contracts = tables["erp/customers"], tables["erp/invoices"], tables["erp/contracts"]
    counts: dict[str, int] = {}

    metadata = [
        json.dumps(
            {k: v for k, v in {"salesforce_account_id": crm, "website": web}.items() if isinstance(v, str)}
        )
        for crm, web in zip(customers["crm_account_id"], customers["website"], strict=True)
    ]
    customer = pd.DataFrame(
        {
            "id": customers["erp_customer_id"],
            "name": customers["customer_name"],
            "description": None,
            "email": None,
            "address_country": customers["country"],
            "metadata": metadata,
            "created": "2018-01-01T00:00:00",
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )
    n_deleted = max(2, len(customer) // 30)
    deleted = customer.sample(n_deleted, random_state=seed).copy()
    deleted["id"] = [f"cus_deleted{k:03d}" for k in range(n_deleted)]
    deleted["metadata"] = "{}"
    deleted["is_deleted"] = True
    counts["deleted_customers"] = n_deleted

    currency = invoices["currency"].fillna(reporting).str.upper()
    total = _to_minor(invoices["amount"], currency)
    is_credit = invoices["amount"] < 0
    status = invoices["status"].fillna("paid")
    invoice = pd.DataFrame(
        {
            "id": invoices["invoice_id"],
            "customer_id": invoices["erp_customer_id"],
            "status": status,
            "currency": currency.str.lower(),
            "total": total,
            "created": timestamps(invoices["invoice_date"]),
            "subscription_id": None,
            "_fivetran_deleted": False,
        }
    )[~is_credit.to_numpy()]
    drafts = invoice.sample(max(2, len(invoice) // 100), random_state=seed + 1).copy()
    drafts["id"] = [f"in_draft{k:04d}" for k in range(len(drafts))]
    drafts["status"] = "draft"
    counts["draft_invoices"] = len(drafts)
    credit_note = pd.DataFrame(
        {
            "id": invoices["invoice_id"],
            "customer_id": invoices["erp_customer_id"],
            "invoice_id": None,
            "status": np.where(status == "void", "void", "issued"),
            "currency": currency.str.lower(),
            "total": total,
            "created": timestamps(invoices["invoice_date"]),
            "_fivetran_deleted": False,
        }
    )[is_credit.to_numpy()]
    counts["credit_notes"] = len(credit_note)

    ccy = contracts["currency"].fillna(reporting).str.upper()
    yearly = np.arange(len(contracts)) % 2 == 1
    annual = contracts["annual_value"].astype(float)
    unit = ((np.where(yearly, annual, annual / 12)) * ccy.map(minor_units)).round().astype("int64")
    price = pd.DataFrame(
        {
            "id": "price_" + contracts["contract_id"].astype(str),
            "currency": ccy.str.lower(),
            "unit_amount": unit,
            "recurring_interval": np.where(yearly, "year", "month"),
            "recurring_interval_count": 1,
            "_fivetran_deleted": False,
        }
    )
    item = pd.DataFrame(
        {
            "id": "si_" + contracts["contract_id"].astype(str),
            "subscription_id": contracts["contract_id"],
            "price_id": price["id"],
            "plan_id": None,
            "quantity": 1,
            "_fivetran_deleted": False,
        }
    )
    end = timestamps(contracts["end_date"])
    state = contracts["status"].fillna("")
    canceled = state.isin(["ended", "churned"]) | ((state == "") & end.notna())
    subscription = pd.DataFrame(
        {
            "id": contracts["contract_id"],
            "customer_id": contracts["erp_customer_id"],
            "status": np.where(canceled, "canceled", "active"),
            "start_date": timestamps(contracts["start_date"]),
            "created": timestamps(contracts["start_date"]),
            "cancel_at": np.where(state == "churned", None, end),
            "canceled_at": np.where(canceled, end, None),
            "ended_at": np.where(canceled, end, None),
            "_fivetran_deleted": False,
        }
    )
    out = Path(out_dir)
    write_csv(out, "stripe", "customer", pd.concat([customer, deleted], ignore_index=True))
    write_csv(out, "stripe", "invoice", pd.concat([invoice, drafts], ignore_index=True))
    write_csv(out, "stripe", "credit_note", credit_note)
    write_csv(out, "stripe", "subscription", subscription)
    write_csv(out, "stripe", "subscription_item", item)
    write_csv(out, "stripe", "price", price)
    return counts
