"""Connector schemas held in a DuckDB database file instead of landing sub-folders.

With `ICP_SOURCE_DUCKDB=<file>` set, the file is attached read-only and every table of its connector
schemas (`salesforce`, `salesforce_history`, `hubspot`, `stripe`) is exported once per version of
the file (path, size, modification time) to Parquet under a cache folder laid out like a landing
folder (`<schema>/<table>.parquet`). The connector tables are then loaded from there by the same
loader and rules as landed files; the contract's own folders still come from the landing folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from icp_pipeline.lib.landing.files import LandingDataError
from icp_pipeline.lib.sql import quote_ident

ENV_VAR = "ICP_SOURCE_DUCKDB"
SCHEMAS = ("salesforce", "salesforce_history", "hubspot", "stripe")


def source_database() -> Path | None:
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value) if value else None


def connector_dir(landing: Path) -> Path:
    """Where connector schemas are read from: the landing folder, or the export of ICP_SOURCE_DUCKDB."""
    database = source_database()
    if database is None:
        return Path(landing)
    if not database.is_file():
        raise LandingDataError(
            f"{ENV_VAR}={database}: no such DuckDB file. Point it at the database holding the connector schemas, or unset it."
        )
    stat = database.stat()
    key = hashlib.sha256(f"{database.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"icp_source_duckdb_{key}"
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}_"))
    try:
        _export(database, staging)
        try:
            staging.rename(target)
        except OSError:  # another extract asset exported it first
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _export(database: Path, out: Path) -> None:
    with duckdb.connect() as con:
        try:
            con.execute(f"attach {_literal(str(database))} as src (read_only)")
        except duckdb.Error as exc:
            raise LandingDataError(
                f"{ENV_VAR}={database} could not be opened as a DuckDB database: {exc}"
            ) from exc
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'src' and lower(table_schema) in ({})".format(
                ", ".join("?" for _ in SCHEMAS)
            ),
            list(SCHEMAS),
        ).fetchall()
        if not rows:
            raise LandingDataError(
                f"{ENV_VAR}={database} holds none of the connector schemas {', '.join(SCHEMAS)}; "
                "see docs/connectors/."
            )
        for schema, table in rows:
            folder = out / schema.lower()
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{table.lower()}.parquet"
            con.execute(
                f"copy (select * from src.{quote_ident(schema)}.{quote_ident(table)}) "
                f"to {_literal(str(path))} (format parquet)"
            )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
