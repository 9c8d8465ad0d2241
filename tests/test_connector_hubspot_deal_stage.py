"""Fivetran HubSpot's `deal_stage` (every stage a deal entered: value, date_entered) and the rows
deleted in HubSpot that the demo lands (contacts, engagements deleted in `engagement` itself).

One extract + dbt run of the fivetran_hubspot demo (60 accounts), landed with three changes:
- `deal_property_history` without its `dealstage` rows: won dates must come from `deal_stage`;
- after the win, some customers' first won deals move into a second closed-won stage (a rep
  re-files them 60 days later): a stage edited after the as-of date;
- one `deal_stage` row deleted in HubSpot (`_fivetran_deleted`), saying a won deal was lost later;
- an owner hand-over (tests/hubspot_owners.py): `owner_team` / `team` and `hubspot_owner_id` history.
Compared with the same world in the contract's form (the demo's `crm/*` tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from icp_pipeline.demo.dialects.common import write_csv
from icp_pipeline.demo.generator import generate_demo_data
from tests.hubspot_owners import assert_owner_team_at_the_as_of_date, plant_owner_handover
from tests.pipeline_harness import run_pipeline

pytestmark = pytest.mark.slow
ACCOUNTS, PROSPECTS, SEED = 60, 20, 5
MOVED_AFTER_WIN = pd.Timedelta(days=60)


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _iso(value: pd.Timestamp) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


@pytest.fixture(scope="module")
def contract_tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    generate_demo_data(root, ACCOUNTS, PROSPECTS, SEED)
    return {name: _read(root / "crm" / f"{name}.csv") for name in ("opportunities", "activities", "contacts")}


@pytest.fixture(scope="module")
def landed(tmp_path_factory, contract_tables):
    """(run, connector counts, the first won deals moved after the win, landed folder, customer ids)."""
    root = tmp_path_factory.mktemp("fivetran_hubspot")
    landing = root / "landing"
    truth = generate_demo_data(
        landing, ACCOUNTS, PROSPECTS, SEED, dialects=("fivetran_hubspot", "fivetran_stripe")
    )
    folder = landing / "hubspot"
    history = _read(folder / "deal_property_history.csv")
    write_csv(landing, "hubspot", "deal_property_history", history[history["name"] != "dealstage"])

    stages = _read(folder / "deal_pipeline_stage.csv")
    won_row = stages[stages["stage_id"] == "won"].iloc[[0]].copy()
    won_row["stage_id"], won_row["label"] = "won_expansion", "Won - handed to expansion"
    write_csv(landing, "hubspot", "deal_pipeline_stage", pd.concat([stages, won_row], ignore_index=True))

    opps = contract_tables["opportunities"]
    won = opps[opps["stage"].str.lower().isin(["closed won", "won"])].copy()
    won["close"] = pd.to_datetime(won["close_date"])
    first_wins = won.sort_values(["close", "opportunity_id"]).groupby("account_id").head(1)
    deal = _read(folder / "deal.csv")
    deal_stage = _read(folder / "deal_stage.csv")
    in_won_stage = set(deal.loc[deal["deal_pipeline_stage_id"] == "won", "deal_id"])
    moved = first_wins[first_wins["opportunity_id"].isin(in_won_stage)].head(6)
    added = []
    for row in moved.itertuples():
        later = _iso(row.close + MOVED_AFTER_WIN)
        current = (deal_stage["deal_id"] == row.opportunity_id) & (deal_stage["_fivetran_active"] == "true")
        deal_stage.loc[current, ["_fivetran_active", "_fivetran_end"]] = ["false", later]
        added.append(
            (
                row.opportunity_id,
                "won_expansion",
                later,
                "CRM_UI",
                "",
                later,
                "9999-12-31T23:59:59",
                "true",
                "false",
            )
        )
        deal.loc[deal["deal_id"] == row.opportunity_id, "deal_pipeline_stage_id"] = "won_expansion"
    # deleted in HubSpot: a stage entry that never happened (a won deal "lost" after the win)
    other = won[
        ~won["opportunity_id"].isin(moved["opportunity_id"]) & won["opportunity_id"].isin(in_won_stage)
    ].iloc[0]
    gone = _iso(other["close"] + pd.Timedelta(days=30))
    added.append(
        (other["opportunity_id"], "lost", gone, "CRM_UI", "", gone, "9999-12-31T23:59:59", "true", "true")
    )
    deal_stage = pd.concat([deal_stage, pd.DataFrame(added, columns=deal_stage.columns)], ignore_index=True)
    write_csv(landing, "hubspot", "deal_stage", deal_stage)
    write_csv(landing, "hubspot", "deal", deal)
    customers = plant_owner_handover(landing, "fivetran_hubspot")

    run = run_pipeline(root, landing, job="icp_refresh_data")
    assert run.result.success
    return run, truth["connector_counts"]["fivetran_hubspot"], moved, folder, customers


def _dropped(run) -> dict[tuple[str, str], int]:
    rows = run.query("select source_table, reason, row_count from marts.dropped_values")
    return {(r.source_table, r.reason): int(r.row_count) for r in rows.itertuples()}


def test_won_dates_come_from_deal_stage_without_the_property_history(landed, contract_tables):
    """deal_property_history holds no `dealstage` rows: the day each won deal entered its
    closed-won stage comes from `deal_stage` (reps moved every third won deal's closedate 45 days
    on), counted as before; the amount at the win still comes from the property history."""
    run, counts, _, _, _ = landed
    assert counts["won_dates_edited"] >= 5
    assert _dropped(run)[("hubspot/deal", "won_date_from_history")] == counts["won_dates_edited"]
    got = run.query(
        "select opportunity_id, cast(close_date as date) as close_date, amount "
        "from staging.stg_crm__opportunities where stage = 'Closed Won'"
    ).set_index("opportunity_id")
    expected = contract_tables["opportunities"].set_index("opportunity_id").loc[got.index]
    assert len(got) > 15
    assert (pd.to_datetime(got["close_date"]) == pd.to_datetime(expected["close_date"])).all()
    sources = run.query(
        "select stage_source, count(*) as n from staging.stg_fivetran_hubspot__deal_won_values group by 1"
    )
    assert set(sources["stage_source"]) == {"hubspot/deal_stage"}


def test_a_stage_edited_after_the_win_does_not_reach_the_features(landed, contract_tables):
    """Customers' first won deals re-filed into a second closed-won stage 60 days after the win:
    still won on the day they first entered a closed-won stage, so the account's as-of date is the
    contract form's first win and no activity of those 60 days reaches its point-in-time inputs."""
    run, _, moved, _, _ = landed
    assert len(moved) >= 4
    ids = ", ".join(f"'{i}'" for i in moved["opportunity_id"])
    opps = run.query(
        f"select opportunity_id, stage, cast(close_date as date) as close_date from staging.stg_crm__opportunities "
        f"where opportunity_id in ({ids})"
    ).set_index("opportunity_id")
    assert set(opps["stage"]) == {"Closed Won"}
    assert (
        pd.to_datetime(opps["close_date"]) == moved.set_index("opportunity_id").loc[opps.index, "close"]
    ).all()
    accounts = ", ".join(f"'{a}'" for a in moved["account_id"])
    got = run.query(
        "select keys.account_id, dates.as_of_date, "
        "(select count(*) from intermediate.int_account_activities_point_in_time as pit "
        " where pit.account_key = dates.account_key) as activities "
        "from intermediate.int_crm_account_keys as keys "
        "inner join intermediate.int_account_as_of_dates as dates on keys.account_key = dates.account_key "
        f"where keys.account_id in ({accounts})"
    ).set_index("account_id")
    assert len(got) == len(moved)
    first_win = moved.set_index("account_id")["close"]
    assert (pd.to_datetime(got["as_of_date"]) == first_win.loc[got.index]).all()
    activities = contract_tables["activities"]
    on_time = activities[
        pd.to_datetime(activities["occurred_at"]).dt.normalize() <= activities["account_id"].map(first_win)
    ]
    wanted = on_time.groupby("account_id").size().reindex(got.index, fill_value=0)
    assert (got["activities"] == wanted).all()
    assert (wanted > 0).any()


def test_a_deleted_deal_stage_row_is_not_read_and_counted(landed):
    run, _, _, folder, _ = landed
    deleted = _read(folder / "deal_stage.csv").query("_fivetran_deleted == 'true'")
    assert len(deleted) == 1
    assert _dropped(run)[("hubspot/deal_stage", "deleted_at_source")] == 1
    stage = run.query(
        f"select stage from staging.stg_crm__opportunities where opportunity_id = '{deleted['deal_id'].iloc[0]}'"
    )
    assert list(stage["stage"]) == ["Closed Won"]


def test_deleted_contacts_and_engagements_are_left_out_and_counted(landed, contract_tables):
    """The demo lands contacts deleted in HubSpot (`_fivetran_deleted`) and engagements deleted in
    the `engagement` table itself (types without a per-type table): none reaches staging, each is
    counted under its table, and contacts and activities are the contract form's."""
    run, counts, _, folder, _ = landed
    assert counts["deleted_contacts"] >= 2 and counts["deleted_in_engagement_table"] >= 2
    dropped = _dropped(run)
    assert dropped[("hubspot/contact", "deleted_at_source")] == counts["deleted_contacts"]
    engagement = _read(folder / "engagement.csv")
    assert engagement["_fivetran_deleted"].eq("true").sum() == counts["deleted_in_engagement_table"]
    assert dropped[("hubspot/engagement", "deleted_at_source")] == counts["deleted_in_engagement_table"]
    contacts = run.query("select contact_id from staging.stg_crm__contacts")["contact_id"]
    assert sorted(contacts) == sorted(contract_tables["contacts"]["contact_id"])
    activities = run.query("select activity_id from staging.stg_crm__activities")["activity_id"]
    assert sorted(activities) == sorted(contract_tables["activities"]["activity_id"])


def test_owner_team_is_that_of_the_owner_at_the_as_of_date(landed):
    """Fivetran's owner_team + team: the company owner's primary team (x__owner_team) for the
    owner at the first win (hubspot_owner_id in company_property_history), else today's owner."""
    run, _, _, _, customers = landed
    assert_owner_team_at_the_as_of_date(run, "fivetran_hubspot", customers)
