"""The local Spark session of `ICP_ENGINE=spark`: one configuration for the pipeline and dbt-spark.

dbt-spark's `session` method builds its SparkSession from the `spark` target's
`server_side_parameters` (dbt_project/profiles.yml); `spark_conf()` gives the same settings, and the
env vars below carry them to dbt, so Python steps and dbt read the same catalog:

- `ICP_SPARK_DIR`: folder of the Spark warehouse (`<dir>/warehouse`, Parquet tables) and of the
  embedded Derby metastore (`<dir>/metastore_db`). Default `spark/` beside the DuckDB file.
- `ICP_SPARK_MASTER`: default `local[2]` (this machine's two cores). A cluster uses the thrift/http
  target instead (docs/scale-out.md).
- `ICP_SPARK_DRIVER_MEMORY`: default `2g`.

Tables are plain Parquet (`using parquet`), so no package is downloaded (no Delta or Iceberg jars).
The embedded Derby metastore allows one JVM at a time: dbt runs in the pipeline's process
(`dbt_runner.py`), which shares this session.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from icp_pipeline.lib.settings import Settings


def java_missing_reason() -> str | None:
    """None when Java and pyspark are importable/installed, else why Spark cannot run (and the fix)."""
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


def export_env(folder: Path) -> None:
    """Set the env vars the `spark` dbt target reads (profiles.yml), so dbt and Python agree."""
    folder = folder.resolve()
    os.environ["ICP_SPARK_DIR"] = str(folder)
    os.environ["ICP_SPARK_WAREHOUSE"] = str(folder / "warehouse")
    os.environ["ICP_SPARK_METASTORE"] = str(folder / "metastore_db")
    os.environ.setdefault("ICP_SPARK_MASTER", "local[2]")
    os.environ.setdefault("ICP_SPARK_DRIVER_MEMORY", "2g")


def spark_conf(folder: Path) -> dict[str, str]:
    """The session settings (same keys as the profile's server_side_parameters)."""
    export_env(folder)
    return {
        "spark.master": os.environ["ICP_SPARK_MASTER"],
        "spark.driver.memory": os.environ["ICP_SPARK_DRIVER_MEMORY"],
        "spark.sql.warehouse.dir": os.environ["ICP_SPARK_WAREHOUSE"],
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={os.environ['ICP_SPARK_METASTORE']};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={folder.resolve()}",
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.ansi.enabled": "false",
        "spark.ui.enabled": "false",
        # Python workers (mapInPandas) run this interpreter, so they import the same packages.
        "spark.pyspark.python": sys.executable,
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
    }


def get_spark(folder: Path | None = None):
    """The process's SparkSession with Hive catalog support (created on first use).

    Raises RuntimeError with the fix when Java or pyspark is missing.
    """
    reason = java_missing_reason()
    if reason:
        raise RuntimeError(f"ICP_ENGINE=spark cannot start Spark: {reason}")
    from pyspark.sql import SparkSession

    folder = folder or spark_dir()
    # pyspark starts its Python workers with PYSPARK_PYTHON (default `python3`, without lightgbm).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    folder.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("icp-pipeline").enableHiveSupport()
    for key, value in spark_conf(folder).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
