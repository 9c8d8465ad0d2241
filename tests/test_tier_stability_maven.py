"""Tiers stay put across refreshes on growing data (issue 14, section 3): Maven's CRM export in two
time slices (the docstring of test_tier_stability.py gives the why; its demo test is there)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from icp_pipeline.lib.config.icp import load_icp_config
from tests.pipeline_harness import run_pipeline
from tests.tier_stability_checks import assert_reasons_are_true, tier1_share_within_tolerance

MAPPINGS = Path(__file__).resolve().parent.parent / "mappings"


@pytest.mark.slow
def test_maven_in_two_time_slices_keeps_tier1_within_the_policy(shared_datasets, tmp_path):
    source = shared_datasets / "maven-crm"
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(source / "accounts.csv", landing / "accounts.csv")
    deals = pd.read_csv(source / "sales_pipeline.csv", dtype=str, keep_default_na=False)
    early = deals[(deals["engage_date"] != "") & (deals["engage_date"] < "2017-07-01")]
    early.to_csv(landing / "sales_pipeline.csv", index=False)
    config = MAPPINGS / "maven_crm.yaml"
    policy = load_icp_config(config).tiers
    warehouse = tmp_path / "warehouse.duckdb"

    first = run_pipeline(tmp_path, landing, config_path=config, warehouse=warehouse)
    tier1_share_within_tolerance(first, policy)
    shutil.copy(source / "sales_pipeline.csv", landing / "sales_pipeline.csv")  # all deals
    second = run_pipeline(tmp_path, landing, config_path=config, warehouse=warehouse)
    tier1_share_within_tolerance(second, policy)
    assert_reasons_are_true(second)
    changed = second.query("select count(*) as n from icp.tier_changes where changed")["n"].iloc[0]
    assert changed < 75  # today's main: 75 of 85 accounts changed tier
