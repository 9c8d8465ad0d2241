"""The Spark sessions of `ICP_ENGINE=spark`: the catalog session (dbt) and the scoring session.

Two kinds of session, never in one JVM (docs/scale-out.md):

- The **catalog** session owns the Hive catalog: Parquet tables under `<ICP_SPARK_DIR>/warehouse`
  and the embedded Derby metastore `<ICP_SPARK_DIR>/metastore_db`. dbt-spark's `session` method
  builds it in dbt's own process from the `spark` target's `server_side_parameters`
  (dbt_project/profiles.yml), which read the env vars `export_env` sets; `catalog_session` builds the
  same one for a script (the catalog listing, `spark_catalog.py`). Derby admits one JVM at a time,
  so the pipeline's own process never opens it.
- The **scoring** session (`scoring_session`) runs in the pipeline's process with an in-memory
  catalog: it only scores DataFrames per partition (`spark_scoring.py`), no tables.

Env vars: `ICP_SPARK_DIR` (default `spark/` beside the DuckDB file), `ICP_SPARK_MASTER` (default
`local[2]`: this machine's two cores; a cluster uses the thrift/http target instead),
`ICP_SPARK_DRIVER_MEMORY` (default `2g`), `ICP_SPARK_JAVA_OPTIONS` (default
`-XX:TieredStopAtLevel=1 -XX:+UseSerialGC`). Tables are plain Parquet, so no package is downloaded (no
Delta or Iceberg jars).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from icp_pipeline.lib.config.settings import Settings

# Small local work: few shuffle partitions, no UI, no adaptive re-planning (it costs more than it
# saves on tables of thousands of rows). The `spark` target's server_side_parameters repeat them.
TUNING = {
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.adaptive.enabled": "false",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # Compiling generated Java per query costs more than it saves on thousands of rows.
    "spark.sql.codegen.wholeStage": "false",
}
# The JVM of a short local run: C1 JIT only and the serial collector leave the CPU to the work
# (env ICP_SPARK_JAVA_OPTIONS; the `spark` dbt target reads the same variable).
DEFAULT_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=512m"


def java_options() -> str:
    return os.environ.get("ICP_SPARK_JAVA_OPTIONS", DEFAULT_JAVA_OPTIONS)


def java_missing_reason() -> str | None:
    """None when Java and pyspark are installed, else why Spark cannot run (and the fix)."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (run `make spark`: Debian's openjdk-17-jre-headless)"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (run `make spark`: the [spark] extra)"
    return None


def spark_dir(settings: Settings | None = None) -> Path:
    """Folder of the Spark warehouse and metastore (env ICP_SPARK_DIR, else beside the DuckDB file)."""
    configured = os.environ.get("ICP_SPARK_DIR")
    if configured:
        return Path(configured)
    settings = settings or Settings.from_env()
    return settings.duckdb_path.parent / "spark"


def export_env(folder: Path) -> Path:
    """Set the env vars the `spark` dbt target reads (profiles.yml), so dbt and Python agree.

    Returns the resolved folder."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["ICP_SPARK_DIR"] = str(folder)
    os.environ["ICP_SPARK_WAREHOUSE"] = str(folder / "warehouse")
    os.environ["ICP_SPARK_METASTORE"] = str(folder / "metastore_db")
    os.environ.setdefault("ICP_SPARK_MASTER", "local[2]")
    os.environ.setdefault("ICP_SPARK_DRIVER_MEMORY", "2g")
    # Python workers (mapInPandas) run this interpreter, so they import the same packages
    # (pyspark's default `python3` lacks lightgbm).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return folder


def _require_spark() -> None:
    reason = java_missing_reason()
    if reason:
        raise RuntimeError(f"ICP_ENGINE=spark cannot start Spark: {reason}")


def _build(app: str, conf: dict[str, str]):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def scoring_session():
    """The process's SparkSession for scoring (in-memory catalog, created on first use).

    Raises RuntimeError with the fix when Java or pyspark is missing."""
    _require_spark()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    conf = {
        "spark.master": os.environ.get("ICP_SPARK_MASTER", "local[2]"),
        "spark.driver.memory": os.environ.get("ICP_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.catalogImplementation": "in-memory",
        "spark.pyspark.python": sys.executable,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.driver.extraJavaOptions": java_options(),
        **TUNING,
    }
    return _build("icp-scoring", conf)


def catalog_session(folder: Path):
    """A SparkSession on the Hive catalog of `folder` (the one dbt builds); for a separate process only."""
    _require_spark()
    folder = export_env(folder)
    conf = {
        "spark.master": os.environ["ICP_SPARK_MASTER"],
        "spark.driver.memory": os.environ["ICP_SPARK_DRIVER_MEMORY"],
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": os.environ["ICP_SPARK_WAREHOUSE"],
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={os.environ['ICP_SPARK_METASTORE']};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={folder} {java_options()}",
        **TUNING,
    }
    return _build("icp-catalog", conf)
