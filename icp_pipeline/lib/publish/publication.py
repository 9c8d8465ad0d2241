"""Atomic publication of the `icp` schema: every table of a refresh swaps in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import duckdb
import pandas as pd

from icp_pipeline.lib.publish.export_schema import cast_problems, column_types, typed_select
from icp_pipeline.lib.publish.publish_io import checked_table_name
from icp_pipeline.lib.warehouse.sql import quote_ident

PUBLISH_SCHEMA = "icp"
_FRAME = "_publish_frame"


def publish_tables(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pd.DataFrame],
    icp_version: str,
    published_at: dt.datetime,
    declared_types: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Replace `icp.<name>` for every frame in one transaction, stamping `icp_version` and `published_at`.

    A reader sees either the previous refresh or this one, never a mix; on any error the
    transaction rolls back and the previous tables stay as they were.

    Types stay the same from refresh to refresh: a table named in `declared_types` (column -> DuckDB
    type, stamps included; `export_schema.PUBLISHED_COLUMN_TYPES`) is cast to its declared columns,
    in their order, and a frame that does not fit them (`export_schema.cast_problems`) raises
    ValueError before anything is replaced. In every other table a column without any value, which
    DuckDB would type NULL, is published as VARCHAR (such columns are text: notes and reasons).
    """
    declared_types = declared_types or {}
    con.execute(f"create schema if not exists {PUBLISH_SCHEMA}")
    con.execute("begin transaction")
    try:
        for name, frame in frames.items():
            table = checked_table_name(f"{PUBLISH_SCHEMA}.{name}")
            stamped = frame.assign(icp_version=icp_version, published_at=published_at)
            con.register(_FRAME, stamped)
            try:
                con.execute(f"create or replace table {table} as {_typed_query(con, name, declared_types)}")
            finally:
                con.unregister(_FRAME)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _typed_query(con: duckdb.DuckDBPyConnection, name: str, declared: Mapping[str, Mapping[str, str]]) -> str:
    if name in declared:
        problems = cast_problems(con, _FRAME, declared[name], f"icp.{name}")
        if problems:
            raise ValueError("cannot publish with the declared column types: " + "; ".join(problems))
        return typed_select(_FRAME, declared[name])
    found = column_types(con, _FRAME)
    if '"NULL"' not in found.values():
        return f"select * from {_FRAME}"
    columns = [
        f"cast({quote_ident(c)} as VARCHAR) as {quote_ident(c)}" if t == '"NULL"' else quote_ident(c)
        for c, t in found.items()
    ]
    return f"select {', '.join(columns)} from {_FRAME}"


def published_types(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, dict[str, str]]:
    """Per published table (of `tables`), column -> DuckDB type as published, in column order."""
    rows = con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        f"where database_name = current_database() and schema_name = '{PUBLISH_SCHEMA}' "
        "order by table_name, column_index"
    ).fetchall()
    types: dict[str, dict[str, str]] = {name: {} for name in tables}
    for table, column, dtype in rows:
        if table in types:
            types[table][column] = dtype
    return types
