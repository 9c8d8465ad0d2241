"""Generate a complete, deterministic demo landing folder and its planted truth."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from icp_pipeline.demo import crm, engagement, enrichment, erp, leads, marketing
from icp_pipeline.demo.companies import build_companies
from icp_pipeline.demo.lifecycle import simulate_lifecycle
from icp_pipeline.demo.truth import build_truth
from icp_pipeline.demo.writer import FORMATS, write_table

TRUTH_FILE = "planted_truth.json"


def build_tables(seed: int, companies: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """Every landing-contract table (by `source/table`) and counts of the planted mess."""
    accounts = crm.crm_accounts(companies)
    customers = erp.erp_customers(companies)
    firms = enrichment.enriched(companies)
    erp_customers = erp.build_customers(seed, customers, accounts)
    stale = int(erp_customers.pop("_is_stale").sum())
    tables = {
        "crm/accounts": crm.build_accounts(seed, accounts),
        "crm/opportunities": crm.build_opportunities(seed, accounts),
        "crm/contacts": engagement.build_contacts(seed, accounts),
        "crm/activities": engagement.build_activities(seed, accounts),
        "crm/leads": leads.build_leads(seed, companies, accounts),
        "erp/customers": erp_customers,
        "erp/invoices": erp.build_invoices(seed, customers),
        "erp/contracts": erp.build_contracts(seed, customers),
        "erp/fx_rates": erp.build_fx_rates(),
        "enrichment/firmographics": enrichment.build_firmographics(seed, firms),
        "enrichment/technographics": enrichment.build_technographics(seed, firms),
        "enrichment/events": enrichment.build_events(seed, firms),
        "marketing/campaign_members": marketing.build_campaign_members(seed, accounts),
    }
    invoices = tables["erp/invoices"]
    extra = {
        "erp_stale_crm_account_ids": stale,
        "erp_missing_crm_account_ids": int(erp_customers["crm_account_id"].isna().sum()),
        "credit_notes": int((invoices["amount"] < 0).sum()),
        "void_invoices": int((invoices["status"] == "void").sum()),
    }
    return tables, extra


def generate_demo_data(
    out_dir: Path,
    n_accounts: int = 5000,
    n_prospects: int = 20000,
    seed: int = 42,
    file_format: str = "csv",
    dialects: tuple[str, ...] = (),
) -> dict:
    """Write every contract table to `out_dir/<source>/<table>.<format>` and the truth beside them.

    `dialects` (e.g. `("fivetran_salesforce", "fivetran_stripe")`, see `demo.dialects`) writes the
    tables those connectors stand in for in the connector's schema instead (`erp/fx_rates` stays).
    Returns the planted truth, also written to `out_dir/planted_truth.json` (outside every source
    folder, so the pipeline never reads it).
    """
    if file_format not in FORMATS:
        raise ValueError(f"file_format must be one of {FORMATS}, got {file_format!r}")
    if n_accounts < 20 or n_prospects < 0:
        raise ValueError("demo data needs at least 20 CRM accounts and a non-negative number of prospects")
    out_dir = Path(out_dir)
    companies = simulate_lifecycle(seed, build_companies(seed, n_accounts, n_prospects))
    tables, extra = build_tables(seed, companies)
    replaced, connector_counts = set(), {}
    for dialect in dialects:
        from icp_pipeline.demo.dialects import WRITERS

        if dialect not in WRITERS:
            raise ValueError(f"unknown demo format {dialect!r}: one of {[*FORMATS, *WRITERS]}")
        writer, source = WRITERS[dialect]
        connector_counts[dialect] = writer(out_dir, tables, seed)
        replaced.add(source)
    for full_name, frame in tables.items():
        if full_name.split("/")[0] in replaced and full_name != "erp/fx_rates":
            continue
        write_table(out_dir, full_name, frame, file_format)
    truth = build_truth(seed, companies, tables, extra)
    if connector_counts:
        truth["connector_counts"] = connector_counts
    (out_dir / TRUTH_FILE).write_text(json.dumps(truth, indent=2) + "\n")
    return truth
