"""Which connector dialect a landing folder holds, and the folders that must stop with a message."""

from __future__ import annotations

import shutil

import pytest

from icp_pipeline.demo.generator import generate_demo_data
from icp_pipeline.lib.landing.connectors.detect import detect
from icp_pipeline.lib.landing.connectors.tables import CONNECTOR_TABLES
from icp_pipeline.lib.landing.contract import get_table
from icp_pipeline.lib.landing.files import LandingDataError


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    root = tmp_path_factory.mktemp("detect")
    generate_demo_data(root / "contract", 40, 0, 3)
    generate_demo_data(root / "dialect", 40, 0, 3, dialects=("fivetran_salesforce", "fivetran_stripe"))
    return root


def _copy(landed, tmp_path, name="dialect"):
    target = tmp_path / name
    shutil.copytree(landed / name, target)
    return target


def test_dialects_are_detected_from_the_folders_without_a_setting(landed):
    found = detect(landed / "dialect")
    assert (found.crm, found.billing) == ("fivetran_salesforce", "fivetran_stripe")
    assert "detected from the folder" in found.describe()
    account = next(t for t in CONNECTOR_TABLES if t.full_name == "salesforce/account")
    assert found.is_active(account)
    assert found.replaces(get_table("crm/accounts")) and found.replaces(get_table("erp/invoices"))
    assert not found.replaces(get_table("erp/fx_rates"))  # no connector lands exchange rates
    contract = detect(landed / "contract")
    assert contract.dialects == [] and not contract.is_active(account)


def test_the_setting_is_reported_and_must_match_the_folder(landed, tmp_path):
    found = detect(landed / "dialect", {"crm": "fivetran_salesforce"})
    assert found.how["fivetran_salesforce"] == "set in icp.yaml source.crm"
    with pytest.raises(LandingDataError, match="salesforce/account"):
        detect(landed / "contract", {"crm": "fivetran_salesforce"})
    with pytest.raises(LandingDataError, match="unknown dialect 'fivetran_sap'"):
        detect(landed / "dialect", {"crm": "fivetran_sap"})


def test_a_folder_mixing_the_contract_crm_with_a_connector_stops_naming_the_table(landed, tmp_path):
    folder = _copy(landed, tmp_path)
    shutil.copytree(landed / "contract" / "crm", folder / "crm")
    with pytest.raises(
        LandingDataError, match=r"mixes fivetran_salesforce with the contract's own crm/accounts"
    ):
        detect(folder)


def test_a_folder_mixing_two_crm_connectors_stops_naming_the_table(landed, tmp_path):
    folder = _copy(landed, tmp_path)
    (folder / "hubspot").mkdir()
    (folder / "hubspot" / "company.csv").write_text("id,property_name\n1,Acme\n")
    with pytest.raises(LandingDataError, match=r"salesforce/ and hubspot/ \(table hubspot/company\)"):
        detect(folder)


def test_a_missing_required_table_stops_naming_it(landed, tmp_path):
    folder = _copy(landed, tmp_path)
    (folder / "salesforce" / "account.csv").unlink()
    with pytest.raises(
        LandingDataError, match="fivetran_salesforce: required table salesforce/account not found"
    ):
        detect(folder)
    folder = _copy(landed, tmp_path / "second")
    (folder / "stripe" / "invoice.csv").unlink()
    with pytest.raises(LandingDataError, match="required table stripe/invoice"):
        detect(folder)


def test_billing_connector_and_contract_erp_tables_do_not_mix(landed, tmp_path):
    folder = _copy(landed, tmp_path)
    shutil.copy(landed / "contract" / "erp" / "invoices.csv", folder / "erp" / "invoices.csv")
    with pytest.raises(LandingDataError, match="fivetran_stripe with the contract's own erp/invoices"):
        detect(folder)


def test_airbyte_salesforce_is_told_apart_by_its_api_names(tmp_path):
    (tmp_path / "salesforce").mkdir()
    (tmp_path / "salesforce" / "Account.csv").write_text(
        "Id,Name,Website,NumberOfEmployees\n001,Acme,acme.com,5\n"
    )
    assert detect(tmp_path).crm == "airbyte_salesforce"
    (tmp_path / "salesforce" / "Account.csv").write_text(
        "id,name,website,number_of_employees\n001,Acme,acme.com,5\n"
    )
    assert detect(tmp_path).crm == "fivetran_salesforce"


def test_airbyte_api_names_map_onto_the_fivetran_columns(tmp_path):
    from icp_pipeline.lib.landing.connectors.airbyte import airbyte_mapping

    (tmp_path / "salesforce").mkdir()
    (tmp_path / "salesforce" / "Opportunity.csv").write_text(
        "Id,AccountId,StageName,IsWon,Tier__c\n1,2,Won,true,A\n"
    )
    table = next(t for t in CONNECTOR_TABLES if t.full_name == "salesforce/opportunity")
    mapping = airbyte_mapping(tmp_path, table)
    assert {k: v.column for k, v in mapping.columns.items()} == {
        "account_id": "AccountId",
        "stage_name": "StageName",
        "is_won": "IsWon",
    }  # `Id` matches `id` as it is; a field the org lacks (IsClosed) is simply absent


def test_hubspot_is_detected_and_airbyte_hubspot_refused(tmp_path):
    (tmp_path / "hubspot").mkdir()
    (tmp_path / "hubspot" / "company.csv").write_text("id,property_name,property_domain\n1,Acme,acme.com\n")
    assert detect(tmp_path).crm == "fivetran_hubspot"
    (tmp_path / "hubspot" / "company.csv").write_text(
        "id,properties_name,properties_domain\n1,Acme,acme.com\n"
    )
    with pytest.raises(LandingDataError, match="airbyte_hubspot is recognised but not read"):
        detect(tmp_path)
    (tmp_path / "hubspot" / "company.csv").unlink()
    (tmp_path / "hubspot" / "deal.csv").write_text("deal_id\n1\n")
    with pytest.raises(LandingDataError, match="fivetran_hubspot: required table hubspot/company not found"):
        detect(tmp_path)


def test_connector_schemas_in_a_duckdb_file_are_read_like_landed_folders(landed, tmp_path, monkeypatch):
    """ICP_SOURCE_DUCKDB: the schemas of a DuckDB file (attached read-only) are exported once and loaded
    by the landing loader; the contract's own folders still come from the landing folder."""
    import duckdb

    from icp_pipeline.lib.landing.connectors.source_duckdb import connector_dir
    from icp_pipeline.lib.landing.loader import load_table

    database = tmp_path / "fivetran.duckdb"
    with duckdb.connect(str(database)) as con:
        for folder in ("salesforce", "salesforce_history", "stripe"):
            con.execute(f"create schema {folder}")
            for csv in sorted((landed / "dialect" / folder).glob("*.csv")):
                con.execute(
                    f"create table {folder}.{csv.stem} as select * from read_csv('{csv}', all_varchar=true)"
                )
    landing = tmp_path / "landing"  # only the contract's own folders
    for folder in ("erp", "enrichment", "marketing"):
        shutil.copytree(landed / "dialect" / folder, landing / folder)
    monkeypatch.setenv("ICP_SOURCE_DUCKDB", str(database))
    exported = connector_dir(landing)
    assert (exported / "salesforce" / "account.parquet").is_file()
    assert connector_dir(landing) == exported  # once per version of the file
    found = detect(landing, None, exported)
    assert (found.crm, found.billing) == ("fivetran_salesforce", "fivetran_stripe")
    account = next(t for t in CONNECTOR_TABLES if t.full_name == "salesforce/account")
    with duckdb.connect() as con:
        report = load_table(con, exported, account)
        typed = con.execute(
            "select count(*), count(number_of_employees) from raw.salesforce__account"
        ).fetchone()
    expected = len((landed / "dialect" / "salesforce" / "account.csv").read_text().splitlines()) - 1
    assert report.rows == expected == typed[0] and typed[1] > 0
    monkeypatch.setenv("ICP_SOURCE_DUCKDB", str(tmp_path / "missing.duckdb"))
    with pytest.raises(LandingDataError, match="no such DuckDB file"):
        connector_dir(landing)


def test_the_icp_yaml_source_section_sets_the_dialect(landed, tmp_path):
    from icp_pipeline.lib.icp_config import IcpConfigError, load_icp_config

    config = tmp_path / "icp.yaml"
    config.write_text("source:\n  crm: fivetran_salesforce\n  billing: fivetran_stripe\n")
    found = detect(landed / "dialect", load_icp_config(config).source.model_dump())
    assert found.how == {
        "fivetran_salesforce": "set in icp.yaml source.crm",
        "fivetran_stripe": "set in icp.yaml source.billing",
    }
    config.write_text("source:\n  dialect: fivetran_salesforce\n")  # a typo'd key is an error, not ignored
    with pytest.raises(IcpConfigError, match="source.dialect"):
        load_icp_config(config)
