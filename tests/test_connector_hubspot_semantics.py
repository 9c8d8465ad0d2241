"""HubSpot's deal property history, deal contacts, pipelines and engagement tables, as Fivetran and
Airbyte land them: one extract + dbt run per dialect of a small demo world (60 accounts), compared
with the same world in the contract's form (the demo's `crm/*` tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from icp_pipeline.demo.generator import generate_demo_data
from tests.pipeline_harness import run_pipeline

pytestmark = pytest.mark.slow
ACCOUNTS, PROSPECTS, SEED = 60, 20, 5
DEAL_TABLE = {"fivetran_hubspot": "hubspot/deal", "airbyte_hubspot": "hubspot/deals"}


@pytest.fixture(scope="module")
def contract_tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    generate_demo_data(root, ACCOUNTS, PROSPECTS, SEED)
    return {
        name: pd.read_csv(root / "crm" / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("opportunities", "activities", "contacts")
    }


@pytest.fixture(scope="module", params=list(DEAL_TABLE))
def hubspot(request, tmp_path_factory):
    """(dialect, extract + dbt run, connector counts) of the demo world landed by that connector."""
    root = tmp_path_factory.mktemp(request.param)
    truth = generate_demo_data(
        root / "landing", ACCOUNTS, PROSPECTS, SEED, dialects=(request.param, "fivetran_stripe")
    )
    if request.param == "airbyte_hubspot":  # a company and a deal archived since an earlier sync
        for stream in ("companies", "deals"):  # still in the live stream too: archived wins
            folder = root / "landing" / "hubspot"
            live = pd.read_csv(folder / f"{stream}.csv", dtype=str, keep_default_na=False)
            stale = pd.read_csv(folder / f"{stream}_archived.csv", dtype=str, keep_default_na=False).head(1)
            stale["archived"] = "false"
            pd.concat([live, stale], ignore_index=True).to_csv(folder / f"{stream}.csv", index=False)
    run = run_pipeline(root, root / "landing", job="icp_refresh_data")
    assert run.result.success
    return request.param, run, truth["connector_counts"][request.param]


def _dropped(run) -> dict[tuple[str, str], int]:
    rows = run.query("select source_table, reason, row_count from marts.dropped_values")
    return {(r.source_table, r.reason): int(r.row_count) for r in rows.itertuples()}


def test_deal_fields_edited_after_the_win_do_not_reach_the_opportunities(hubspot, contract_tables):
    """Reps move won deals' closedate and type later upsells into their amount: the deal property
    history gives the won date and the amount at the win, as the contract form has them; both
    repairs are counted under the deal table landed."""
    name, run, counts = hubspot
    assert counts["won_dates_edited"] >= 5 and counts["won_amounts_edited"] >= 5
    dropped = _dropped(run)
    assert dropped[(DEAL_TABLE[name], "won_date_from_history")] == counts["won_dates_edited"]
    assert dropped[(DEAL_TABLE[name], "won_amount_from_history")] == counts["won_amounts_edited"]
    got = run.query(
        "select opportunity_id, cast(close_date as date) as close_date, amount "
        "from staging.stg_crm__opportunities where stage = 'Closed Won'"
    ).set_index("opportunity_id")
    expected = contract_tables["opportunities"].set_index("opportunity_id").loc[got.index]
    assert len(got) > 15
    assert (pd.to_datetime(got["close_date"]) == pd.to_datetime(expected["close_date"])).all()
    amounts = pd.to_numeric(expected["amount"], errors="coerce")
    assert ((got["amount"].astype(float) - amounts).abs().fillna(0) < 0.01).all()


def test_engagements_per_account_equal_the_contract_forms_activities(hubspot, contract_tables):
    """Engagements from `engagement` and the per-type tables (calls, emails, meetings with their
    hs_timestamp; Airbyte: per-type streams and the legacy stream), associated with a company, or
    only with a deal or a contact of it: one activity per live engagement, on the right account and
    day; deleted ones left out; all counted."""
    _, run, counts = hubspot
    assert counts["engagements_via_deal"] > 20 and counts["engagements_via_contact"] > 20
    assert counts["deleted_engagements"] >= 2
    got = run.query(
        "select activity_id, account_id, activity_type, occurred_at from staging.stg_crm__activities"
    )
    expected = contract_tables["activities"]
    per_account = got.dropna(subset=["account_id"]).groupby("account_id").size().sort_index()
    wanted = expected[expected["account_id"] != ""].groupby("account_id").size().sort_index()
    pd.testing.assert_series_equal(per_account, wanted, check_names=False)
    both = got.set_index("activity_id").join(
        expected.set_index("activity_id"), rsuffix="_contract", how="outer"
    )
    assert len(both) == len(expected) == len(got)
    assert (both["activity_type"] == both["activity_type_contract"]).all()
    # when it happened (hs_timestamp), not when it was logged (created two days later)
    assert (pd.to_datetime(both["occurred_at"]) == pd.to_datetime(both["occurred_at_contract"])).all()
    engagement_counts = {k: v for k, v in _dropped(run).items() if "/engagement" in k[0]}
    reasons = pd.Series(engagement_counts).groupby(level=1).sum()
    assert reasons["company_from_deal"] == counts["engagements_via_deal"]
    assert reasons["company_from_contact"] == counts["engagements_via_contact"]
    deleted = {k: v for k, v in _dropped(run).items() if k[1] == "deleted_at_source" and "engagement" in k[0]}
    assert sum(deleted.values()) == counts["deleted_engagements"]


def test_archived_records_and_deleted_pipelines_are_left_out_and_counted(hubspot, contract_tables):
    """Airbyte's archived companies and deals come in `*_archived` streams: never read as live,
    counted per stream. Deals of a deleted pipeline (Fivetran: `deal_pipeline._fivetran_deleted`) are
    left out, those of an inactive (archived) pipeline kept with their won / lost flags; both
    counted. The opportunities are then the contract form's."""
    name, run, counts = hubspot
    dropped = _dropped(run)
    if name == "airbyte_hubspot":
        assert dropped[("hubspot/companies_archived", "deleted_at_source")] == counts["deleted_accounts"] >= 2
        assert dropped[("hubspot/deals_archived", "deleted_at_source")] == counts["deleted_deals"] >= 2
        # the stale live copies (see the fixture) are left out and counted under the live stream
        assert dropped[("hubspot/companies", "archived_since_landed")] == 1
        assert dropped[("hubspot/deals", "archived_since_landed")] == 1
    else:
        assert dropped[("hubspot/deal", "pipeline_deleted")] == counts["deals_in_deleted_pipeline"] >= 2
    assert dropped[(DEAL_TABLE[name], "pipeline_inactive")] == counts["deals_in_inactive_pipeline"] >= 3
    got = run.query("select opportunity_id, account_id, stage from staging.stg_crm__opportunities")
    expected = contract_tables["opportunities"]
    assert sorted(got["opportunity_id"]) == sorted(expected["opportunity_id"])
    won = set(got.loc[got["stage"] == "Closed Won", "opportunity_id"])
    assert won == set(
        expected.loc[expected["stage"].str.lower().isin(["closed won", "won"]), "opportunity_id"]
    )
    accounts = set(run.query("select account_id from staging.stg_crm__accounts")["account_id"])
    assert not any(a.startswith("8") for a in accounts)  # the demo's deleted / archived companies


def test_contacts_without_a_company_take_their_deals(hubspot, contract_tables):
    """Contacts associated only with a deal (`deal_contact`; Airbyte: the deals' `contacts` arrays)
    belong to the deal's company: contacts per account are the contract form's; counted."""
    name, run, counts = hubspot
    assert counts["contacts_via_deal"] >= 5
    link_table = {"fivetran_hubspot": "hubspot/deal_contact", "airbyte_hubspot": "hubspot/deals"}[name]
    assert _dropped(run)[(link_table, "company_from_deal")] == counts["contacts_via_deal"]
    got = run.query("select contact_id, account_id from staging.stg_crm__contacts").set_index("contact_id")
    expected = contract_tables["contacts"].set_index("contact_id")
    assert set(got.index) == set(expected.index)
    assert (got["account_id"] == expected.loc[got.index, "account_id"]).all()
