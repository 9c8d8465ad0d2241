"""CRM leads: converted leads of accounts, open leads of prospects, and free-mail junk."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import (
    REFERENCE_DATE,
    add_days,
    blank,
    choice,
    days_before_reference,
    make_ids,
    office_hours,
    stream,
)
from icp_pipeline.demo.companies import ROLE_PROSPECT
from icp_pipeline.demo.crm import account_ids
from icp_pipeline.demo.mess import crm_names, website_variants
from icp_pipeline.demo.vocab import FREE_MAIL_DOMAINS, LEAD_STATUSES

CONVERTED_SHARE = 0.35  # of CRM accounts
PROSPECT_LEAD_SHARE = 0.08  # of enrichment-only prospects


def build_leads(seed: int, companies: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Converted leads of CRM accounts, unconverted leads of prospects, and free-mail junk."""
    rng = stream(seed, "crm/leads")
    ids = account_ids(len(accounts))
    conv = np.flatnonzero(rng.random(len(accounts)) < CONVERTED_SHARE)
    prospects = companies[companies["role"] == ROLE_PROSPECT]
    pro = prospects[rng.random(len(prospects)) < PROSPECT_LEAD_SHARE]
    n_junk = max(1, len(accounts) // 50)
    created_conv = add_days(accounts["crm_created_date"].to_numpy()[conv], -rng.integers(0, 60, len(conv)))
    frames = [
        pd.DataFrame(
            {
                "company_name": crm_names(
                    rng, accounts["base_name"].to_numpy()[conv], accounts["legal_suffix"].to_numpy()[conv]
                ),
                "website": website_variants(rng, accounts["domain"].to_numpy()[conv], null_rate=0.1),
                "created_at": office_hours(rng, created_conv),
                "status": "Converted",
                "converted_account_id": ids[conv],
            }
        ),
        pd.DataFrame(
            {
                "company_name": crm_names(rng, pro["base_name"].to_numpy(), pro["legal_suffix"].to_numpy()),
                "website": website_variants(rng, pro["domain"].to_numpy(), null_rate=0.1),
                "created_at": office_hours(rng, days_before_reference(rng.integers(0, 720, len(pro)))),
                "status": choice(rng, LEAD_STATUSES, len(pro)),
                "converted_account_id": None,
            }
        ),
        pd.DataFrame(
            {
                "company_name": blank(rng, np.full(n_junk, "Self-employed", dtype=object), 0.5),
                "website": choice(rng, FREE_MAIL_DOMAINS, n_junk),
                "created_at": office_hours(rng, days_before_reference(rng.integers(0, 720, n_junk))),
                "status": choice(rng, ("New", "Disqualified"), n_junk),
                "converted_account_id": None,
            }
        ),
    ]
    leads = pd.concat(frames, ignore_index=True)
    leads = leads[leads["created_at"] <= np.datetime64(REFERENCE_DATE, "s")]
    leads = leads.sort_values("created_at", kind="stable").reset_index(drop=True)
    leads.insert(0, "lead_id", make_ids("00QDn", len(leads)))
    return leads
