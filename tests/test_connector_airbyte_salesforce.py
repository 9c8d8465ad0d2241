"""Airbyte's Salesforce objects with multi-word API names (`OpportunityHistory`, `User`, `UserRole`):
found under their API names, read through the same models as Fivetran's. A won deal's won date comes
from `OpportunityHistory` (reps edit `CloseDate` after the win), and the account owner's department,
title and role from `User` / `UserRole` (current owner: Airbyte has no History Mode). One extract +
dbt run of a small demo world landed as Airbyte lands it."""

from __future__ import annotations

import pandas as pd
import pytest

from icp_pipeline.demo.dialects.common import write_csv
from icp_pipeline.demo.generator import generate_demo_data
from tests.pipeline_harness import run_pipeline

pytestmark = pytest.mark.slow
SELLER = "005Dn000000OWNR"  # the demo's account owner


@pytest.fixture(scope="module")
def airbyte_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("airbyte_salesforce")
    landing = root / "landing"
    truth = generate_demo_data(landing, 60, 20, 5, dialects=("airbyte_salesforce", "fivetran_stripe"))
    assert (landing / "salesforce" / "OpportunityHistory.csv").is_file()
    users = pd.DataFrame(
        {
            "Id": [SELLER, "005Dn000000AMGR"],
            "Name": ["Sam Seller", "Alex Manager"],
            "Department": ["New Business", "Customer Success"],
            "Title": ["Account Executive", "Account Manager"],
            "UserRoleId": ["00E1", "00E2"],
            "IsActive": ["true", "true"],
            "_airbyte_extracted_at": ["2026-01-01T00:00:00", "2026-01-01T00:00:00"],
        }
    )
    write_csv(landing, "salesforce", "User", users)
    roles = pd.DataFrame({"Id": ["00E1", "00E2"], "Name": ["AE - EMEA", "AM - EMEA"]})
    write_csv(landing, "salesforce", "UserRole", roles)
    contract = root / "contract"
    generate_demo_data(contract, 60, 20, 5)
    run = run_pipeline(root, landing, job="icp_refresh_data")
    assert run.result.success
    return run, truth, pd.read_csv(contract / "crm" / "opportunities.csv", dtype=str)


def test_won_dates_come_from_opportunity_history(airbyte_run):
    run, truth, contract = airbyte_run
    edited = truth["connector_counts"]["airbyte_salesforce"]["won_dates_edited"]
    assert edited >= 3
    loads = run.query(
        "select present, row_count from raw._landing_loads where landing_table = 'salesforce/opportunity_history'"
    )
    assert bool(loads["present"].iloc[0]) and loads["row_count"].iloc[0] > 0
    counted = run.query(
        "select row_count from marts.dropped_values "
        "where source_table = 'salesforce/opportunity' and reason = 'won_date_from_history'"
    )["row_count"]
    assert counted.sum() == edited
    got = run.query(
        "select opportunity_id, cast(close_date as date) as close_date from staging.stg_crm__opportunities "
        "where stage = 'Closed Won'"
    ).set_index("opportunity_id")["close_date"]
    expected = contract.set_index("opportunity_id").loc[got.index, "close_date"]
    assert len(got) > 10
    assert (pd.to_datetime(got) == pd.to_datetime(expected)).all()  # the day it was won, not the edit


def test_owner_fields_come_from_user_and_user_role(airbyte_run):
    run, _, _ = airbyte_run
    got = run.query(
        "select x__owner_department, x__owner_title, x__owner_role from staging.stg_crm__accounts"
    )
    assert len(got) > 40
    assert set(got["x__owner_department"]) == {"New Business"}
    assert set(got["x__owner_title"]) == {"Account Executive"}
    assert set(got["x__owner_role"]) == {"AE - EMEA"}
