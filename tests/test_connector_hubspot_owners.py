"""HubSpot owners: the company owner's team is a candidate attribute (`x__owner_team`), for the
owner at the account's as-of date (`hubspot_owner_id` in the company property history; the first
win for customers), not today's owner. Fivetran lands `owner_team` + `team`, Airbyte an `owners`
stream with a `teams` array. One extract + dbt run per dialect of a small demo whose companies were
all handed to an account manager after each customer's win."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from icp_pipeline.demo.dialects.common import write_csv
from icp_pipeline.demo.generator import generate_demo_data
from tests.pipeline_harness import run_pipeline

pytestmark = pytest.mark.slow
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


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module", params=list(LAYOUT))
def landed(request, tmp_path_factory):
    dialect = request.param
    table, owner_column, history_table, company_id, prop, at = LAYOUT[dialect]
    root = tmp_path_factory.mktemp(dialect)
    landing = root / "landing"
    generate_demo_data(landing, 60, 20, 5, dialects=(dialect, "fivetran_stripe"))
    folder = landing / "hubspot"
    companies = _read(folder / f"{table}.csv")
    companies[owner_column] = MANAGER  # today every company belongs to the account manager
    write_csv(landing, "hubspot", table, companies)
    history = _read(folder / f"{history_table}.csv")
    times = (
        pd.to_numeric(history[at], errors="coerce")
        if dialect == "airbyte_hubspot"
        else pd.to_datetime(history[at])
    )
    span = history.assign(t=times).groupby(company_id)["t"].agg(["min", "max"])
    customers = span[span["max"] > span["min"]]  # edited after their first win (the demo's history)
    handed_over = history.drop_duplicates(company_id).set_index(company_id).loc[customers.index].reset_index()
    rows = []
    for owner, when in ((SELLER, "min"), (MANAGER, "max")):
        version = handed_over.copy()
        version[prop], version["value"] = "hubspot_owner_id", owner
        stamp = customers[when]
        version[at] = (
            stamp.astype("int64").astype(str)
            if dialect == "airbyte_hubspot"
            else stamp.dt.strftime("%Y-%m-%dT%H:%M:%S")
        ).to_numpy()
        rows.append(version)
    write_csv(landing, "hubspot", history_table, pd.concat([history, *rows], ignore_index=True))
    if dialect == "fivetran_hubspot":
        memberships = pd.DataFrame(
            MEMBERSHIPS, columns=["owner_id", "team_id", "is_team_primary", "_fivetran_deleted"]
        )
        write_csv(landing, "hubspot", "owner_team", memberships)
        teams = pd.DataFrame({"id": list(TEAMS), "name": list(TEAMS.values()), "_fivetran_deleted": False})
        write_csv(landing, "hubspot", "team", teams)
    else:
        owners = pd.DataFrame(
            {
                "id": [SELLER, MANAGER],
                "email": ["sam@example.com", "alex@example.com"],
                "firstName": ["Sam", "Alex"],
                "archived": [False, False],
                "teams": [
                    json.dumps(
                        [
                            {"id": t, "name": TEAMS[t], "primary": p}
                            for o, t, p, gone in MEMBERSHIPS
                            if o == owner and not gone
                        ]
                    )
                    for owner in (SELLER, MANAGER)
                ],
            }
        )
        write_csv(landing, "hubspot", "owners", owners)
    run = run_pipeline(root, landing, job="icp_refresh_data")
    assert run.result.success
    return dialect, run, set(customers.index)


def test_owner_team_is_that_of_the_owner_at_the_as_of_date(landed):
    dialect, run, customers = landed
    got = run.query(
        "select accounts.account_id, accounts.x__owner_team, pit.first_won_date "
        "from staging.stg_crm__accounts as accounts "
        "left join (select distinct company_id, first_won_date from staging.stg_fivetran_hubspot__account_point_in_time "
        "           where property = 'hubspot_owner_id') as pit on accounts.account_id = pit.company_id"
    ).set_index("account_id")
    at_win = got[got.index.isin(customers)]
    # described by the owner at the first win (history), through that owner's primary team
    assert len(at_win) > 10 and at_win["first_won_date"].notna().all()
    assert set(at_win["x__owner_team"]) == {"New Business"}
    # without a history of the owner: the current owner's primary team
    current = got[~got.index.isin(customers)]
    assert len(current) > 10 and set(current["x__owner_team"]) == {"Customer Success"}
    if dialect == "fivetran_hubspot":
        dropped = run.query(
            "select row_count from marts.dropped_values "
            "where source_table = 'hubspot/owner_team' and reason = 'deleted_at_source'"
        )
        assert list(dropped["row_count"]) == [1]
