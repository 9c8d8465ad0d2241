"""`icp.data_coverage` rows of the connector dialects (area `source_dialect`, `landing_table`).

Per dialect of the refresh (`raw._source_dialects`): how it was chosen, the tables read with their
rows, and, for fivetran_salesforce, which account attributes were point-in-time (History Mode) and
for how many accounts, and which only current-state. Per connector table landed: rows loaded and
what the models dropped (marts.dropped_values).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from icp_pipeline.lib.landing.connectors.tables import DIALECTS
from icp_pipeline.lib.quality.dropped_values import sentence_by_table
from icp_pipeline.lib.warehouse.connection import table_exists

POINT_IN_TIME = {
    "fivetran_salesforce": (
        "industry, country (billing_country), employee_count (number_of_employees), annual_revenue, "
        "custom fields and the owner (owner_id; its department, title and role when salesforce/user "
        "is landed, as the user is today)",
        "account name, website and parent account",
    ),
    "fivetran_hubspot": (
        "industry, country, employee_count (numberofemployees), annual_revenue, custom properties and "
        "the owner (hubspot_owner_id; its primary team when the owners' teams are landed, as the team is "
        "today) (and each won deal's close date and amount as at its win, from deal_stage or the deal "
        "property history when landed)",
        "company name, website and parent company",
    ),
}
POINT_IN_TIME["airbyte_hubspot"] = POINT_IN_TIME["fivetran_hubspot"]  # the same models read both
HISTORY_TABLE = {
    "fivetran_salesforce": "salesforce_history/account",
    "fivetran_hubspot": "hubspot/company_property_history",
    "airbyte_hubspot": "hubspot/companies_property_history",
}


def _loads(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[bool, int, int]]:
    if not table_exists(con, "raw", "_landing_loads"):
        return {}
    rows = con.execute("select landing_table, present, row_count, quarantined_rows from raw._landing_loads")
    return {t: (bool(p), int(n or 0), int(q or 0)) for t, p, n, q in rows.fetchall()}


def _point_in_time_sentence(con: duckdb.DuckDBPyConnection, dialect: str) -> str:
    if dialect not in POINT_IN_TIME:
        return "No history table: every attribute is current-state."
    pit, current = POINT_IN_TIME[dialect]
    hubspot = dialect.endswith("_hubspot")
    model = (
        "stg_fivetran_hubspot__account_point_in_time" if hubspot else f"stg_{dialect}__account_point_in_time"
    )
    history = HISTORY_TABLE[dialect]
    if not table_exists(con, "staging", model):
        return ""
    if dialect == "fivetran_salesforce":
        accounts, dated, covered, versions = con.execute(
            f"select count(*), count(as_of_date), count(version_started_at), sum(history_versions) "
            f"from staging.{model}"
        ).fetchone()
    else:  # one row per (company, property) the history holds, for companies with an as-of date
        accounts = con.execute("select count(*) from staging.stg_fivetran_hubspot__accounts").fetchone()[0]
        covered = con.execute(f"select count(distinct company_id) from staging.{model}").fetchone()[0]
        won = con.execute(
            "select count(distinct company_id) from staging.stg_fivetran_hubspot__deals where is_won"
        ).fetchone()[0]
        dated = max(won, covered)  # all companies have one when var as_of_date is set
        versions = con.execute(
            "select count(*) from staging.base_hubspot__company_property_history where _landed_table = ?",
            [history],
        ).fetchone()[0]
    if not versions:
        return (
            f"No history ({history}): {pit} are current-state, so a customer's CRM fields may have been "
            "edited after its win."
        )
    return (
        f"Point-in-time from {history}: {pit}, for {covered:,} of {accounts:,} accounts "
        f"(the version valid at the first win, or at var as_of_date; {dated - covered:,} of the {dated:,} "
        f"accounts with an as-of date had no version valid then and {accounts - dated:,} no as-of date: "
        f"current values used). Always current-state: {current}."
    )


def connector_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rows in `icp.data_coverage`'s columns; empty when no dialect was used."""
    if not table_exists(con, "raw", "_source_dialects"):
        return pd.DataFrame()
    loads = _loads(con)
    drops = sentence_by_table(con)
    rows = []
    for dialect, kind, how in con.execute("select dialect, kind, how from raw._source_dialects").fetchall():
        tables = [t for t in DIALECTS[dialect]["tables"] if loads.get(t.full_name, (False, 0, 0))[0]]
        total = sum(loads[t.full_name][1] for t in tables)
        rows.append(
            {
                "area": "source_dialect",
                "name": dialect,
                "available": True,
                "row_count": total,
                "quarantined_rows": sum(loads[t.full_name][2] for t in tables),
                "detail": f"{kind} data read as {dialect} ({how}) from {', '.join(t.full_name for t in tables)}; "
                f"it stands in for the contract's {DIALECTS[dialect]['replaces']}/ tables. "
                + _point_in_time_sentence(con, dialect),
            }
        )
        for table in tables:
            _, n, quarantined = loads[table.full_name]
            detail = f"Loaded {n:,} rows ({dialect})."
            if table.full_name in drops:
                detail += " " + drops[table.full_name]
            rows.append(
                {
                    "area": "landing_table",
                    "name": table.full_name,
                    "available": n > 0,
                    "row_count": n,
                    "quarantined_rows": quarantined,
                    "detail": detail,
                }
            )
    return pd.DataFrame(rows)
