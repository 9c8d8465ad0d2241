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
    reasons = pd.Series(_dropped(run)).groupby(level=1).sum()
    assert reasons["company_from_deal"] == counts["engagements_via_deal"]
    assert reasons["company_from_contact"] == counts["engagements_via_contact"]
    deleted = {k: v for k, v in _dropped(run).items() if k[1] == "deleted_at_source" and "engagement" in k[0]}
    assert sum(deleted.values()) == counts["deleted_engagements"]
