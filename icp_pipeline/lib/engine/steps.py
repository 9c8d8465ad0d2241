"""What `ICP_ENGINE` changes in each pipeline step (the Dagster assets call these; no step logic here).

| step | duckdb (default) | spark |
|---|---|---|
| extract | the loader writes `raw.*` in the DuckDB file | the same, then `raw.*` as Parquet registered as Spark tables (dbt's `on-run-start`) |
| dbt | `dbt build` on the `dev` target | `dbt build --target spark`, then the built tables read back into the DuckDB file |
| model | trained and scored in-process | trained in-process; every account scored per Spark partition |
| publish | `icp.*` in the DuckDB file, exports | the same, plus `icp.*` as Spark Parquet tables |
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from icp_pipeline.lib.engine import current_engine


def spark_folder(duckdb_path: str | Path) -> Path:
    """`ICP_SPARK_DIR`, else `spark/` beside the DuckDB file; the dbt target's env vars set for it."""
    from icp_pipeline.lib.engine.spark_session import export_env

    configured = os.environ.get("ICP_SPARK_DIR")
    return export_env(Path(configured) if configured else Path(duckdb_path).parent / "spark")


def dbt_target_args(duckdb_path: str | Path) -> tuple[list[str], dict]:
    """(extra dbt CLI args, extra dbt vars) of the engine's dbt build.

    Spark: writes the loader's `raw.*` as Parquet and names them in the var `spark_parquet_tables`,
    which dbt's `on-run-start` hook registers in the Spark catalog before any model runs."""
    if current_engine() != "spark":
        return [], {}
    from icp_pipeline.lib.engine.spark_session import java_missing_reason
    from icp_pipeline.lib.engine.spark_tables import write_parquet_tables

    reason = java_missing_reason()
    if reason:
        raise RuntimeError(f"ICP_ENGINE=spark cannot start Spark: {reason}")
    folder = spark_folder(duckdb_path)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        raw = write_parquet_tables(con, "raw", folder)
    # unit tests whose fixtures Spark cannot read by name run on DuckDB only (dbt tag not_on_spark);
    # ICP_SPARK_DBT_EXCLUDE adds dbt selectors to leave out (the Spark tests: resource_type:unit_test)
    # (one argument: dagster-dbt moves `--exclude` and its one value; dbt splits it at spaces)
    exclude = " ".join(["tag:not_on_spark", *os.environ.get("ICP_SPARK_DBT_EXCLUDE", "").split()])
    return ["--target", "spark", "--exclude", exclude], {"spark_parquet_tables": {"raw": raw}}


def after_dbt(con: duckdb.DuckDBPyConnection, duckdb_path: str | Path) -> dict[str, int]:
    """Spark: the tables dbt built on Spark copied into the DuckDB file ({`schema.table`: rows})."""
    if current_engine() != "spark":
        return {}
    from icp_pipeline.lib.engine.spark_tables import mirror_to_duckdb

    return mirror_to_duckdb(con, spark_folder(duckdb_path) / "warehouse")


def model_scorer():
    """The function `run_models` scores accounts with (see `lib.model.pipeline.run_models`)."""
    if current_engine() != "spark":
        from icp_pipeline.lib.model.scoring import score_and_explain

        return score_and_explain
    from icp_pipeline.lib.engine.spark_scoring import score_and_explain_on_spark

    return score_and_explain_on_spark


def after_publish(con: duckdb.DuckDBPyConnection, duckdb_path: str | Path) -> list[str]:
    """Spark: the published `icp.*` tables as Spark Parquet tables (names returned)."""
    if current_engine() != "spark":
        return []
    from icp_pipeline.lib.engine.spark_tables import register_in_spark, write_parquet_tables

    tables = write_parquet_tables(con, "icp", spark_folder(duckdb_path))
    register_in_spark({"icp": tables})
    return sorted(tables)
