"""The loader's fast path for clean files: the raw table written straight from the files in one
transaction, rolled back (and left to the general path) at the first row a rule would act on.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.files import LandingDataError, TableFiles
from icp_pipeline.lib.landing.mapped_checks import clean_path_flags as mapped_value_flags
from icp_pipeline.lib.landing.mapped_checks import companions
from icp_pipeline.lib.landing.mapping import TableMapping
from icp_pipeline.lib.landing.plausibility import plausibility_rules
from icp_pipeline.lib.landing.quarantine import RAW_SCHEMA, LoadReport, reset_quarantine
from icp_pipeline.lib.landing.ragged import clear_rejects, has_rejects
from icp_pipeline.lib.landing.reading import INTERNAL, check_csv_headers, reader_sql, source_columns
from icp_pipeline.lib.landing.transforms import (
    check_mapped_columns_exist,
    check_parts_have_required_columns,
    mapped_columns,
)
from icp_pipeline.lib.landing.typecheck import typed_expr
from icp_pipeline.lib.landing.vocabularies import clean_path_flags, stage_flag
from icp_pipeline.lib.landing.writing import single_threaded
from icp_pipeline.lib.warehouse.sql import quote_ident, sql_literal

_NEEDS_GENERAL_PATH = "icp: a row needs the loader's general path"


def load_clean(
    con: duckdb.DuckDBPyConnection,
    found: TableFiles,
    table: Table,
    mapping: TableMapping,
    today: dt.date,
    stages: tuple[list[str], list[str]] = ([], []),
) -> LoadReport | None:
    """The common case, clean files, in one read of the files and no text copy of them.

    In one transaction the raw table is written straight from the files, stopping at the first row the
    general path (`load_checked`) would act on (an unparsable, missing or implausible value), and one
    scan of the written table looks for repeated keys and types the extra columns. Such a row, a
    repeated key, no rows in a required table, an unusual layout or any error rolls the transaction
    back (the previous raw table and `raw._quarantine` are as they were) and returns None: the general
    path then loads the table, repairs it or raises its error, exactly as if this had not run.
    """
    if mapping.deduplicate_on or any(p.stat().st_size == 0 for p in found.files):
        return None
    paths = [str(p) for p in found.files]
    if paths != sorted(paths):  # the written rows follow the files' order, which must be the sort order
        return None
    try:
        plan = _plan_clean_load(con, found, table, mapping)
    except duckdb.InterruptException:
        raise
    except (LandingDataError, duckdb.Error):
        return None
    if plan is None:
        return None
    try:
        con.execute("begin transaction")
    except duckdb.Error:  # the caller's transaction is open: leave it to the general path
        return None
    try:
        report = _write_clean(con, table, today, stages, *plan)
    except BaseException as exc:
        con.execute("rollback")
        if isinstance(exc, (LandingDataError, duckdb.Error)) and not isinstance(
            exc, duckdb.InterruptException
        ):
            return None
        raise
    if report is None:
        con.execute("rollback")
        return None
    con.execute("commit")
    con.execute("drop table if exists _mapped")
    con.execute("drop table if exists _landing")
    return report


def _plan_clean_load(
    con: duckdb.DuckDBPyConnection, found: TableFiles, table: Table, mapping: TableMapping
) -> tuple[LoadReport, str, dict[str, str]] | None:
    """The general path's header and mapping checks on the files' columns (read by DuckDB's sniffer)."""
    report = LoadReport(table.full_name, True, [str(p) for p in found.files])
    reader = reader_sql(found)
    clear_rejects(con)
    names = [r[0] for r in con.execute(f"describe select * from {reader}").fetchall()]
    if names[-1:] != ["filename"] or {n.strip().lower() for n in names[:-1]} & {"filename", *INTERNAL}:
        return None
    if found.file_format == "csv":
        check_csv_headers(found)
    source_cols = source_columns(names[:-1], table)
    check_mapped_columns_exist(table, mapping, source_cols)
    check_parts_have_required_columns(con, found, table, mapping)
    select_exprs, extras = mapped_columns(table, mapping, source_cols, report)
    source = f"(select {', '.join(select_exprs)}, filename as _source_file from {reader}) _src"
    return report, source, extras


def _write_clean(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    today: dt.date,
    stages: tuple[list[str], list[str]],
    report: LoadReport,
    source: str,
    extras: dict[str, str],
) -> LoadReport | None:
    """Inside the caller's transaction: the raw table if nothing needs the general path, else None."""
    # Where the general path would act on a row: an unparsable, missing or implausible value.
    flags = [
        f"({quote_ident(c.name)} is not null and {typed_expr(c)} is null)"
        for c in table.columns
        if c.type != "string"
    ]
    flags += [f"{quote_ident(c)} is null" for c in table.required_columns]
    flags += [f"({cond})" for _, cond, _ in plausibility_rules(table, today)]
    flags += clean_path_flags(table) + stage_flag(table, stages)
    flags += mapped_value_flags(companions(con, f"select * from {source}"))
    source_file = "_source_file"
    if flags:  # the first such row stops the write (and the caller rolls back)
        stop = f"error({sql_literal(_NEEDS_GENERAL_PATH)})"
        source_file = f"(case when {' or '.join(flags)} then {stop} else _source_file end)"
    columns = [f"{typed_expr(c)}::{c.duckdb_type} as {quote_ident(c.name)}" for c in table.columns]
    columns += [f"{quote_ident(name)}::varchar as {quote_ident(name)}" for name in extras]
    raw = f"{RAW_SCHEMA}.{table.raw_table}"
    reset_quarantine(con, table)
    clear_rejects(con)
    with single_threaded(con):
        report.rows = con.execute(
            f"create or replace table {raw} as select {', '.join(columns)}, {source_file} as _source_file "
            f"from {source}"
        ).fetchone()[0]
    if has_rejects(con):  # a row whose field count differs from the header, or a report footer
        return None

    checks = []
    if table.key:  # every row has a key of its own (a null or repeated key: the general path decides)
        checks.append(f"count(*) > count(distinct {quote_ident(table.key)})")
    checks += [
        f"count({q}) > 0 and count({q}) = count(try_cast({q} as double))" for q in map(quote_ident, extras)
    ]
    found = con.execute(f"select {', '.join(checks)} from {raw}").fetchone() if checks else ()
    repeated, numeric = (found[0], found[1:]) if table.key else (False, found)
    if repeated or (table.required and not report.rows):
        return None
    for name, is_numeric in zip(extras, numeric, strict=True):
        if is_numeric:  # every value parses as a number (see `extra_typed_expr`)
            q = quote_ident(name)
            con.execute(
                f"alter table {raw} alter column {q} set data type double using try_cast({q} as double)"
            )
    return report
