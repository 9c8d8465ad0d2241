"""Load one landing-contract table into `raw.<source>__<table>`, typed and validated, in DuckDB.

Every file is read as text first so that a bad value can be reported with its file, column and line;
then contract columns are cast to their types. Rows missing a required value are moved to
`raw._quarantine` (counted, never silently dropped); unparsable values, duplicate keys and missing
columns stop the load with an actionable error. `record_load` keeps each table's last load report in
`raw._landing_loads` (the extract assets call it; icp.data_coverage reports it).

Implausible values (a date in the future, a negative size, an absurd amount; `plausibility.py`) are
repaired by rule: in a required column the row is quarantined, in an optional column the value is
set to null and the row kept; either way the row is logged in `raw._quarantine` with the reason and
counted in the load report. docs/bad-inputs.md lists every bad input and what happens to it.

Two paths give the same tables, rows, reports and errors. Clean files (the usual case) are written to
their raw table in one pass, with no text copy (`clean_path.load_clean`); anything else takes the general path
(`load_checked`), which copies the text with each row's file and line, and checks, quarantines,
repairs and reports from that copy.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from icp_pipeline.lib.landing.clean_path import load_clean
from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.dedup import combine_duplicates
from icp_pipeline.lib.landing.encoding import utf8_copies
from icp_pipeline.lib.landing.files import LandingDataError, TableFiles
from icp_pipeline.lib.landing.mapped_checks import check_mapped_values
from icp_pipeline.lib.landing.mapping import TableMapping
from icp_pipeline.lib.landing.plausibility import repair_implausible
from icp_pipeline.lib.landing.quarantine import (
    MAX_EXAMPLES,
    LoadReport,
    clear_quarantine,
    log_lines,
    quarantine_missing_required,
    reset_quarantine,
)
from icp_pipeline.lib.landing.reading import landing_columns, read_as_text, resolve_files, source_columns
from icp_pipeline.lib.landing.transforms import (
    check_mapped_columns_exist,
    check_parts_have_required_columns,
    mapped_columns,
)
from icp_pipeline.lib.landing.typecheck import check_types
from icp_pipeline.lib.landing.vocabularies import apply_vocabularies, check_stages, default_stages
from icp_pipeline.lib.landing.writing import create_empty_raw_table, write_typed
from icp_pipeline.lib.warehouse.sql import quote_ident


def load_table(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    table: Table,
    mapping: TableMapping | None = None,
    today: dt.date | None = None,
    stages: tuple[list[str], list[str]] | None = None,
) -> LoadReport:
    """Load `table` from `landing_dir` into the warehouse and return what happened.

    `today` (default: the current UTC date) is the day after which a date counts as in the future;
    `stages` the (won, lost) stage spellings of the ICP config (default: its defaults).
    """
    if stages is None and table.full_name == "crm/opportunities":  # the only table with stages
        stages = default_stages()
    stages = stages or ([], [])
    found = resolve_files(landing_dir, table, mapping)
    today = today or dt.datetime.now(dt.UTC).date()
    with utf8_copies(found) as (readable, originals):
        if found.present and not originals:
            report = load_clean(con, readable, table, mapping or TableMapping(), today, stages)
            if report is not None:
                return report
        report = load_checked(con, landing_dir, readable, table, mapping, today, originals, stages)
    report.files = [str(p) for p in found.files]
    return report


def load_checked(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    found: TableFiles,
    table: Table,
    mapping: TableMapping | None,
    today: dt.date,
    originals: dict[str, str] | None = None,
    stages: tuple[list[str], list[str]] | None = None,
) -> LoadReport:
    """The general path: a text copy of the files that every rule reads, repairs and reports from.

    `originals` maps converted copies among `found.files` to the user's files (`encoding.utf8_copies`).
    """
    report = LoadReport(table.full_name, found.present, [str(p) for p in found.files])
    if not found.present:
        if table.required:
            raise LandingDataError(
                f"{table.full_name} is required but no file was found: expected "
                f"{Path(landing_dir) / table.source / table.name}.csv (or .parquet, or a folder of parts)"
            )
        create_empty_raw_table(con, table)
        clear_quarantine(con, table)
        return report

    footers = read_as_text(con, found, originals)
    reset_quarantine(con, table)
    log_lines(
        con,
        table,
        "report_footer",
        "report footer line skipped (a blank line, then lines with fewer fields than the header)",
        [(f.file, f.line, f.text) for f in footers],
    )
    report.skipped_lines = len(footers)
    report.count("report_footer", len(footers))
    if footers:
        report.warnings.append(
            f"{table.full_name}: skipped {len(footers)} report footer line(s) at the end of "
            f"{', '.join(sorted({Path(f.file).name for f in footers}))} (see raw._quarantine)"
        )
    source_cols = source_columns(landing_columns(con), table)
    mapping = mapping or TableMapping()
    check_mapped_columns_exist(table, mapping, source_cols)
    check_parts_have_required_columns(con, found, table, mapping)
    select_exprs, extras = mapped_columns(table, mapping, source_cols, report)
    con.execute(
        f"create or replace temp table _mapped as select {', '.join(select_exprs)}, "
        "_source_file, _line from _landing"
    )
    con.execute("drop table _landing")  # one text copy of a large file at a time
    check_mapped_values(con, table, mapping, report)
    apply_vocabularies(con, table, mapping, report)
    check_stages(con, table, stages or default_stages())
    check_types(con, table)
    report.quarantined = quarantine_missing_required(con, table)
    report.count("missing_required", report.quarantined)
    repair_implausible(con, table, today, report)
    if mapping.deduplicate_on:  # after the row checks, so each line is checked and logged on its own
        combine_duplicates(con, table, mapping, report)
    _check_unique_key(con, table)
    if table.required:
        _check_not_empty(con, table, report)
    # _mapped keeps the files' row order unless a window reordered it (parts' line numbers, dedup)
    in_file_order = len(found.files) == 1 and not mapping.deduplicate_on
    write_typed(con, table, extras, report, sort=not in_file_order)
    return report


def _check_unique_key(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    if table.key is None:
        return
    key = quote_ident(table.key)
    # as many distinct values as rows: nothing repeats (the listing below is for the error only)
    if con.execute(f"select count(*) = count(distinct {key}) from _mapped").fetchone()[0]:
        return
    # Keys are compared as typed values, so " 42" and "42" collide as they will downstream.
    dupes = con.execute(
        f"select {key}, count(*) as n, list(distinct _source_file || ':' || _line order by _source_file || ':' || _line) "
        f"from _mapped group by {key} having count(*) > 1 order by n desc, {key} limit {MAX_EXAMPLES}"
    ).fetchall()
    if dupes:
        total = con.execute(
            f"select count(*) from (select {key} from _mapped group by {key} having count(*) > 1)"
        ).fetchone()[0]
        examples = "; ".join(
            f"{k!r} x{n} at {', '.join(Path(x).name for x in lines[:3])}" for k, n, lines in dupes
        )
        raise LandingDataError(
            f"{table.full_name}: key column {table.key!r} must be unique, but {total} value(s) repeat "
            f"({examples}). Remove the duplicates or, when the file has several rows (lines) per entity, set "
            f"`deduplicate_on: {table.key}` in its mapping: the rows of one key are then combined column by "
            "column (amounts summed, text by its most frequent value; `combine:` sets a rule per column) "
            "and counted."
        )


def _check_not_empty(con: duckdb.DuckDBPyConnection, table: Table, report: LoadReport) -> None:
    """A required table with no usable row stops the load (before its raw table is replaced)."""
    if con.execute("select count(*) from _mapped").fetchone()[0]:
        return
    files = ", ".join(Path(f).name for f in report.files)
    why = (
        f"all {report.quarantined} row(s) went to raw._quarantine (see its `reason`)"
        if report.quarantined
        else "it has a header but no data rows"
    )
    raise LandingDataError(
        f"{table.full_name}: {files} has no usable row: {why}. The pipeline needs at least one row of "
        f"{table.full_name}; export the table again with its rows."
    )
