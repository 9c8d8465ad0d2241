"""What the Dagster UI shows (issue 15, point 7), on the real definitions and small frames; the
materialised metadata of a whole run is asserted in tests/test_pipeline_end_to_end.py."""

from __future__ import annotations

import json

import dagster as dg
import pandas as pd

from icp_pipeline.defs.model.metadata import metrics_numeric, metrics_table
from icp_pipeline.defs.publish.tables import column_schema
from icp_pipeline.defs.transform.assets import icp_dbt_models
from icp_pipeline.defs.transform.project import dbt_project
from icp_pipeline.lib.publish.export_schema import TARGET_ACCOUNTS_TYPES
from icp_pipeline.lib.publish.tables import PUBLISHED_TABLES
from icp_pipeline.lib.quality.gx_validate import ExpectationOutcome
from icp_pipeline.lib.quality.outcome_text import outcomes_text

METRICS = pd.DataFrame(
    {
        "metric": ["spearman", "n_accounts", "spearman", "win_auc", "win_model_learnt", "spearman"],
        "model": ["lightgbm", "lightgbm", "lightgbm", "lightgbm", "lightgbm", "linear_baseline"],
        "split": ["time_holdout", "time_holdout", "cv", "cv", "fit", "cv"],
        "value": [0.515, 40.0, 0.503, 0.746, 1.0, 0.278],
    }
)


def test_every_dbt_test_is_an_asset_check_so_none_runs_by_indirect_selection():
    # dagster-dbt logs "... was likely executed due to dbt indirect selection" for each test dbt runs
    # that is no asset check of the selection: a singular test must depend on the model it checks.
    manifest = json.loads(dbt_project.manifest_path.read_text())
    tests = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    checks = {key.name for key in icp_dbt_models.check_keys}
    assert tests and tests <= checks, sorted(tests - checks)


def test_model_metrics_are_a_table_and_flat_numbers_that_plot():
    numeric = metrics_numeric(METRICS)
    assert numeric == {
        "holdout_spearman": dg.MetadataValue.float(0.515),
        "holdout_n_accounts": dg.MetadataValue.int(40),
        "cv_spearman": dg.MetadataValue.float(0.503),
        "cv_win_auc": dg.MetadataValue.float(0.746),
        "fit_win_model_learnt": dg.MetadataValue.float(1.0),
    }
    table = metrics_table(METRICS)
    assert isinstance(table, dg.TableMetadataValue)
    assert [c.name for c in table.schema.columns] == ["split", "metric", "model", "value"]
    first = table.records[0].data
    assert first == {"split": "cv", "metric": "spearman", "model": "lightgbm", "value": 0.503}
    assert len(table.records) == len(METRICS)


def test_a_published_tables_column_schema_carries_its_duckdb_types():
    schema = column_schema(PUBLISHED_TABLES["target_accounts"], TARGET_ACCOUNTS_TYPES)
    types = {c.name: c.type for c in schema.columns}
    assert types["employee_count"] == "bigint"
    assert types["is_customer"] == "boolean"
    assert types["icp_score"] == "double"
    assert types["published_at"] == "timestamp"
    assert {c.name for c in schema.columns if c.description} == set(types)
    # without types (an undeclared table before it is published) the documented columns are listed
    plain = column_schema(PUBLISHED_TABLES["segments"])
    assert [c.name for c in plain.columns][:2] == ["segment_id", "segment_name"]


def test_a_warning_check_says_what_it_found():
    outcomes = [
        ExpectationOutcome("expect_column_values_to_not_be_null", "domain", False, 85, ["None"]),
        ExpectationOutcome("expect_column_values_to_be_between", "employee_count", False, 1, ["-3"]),
        ExpectationOutcome("expect_column_values_to_be_unique", "account_key", True, 0, []),
    ]
    assert (
        outcomes_text(outcomes, "accounts")
        == "domain null for 85 accounts; employee_count out of range in 1 account (e.g. -3)."
    )
    assert outcomes_text(outcomes[2:], "rows", rows=(500_000, 1_200_000)) == (
        "All 1 expectations met (on a sample of 500,000 of 1,200,000 rows)."
    )
