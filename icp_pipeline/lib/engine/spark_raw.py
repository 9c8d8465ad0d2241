"""Raw tables on Spark: the DuckDB loader's checked `raw.*` tables as Parquet-backed Spark tables.

The landing files go through the one loader (icp_pipeline/lib/landing: contract, checks, quarantine,
counts) into the run's DuckDB file; this module copies each resulting `raw.<source>__<table>` (and
`raw._quarantine`, `raw._landing_loads`) to Parquet under the Spark warehouse and registers it as
`raw.<name>` (`using parquet`), so dbt staging reads the same names and types on both engines.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from icp_pipeline.lib.sql import quote_ident


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the tables in DuckDB schema `raw`, sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def publish_raw_to_spark(spark, duckdb_path: Path, folder: Path, tables: list[str] | None = None) -> dict:
    """Copy DuckDB `raw.*` to `<folder>/raw/<name>/data.parquet` and (re)register `raw.<name>` in Spark.

    Returns {name: row count}. The Parquet keeps DuckDB's types (varchar -> string, date, timestamp,
    double, bigint, boolean), so staging casts behave the same.
    """
    counts: dict[str, int] = {}
    spark.sql("create database if not exists raw")
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for name in tables or raw_tables(con):
            target = folder / "raw" / name
            target.mkdir(parents=True, exist_ok=True)
            file = target / "data.parquet"
            con.execute(f"copy raw.{quote_ident(name)} to '{file}' (format parquet)")
            counts[name] = con.execute(f"select count(*) from raw.{quote_ident(name)}").fetchone()[0]
            spark.sql(f"drop table if exists raw.`{name}`")
            spark.sql(f"create table raw.`{name}` using parquet location '{target.resolve()}'")
    return counts
