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


def test_airbyte_spelling_is_recognised_and_refused_with_the_way_out(tmp_path):
    (tmp_path / "salesforce").mkdir()
    (tmp_path / "salesforce" / "account.csv").write_text("Id,Name,Website\n001,Acme,acme.com\n")
    with pytest.raises(LandingDataError, match="airbyte_salesforce is recognised but not read"):
        detect(tmp_path)
