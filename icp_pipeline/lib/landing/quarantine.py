"""Quarantine and load records: `raw._quarantine` (rows set aside, with file, line and reason)
and `raw._landing_loads` (each table's last load report).

Every row or value the loader drops, repairs, merges or skips gets one `raw._quarantine` row with a
short `kind` (the rule: `missing_required`, `implausible`, `report_footer`, `unparsable_mapped_value`,
`merged_duplicate`, ...) and a `reason` in words; `LoadReport.counts` and the load log's `set_aside`
count them per kind, and the run summary prints the non-zero counts per table and kind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.warehouse.connection import table_exists
from icp_pipeline.lib.warehouse.sql import quote_ident

RAW_SCHEMA = "raw"
QUARANTINE_TABLE = f"{RAW_SCHEMA}._quarantine"
LOAD_LOG_TABLE = f"{RAW_SCHEMA}._landing_loads"
MAX_EXAMPLES = 5
# What each kind of count means, in the run summary and icp.data_coverage.
KIND_WORDS = {
    "missing_required": "row(s) missing a required value, quarantined",
    "implausible": "implausible value(s) (future date, negative size, absurd amount), quarantined or nulled",
    "report_footer": "report footer line(s) skipped",
    "vocabulary_synonym": "status value(s) in an ERP's spelling, read as the contract's",
    "thousands_separator": "number(s) written with thousands separators, read without them",
    "mapped_operand_missing": "mapped value(s) with an empty operand, set to null",
    "merged_duplicate": "row(s) merged into another row of the same key (deduplicate_on)",
    "dedup_conflict": "value conflict(s), one per key and column whose merged rows differed, combined by rule",
    "personal_data_column": "personal-data column(s) not loaded",
}
# The columns of raw._quarantine, in insert order.
QUARANTINE_COLUMNS = "landing_table, source_file, line, reason, record, kind"


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
    counts: dict[str, int] = field(default_factory=dict)  # kind -> rows/values logged in raw._quarantine
    skipped_lines: int = 0  # report-footer lines skipped (not rows)

    def count(self, kind: str, n: int) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + int(n)


def ensure_load_log_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create `raw._landing_loads` (and the columns later versions added) if needed."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"create table if not exists {LOAD_LOG_TABLE} (landing_table varchar, present boolean, "
        "files varchar[], row_count bigint, quarantined_rows bigint, extra_columns varchar[], "
        "missing_optional_columns varchar[])"
    )
    for column, type_ in (("repaired_values", "bigint"), ("skipped_lines", "bigint"), ("set_aside", "json")):
        con.execute(f"alter table {LOAD_LOG_TABLE} add column if not exists {column} {type_}")


def ensure_quarantine_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create `raw._quarantine` (and the columns later versions added) if needed."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"create table if not exists {QUARANTINE_TABLE} (landing_table varchar, source_file varchar, "
        "line bigint, reason varchar, record json)"
    )
    con.execute(f"alter table {QUARANTINE_TABLE} add column if not exists kind varchar")


def record_load(con: duckdb.DuckDBPyConnection, report: LoadReport) -> None:
    """Replace the table's row in `raw._landing_loads` with this load's report."""
    ensure_load_log_table(con)
    con.execute(f"delete from {LOAD_LOG_TABLE} where landing_table = ?", [report.table])
    con.execute(
        f"insert into {LOAD_LOG_TABLE} (landing_table, present, files, row_count, quarantined_rows, "
        "extra_columns, missing_optional_columns, repaired_values, skipped_lines, set_aside) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.table,
            report.present,
            [Path(f).name for f in report.files],
            report.rows,
            report.quarantined,
            report.extra_columns,
            report.missing_optional_columns,
            report.repaired,
            report.skipped_lines,
            json.dumps(report.counts, sort_keys=True),
        ],
    )


def clear_quarantine(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """An absent table has no quarantined rows in this refresh (drop a previous refresh's)."""
    if table_exists(con, RAW_SCHEMA, "_quarantine"):
        con.execute(f"delete from {QUARANTINE_TABLE} where landing_table = ?", [table.full_name])


def reset_quarantine(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Create `raw._quarantine` if needed and drop the table's rows of a previous load."""
    ensure_quarantine_table(con)
    con.execute(f"delete from {QUARANTINE_TABLE} where landing_table = ?", [table.full_name])


def log_lines(
    con: duckdb.DuckDBPyConnection, table: Table, kind: str, reason: str, lines: list[tuple[str, int, str]]
) -> None:
    """Log lines that are not rows (file, line, text), e.g. a report's footer, in raw._quarantine."""
    if lines:
        con.executemany(
            f"insert into {QUARANTINE_TABLE} ({QUARANTINE_COLUMNS}) values (?, ?, ?, ?, json_object('text', ?), ?)",
            [[table.full_name, f, n, reason, text, kind] for f, n, text in lines],
        )


def quarantine_missing_required(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    """Move rows of `_mapped` missing a required value to raw._quarantine (kind `missing_required`)."""
    required = [quote_ident(c) for c in table.required_columns]
    if not required:
        return 0
    condition = " or ".join(f"{c} is null" for c in required)
    reason = "missing required value in " + ", ".join(table.required_columns)
    con.execute(
        f"insert into {QUARANTINE_TABLE} ({QUARANTINE_COLUMNS}) select ?, _source_file, _line, ?, "
        f"to_json(t), 'missing_required' from _mapped t where {condition}",
        [table.full_name, reason],
    )
    n = con.execute(f"select count(*) from _mapped where {condition}").fetchone()[0]
    if n:
        con.execute(f"delete from _mapped where {condition}")
    return int(n)


def describe_counts(counts: dict[str, int]) -> str:
    """`9,895 row(s) merged ...; 99 key(s) whose ...` for the non-zero counts of a load."""
    return "; ".join(f"{n:,} {KIND_WORDS.get(kind, kind)}" for kind, n in sorted(counts.items()) if n)


def set_aside_by_table(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """{landing table: {kind: count}} of the last loads, non-zero counts only ({} before any load)."""
    if not table_exists(con, RAW_SCHEMA, "_landing_loads"):
        return {}
    columns = {r[0] for r in con.execute(f"describe {LOAD_LOG_TABLE}").fetchall()}
    if "set_aside" not in columns:
        return {}
    result = {}
    for table, raw in con.execute(
        f"select landing_table, set_aside from {LOAD_LOG_TABLE} order by 1"
    ).fetchall():
        counts = {k: int(v) for k, v in json.loads(raw or "{}").items() if v}
        if counts:
            result[table] = counts
    return result
