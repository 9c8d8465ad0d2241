"""The demo CRM as Fivetran lands HubSpot: schema `hubspot` with property_<name> columns.

Same records as the contract-form `crm/*` tables, plus what the connector adds:
- property history: every company property is set at its create date in
  `company_property_history`; a while after each customer's first win its employees, revenue and
  first custom property change (the current `company` row has the new values).
- merges: for some companies a merged-away duplicate (deleted, listed in the survivor's
  `property_hs_merged_object_ids`) that some deal and engagement associations still point to.
- soft deletes: extra deleted companies with deals, extra deleted contacts.
- deals are linked to companies only through `deal_company`; won and lost come from the
  pipeline stage's `closed_won` / `is_closed` (stage labels renamed); open deals have an expected
  close date. Leads are contacts in lifecycle stage `lead`.
- engagements in `engagement` and the `engagement_<type>` tables, associated with a company, a
  deal or a contact, a few deleted (`hubspot_engagements`).
- pipelines (an inactive one with real deals, a deleted one with extra deals) and contacts
  associated only through `deal_contact` (`hubspot_deals`).
- deal property history: every deal's `dealstage` and `amount` changes; reps edit some won deals'
  `closedate` and `amount` after the win (the current `deal` row has the edits). `deal_stage` holds
  the same stage entries as Fivetran lands them (value, date_entered, `_fivetran_start` / `_end` /
  `_active`).
Returns counts of what was added.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from icp_pipeline.demo.dialects.common import timestamps, write_csv
from icp_pipeline.demo.dialects.fivetran_salesforce import (
    CONTRACT_ACCOUNT_COLUMNS,
    EDITED_AFTER_WIN,
    HISTORY_CHANGE_DAYS,
    _stage_flags,
)
from icp_pipeline.demo.dialects.hubspot_deals import (
    PIPELINES,
    contacts_via_deal,
    deals_of_deleted_pipeline,
    move_to_inactive_pipeline,
)
from icp_pipeline.demo.dialects.hubspot_engagements import hubspot_engagements

PROPERTIES = {  # contract column -> HubSpot property
    "account_name": "name",
    "website": "website",
    "industry": "industry",
    "country": "country",
    "employee_count": "numberofemployees",
    "annual_revenue": "annualrevenue",
}


def write_fivetran_hubspot(out_dir: Path, tables: dict[str, pd.DataFrame], seed: int) -> dict[str, int]:
    rng = np.random.default_rng(seed + 17)
    accounts, opps = tables["crm/accounts"], tables["crm/opportunities"]
    contacts, activities, leads = tables["crm/contacts"], tables["crm/activities"], tables["crm/leads"]
    counts: dict[str, int] = {}
    custom = sorted(c for c in accounts.columns if c not in CONTRACT_ACCOUNT_COLUMNS)

    company = pd.DataFrame({"id": accounts["account_id"]})
    for column, prop in PROPERTIES.items():
        company[f"property_{prop}"] = accounts[column].to_numpy()
    company["property_numberofemployees"] = pd.array(company["property_numberofemployees"], dtype="Int64")
    company["property_createdate"] = timestamps(accounts["created_at"]).to_numpy()
    company["property_hs_parent_company_id"] = accounts["parent_account_id"].to_numpy()
    company["property_hs_merged_object_ids"] = None
    for column in custom:
        company[f"property_{column}"] = accounts[column].to_numpy()
    company["is_deleted"] = False
    company["_fivetran_deleted"] = False

    # ---------- deals, stages, associations
    is_won, is_closed = _stage_flags(opps["stage"])
    open_labels = sorted(set(opps.loc[~is_closed, "stage"].dropna()))
    stage = pd.DataFrame(
        {
            "stage_id": ["won", "lost", *[f"open_{k}" for k in range(len(open_labels))]],
            "pipeline_id": "default",
            "label": ["Signed", "Lost - No Budget", *open_labels],
            "closed_won": [True, False, *[False] * len(open_labels)],
            "is_closed": [True, True, *[False] * len(open_labels)],
            "probability": [1.0, 0.0, *[0.5] * len(open_labels)],
            "_fivetran_deleted": False,
        }
    )
    open_ids = dict(zip(open_labels, stage["stage_id"][2:], strict=True))
    created = pd.to_datetime(opps["created_at"])
    deal = pd.DataFrame(
        {
            "deal_id": opps["opportunity_id"],
            "deal_pipeline_id": "default",
            "deal_pipeline_stage_id": np.where(
                is_won, "won", np.where(is_closed, "lost", opps["stage"].map(open_ids))
            ),
            "property_dealname": "Deal",
            "property_amount": opps["amount"],
            "property_deal_currency_code": opps["currency"],
            "property_closedate": np.where(
                is_closed, timestamps(opps["close_date"]), timestamps(created + pd.Timedelta(days=90))
            ),
            "property_createdate": timestamps(opps["created_at"]),
            "property_product": opps["product"],
            "property_lead_source": opps["lead_source"],
            "property_hs_merged_object_ids": None,
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )
    stage, counts["deals_in_inactive_pipeline"] = move_to_inactive_pipeline(
        deal, stage, is_won.to_numpy(), is_closed.to_numpy()
    )
    deal_history, edits = _deal_property_history(deal, is_won.to_numpy(), is_closed.to_numpy(), open_ids)
    counts.update(edits)
    deal_company = pd.DataFrame(
        {
            "deal_id": opps["opportunity_id"],
            "company_id": opps["account_id"],
            "type_id": 5,
            "_fivetran_deleted": False,
        }
    ).dropna(subset=["company_id"])
    removed_deals, removed_links = deals_of_deleted_pipeline(deal, deal_company, is_won.to_numpy())
    counts["deals_in_deleted_pipeline"] = len(removed_deals)

    # ---------- property history: set at creation; customers edited after their first win
    first_win = (
        pd.DataFrame({"id": opps["account_id"], "d": pd.to_datetime(opps["close_date"])})[is_won.to_numpy()]
        .groupby("id")["d"]
        .min()
    )
    tracked = ["industry", "country", "numberofemployees", "annualrevenue", *custom]
    history = []
    changed = 0
    for i, row in company.iterrows():
        set_at = row["property_createdate"] or "2015-01-01T00:00:00"
        for prop in tracked:
            value = row[f"property_{prop}"]
            if pd.notna(value):
                history.append((row["id"], prop, str(value), set_at))
        win = first_win.get(row["id"])
        if win is None or pd.isna(win):
            continue
        edit = timestamps(pd.Series([win + pd.Timedelta(days=HISTORY_CHANGE_DAYS)]))[0]
        if pd.notna(row["property_numberofemployees"]):
            company.at[i, "property_numberofemployees"] = int(row["property_numberofemployees"]) * 3 + 50
        if pd.notna(row["property_annualrevenue"]):
            company.at[i, "property_annualrevenue"] = float(row["property_annualrevenue"]) * 2.5
        if custom:
            company.at[i, f"property_{custom[0]}"] = EDITED_AFTER_WIN
        for prop in ("numberofemployees", "annualrevenue", *custom[:1]):
            value = company.at[i, f"property_{prop}"]
            if pd.notna(value):
                history.append((row["id"], prop, str(value), edit))
        changed += 1
    counts["accounts_changed_after_win"] = changed
    property_history = pd.DataFrame(history, columns=["company_id", "name", "value", "timestamp"])
    property_history["source"] = "CRM_UI"
    property_history["_fivetran_deleted"] = False

    # ---------- merged-away duplicates and deleted companies
    n_merged = max(2, len(company) // 50)
    survivors = company.sample(n_merged, random_state=seed)
    merged = survivors.copy()
    merged["id"] = [f"9{k:08d}" for k in range(n_merged)]
    merged["is_deleted"] = True
    company.loc[survivors.index, "property_hs_merged_object_ids"] = merged["id"].to_numpy()
    to_loser = dict(zip(survivors["id"], merged["id"], strict=True))
    counts["merged_accounts"] = n_merged
    moved = deal_company["company_id"].isin(to_loser) & (rng.random(len(deal_company)) < 0.5)
    deal_company.loc[moved, "company_id"] = deal_company.loc[moved, "company_id"].map(to_loser)
    counts["deals_on_merged_accounts"] = int(moved.sum())

    n_deleted = max(2, len(company) // 40)
    deleted = company.sample(n_deleted, random_state=seed + 1).copy()
    deleted["id"] = [f"8{k:08d}" for k in range(n_deleted)]
    deleted["property_website"] = [f"deleted-company-{k}.example" for k in range(n_deleted)]
    deleted["property_hs_merged_object_ids"] = None
    deleted["is_deleted"] = True
    deleted_deals = deal.sample(n_deleted, random_state=seed + 2).copy()
    deleted_deals["deal_id"] = [f"7{k:08d}" for k in range(n_deleted)]
    deleted_deals["deal_pipeline_stage_id"] = "won"
    deleted_deals["is_deleted"] = True
    deal_company = pd.concat(
        [
            deal_company,
            pd.DataFrame(
                {
                    "deal_id": deleted_deals["deal_id"],
                    "company_id": deleted["id"].to_numpy(),
                    "type_id": 5,
                    "_fivetran_deleted": False,
                }
            ),
        ],
        ignore_index=True,
    )
    counts["deleted_accounts"] = n_deleted
    counts["deleted_deals"] = n_deleted

    # ---------- contacts and leads (contacts in lifecycle stage `lead`), engagements
    contact = pd.DataFrame(
        {
            "id": contacts["contact_id"],
            "property_jobtitle": contacts["title"],
            "property_department": contacts["department"],
            "property_seniority": contacts["seniority"],
            "property_email": contacts["email"],
            "property_createdate": timestamps(contacts["created_at"]),
            "property_associatedcompanyid": contacts["account_id"],
            "property_lifecyclestage": "opportunity",
            "property_company": None,
            "property_website": None,
            "property_hs_lead_status": None,
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )
    lead = pd.DataFrame(
        {
            "id": leads["lead_id"],
            "property_createdate": timestamps(leads["created_at"]),
            "property_associatedcompanyid": leads["converted_account_id"],
            "property_lifecyclestage": "lead",
            "property_company": leads["company_name"],
            "property_website": leads["website"],
            "property_hs_lead_status": leads["status"],
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )
    # contacts deleted in HubSpot: copies of every 25th contact under new ids
    deleted_contacts = contact.iloc[::25].copy()
    deleted_contacts["id"] = [f"4{k:08d}" for k in range(len(deleted_contacts))]
    deleted_contacts["_fivetran_deleted"] = True
    counts["deleted_contacts"] = len(deleted_contacts)
    deal_contact = contacts_via_deal(contact, opps)
    counts["contacts_via_deal"] = len(deal_contact)
    engagements, planted = hubspot_engagements(activities, opps, contacts)
    counts.update(planted)
    engagement_company = engagements["engagement_company"]
    moved = engagement_company["company_id"].isin(to_loser) & (rng.random(len(engagement_company)) < 0.5)
    engagement_company.loc[moved, "company_id"] = engagement_company.loc[moved, "company_id"].map(to_loser)
    counts["engagements_on_merged_accounts"] = int(moved.sum())

    out = Path(out_dir)
    write_csv(out, "hubspot", "company", pd.concat([company, merged, deleted], ignore_index=True))
    write_csv(out, "hubspot", "deal", pd.concat([deal, deleted_deals, removed_deals], ignore_index=True))
    write_csv(out, "hubspot", "deal_company", pd.concat([deal_company, removed_links], ignore_index=True))
    write_csv(out, "hubspot", "deal_contact", deal_contact)
    write_csv(out, "hubspot", "deal_pipeline", PIPELINES)
    write_csv(out, "hubspot", "deal_pipeline_stage", stage)
    write_csv(out, "hubspot", "contact", pd.concat([contact, lead, deleted_contacts], ignore_index=True))
    engagements["engagement_company"] = engagement_company
    for name, frame in engagements.items():
        write_csv(out, "hubspot", name, frame)
    write_csv(out, "hubspot", "company_property_history", property_history)
    write_csv(out, "hubspot", "deal_property_history", deal_history)
    write_csv(out, "hubspot", "deal_stage", deal_stage_entries(deal_history))
    return counts


def deal_stage_entries(deal_history: pd.DataFrame) -> pd.DataFrame:
    """Fivetran's `deal_stage` from the `dealstage` rows of a deal property history: one row per stage
    a deal entered (`value` = stage id, `date_entered`), valid from `_fivetran_start` until the next
    entry (`_fivetran_end`; the last one active until 9999-12-31)."""
    entries = deal_history[deal_history["name"] == "dealstage"].sort_values(["deal_id", "timestamp"])
    ends = entries.groupby("deal_id")["timestamp"].shift(-1)
    return pd.DataFrame(
        {
            "deal_id": entries["deal_id"].to_numpy(),
            "value": entries["value"].to_numpy(),
            "date_entered": entries["timestamp"].to_numpy(),
            "source": entries["source"].to_numpy(),
            "source_id": None,
            "_fivetran_start": entries["timestamp"].to_numpy(),
            "_fivetran_end": ends.fillna("9999-12-31T23:59:59").to_numpy(),
            "_fivetran_active": ends.isna().to_numpy(),
            "_fivetran_deleted": False,
        }
    )


def _deal_property_history(
    deal: pd.DataFrame, is_won: np.ndarray, is_closed: np.ndarray, open_ids: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """`deal_property_history` of the demo deals: `dealstage` set to an open stage at creation and to
    the closing stage on the close date, `amount` set at creation. Then, after the win, a rep moves
    every third won deal's `closedate` 45 days on and types a later upsell into every fourth one's
    `amount` (x 1.2, 30 days after the win): `deal` holds the edits, the history when they happened.
    Edits `deal` in place; returns the history and the counts of both edits."""
    first_open = next(iter(open_ids.values()), "appointmentscheduled")
    rows = []
    won_index = np.cumsum(is_won) - 1  # the k-th won deal
    dates_edited = amounts_edited = 0
    for i in range(len(deal)):
        row = deal.iloc[i]
        created = row["property_createdate"] or "2015-01-01T00:00:00"
        stage = row["deal_pipeline_stage_id"]
        if is_closed[i]:
            rows.append((row["deal_id"], "dealstage", first_open, created))
            rows.append((row["deal_id"], "dealstage", stage, row["property_closedate"]))
        else:
            rows.append((row["deal_id"], "dealstage", stage, created))
        if pd.notna(row["property_amount"]):
            rows.append((row["deal_id"], "amount", str(row["property_amount"]), created))
        if not is_won[i] or not row["property_closedate"]:
            continue
        won_at = pd.Timestamp(row["property_closedate"])
        if won_index[i] % 3 == 0:
            later = won_at + pd.Timedelta(days=45)
            deal.iat[i, deal.columns.get_loc("property_closedate")] = later.strftime("%Y-%m-%dT%H:%M:%S")
            rows.append((row["deal_id"], "closedate", later.strftime("%Y-%m-%dT%H:%M:%S"), later.isoformat()))
            dates_edited += 1
        if won_index[i] % 4 == 1 and pd.notna(row["property_amount"]):
            upsell = round(float(row["property_amount"]) * 1.2, 2)
            deal.iat[i, deal.columns.get_loc("property_amount")] = upsell
            edited_at = (won_at + pd.Timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S")
            rows.append((row["deal_id"], "amount", str(upsell), edited_at))
            amounts_edited += 1
    history = pd.DataFrame(rows, columns=["deal_id", "name", "value", "timestamp"])
    history["source"] = "CRM_UI"
    history["_fivetran_deleted"] = False
    return history, {"won_dates_edited": dates_edited, "won_amounts_edited": amounts_edited}
