"""icp.yaml `mappings:` and connector tables: a mapping of a connector table applies (over Airbyte's
API names too); a mapping of a contract table that a connector stands in for stops the refresh
naming the table, instead of being ignored. Each test materialises one extract asset in-process."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from icp_pipeline.defs.extract.assets import extract_assets
from icp_pipeline.resources import IcpPathsResource, WarehouseResource


def _extract(tmp_path, landing, config: str, asset: str, must_succeed: bool = True):
    (tmp_path / "icp.yaml").write_text(config)
    warehouse = tmp_path / "warehouse.duckdb"
    key = dg.AssetKey(asset.split("/"))
    result = dg.materialize(
        extract_assets,
        selection=[key],
        resources={
            "warehouse": WarehouseResource(duckdb_path=str(warehouse)),
            "paths": IcpPathsResource(
                landing_dir=str(landing),
                export_dir=str(tmp_path / "exports"),
                config_path=str(tmp_path / "icp.yaml"),
            ),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    if not must_succeed:
        return " ".join(
            e.event_specific_data.error.to_string() for e in result.all_events if e.is_step_failure
        )
    assert result.success
    return warehouse


def _salesforce(landing, header: str, row: str):
    (landing / "salesforce").mkdir(parents=True)
    (landing / "salesforce" / "account.csv").write_text(f"{header}\n{row}\n")


def test_a_mapping_of_a_connector_table_is_applied(tmp_path):
    landing = tmp_path / "landing"
    _salesforce(landing, "id,name,website,headcount_c,tier_c", "001A,Acme,acme.com,250,Gold")
    config = "mappings:\n  salesforce/account:\n    columns:\n      number_of_employees: headcount_c\n"
    warehouse = _extract(tmp_path, landing, config, "salesforce/account")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select number_of_employees, tier_c from raw.salesforce__account").fetchone()
        columns = [r[0] for r in con.execute("describe raw.salesforce__account").fetchall()]
    assert row == (250, "Gold")
    assert "headcount_c" not in columns  # a mapped column is not also a candidate attribute


def test_a_user_mapping_wins_over_airbyte_api_names(tmp_path):
    landing = tmp_path / "landing"
    (landing / "salesforce").mkdir(parents=True)
    (landing / "salesforce" / "Account.csv").write_text(
        "Id,Name,NumberOfEmployees,Employees_Global__c\n001A,Acme,10,900\n"
    )
    config = (
        "mappings:\n  salesforce/account:\n    columns:\n      number_of_employees: Employees_Global__c\n"
    )
    warehouse = _extract(tmp_path, landing, config, "salesforce/account")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select name, number_of_employees from raw.salesforce__account").fetchone() == (
            "Acme",
            900,
        )


def test_a_mapping_of_a_contract_table_a_connector_replaces_stops_naming_it(tmp_path):
    landing = tmp_path / "landing"
    _salesforce(landing, "id,name,website", "001A,Acme,acme.com")
    config = "mappings:\n  crm/accounts:\n    columns:\n      employee_count: headcount\n"
    error = _extract(tmp_path, landing, config, "crm/accounts", must_succeed=False)
    assert (
        "LandingDataError: icp.yaml mappings.crm/accounts: fivetran_salesforce stands in for crm/accounts"
        in error
    )
    assert "Map the connector's table instead" in error


def test_an_unknown_mapping_table_names_the_connector_tables(tmp_path):
    from icp_pipeline.lib.config.icp import IcpConfigError, load_icp_config

    (tmp_path / "icp.yaml").write_text("mappings:\n  salesforce/acount:\n    columns: {}\n")
    with pytest.raises(IcpConfigError, match="unknown table 'salesforce/acount'.*connector table"):
        load_icp_config(tmp_path / "icp.yaml")
