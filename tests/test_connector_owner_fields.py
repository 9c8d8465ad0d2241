"""Salesforce `user` / `user_role`: the account owner's department, title and role are candidate
attributes, for the owner at the account's as-of date (History Mode's version valid then; the
first win for customers), not today's owner. An extract + dbt run of a small Fivetran demo whose
accounts were all handed to an account manager after the demo's versions were taken."""

from __future__ import annotations

import pandas as pd
import pytest

from icp_pipeline.demo.dialects.common import write_csv
from icp_pipeline.demo.generator import generate_demo_data
from tests.pipeline_harness import run_pipeline

pytestmark = pytest.mark.slow
SELLER, MANAGER = "005Dn000000OWNR", "005Dn000000AMGR"


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_owner_fields_are_those_of_the_owner_at_the_as_of_date(tmp_path):
    landing = tmp_path / "landing"
    generate_demo_data(landing, 60, 20, 5, dialects=("fivetran_salesforce", "fivetran_stripe"))
    # today every account belongs to an account manager; History Mode's versions before the
    # hand-over say the seller owned it (customers: the version valid at the win)
    account = _read(landing / "salesforce" / "account.csv")
    account["owner_id"] = MANAGER
    write_csv(landing, "salesforce", "account", account)
    versions = _read(landing / "salesforce_history" / "account.csv")
    later = versions["_fivetran_start"] > versions.groupby("id")["_fivetran_start"].transform("min")
    versions.loc[later, "owner_id"] = MANAGER  # customers' post-win versions
    write_csv(landing, "salesforce_history", "account", versions)
    users = pd.DataFrame(
        {
            "id": [SELLER, MANAGER],
            "name": ["Sam Seller", "Alex Manager"],
            "department": ["New Business", "Customer Success"],
            "title": ["Account Executive", "Account Manager"],
            "user_role_id": ["00E1", "00E2"],
            "is_active": ["true", "true"],
            "_fivetran_deleted": ["false", "false"],
        }
    )
    write_csv(landing, "salesforce", "user", users)
    roles = pd.DataFrame({"id": ["00E1", "00E2"], "name": ["AE - EMEA", "AM - EMEA"]})
    write_csv(landing, "salesforce", "user_role", roles)

    run = run_pipeline(tmp_path, landing, job="icp_refresh_data")
    assert run.result.success
    got = run.query(
        "select x__owner_department, x__owner_title, x__owner_role, pit.first_won_date, "
        "pit.version_started_at is not null as has_version "
        "from staging.stg_crm__accounts as accounts "
        "inner join staging.stg_fivetran_salesforce__account_point_in_time as pit "
        "on accounts.account_id_landed = pit.account_id"
    )
    at_win = got[got["has_version"]]
    # described by the owner of the version valid at the as-of date (the first win): the seller
    assert len(at_win) > 10 and at_win["first_won_date"].notna().all()
    assert set(at_win["x__owner_department"]) == {"New Business"}
    assert set(at_win["x__owner_title"]) == {"Account Executive"}
    assert set(at_win["x__owner_role"]) == {"AE - EMEA"}
    # without a version valid at an as-of date: the current owner
    current = got[~got["has_version"]]
    assert len(current) > 10 and set(current["x__owner_department"]) == {"Customer Success"}
