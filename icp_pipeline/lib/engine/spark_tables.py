"""Tables between the run's DuckDB file and the Spark catalog (ICP_ENGINE=spark): only I/O, no logic.

- `write_parquet_tables`: a DuckDB schema's tables (the loader's checked `raw.*`, the published
  `icp.*`) as Parquet folders `<spark dir>/<schema>/<table>/`, keeping DuckDB's types; dbt's macro
  `register_parquet_tables` makes each a Spark table `<schema>.<table> using parquet`.
- `mirror_to_duckdb`: the tables dbt built on Spark (`<warehouse>/<schema>.db/<table>/*.parquet`),
  read back by DuckDB into the same schema and name, so the model, quality checks and publish steps
  read the Spark build with the code they use on DuckDB.
- `register_in_spark`: `dbt run-operation register_parquet_tables --target spark` in a subprocess
  (the catalog's Derby metastore admits one JVM, and the pipeline's process is not it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from icp_pipeline.lib.config.settings import DBT_PROJECT_DIR
from icp_pipeline.lib.warehouse.sql import quote_ident

# Schemas dbt builds (seeds go to `staging`), mirrored back to DuckDB after the Spark build.
DBT_SCHEMAS = ("staging", "intermediate", "marts")


def schema_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """Base tables of a DuckDB schema, sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? "
        "and table_type = 'BASE TABLE' order by 1",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def write_parquet_tables(con: duckdb.DuckDBPyConnection, schema: str, folder: Path) -> dict[str, str]:
    """Each table of DuckDB `schema` to `<folder>/<schema>/<table>/data.parquet` (replaced).

    Returns {table: absolute folder}, the argument of `register_parquet_tables`. Types map one to
    one (VARCHAR -> string, BIGINT -> bigint, DOUBLE -> double, DATE -> date, TIMESTAMP ->
    timestamp_ntz, BOOLEAN -> boolean, DECIMAL(p,s) -> decimal(p,s), X[] -> array<x>, JSON ->
    string); a column typed NULL (all values null) -> string."""
    out: dict[str, str] = {}
    for name in schema_tables(con, schema):
        target = (folder / schema / name).resolve()
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        file = str(target / "data.parquet").replace("'", "''")
        table = f"{quote_ident(schema)}.{quote_ident(name)}"
        # A column DuckDB typed NULL (every value null when the frame was written, e.g. no
        # disqualified account) has no Parquet type; it goes as string, as its values would be.
        described = con.execute(f"describe {table}").fetchall()
        columns = ", ".join(
            f"cast({quote_ident(c)} as varchar) as {quote_ident(c)}" if t == '"NULL"' else quote_ident(c)
            for c, t, *_ in described
        )
        con.execute(f"copy (select {columns} from {table}) to '{file}' (format parquet)")
        out[name] = str(target)
    return out


def spark_built_tables(warehouse_dir: Path, schemas: tuple[str, ...] = DBT_SCHEMAS) -> dict[str, Path]:
    """{`schema.table`: folder} of the managed Parquet tables under the Spark warehouse folder."""
    found: dict[str, Path] = {}
    for schema in schemas:
        base = warehouse_dir / f"{schema}.db"
        if base.is_dir():
            for folder in sorted(p for p in base.iterdir() if p.is_dir()):
                found[f"{schema}.{folder.name}"] = folder
    return found


def mirror_to_duckdb(con: duckdb.DuckDBPyConnection, warehouse_dir: Path) -> dict[str, int]:
    """Copy every table dbt built on Spark into DuckDB under the same name; {`schema.table`: rows}.

    Spark's time-zone-aware timestamps come back as DuckDB TIMESTAMP in UTC (the session time zone),
    as DuckDB's own build has them. Raises ValueError naming the folder when a table has no Parquet
    file (a failed or foreign write), rather than leaving DuckDB's older copy in place."""
    counts: dict[str, int] = {}
    for qualified, folder in spark_built_tables(warehouse_dir).items():
        schema, name = qualified.split(".", 1)
        files = sorted(folder.glob("*.parquet"))
        if not files:
            raise ValueError(f"Spark table {qualified}: no Parquet file in {folder}")
        paths = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
        source = f"read_parquet([{paths}])"
        described = con.execute(f"describe select * from {source}").fetchall()
        columns = ", ".join(
            f"timezone('UTC', {quote_ident(c)}) as {quote_ident(c)}"
            if t == "TIMESTAMP WITH TIME ZONE"
            else quote_ident(c)
            for c, t, *_ in described
        )
        target = f"{quote_ident(schema)}.{quote_ident(name)}"
        con.execute(f"create schema if not exists {quote_ident(schema)}")
        con.execute(f"drop view if exists {target}")
        con.execute(f"create or replace table {target} as select {columns} from {source}")
        counts[qualified] = con.execute(f"select count(*) from {target}").fetchone()[0]
    return counts


def dbt_executable() -> str:
    """The `dbt` beside this interpreter (the venv's), else the one on PATH."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def register_in_spark(tables: dict[str, dict[str, str]]) -> str:
    """`dbt run-operation register_parquet_tables` on the `spark` target: {schema: {table: folder}}.

    Returns dbt's output; RuntimeError with it when dbt fails."""
    args = [
        dbt_executable(),
        "run-operation",
        "register_parquet_tables",
        "--args",
        json.dumps({"tables": tables}),
        "--target",
        "spark",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(Path(os.environ.get("ICP_SPARK_DIR", DBT_PROJECT_DIR)) / "dbt_target"),
    ]
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=DBT_PROJECT_DIR)
    if done.returncode != 0:
        raise RuntimeError(
            f"registering Parquet tables in Spark failed:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
        )
    return done.stdout
