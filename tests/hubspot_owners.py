"""Plant a HubSpot owner hand-over in a landed demo (Fivetran or Airbyte HubSpot), for the owner
tests: today every company belongs to an account manager (team "Customer Success"); the company
property history says each customer belonged to a seller (team "New Business") until after its
win. Fivetran lands `owner_team` + `team`, Airbyte an `owners` stream with a `teams` array."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from icp_pipeline.demo.dialects.common import write_csv

SELLER, MANAGER = "5101", "5202"
TEAMS = {"t1": "New Business", "t2": "Customer Success", "t3": "Renewals"}
# (owner, team, primary, deleted): the manager's primary team is t2; the seller's deleted t3 membership is not read
MEMBERSHIPS = [
    (SELLER, "t1", True, False),
    (MANAGER, "t3", False, False),
    (MANAGER, "t2", True, False),
    (SELLER, "t3", True, True),
]
LAYOUT = {  # dialect: (company table, owner column, history table, company id, property, timestamp)
    "fivetran_hubspot": (
        "company",
        "property_hubspot_owner_id",
        "company_property_history",
        "company_id",
        "name",
        "timestamp",
    ),
    "airbyte_hubspot": (
        "companies",
        "properties_hubspot_owner_id",
        "companies_property_history",
        "companyId",
        "property",
        "timestamp",
    ),
}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def plant_owner_handover(landing: Path, dialect: str) -> set[str]:
    """Rewrite the landed company, history and owner tables; return the ids of the customers (the
    companies the demo's history edits after their first win), whose owner at the win was the seller."""
    table, owner_column, history_table, company_id, prop, at = LAYOUT[dialect]
    folder = Path(landing) / "hubspot"
    companies = _read(folder / f"{table}.csv")
    companies[owner_column] = MANAGER
    write_csv(landing, "hubspot", table, companies)
    history = _read(folder / f"{history_table}.csv")
    airbyte = dialect == "airbyte_hubspot"
    times = pd.to_numeric(history[at], errors="coerce") if airbyte else pd.to_datetime(history[at])
    span = history.assign(t=times).groupby(company_id)["t"].agg(["min", "max"])
    customers = span[span["max"] > span["min"]]
    handed_over = history.drop_duplicates(company_id).set_index(company_id).loc[customers.index].reset_index()
    rows = []
    for owner, when in ((SELLER, "min"), (MANAGER, "max")):
        version = handed_over.copy()
        version[prop], version["value"] = "hubspot_owner_id", owner
        stamp = customers[when]
        version[at] = (
            stamp.astype("int64").astype(str) if airbyte else stamp.dt.strftime("%Y-%m-%dT%H:%M:%S")
        ).to_numpy()
        rows.append(version)
    write_csv(landing, "hubspot", history_table, pd.concat([history, *rows], ignore_index=True))
    if airbyte:
        teams = [
            json.dumps(
                [
                    {"id": t, "name": TEAMS[t], "primary": p}
                    for o, t, p, gone in MEMBERSHIPS
                    if o == owner and not gone
                ]
            )
            for owner in (SELLER, MANAGER)
        ]
        owners = pd.DataFrame(
            {
                "id": [SELLER, MANAGER],
                "email": ["sam@example.com", "alex@example.com"],
                "firstName": ["Sam", "Alex"],
                "archived": [False, False],
                "teams": teams,
            }
        )
        write_csv(landing, "hubspot", "owners", owners)
    else:
        columns = ["owner_id", "team_id", "is_team_primary", "_fivetran_deleted"]
        write_csv(landing, "hubspot", "owner_team", pd.DataFrame(MEMBERSHIPS, columns=columns))
        names = pd.DataFrame({"id": list(TEAMS), "name": list(TEAMS.values()), "_fivetran_deleted": False})
        write_csv(landing, "hubspot", "team", names)
    return set(customers.index)


def assert_owner_team_at_the_as_of_date(run, dialect: str, customers: set[str]) -> None:
    """Customers are described by the owner at their first win (the seller's primary team), the
    others by today's owner (the manager's primary team); Fivetran's deleted membership is counted."""
    got = run.query(
        "select accounts.account_id, accounts.x__owner_team, pit.first_won_date "
        "from staging.stg_crm__accounts as accounts "
        "left join (select distinct company_id, first_won_date "
        "           from staging.stg_fivetran_hubspot__account_point_in_time "
        "           where property = 'hubspot_owner_id') as pit on accounts.account_id = pit.company_id"
    ).set_index("account_id")
    at_win = got[got.index.isin(customers)]
    assert len(at_win) > 10 and at_win["first_won_date"].notna().all()
    assert set(at_win["x__owner_team"]) == {"New Business"}
    current = got[~got.index.isin(customers)]
    assert len(current) > 10 and set(current["x__owner_team"]) == {"Customer Success"}
    if dialect == "fivetran_hubspot":
        dropped = run.query(
            "select row_count from marts.dropped_values "
            "where source_table = 'hubspot/owner_team' and reason = 'deleted_at_source'"
        )
        assert list(dropped["row_count"]) == [1]
