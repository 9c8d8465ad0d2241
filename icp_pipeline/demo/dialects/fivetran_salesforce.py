"""The demo CRM as Fivetran lands Salesforce: schema `salesforce` plus History Mode's `salesforce_history`.

Same records as the contract-form `crm/*` tables, plus what the connector adds:
- history: every customer's account gets a second version a while after its first win, with more
  employees, more revenue, its first custom field (by name) edited and (for every third one) another
  industry; `salesforce/account` holds
  that current state, `salesforce_history/account` both versions. A correct reader describes the
  customer as it was at the win, i.e. as in the contract form.
- soft deletes: extra accounts, opportunities and tasks with `is_deleted` / `_fivetran_deleted`.
- merges: for some accounts a merged-away duplicate (`master_record_id` = the survivor) that some of
  the survivor's contacts and activities still point to.
- stages renamed (`Signed`, `Lost - No Budget`): won and lost must come from `is_won` / `is_closed`;
  an open deal has an expected `close_date`.
- stage history (`opportunity_history`, with History Mode): every third won deal's `close_date` was
  edited 45 days later by a rep; the history's day of entering the won stage is the won date.
Returns counts of what was added (the tests compare them with what the pipeline reports).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from icp_pipeline.demo.dialects.common import timestamps, write_csv

WON = {"closed won", "won", "closed-won", "closedwon"}
LOST = {"closed lost", "lost", "closed-lost", "closedlost", "disqualified"}
CONTRACT_ACCOUNT_COLUMNS = {
    "account_id", "account_name", "website", "industry", "country", "employee_count",
    "annual_revenue", "parent_account_id", "created_at",
}  # fmt: skip
HISTORY_CHANGE_DAYS = 60
EDITED_AFTER_WIN = "edited after the win"  # the post-win edit happens this many days after the first win


def _stage_flags(stage: pd.Series) -> tuple[pd.Series, pd.Series]:
    clean = stage.fillna("").str.strip().str.lower()
    won = clean.isin(WON)
    return won, won | clean.isin(LOST)


def _accounts(accounts: pd.DataFrame) -> pd.DataFrame:
    custom = [c for c in accounts.columns if c not in CONTRACT_ACCOUNT_COLUMNS]
    out = pd.DataFrame(
        {
            "id": accounts["account_id"],
            "name": accounts["account_name"],
            "website": accounts["website"],
            "industry": accounts["industry"],
            "billing_country": accounts["country"],
            "number_of_employees": pd.array(accounts["employee_count"], dtype="Int64"),
            "annual_revenue": accounts["annual_revenue"],
            "parent_id": accounts["parent_account_id"],
            "owner_id": "005Dn000000OWNR",
            "created_date": timestamps(accounts["created_at"]),
            "master_record_id": None,
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )
    for column in custom:
        out[f"{column}_c"] = accounts[column].to_numpy()
    return out


def write_fivetran_salesforce(
    out_dir: Path,
    tables: dict[str, pd.DataFrame],
    seed: int,
    history: bool = True,
    stage_history: bool | None = None,
) -> dict[str, int]:
    """`history=False`: no History Mode, and no post-win account edits (they could not be undone).
    `stage_history` (default: `history`): write `opportunity_history`, with the won deals' edited
    close dates it undoes (Airbyte lands the object without History Mode)."""
    stage_history = history if stage_history is None else stage_history
    rng = np.random.default_rng(seed + 16)
    accounts, opps = tables["crm/accounts"], tables["crm/opportunities"]
    contacts, activities, leads = tables["crm/contacts"], tables["crm/activities"], tables["crm/leads"]
    counts: dict[str, int] = {}

    # ---------- opportunities: flags, renamed stages, expected close dates of open deals
    is_won, is_closed = _stage_flags(opps["stage"])
    created = pd.to_datetime(opps["created_at"])
    opportunity = pd.DataFrame(
        {
            "id": opps["opportunity_id"],
            "account_id": opps["account_id"],
            "name": "Deal",
            "stage_name": np.where(is_won, "Signed", np.where(is_closed, "Lost - No Budget", opps["stage"])),
            "is_won": is_won,
            "is_closed": is_closed,
            "amount": opps["amount"],
            "currency_iso_code": opps["currency"],
            "close_date": np.where(
                is_closed, opps["close_date"], (created + pd.Timedelta(days=90)).dt.strftime("%Y-%m-%d")
            ),
            "created_date": timestamps(opps["created_at"]),
            "lead_source": opps["lead_source"],
            "product_c": opps["product"],
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )

    # ---------- stage history: created in a first stage, closed in the final one on the close date;
    # every third won deal's close_date then edited by a rep (45 days later): the history keeps the day
    opportunity_history = pd.DataFrame(
        {
            "id": [f"008Dn{k:010d}" for k in range(2 * len(opportunity))],
            "opportunity_id": np.concatenate([opportunity["id"], opportunity["id"]]),
            "stage_name": np.concatenate(
                [np.full(len(opportunity), "Prospecting"), opportunity["stage_name"]]
            ),
            "created_date": np.concatenate(
                [opportunity["created_date"], timestamps(pd.Series(opportunity["close_date"])).to_numpy()]
            ),
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )
    opportunity_history = opportunity_history[
        np.concatenate([np.full(len(opportunity), True), is_closed.to_numpy()])
    ]
    edited_won = is_won.to_numpy() & (np.arange(len(opportunity)) % 3 == 0) & stage_history
    opportunity.loc[edited_won, "close_date"] = (
        pd.to_datetime(opportunity.loc[edited_won, "close_date"]) + pd.Timedelta(days=45)
    ).dt.strftime("%Y-%m-%d")
    counts["won_dates_edited"] = int(edited_won.sum())

    # ---------- accounts: current state = changed after the first win; history = both versions
    account = _accounts(accounts)
    first_win = (
        pd.DataFrame({"id": opps["account_id"], "d": pd.to_datetime(opps["close_date"])})[is_won.to_numpy()]
        .groupby("id")["d"]
        .min()
    )
    history_rows = []
    changed = 0
    custom_fields = sorted(c for c in account.columns if c.endswith("_c"))
    for i, row in account.iterrows():
        created_at = (
            pd.to_datetime(row["created_date"]) if row["created_date"] else pd.Timestamp("2015-01-01")
        )
        win = first_win.get(row["id"])
        if win is None or pd.isna(win) or not history:
            history_rows.append(
                {**row, "_fivetran_start": created_at, "_fivetran_end": None, "_fivetran_active": True}
            )
            continue
        edit = win + pd.Timedelta(days=HISTORY_CHANGE_DAYS)
        before = {
            **row,
            "_fivetran_start": created_at,
            "_fivetran_end": edit - pd.Timedelta(seconds=1),
            "_fivetran_active": False,
        }
        after = dict(row)
        if pd.notna(row["number_of_employees"]):
            after["number_of_employees"] = int(row["number_of_employees"]) * 3 + 50
        if pd.notna(row["annual_revenue"]):
            after["annual_revenue"] = float(row["annual_revenue"]) * 2.5
        if changed % 3 == 0:
            after["industry"] = "Government"
        if custom_fields:  # a custom field edited after the win too (a candidate attribute)
            after[custom_fields[0]] = EDITED_AFTER_WIN
        changed += 1
        history_rows.append(before)
        history_rows.append(
            {**after, "_fivetran_start": edit, "_fivetran_end": None, "_fivetran_active": True}
        )
        for column in ("number_of_employees", "annual_revenue", "industry", *custom_fields[:1]):
            account.at[i, column] = after[column]
    counts["accounts_changed_after_win"] = changed
    versions = pd.DataFrame(history_rows)
    versions["number_of_employees"] = pd.array(versions["number_of_employees"], dtype="Int64")
    for column in ("_fivetran_start", "_fivetran_end"):
        versions[column] = timestamps(versions[column])
    versions["_fivetran_end"] = versions["_fivetran_end"].fillna("9999-12-31T23:59:59")

    # ---------- merged-away duplicates: some contacts and tasks still point to them
    n_merged = max(2, len(account) // 50)
    survivors = account.sample(n_merged, random_state=seed)
    merged = survivors.copy()
    merged["id"] = [f"001Dn00000MRG{k:02d}" for k in range(n_merged)]
    merged["name"] = merged["name"] + " (duplicate)"
    merged["master_record_id"] = survivors["id"].to_numpy()
    merged["is_deleted"] = True
    counts["merged_accounts"] = n_merged
    contact = pd.DataFrame(
        {
            "id": contacts["contact_id"],
            "account_id": contacts["account_id"],
            "title": contacts["title"],
            "department": contacts["department"],
            "seniority_c": contacts["seniority"],
            "email": contacts["email"],
            "created_date": timestamps(contacts["created_at"]),
            "master_record_id": None,
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )
    to_loser = dict(zip(survivors["id"], merged["id"], strict=True))
    moved = contact["account_id"].isin(to_loser) & (rng.random(len(contact)) < 0.5)
    contact.loc[moved, "account_id"] = contact.loc[moved, "account_id"].map(to_loser)
    counts["contacts_on_merged_accounts"] = int(moved.sum())

    is_meeting = activities["activity_type"].isin(["meeting", "event"])
    task = pd.DataFrame(
        {
            "id": activities.loc[~is_meeting, "activity_id"],
            "account_id": activities.loc[~is_meeting, "account_id"],
            "type": activities.loc[~is_meeting, "activity_type"].str.title(),
            "task_subtype": None,
            "activity_date": pd.to_datetime(activities.loc[~is_meeting, "occurred_at"]).dt.strftime(
                "%Y-%m-%d"
            ),
            "created_date": timestamps(activities.loc[~is_meeting, "occurred_at"]),
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )
    moved = task["account_id"].isin(to_loser) & (rng.random(len(task)) < 0.5)
    task.loc[moved, "account_id"] = task.loc[moved, "account_id"].map(to_loser)
    counts["tasks_on_merged_accounts"] = int(moved.sum())
    event = pd.DataFrame(
        {
            "id": activities.loc[is_meeting, "activity_id"],
            "account_id": activities.loc[is_meeting, "account_id"],
            "type": activities.loc[is_meeting, "activity_type"].str.title(),
            "activity_date_time": timestamps(activities.loc[is_meeting, "occurred_at"]),
            "created_date": timestamps(activities.loc[is_meeting, "occurred_at"]),
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )

    # ---------- soft-deleted rows: accounts with a won deal, deals and tasks of live accounts
    n_deleted = max(2, len(account) // 40)
    deleted = account.sample(n_deleted, random_state=seed + 1).copy()
    deleted["id"] = [f"001Dn00000DEL{k:02d}" for k in range(n_deleted)]
    deleted["website"] = [f"deleted-company-{k}.example" for k in range(n_deleted)]
    deleted["is_deleted"] = True
    deleted_opps = opportunity.sample(n_deleted, random_state=seed + 2).copy()
    deleted_opps["id"] = [f"006Dn00000DEL{k:02d}" for k in range(n_deleted)]
    deleted_opps["account_id"] = deleted["id"].to_numpy()
    deleted_opps[["is_won", "is_closed", "stage_name", "is_deleted"]] = [True, True, "Signed", True]
    gone_opps = opportunity.sample(n_deleted, random_state=seed + 3).copy()
    gone_opps["id"] = [f"006Dn00000GON{k:02d}" for k in range(n_deleted)]
    gone_opps["_fivetran_deleted"] = True
    counts["deleted_accounts"] = n_deleted
    counts["deleted_opportunities"] = 2 * n_deleted

    lead = pd.DataFrame(
        {
            "id": leads["lead_id"],
            "company": leads["company_name"],
            "website": leads["website"],
            "status": leads["status"],
            "created_date": timestamps(leads["created_at"]),
            "converted_account_id": leads["converted_account_id"],
            "master_record_id": None,
            "is_deleted": False,
            "_fivetran_deleted": False,
        }
    )

    out = Path(out_dir)
    write_csv(out, "salesforce", "account", pd.concat([account, merged, deleted], ignore_index=True))
    write_csv(
        out, "salesforce", "opportunity", pd.concat([opportunity, deleted_opps, gone_opps], ignore_index=True)
    )
    write_csv(out, "salesforce", "contact", contact)
    write_csv(out, "salesforce", "lead", lead)
    write_csv(out, "salesforce", "task", task)
    write_csv(out, "salesforce", "event", event)
    if history:
        write_csv(out, "salesforce_history", "account", versions)
    if stage_history:
        write_csv(out, "salesforce", "opportunity_history", opportunity_history)
    return counts
