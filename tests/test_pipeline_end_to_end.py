"""Demo data through every real stage (DuckDB, dbt, LightGBM, Dagster) into the published tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from icp_pipeline.defs.publish.tables import PUBLISHED_TABLES
from icp_pipeline.demo.generator import generate_demo_data
from tests.pipeline_harness import run_pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    truth = generate_demo_data(root / "landing", n_accounts=2500, n_prospects=5000, seed=11)
    run = run_pipeline(root, root / "landing")
    assert run.result.success
    return run, truth


def test_every_prospect_has_a_tier_and_the_shares_follow_the_policy(demo_run):
    run, _ = demo_run
    targets = run.query("select * from icp.target_accounts")
    prospects = targets[~targets["is_customer"]]
    assert prospects["tier"].notna().all()
    shares = prospects["tier"].value_counts(normalize=True)
    assert shares["Tier 1"] == pytest.approx(0.10, abs=0.002)
    assert shares["Tier 2"] == pytest.approx(0.20, abs=0.002)
    assert targets["tier"].isin(["Tier 1", "Tier 2", "Tier 3", "Disqualified"]).all()


def test_target_accounts_carry_every_contract_column(demo_run):
    run, _ = demo_run
    targets = run.query("select * from icp.target_accounts")
    expected = set(PUBLISHED_TABLES["target_accounts"].columns) | {"icp_version", "published_at"}
    assert expected <= set(targets.columns)
    assert targets["account_key"].is_unique
    assert targets["icp_score"].between(0, 100).all()
    assert (targets["expected_value"] >= 0).all()
    assert targets["top_reasons"].str.match(r"^[+−-] ").all()
    assert targets["icp_version"].nunique() == 1
    # enrichment-only prospects are scored too
    assert targets["crm_account_id"].isna().sum() > 1000


def test_the_strongest_planted_driver_ranks_in_the_top_three(demo_run):
    run, truth = demo_run
    importance = run.query("select attribute, rank from icp.attribute_importance where rank is not null")
    top3 = importance.sort_values("rank").head(3)["attribute"].tolist()
    assert truth["strongest_driver"] in top3


def test_exports_exist_and_match_the_published_table(demo_run):
    run, _ = demo_run
    table = run.query("select * from icp.target_accounts order by account_key")
    parquet = pd.read_parquet(run.exports / "target_accounts.parquet").sort_values("account_key")
    csv = pd.read_csv(run.exports / "target_accounts.csv")
    assert len(parquet) == len(csv) == len(table)
    assert parquet["account_key"].tolist() == table["account_key"].tolist()
    assert parquet["icp_score"].tolist() == pytest.approx(table["icp_score"].tolist())
    crm = pd.read_csv(run.exports / "crm_import.csv")
    assert {"crm_account_id", "icp_score", "tier", "top_reasons"} <= set(crm.columns)
    assert crm["crm_account_id"].notna().all()
    assert (run.exports / "icp_report.html").read_text().startswith("<!doctype html>")


def test_truth_file_is_never_read_by_the_pipeline(demo_run, tmp_path):
    run, truth = demo_run
    sources = run.query("select distinct _source_file from raw.crm__accounts")["_source_file"]
    assert not sources.str.contains("planted_truth").any()
    assert json.dumps(truth)  # the truth is plain JSON for humans and tests
