"""Asset checks on the published list: tier sizes follow the policy, Tier 1 beats Tier 2 on the hold-out."""

from __future__ import annotations

import math

import dagster as dg
import duckdb
import pandas as pd
import pytest

from icp_pipeline.defs.publish.checks import tier1_holdout_lift_above_tier2, tier_sizes_match_policy
from icp_pipeline.lib.icp_config import TierPolicy
from icp_pipeline.resources import WarehouseResource


def _warehouse(tmp_path, tiers: list[str], lifts: dict[str, float]) -> WarehouseResource:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "w.duckdb"
    targets = pd.DataFrame(  # noqa: F841 (read by DuckDB)
        {
            "account_key": [f"a{i:03d}" for i in range(len(tiers))],
            "is_customer": False,
            "tier": tiers,
            "override_note": None,
        }
    ).astype({"override_note": "object"})
    history = pd.DataFrame(  # noqa: F841
        {"refreshed_at": [pd.Timestamp("2026-01-01")], "tier_policy": [TierPolicy().model_dump_json()]}
    )
    validation = pd.DataFrame(  # noqa: F841
        {
            "outcome": "actual",
            "tier": list(lifts),
            "lift": list(lifts.values()),
            "accounts": [10] * len(lifts),
        }
    )
    with duckdb.connect(str(path)) as con:
        con.execute("create schema icp")
        con.execute("create table icp.target_accounts as select * from targets")
        con.execute("create table icp.refresh_history as select * from history")
        con.execute("create table icp.tier_validation as select * from validation")
    return WarehouseResource(duckdb_path=str(path))


def _run(check, warehouse) -> dg.AssetCheckResult:
    return check(warehouse=warehouse)


def test_tier_sizes_within_the_policy_pass_with_numeric_metadata(tmp_path):
    wh = _warehouse(
        tmp_path, ["Tier 1"] * 10 + ["Tier 2"] * 20 + ["Tier 3"] * 70, {"Tier 1": 2.0, "Tier 2": 1.2}
    )
    result = _run(tier_sizes_match_policy, wh)
    assert result.passed
    assert result.metadata["tier1_share"] == dg.MetadataValue.float(0.10)
    assert result.metadata["tier1_target_share"] == dg.MetadataValue.float(0.10)


def test_a_swollen_tier1_fails_the_size_check(tmp_path):
    # Maven on today's main: Tier 1 went from 8 to 72 of 85
    wh = _warehouse(
        tmp_path, ["Tier 1"] * 72 + ["Tier 2"] * 5 + ["Tier 3"] * 8, {"Tier 1": 1.0, "Tier 2": 1.0}
    )
    result = _run(tier_sizes_match_policy, wh)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert result.description.startswith("Tier 1 holds 72 of 85 ranked accounts (84.7%)")
    assert result.metadata["tier1_share"].value == pytest.approx(72 / 85)


def test_tier2_beating_tier1_on_the_holdout_warns_with_both_lifts(tmp_path):
    # the AWS export: Tier 2's hold-out lift beats Tier 1's
    wh = _warehouse(tmp_path, ["Tier 1", "Tier 3"], {"Tier 1": 0.8, "Tier 2": 1.3, "Tier 3": 1.0})
    result = _run(tier1_holdout_lift_above_tier2, wh)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["tier1_lift"] == dg.MetadataValue.float(0.8)
    assert result.metadata["tier2_lift"] == dg.MetadataValue.float(1.3)
    assert "does not beat Tier 2" in result.description
    good = _run(
        tier1_holdout_lift_above_tier2, _warehouse(tmp_path / "g", ["Tier 1"], {"Tier 1": 2.1, "Tier 2": 1.1})
    )
    assert good.passed


def test_no_holdout_is_not_reported_as_a_pass(tmp_path):
    wh = _warehouse(tmp_path, ["Tier 1"], {"All": 1.0})
    result = _run(tier1_holdout_lift_above_tier2, wh)
    assert not result.passed and "not measured" in result.description
    assert math.isnan(result.metadata["tier1_lift"].value)
