"""Writing the typed raw table `raw.<source>__<table>` from the checked text copy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.quarantine import RAW_SCHEMA, LoadReport
from icp_pipeline.lib.landing.typecheck import typed_expr
from icp_pipeline.lib.warehouse.sql import quote_ident


def create_empty_raw_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    cols = ", ".join(f"{quote_ident(c.name)} {c.duckdb_type}" for c in table.columns)
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(f"create or replace table {RAW_SCHEMA}.{table.raw_table} ({cols}, _source_file varchar)")


def write_typed(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    extras: dict[str, str],
    report: LoadReport,
    sort: bool = True,
) -> None:
    """`raw.<table>` from `_mapped`, in file and line order (`sort=False`: `_mapped` is in that order)."""
    typed = [f"{typed_expr(c)}::{c.duckdb_type} as {quote_ident(c.name)}" for c in table.columns]
    if extras:  # one scan decides every extra column's type
        numeric = con.execute(
            "select "
            + ", ".join(
                f"count({q}) > 0 and count({q}) = count(try_cast({q} as double))"
                for q in map(quote_ident, extras)
            )
            + " from _mapped"
        ).fetchone()
        typed += [extra_typed_expr(name, bool(n)) for name, n in zip(extras, numeric, strict=True)]
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    order = " order by _source_file, _line" if sort else ""
    with single_threaded(con):
        report.rows = con.execute(
            f"create or replace table {RAW_SCHEMA}.{table.raw_table} as "
            f"select {', '.join(typed)}, _source_file from _mapped{order}"
        ).fetchone()[0]
    con.execute("drop table if exists _mapped")
    con.execute("drop table if exists _landing")


def extra_typed_expr(name: str, numeric: bool) -> str:
    """An extra column is a number when every value it has parses as one, else text."""
    q = quote_ident(name)
    return f"try_cast({q} as double) as {q}" if numeric else f"{q}::varchar as {q}"


@contextmanager
def single_threaded(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the statements inside on one DuckDB thread, then restore the connection's setting.

    Writing a large table from several threads leaves partly filled row groups (each thread writes its
    own) that DuckDB merges and compresses a second time at the next checkpoint, which is when the
    writing connection closes: at 1 M accounts that made the activities' load ~2x slower and held the
    table in memory during the checkpoint. One thread writes full row groups once, and streams.
    """
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    con.execute("set threads = 1")
    try:
        yield
    finally:
        con.execute(f"set threads = {int(threads)}")
