"""The demo-data generator writes the landing contract with realistic mess and a planted truth."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from icp_pipeline.demo.generator import TRUTH_FILE, generate_demo_data
from icp_pipeline.lib.landing.contract import TABLES

SMALL = {"n_accounts": 300, "n_prospects": 600}
EXTRA_COLUMNS = {
    "crm/accounts": {"account_tier_legacy", "customer_success_manager", "onboarding_status"},
    "enrichment/firmographics": {"cloud_spend_index", "web_traffic_rank"},
}
WON = {"Closed Won", "Won"}


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo_data(out, seed=7, **SMALL)
    return out


@pytest.fixture(scope="module")
def frames(landing) -> dict[str, pd.DataFrame]:
    return {t.full_name: pd.read_csv(landing / t.source / f"{t.name}.csv", dtype=str) for t in TABLES}


def domain_of(website: pd.Series) -> pd.Series:
    bare = (
        website.str.lower().str.replace(r"^https?://", "", regex=True).str.replace(r"^www\.", "", regex=True)
    )
    return bare.str.split("/").str[0]


def first_wins(frames) -> pd.Series:
    opps = frames["crm/opportunities"]
    won = opps[opps["stage"].isin(WON)]
    return pd.to_datetime(won["close_date"]).groupby(won["account_id"]).min()


def test_every_contract_table_is_written_with_exactly_the_contract_columns(frames):
    for table in TABLES:
        columns = list(frames[table.full_name].columns)
        contract = [c.name for c in table.columns]
        assert columns[: len(contract)] == contract, table.full_name
        assert set(columns[len(contract) :]) == EXTRA_COLUMNS.get(table.full_name, set()), table.full_name
        assert len(frames[table.full_name]) > 0, table.full_name


def test_keys_are_unique_and_required_columns_filled(frames):
    for table in TABLES:
        frame = frames[table.full_name]
        if table.key:
            assert frame[table.key].is_unique, table.full_name
        for column in table.required_columns:
            assert frame[column].notna().all(), f"{table.full_name}.{column}"


def test_foreign_keys_resolve(frames):
    accounts = set(frames["crm/accounts"]["account_id"])
    customers = set(frames["erp/customers"]["erp_customer_id"])
    targets = {"crm/accounts": accounts, "erp/customers": customers}
    for table in TABLES:
        for column, target in table.foreign_keys.items():
            assert set(frames[table.full_name][column]) <= targets[target], f"{table.full_name}.{column}"
    assert set(frames["marketing/campaign_members"]["account_id"]) <= accounts
    assert set(frames["crm/accounts"]["parent_account_id"].dropna()) <= accounts
    assert set(frames["crm/leads"]["converted_account_id"].dropna()) <= accounts


def test_same_seed_gives_identical_files_and_another_seed_different_ones(landing, tmp_path):
    generate_demo_data(tmp_path / "same", seed=7, **SMALL)
    generate_demo_data(tmp_path / "other", seed=8, **SMALL)
    for table in TABLES:
        name = Path(table.source) / f"{table.name}.csv"
        assert (tmp_path / "same" / name).read_bytes() == (landing / name).read_bytes(), str(name)
    assert (tmp_path / "same" / TRUTH_FILE).read_bytes() == (landing / TRUTH_FILE).read_bytes()
    accounts = Path("crm") / "accounts.csv"
    assert (tmp_path / "other" / accounts).read_bytes() != (landing / accounts).read_bytes()


def test_truth_sits_outside_the_source_folders_and_names_attributes(landing):
    assert sorted(p.name for p in landing.rglob(TRUTH_FILE)) == [TRUTH_FILE]
    assert (landing / TRUTH_FILE).is_file()
    truth = json.loads((landing / TRUTH_FILE).read_text())
    assert truth["seed"] == 7 and truth["reference_date"] == "2026-06-30"
    assert truth["strongest_driver"] == "tech__snowflake"
    drivers = {d["attribute"] for d in truth["drivers"]}
    assert {"tech__snowflake", "firmo__industry", "firmo__employee_count", "x__cloud_spend_index"} <= drivers
    assert max(truth["drivers"], key=lambda d: d["strength"])["attribute"] == "tech__snowflake"
    prefixes = ("firmo__", "tech__", "sit__", "beh__", "x__")
    leaks = [leak.get("attribute") or leak["attribute_prefix"] for leak in truth["leaks"]]
    named = [d["attribute"] for d in truth["drivers"]] + leaks + truth["noise"]
    assert all(a.startswith(prefixes) for a in named)
    assert "x__account_tier_legacy" in truth["noise"]
    assert {"populated_only_for_customers", "post_win_activities"} <= {
        leak["kind"] for leak in truth["leaks"]
    }
    assert truth["counts"]["crm_accounts"] == SMALL["n_accounts"]


def test_customers_are_about_a_third_of_crm_accounts(frames):
    share = len(first_wins(frames)) / len(frames["crm/accounts"])
    assert 0.22 <= share <= 0.38


def test_websites_come_in_url_and_domain_variants(frames):
    websites = frames["crm/accounts"]["website"]
    assert websites.isna().any()
    present = websites.dropna()
    assert present.str.startswith("https://www.").any() and present.str.startswith("http://").any()
    assert (present == present.str.upper()).any() and present.str.contains("/about").any()
    assert (~present.str.contains("/") & ~present.str.lower().str.startswith("www.")).any()
    firmo_domains = frames["enrichment/firmographics"]["domain"]
    assert (firmo_domains == firmo_domains.str.lower()).all() and not firmo_domains.str.contains("/").any()


def test_industries_and_countries_are_free_text(frames):
    accounts = frames["crm/accounts"]
    assert accounts["industry"].nunique() > 2 * frames["enrichment/firmographics"]["industry"].nunique()
    countries = accounts["country"].dropna()
    assert (countries.str.len() == 2).any() and (countries.str.len() > 2).any()


def test_second_currencies_come_with_fx_rates(frames):
    fx = frames["erp/fx_rates"]
    foreign = {"EUR", "GBP"}
    assert foreign <= set(fx["currency"]) and fx["valid_from"].notna().any()
    assert fx.loc[fx["currency"] == "USD", "rate_to_reporting"].astype(float).eq(1.0).all()
    for name in ("crm/opportunities", "erp/invoices", "erp/contracts"):
        assert set(frames[name]["currency"].dropna()) & foreign, name


def test_invoices_hold_credit_notes_voids_and_missing_costs(frames):
    invoices = frames["erp/invoices"]
    assert (invoices["amount"].astype(float) < 0).any()
    assert (invoices["status"] == "void").any()
    assert invoices["cost"].isna().any()


def test_erp_customers_have_missing_and_stale_crm_ids_and_legal_name_variants(frames):
    accounts = frames["crm/accounts"].assign(domain=lambda f: domain_of(f["website"]))
    customers = frames["erp/customers"].assign(domain=lambda f: domain_of(f["website"]))
    assert customers["crm_account_id"].isna().any()
    by_domain = accounts.dropna(subset=["domain"]).set_index("domain")["account_id"]
    linked = customers.dropna(subset=["crm_account_id", "domain"])
    linked = linked[linked["domain"].isin(by_domain.index)]
    stale = linked["crm_account_id"] != linked["domain"].map(by_domain)
    assert stale.any() and (~stale).sum() > stale.sum()
    names = customers["customer_name"]
    assert names.str.contains(r", Inc|Inc\.|Ltd|GmbH").any() and (names == names.str.upper()).any()


def test_subsidiaries_point_at_parent_accounts(frames):
    assert frames["crm/accounts"]["parent_account_id"].notna().any()


def test_post_win_leaks_are_planted_for_customers(frames):
    wins = first_wins(frames)
    accounts = frames["crm/accounts"].set_index("account_id")
    activities = frames["crm/activities"].assign(occurred_at=lambda f: pd.to_datetime(f["occurred_at"]))
    win_of = activities["account_id"].map(wins)
    after = (activities["occurred_at"] > win_of).sum()
    before = (activities["occurred_at"] <= win_of).sum()
    assert after > 2 * before
    csm = accounts["customer_success_manager"].notna()
    assert set(csm[csm].index) <= set(wins.index) and csm[wins.index].mean() > 0.8

    domains = domain_of(accounts.loc[wins.index, "website"]).dropna()
    tech = frames["enrichment/technographics"]
    lumora = tech[(tech["technology"] == "Lumora") & tech["domain"].isin(domains.values)]
    win_by_domain = pd.Series(wins.loc[domains.index].values, index=domains.values)
    assert (pd.to_datetime(lumora["first_seen"]) > lumora["domain"].map(win_by_domain)).any()


def test_snowflake_users_win_more_often(frames):
    accounts = frames["crm/accounts"].assign(domain=lambda f: domain_of(f["website"]))
    tech = frames["enrichment/technographics"]
    snowflake = accounts["domain"].isin(tech.loc[tech["technology"] == "Snowflake", "domain"])
    customer = accounts["account_id"].isin(first_wins(frames).index)
    assert customer[snowflake].mean() > customer[~snowflake].mean() + 0.1


def test_campaign_responses_and_groups(frames):
    members = frames["marketing/campaign_members"]
    assert set(members["responded"]) == {"true", "false"}
    assert set(members["group"].dropna()) == {"icp", "control"}


def test_parquet_output_has_the_same_tables(tmp_path):
    generate_demo_data(tmp_path, n_accounts=40, n_prospects=40, seed=1, file_format="parquet")
    for table in TABLES:
        frame = pd.read_parquet(tmp_path / table.source / f"{table.name}.parquet")
        assert [c.name for c in table.columns] == list(frame.columns)[: len(table.columns)]
    assert not list(tmp_path.rglob("*.csv"))


def test_unknown_file_format_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="file_format"):
        generate_demo_data(tmp_path, n_accounts=40, n_prospects=0, file_format="xlsx")


def test_default_size_is_generated_quickly(tmp_path):
    started = time.perf_counter()
    truth = generate_demo_data(tmp_path)
    assert time.perf_counter() - started < 20
    assert truth["counts"]["crm_accounts"] == 5000
    assert truth["counts"]["enrichment_only_prospects"] == 20000
