"""Tiers stay put across refreshes on growing data (issue 14, section 3).

Two refreshes into one warehouse: first a slice of the data, then all of it. Expected values grow
with every quarter of won deals, so an amount cut-off would swell Tier 1 (the Maven export went from
8 to 72 of 85); frozen relative cut-offs, or an automatic rebaseline with a stated reason, keep
Tier 1's share within the policy's tolerance, and every tier-change reason is true.

The demo growing by a year is here; Maven's export in two time slices is in
test_tier_stability_maven.py (two files, so the two long tests can run on two workers).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from icp_pipeline.lib.config.icp import load_icp_config
from tests.pipeline_harness import run_pipeline
from tests.tier_stability_checks import assert_reasons_are_true, tier1_share_within_tolerance


def _slice_before(landing: Path, table: str, column: str, cut: pd.Timestamp) -> None:
    """Keep the rows of `table` dated before `cut` (rows whose date does not parse stay)."""
    path = landing / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    dates = pd.to_datetime(frame[column], errors="coerce", format="mixed")
    frame[~(dates >= cut)].to_csv(path, index=False)


@pytest.mark.slow
def test_demo_data_growing_by_a_year_keeps_tier1_within_the_policy(tmp_path):
    from icp_pipeline.demo.generator import generate_demo_data
    from icp_pipeline.lib.config.settings import DEFAULT_CONFIG

    full = tmp_path / "full"
    generate_demo_data(full, n_accounts=600, n_prospects=1500, seed=3)
    landing = tmp_path / "landing"
    shutil.copytree(full, landing)
    invoices = pd.read_csv(full / "erp" / "invoices.csv", dtype=str, keep_default_na=False)
    last = pd.to_datetime(invoices["invoice_date"], errors="coerce", format="mixed").max()
    cut = last - pd.DateOffset(years=1)
    _slice_before(landing, "erp/invoices", "invoice_date", cut)
    _slice_before(landing, "crm/opportunities", "created_at", cut)
    policy = load_icp_config(DEFAULT_CONFIG).tiers
    warehouse = tmp_path / "warehouse.duckdb"

    first = run_pipeline(tmp_path, landing, config_path=DEFAULT_CONFIG, warehouse=warehouse)
    tier1_share_within_tolerance(first, policy)
    for table in ("erp/invoices", "crm/opportunities"):
        shutil.copy(full / f"{table}.csv", landing / f"{table}.csv")  # a year of data more
    second = run_pipeline(tmp_path, landing, config_path=DEFAULT_CONFIG, warehouse=warehouse)
    tier1_share_within_tolerance(second, policy)
    assert_reasons_are_true(second)
