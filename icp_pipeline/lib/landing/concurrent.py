"""Loading several landing tables at once, on a thread pool, each on its own DuckDB cursor.

Most of a table's load runs inside DuckDB, which releases Python's GIL, and writes its raw table on
one DuckDB thread (`writing.single_threaded`). Loading tables one after another therefore kept one
core busy; `run_on_cursors` runs the tables' loads (and their Great Expectations validations, which
are Python) side by side, one cursor (a DuckDB connection of its own: its own transaction and temp
tables) per task.

What the loads share is written so that a refresh gives the same rows in the same order as loading the
tables one by one in `names` order:
- `prepare_shared_tables` creates `raw`, `raw._quarantine` and `raw._landing_loads` before the tasks
  start (two transactions creating the same table would conflict);
- the caller writes `raw._landing_loads` (`quarantine.record_load`) after the tasks, in order;
- `restore_quarantine_order` puts the `raw._quarantine` rows that concurrent loads appended
  interleaved back into load order (each load's own rows keep their order).

`ICP_EXTRACT_THREADS` sets the number of tables loaded at once (default: the CPU count, at most 4;
1 loads them one by one). While they run, DuckDB's `threads` setting, which is global to the
database, is 1 per load: the loads, not DuckDB's operators, share the cores.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import duckdb

from icp_pipeline.lib.landing.quarantine import (
    QUARANTINE_TABLE,
    ensure_load_log_table,
    ensure_quarantine_table,
)
from icp_pipeline.lib.landing.writing import single_threaded
from icp_pipeline.lib.warehouse.sql import sql_literal

EXTRACT_THREADS_ENV = "ICP_EXTRACT_THREADS"
_MAX_DEFAULT_THREADS = 4

T = TypeVar("T")


def extract_threads() -> int:
    """Tables loaded at once: `ICP_EXTRACT_THREADS` (a whole number >= 1), else min(CPUs, 4)."""
    value = os.environ.get(EXTRACT_THREADS_ENV, "").strip()
    if not value:
        return max(1, min(os.cpu_count() or 1, _MAX_DEFAULT_THREADS))
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(
            f"{EXTRACT_THREADS_ENV}={value!r}: expected a whole number of tables to load at once (1 or more)"
        )
    return n


def prepare_shared_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The schema and tables every load writes into, created once before concurrent loads."""
    ensure_quarantine_table(con)
    ensure_load_log_table(con)


def run_on_cursors(
    con: duckdb.DuckDBPyConnection,
    tasks: Sequence[tuple[str, Callable[[duckdb.DuckDBPyConnection], T]]],
    threads: int,
) -> dict[str, T | BaseException]:
    """Run each `(name, task)` with a cursor of `con` of its own, `threads` at a time, starting them in
    the given order (put the longest first); {name: result, or the exception it raised}, every task
    run whatever the others do. With `threads` = 1 they run one by one on this thread."""

    def run(task: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        cursor = con.cursor()
        try:
            return task(cursor)
        finally:
            cursor.close()

    results: dict[str, T | BaseException] = {}
    if threads <= 1 or len(tasks) <= 1:
        for name, task in tasks:
            try:
                results[name] = run(task)
            except Exception as exc:  # noqa: BLE001 - returned to the caller, which raises it
                results[name] = exc
        return results
    with single_threaded(con), ThreadPoolExecutor(threads, thread_name_prefix="icp-extract") as pool:
        futures = [(name, pool.submit(run, task)) for name, task in tasks]
        for name, future in futures:
            error = future.exception()
            results[name] = error if error is not None else future.result()
    return results


def restore_quarantine_order(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> None:
    """Rows of `raw._quarantine` in the order one-by-one loads of `names` (landing tables, in load
    order) would have left them: other tables' rows first, as they were, then each table's rows in
    `names` order, each table's rows in the order its load wrote them."""
    if not names:
        return
    listed = "[" + ", ".join(sql_literal(n) for n in names) + "]"
    loaded = con.execute(
        f"select count(distinct landing_table) from {QUARANTINE_TABLE} where list_contains({listed}, landing_table)"
    ).fetchone()[0]
    if loaded < 2:  # appended rows of one load already follow every other row
        return
    con.execute(
        f"create or replace temp table _quarantine_ordered as select * from {QUARANTINE_TABLE} "
        f"order by coalesce(list_position({listed}, landing_table), 0), rowid"
    )
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {QUARANTINE_TABLE}")
        con.execute(f"insert into {QUARANTINE_TABLE} select * from _quarantine_ordered")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop table if exists _quarantine_ordered")
