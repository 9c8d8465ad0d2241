"""The dbt project on local Spark (ICP_ENGINE=spark): same raw tables, same models, same marts.

Skips with the reason when Java or pyspark is missing (`make spark` installs both). One module-scoped
run: the demo at a small size goes through the DuckDB loader (extract assets), then `dbt build` on
DuckDB and on local Spark; the tests compare what both engines built.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.engine.spark_session import java_missing_reason

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(java_missing_reason() is not None, reason=f"Spark engine: {java_missing_reason()}"),
]


def _extract(root: Path, landing: Path) -> Path:
    """Run the extract assets (the one loader) into a DuckDB file."""
    from icp_pipeline.definitions import build_definitions
    from icp_pipeline.defs.transform.assets import dbt_resource
    from icp_pipeline.resources import IcpPathsResource, WarehouseResource

    warehouse = root / "warehouse.duckdb"
    os.environ["ICP_DUCKDB_PATH"] = str(warehouse)
    resources = {
        "warehouse": WarehouseResource(duckdb_path=str(warehouse)),
        "paths": IcpPathsResource(landing_dir=str(landing), export_dir=str(root / "exports"), config_path=""),
        "dbt": dbt_resource(),
    }
    defs = dg.Definitions.merge(
        build_definitions(resources),
        dg.Definitions(jobs=[dg.define_asset_job("extract_only", selection="group:extract")]),
    )
    result = defs.resolve_job_def("extract_only").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return warehouse


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from icp_pipeline.demo.generator import generate_demo_data
    from icp_pipeline.lib.engine.spark_dbt import dbt_build_on_spark
    from icp_pipeline.lib.settings import DBT_PROJECT_DIR

    root = tmp_path_factory.mktemp("spark_engine")
    landing = root / "landing"
    generate_demo_data(landing, n_accounts=150, n_prospects=300, seed=11)
    warehouse = _extract(root, landing)
    duck = subprocess.run(  # a separate process: dbt-duckdb keeps its connection open in-process
        [str(Path(sys.executable).parent / "dbt"), "build", "--profiles-dir", ".", "--quiet"],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert duck.returncode == 0, duck.stdout[-3000:]
    spark_build = dbt_build_on_spark(warehouse, root / "spark")
    return warehouse, spark_build


def _spark_table(name: str) -> pd.DataFrame:
    from icp_pipeline.lib.engine.spark_session import get_spark

    return get_spark().table(name).toPandas()


def _duck_table(warehouse: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select * from {name}").df()


def test_dbt_build_passes_on_spark(built):
    _, spark_build = built
    assert spark_build.success, "\n".join(spark_build.failures)
    assert spark_build.raw_rows["crm__accounts"] == 150


def test_raw_tables_on_spark_are_the_loaders_tables(built):
    warehouse, spark_build = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, rows in spark_build.raw_rows.items():
            assert con.execute(f"select count(*) from raw.{name}").fetchone()[0] == rows
    assert {"_landing_loads", "_quarantine", "crm__accounts"} <= set(spark_build.raw_rows)
    assert len(_spark_table("raw.crm__accounts")) == 150


@pytest.mark.parametrize(
    ("mart", "key"),
    [
        ("account_features", "account_key"),
        ("closed_opportunities", "opportunity_id"),
        ("attribute_catalog", "attribute"),
    ],
)
def test_marts_equal_on_both_engines(built, mart, key):
    """Same rows, columns and values in the marts DuckDB and Spark built. Numbers agree to a relative
    1e-7: the engines add floating-point sums in different orders (2.7e-9 apart at most here)."""
    warehouse, spark_build = built
    assert spark_build.success, "\n".join(spark_build.failures)
    duck = _duck_table(warehouse, f"marts.{mart}")
    spark = _spark_table(f"marts.{mart}")
    assert list(spark.columns) == list(duck.columns)
    assert len(spark) == len(duck) > 0
    assert duck[key].is_unique
    duck = duck.sort_values(key).reset_index(drop=True)
    spark = spark.sort_values(key).reset_index(drop=True)
    assert spark[key].tolist() == duck[key].tolist()
    for column in duck.columns:
        left, right = duck[column], spark[column]
        if pd.api.types.is_numeric_dtype(left) and pd.api.types.is_numeric_dtype(right):
            both = left.astype(float).to_numpy(), right.astype(float).to_numpy()
            assert np.allclose(*both, rtol=1e-7, atol=1e-9, equal_nan=True), column
        else:
            assert left.astype(str).tolist() == right.astype(str).tolist(), column
