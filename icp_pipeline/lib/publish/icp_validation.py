"""`icp.icp_validation`: campaign response of ICP-tier accounts vs control, and recent leads in the ICP."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.icp import campaign_lift, leads_in_icp
from icp_pipeline.lib.publish.tables import PUBLISHED_TABLES

ICP_VALIDATION_COLUMNS = list(PUBLISHED_TABLES["icp_validation"].columns)
# What the builder reads from staging (the warehouse reader in `refresh.py` runs it).
CAMPAIGN_MEMBERS_SQL = (
    "select campaign_id, account_id as crm_account_id, has_responded as responded, campaign_group as group, "
    "sent_at "
    "from staging.stg_marketing__campaign_members"
)
LEADS_SQL = "select * from staging.stg_crm__leads"


def build_icp_validation(
    members: pd.DataFrame, leads: pd.DataFrame, targets: pd.DataFrame, leads_recent_days: int
) -> pd.DataFrame:
    """The campaign rows (`icp.validation.campaign_lift` of `members` against the targets' tiers) and
    one leads row: the share of the last `leads_recent_days` days' leads in Tiers 1–2
    (`icp.validation.leads_in_icp`), with its n and note."""
    # only the columns the lookups read: tiers by CRM id, else by domain
    targets = targets[
        [c for c in ("account_key", "crm_account_id", "domain", "tier") if c in targets.columns]
    ]
    campaign = campaign_lift(members, targets).assign(check="campaign")
    lead_row = leads_in_icp(leads, targets, recent_days=leads_recent_days).iloc[0]
    leads_frame = pd.DataFrame(
        [
            {
                "check": "leads",
                "metric": f"share of leads in the last {leads_recent_days} days in Tier 1–2",
                "value": lead_row["share_in_icp"],
                "ci_low": np.nan,
                "ci_high": np.nan,
                "n": lead_row["recent_leads"],
                "note": lead_row["note"],
            }
        ]
    )
    return pd.concat([campaign, leads_frame])[ICP_VALIDATION_COLUMNS]
