"""Demo HubSpot deal pipelines and deal-contact associations, as Fivetran lands them.

- pipelines (`deal_pipeline`): the active `default` one; an inactive (archived) `legacy` pipeline
  with its own won / lost stages, which every seventh closed deal went through (kept: a win in an
  old pipeline is still a win); a deleted `removed` pipeline whose stages are deleted too, with a
  few extra won deals on live companies that a reader must leave out.
- `deal_contact`: every fifth contact of a company with a deal (not its first contact) has no
  company of its own (`property_associatedcompanyid` empty) and is associated with a deal of its
  company instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PIPELINES = pd.DataFrame(
    {
        "pipeline_id": ["default", "legacy", "removed"],
        "label": ["Sales Pipeline", "Sales Pipeline (2019 process)", "Partner deals (deleted)"],
        "active": [True, False, False],
        "display_order": [0, 1, 2],
        "_fivetran_deleted": [False, False, True],
    }
)


def _stages(pipeline: str, deleted: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage_id": [f"{pipeline}_won", f"{pipeline}_lost"],
            "pipeline_id": pipeline,
            "label": ["Won (old process)", "Lost (old process)"],
            "closed_won": [True, False],
            "is_closed": [True, True],
            "probability": [1.0, 0.0],
            "_fivetran_deleted": deleted,
        }
    )


def move_to_inactive_pipeline(
    deal: pd.DataFrame, stage: pd.DataFrame, is_won: np.ndarray, is_closed: np.ndarray
) -> tuple[pd.DataFrame, int]:
    """Every seventh closed deal into the inactive `legacy` pipeline (edits `deal` in place); returns
    the stages with the legacy and removed pipelines' ones, and how many deals moved."""
    moved = is_closed & (np.arange(len(deal)) % 7 == 3)
    deal.loc[moved, "deal_pipeline_id"] = "legacy"
    deal.loc[moved, "deal_pipeline_stage_id"] = np.where(is_won[moved], "legacy_won", "legacy_lost")
    stages = pd.concat([stage, _stages("legacy", False), _stages("removed", True)], ignore_index=True)
    return stages, int(moved.sum())


def deals_of_deleted_pipeline(
    deal: pd.DataFrame, deal_company: pd.DataFrame, is_won: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copies of a few won deals under new ids in the deleted `removed` pipeline, with the same
    companies: (deals, deal_company rows)."""
    n = max(2, len(deal) // 40)
    linked = deal[is_won & deal["deal_id"].isin(deal_company["deal_id"]).to_numpy()].head(n)
    extra = linked.copy()
    extra["deal_id"] = [f"5{k:08d}" for k in range(len(extra))]
    extra["deal_pipeline_id"] = "removed"
    extra["deal_pipeline_stage_id"] = "removed_won"
    company_of = deal_company.drop_duplicates("deal_id").set_index("deal_id")["company_id"]
    links = pd.DataFrame(
        {
            "deal_id": extra["deal_id"].to_numpy(),
            "company_id": linked["deal_id"].map(company_of).to_numpy(),
            "type_id": 5,
            "_fivetran_deleted": False,
        }
    )
    return extra, links


def contacts_via_deal(contact: pd.DataFrame, opps: pd.DataFrame) -> pd.DataFrame:
    """Blank the company of every fifth non-first contact of a company with a deal (edits `contact`
    in place); returns their `deal_contact` rows (a deal of that company)."""
    deal_of = opps.dropna(subset=["account_id"]).groupby("account_id")["opportunity_id"].first()
    account = contact["property_associatedcompanyid"]
    later = account.notna() & account.duplicated()  # not the company's first contact
    candidates = later & account.isin(deal_of.index)
    chosen = candidates & (candidates.cumsum() % 5 == 1)
    links = pd.DataFrame(
        {
            "deal_id": account[chosen].map(deal_of).to_numpy(),
            "contact_id": contact.loc[chosen, "id"].to_numpy(),
            "type_id": 3,
            "_fivetran_deleted": False,
        }
    )
    contact.loc[chosen, "property_associatedcompanyid"] = None
    return links
