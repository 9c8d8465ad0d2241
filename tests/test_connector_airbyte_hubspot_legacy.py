"""Airbyte HubSpot as older source-hubspot versions land it, and the archived contacts the demo lands.

Older versions of Airbyte's source-hubspot emit the legacy `engagements` stream's associations as
flattened top-level JSON arrays (`associations_companyIds`, `associations_dealIds`,
`associations_contactIds`) instead of one `associations` object. One extract + dbt run of the
airbyte_hubspot demo (60 accounts) whose legacy stream is landed that way, some engagements
associated only with a deal or only with a contact of their company, and an owner hand-over
(tests/hubspot_owners.py: an `owners` stream with `teams` arrays); compared with the same world in
the contract's form (the demo's `crm/*` tables)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from icp_pipeline.demo.dialects.common import write_csv
from icp_pipeline.demo.generator import generate_demo_data
from tests.hubspot_owners import assert_owner_team_at_the_as_of_date, plant_owner_handover
from tests.pipeline_harness import run_pipeline

pytestmark = pytest.mark.slow
ACCOUNTS, PROSPECTS, SEED = 60, 20, 5


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _only_company(frame: pd.DataFrame) -> dict[str, str]:
    """company id -> the smallest id of the records associated with that company alone."""
    single = frame[frame["companies"].map(lambda ids: len(json.loads(ids or "[]")) == 1)]
    company = single["companies"].map(lambda ids: str(json.loads(ids)[0]))
    return single.assign(company=company).sort_values("id").groupby("company")["id"].first().to_dict()


@pytest.fixture(scope="module")
def contract_tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    generate_demo_data(root, ACCOUNTS, PROSPECTS, SEED)
    return {name: _read(root / "crm" / f"{name}.csv") for name in ("activities", "contacts")}


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """(run, connector counts, engagements planted via a deal / via a contact, customer ids)."""
    root = tmp_path_factory.mktemp("airbyte_hubspot_legacy")
    landing = root / "landing"
    truth = generate_demo_data(
        landing, ACCOUNTS, PROSPECTS, SEED, dialects=("airbyte_hubspot", "fivetran_stripe")
    )
    folder = landing / "hubspot"
    deal_of = _only_company(_read(folder / "deals.csv"))
    contacts = _read(folder / "contacts.csv")
    contact_of = _only_company(contacts[contacts["properties_lifecyclestage"] == "opportunity"])
    engagements = _read(folder / "engagements.csv")
    flattened = {"companyIds": [], "dealIds": [], "contactIds": []}
    via = {"deal": 0, "contact": 0}
    for rank, text in enumerate(engagements["associations"]):
        links = json.loads(text)
        companies = [str(c) for c in links["companyIds"]]
        if len(companies) == 1 and rank % 3 == 0 and companies[0] in deal_of:
            links["companyIds"], links["dealIds"] = [], [deal_of[companies[0]]]
            via["deal"] += 1
        elif len(companies) == 1 and rank % 3 == 1 and companies[0] in contact_of:
            links["companyIds"], links["contactIds"] = [], [contact_of[companies[0]]]
            via["contact"] += 1
        for key in flattened:
            flattened[key].append(json.dumps(links[key]))
    engagements = engagements.drop(columns="associations")
    for key, values in flattened.items():
        engagements[f"associations_{key}"] = values
    write_csv(landing, "hubspot", "engagements", engagements)
    customers = plant_owner_handover(landing, "airbyte_hubspot")
    run = run_pipeline(root, landing, job="icp_refresh_data")
    assert run.result.success
    return run, truth["connector_counts"]["airbyte_hubspot"], via, customers


def _dropped(run) -> dict[tuple[str, str], int]:
    rows = run.query("select source_table, reason, row_count from marts.dropped_values")
    return {(r.source_table, r.reason): int(r.row_count) for r in rows.itertuples()}


def test_flattened_legacy_associations_are_read_as_the_association_object(landed, contract_tables):
    """associations_companyIds / _dealIds / _contactIds give each legacy engagement its company
    (directly, through the deal, through the contact) as the `associations` object does: the
    folder is detected as airbyte_hubspot, activities per account are the contract form's, and
    the engagements placed through a deal or a contact are counted under hubspot/engagements."""
    run, _, via, _ = landed
    assert via["deal"] >= 5 and via["contact"] >= 5
    dialects = run.query("select dialect, how from raw._source_dialects where kind = 'crm'")
    assert list(dialects["dialect"]) == ["airbyte_hubspot"] and "detected" in dialects["how"].iloc[0]
    dropped = _dropped(run)
    assert dropped[("hubspot/engagements", "company_from_deal")] == via["deal"]
    assert dropped[("hubspot/engagements", "company_from_contact")] == via["contact"]
    got = run.query("select activity_id, account_id from staging.stg_crm__activities")
    expected = contract_tables["activities"]
    assert sorted(got["activity_id"]) == sorted(expected["activity_id"])
    per_account = got.dropna(subset=["account_id"]).groupby("account_id").size().sort_index()
    wanted = expected[expected["account_id"] != ""].groupby("account_id").size().sort_index()
    pd.testing.assert_series_equal(per_account, wanted, check_names=False)


def test_archived_contacts_are_left_out_and_counted(landed, contract_tables):
    """The demo lands contacts deleted in HubSpot in the `contacts_archived` stream: never read as
    live, counted under the stream; the contacts are the contract form's."""
    run, counts, _, _ = landed
    assert counts["deleted_contacts"] >= 2
    assert _dropped(run)[("hubspot/contacts_archived", "deleted_at_source")] == counts["deleted_contacts"]
    contacts = run.query("select contact_id from staging.stg_crm__contacts")["contact_id"]
    assert sorted(contacts) == sorted(contract_tables["contacts"]["contact_id"])


def test_owner_team_is_that_of_the_owner_at_the_as_of_date(landed):
    """Airbyte's owners stream (`teams` arrays): the company owner's primary team (x__owner_team)
    for the owner at the first win (hubspot_owner_id in companies_property_history), else today's."""
    run, _, _, customers = landed
    assert_owner_team_at_the_as_of_date(run, "airbyte_hubspot", customers)
