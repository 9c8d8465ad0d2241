"""Quarantine and load records: `raw._quarantine` (rows set aside, with file, line and reason)
and `raw._landing_loads` (each table's last load report).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.sql import quote_ident
from icp_pipeline.lib.warehouse import table_exists

RAW_SCHEMA = "raw"


QUARANTINE_TABLE = f"{RAW_SCHEMA}._quarantine"


LOAD_LOG_TABLE = f"{RAW_SCHEMA}._landing_loads"


MAX_EXAMPLES = 5


@dataclass
class LoadReport:
    table: str
    present: bool
    files: list[str]
    rows: int = 0
    quarantined: int = 0
    extra_columns: list[str] = field(default_factory=list)
    missing_optional_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repaired: int = 0  # implausible optional values set to null (rows kept; logged in raw._quarantine)
    personal_data_columns: list[str] = field(default_factory=list)  # dropped, never attributes


def record_load(con: duckdb.DuckDBPyConnection, report: LoadReport) -> None:
    """Replace the table's row in `raw._landing_loads` with this load's report."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"create table if not exists {LOAD_LOG_TABLE} (landing_table varchar, present boolean, "
        "files varchar[], row_count bigint, quarantined_rows bigint, extra_columns varchar[], "
        "missing_optional_columns varchar[])"
    )
    con.execute(f"delete from {LOAD_LOG_TABLE} where landing_table = ?", [report.table])
    con.execute(
        f"insert into {LOAD_LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
        [
            report.table,
            report.present,
            [Path(f).name for f in report.files],
            report.rows,
            report.quarantined,
            report.extra_columns,
            report.missing_optional_columns,
        ],
    )


def clear_quarantine(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """An absent table has no quarantined rows in this refresh (drop a previous refresh's)."""
    if table_exists(con, RAW_SCHEMA, "_quarantine"):
        con.execute(f"delete from {QUARANTINE_TABLE} where landing_table = ?", [table.full_name])


def reset_quarantine(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Create `raw._quarantine` if needed and drop the table's rows of a previous load."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"create table if not exists {QUARANTINE_TABLE} (landing_table varchar, source_file varchar, "
        "line bigint, reason varchar, record json)"
    )
    con.execute(f"delete from {QUARANTINE_TABLE} where landing_table = ?", [table.full_name])


def quarantine_missing_required(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    reset_quarantine(con, table)
    required = [quote_ident(c) for c in table.required_columns]
    if not required:
        return 0
    condition = " or ".join(f"{c} is null" for c in required)
    reason = "missing required value in " + ", ".join(table.required_columns)
    con.execute(
        f"insert into {QUARANTINE_TABLE} select ?, _source_file, _line, ?, to_json(t) "
        f"from _mapped t where {condition}",
        [table.full_name, reason],
    )
    n = con.execute(f"select count(*) from _mapped where {condition}").fetchone()[0]
    if n:
        con.execute(f"delete from _mapped where {condition}")
    return int(n)
