"""dbt on local Spark: raw tables from the loader, then `dbt build --target spark` in this process.

dbt-spark's `session` method reuses the process's SparkSession (spark_session.get_spark), so dbt runs
through dbt's Python entry point (`dbtRunner`), not a subprocess: the embedded Derby metastore admits
one JVM at a time.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from icp_pipeline.lib.engine.spark_raw import publish_raw_to_spark
from icp_pipeline.lib.engine.spark_session import get_spark
from icp_pipeline.lib.settings import DBT_PROJECT_DIR


@dataclass
class SparkBuild:
    success: bool
    seconds: float
    raw_rows: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    log: str = ""


def dbt_build_on_spark(duckdb_path: Path, folder: Path, dbt_args: list[str] | None = None) -> SparkBuild:
    """Register the loader's `raw.*` (from the DuckDB file) in Spark and run `dbt build --target spark`.

    `dbt_args` are appended (e.g. `["--vars", "{as_of_date: 2025-01-01}"]`). Returns the outcome with
    the names and messages of failed nodes; never raises for a failed model or test.
    """
    from dbt.cli.main import dbtRunner

    started = time.perf_counter()
    spark = get_spark(folder)
    raw_rows = publish_raw_to_spark(spark, duckdb_path, folder)
    args = ["build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    args += ["--target", "spark", "--target-path", str(folder / "dbt_target"), *(dbt_args or [])]
    out = io.StringIO()
    env_before = os.environ.get("DO_NOT_TRACK")
    os.environ["DO_NOT_TRACK"] = "1"
    try:
        with contextlib.redirect_stdout(out):
            result = dbtRunner().invoke(args)
    finally:
        if env_before is None:
            os.environ.pop("DO_NOT_TRACK", None)
    failures = []
    for node_result in getattr(result.result, "results", None) or []:
        if str(node_result.status) in ("error", "fail"):
            failures.append(f"{node_result.node.name}: {node_result.message}")
    if result.exception is not None:
        failures.append(f"dbt: {result.exception}")
    return SparkBuild(
        success=bool(result.success),
        seconds=time.perf_counter() - started,
        raw_rows=raw_rows,
        failures=failures,
        log=out.getvalue(),
    )
