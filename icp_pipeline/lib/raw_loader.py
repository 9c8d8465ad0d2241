"""Load one landing-contract table into `raw.<source>__<table>`, typed and validated, in DuckDB.

Every file is read as text first so that a bad value can be reported with its file, column and line;
then contract columns are cast to their types. Rows missing a required value are moved to
`raw._quarantine` (counted, never silently dropped); unparsable values, duplicate keys and missing
columns stop the load with an actionable error. `record_load` keeps each table's last load report in
`raw._landing_loads` (the extract assets call it; icp.data_coverage reports it).

Implausible values (a date in the future, a negative size, an absurd amount; `PLAUSIBILITY`) are
repaired by rule: in a required column the row is quarantined, in an optional column the value is
set to null and the row kept; either way the row is logged in `raw._quarantine` with the reason and
counted in the load report. docs/bad-inputs.md lists every bad input and what happens to it.

Two paths give the same tables, rows, reports and errors. Clean files (the usual case) are written to
their raw table in one pass, with no text copy (`_load_clean`); anything else takes the general path
(`_load_checked`), which copies the text with each row's file and line, and checks, quarantines,
repairs and reports from that copy.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from icp_pipeline.lib.landing_contract import Column, Table
from icp_pipeline.lib.landing_files import LandingDataError, TableFiles, find_table_files
from icp_pipeline.lib.source_mapping import ColumnSource, TableMapping
from icp_pipeline.lib.sql import quote_ident, sql_literal
from icp_pipeline.lib.warehouse import table_exists

RAW_SCHEMA = "raw"
QUARANTINE_TABLE = f"{RAW_SCHEMA}._quarantine"
LOAD_LOG_TABLE = f"{RAW_SCHEMA}._landing_loads"
_MAX_EXAMPLES = 5

# Amounts at or beyond this size (in any currency) are typos or unit mix-ups, never real deals.
ABSURD_AMOUNT = 1e12
# Columns that can never be negative (a negative invoice amount or cost is a credit note: allowed).
NON_NEGATIVE = {
    ("crm/accounts", "employee_count"),
    ("crm/accounts", "annual_revenue"),
    ("crm/opportunities", "amount"),
    ("erp/contracts", "annual_value"),
    ("enrichment/firmographics", "employee_count"),
    ("enrichment/firmographics", "annual_revenue"),
    ("enrichment/firmographics", "office_count"),
}
MONEY_COLUMNS = {"amount", "annual_value", "cost", "annual_revenue"}
# Dates that may lie in the future: contract terms and the validity of an exchange rate.
FUTURE_DATES_ALLOWED = {
    ("erp/contracts", "start_date"),
    ("erp/contracts", "end_date"),
    ("erp/fx_rates", "valid_from"),
}
# A column of crm/accounts or enrichment/firmographics named like this is personal data (of a contact,
# or of the employee who owns the account) and is not loaded as a candidate attribute, whose values
# would otherwise be published in attribute summaries (docs/personal-data.md).
PERSONAL_DATA_NAME = re.compile(
    r"(^|_)(e_?mail|phone|telephone|mobile|fax|first_?name|last_?name|full_?name|surname|"
    r"contact_?(name|person)|person_?name|birth_?date|date_of_birth|dob|ssn|social_security|passport|"
    r"owner|csm|customer_success_manager|account_manager|account_executive|sales_?(rep|agent|person))(_|$)"
)
# Delimiters other than the contract's comma that exports commonly use.
_OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}
# Columns the loader adds to a landing file's own (its name and each row's line).
_INTERNAL = ("_source_file", "_line")
_NEEDS_GENERAL_PATH = "icp: a row needs the loader's general path"


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


def clean_column_name(name: str) -> str:
    """Lower-case, trimmed, non-alphanumerics as `_`: how extra columns are named in the warehouse."""
    cleaned = re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")
    return cleaned or "unnamed"


def resolve_files(landing_dir: Path, table: Table, mapping: TableMapping | None) -> TableFiles:
    """The table's files: the mapping's `path` (file, folder or glob) or the contract layout."""
    if mapping is None or mapping.path is None:
        return find_table_files(landing_dir, table)
    target = Path(landing_dir) / mapping.path
    if target.is_dir():
        files = sorted(p for p in target.iterdir() if p.suffix.lower() in (".csv", ".parquet"))
    else:
        files = sorted(Path(landing_dir).glob(mapping.path))
    formats = {p.suffix.lower().lstrip(".") for p in files}
    if len(formats) > 1:
        raise LandingDataError(f"{table.full_name}: mapping path {mapping.path!r} mixes CSV and Parquet")
    return TableFiles(table, tuple(files), formats.pop() if formats else None)


def create_empty_raw_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    cols = ", ".join(f"{quote_ident(c.name)} {c.duckdb_type}" for c in table.columns)
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(f"create or replace table {RAW_SCHEMA}.{table.raw_table} ({cols}, _source_file varchar)")


def load_table(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    table: Table,
    mapping: TableMapping | None = None,
    today: dt.date | None = None,
) -> LoadReport:
    """Load `table` from `landing_dir` into the warehouse and return what happened.

    `today` (default: the current UTC date) is the day after which a date counts as in the future.
    """
    found = resolve_files(landing_dir, table, mapping)
    today = today or dt.datetime.now(dt.UTC).date()
    if found.present:
        report = _load_clean(con, found, table, mapping or TableMapping(), today)
        if report is not None:
            return report
    return _load_checked(con, landing_dir, found, table, mapping, today)


def _load_checked(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    found: TableFiles,
    table: Table,
    mapping: TableMapping | None,
    today: dt.date,
) -> LoadReport:
    """The general path: a text copy of the files that every rule reads, repairs and reports from."""
    report = LoadReport(table.full_name, found.present, [str(p) for p in found.files])
    if not found.present:
        if table.required:
            raise LandingDataError(
                f"{table.full_name} is required but no file was found: expected "
                f"{Path(landing_dir) / table.source / table.name}.csv (or .parquet, or a folder of parts)"
            )
        create_empty_raw_table(con, table)
        _clear_quarantine(con, table)
        return report

    _read_as_text(con, found)
    source_cols = _source_columns(_landing_columns(con), table)
    mapping = mapping or TableMapping()
    _check_mapped_columns_exist(table, mapping, source_cols)
    _check_parts_have_required_columns(con, found, table, mapping)
    select_exprs, extras = _mapped_columns(table, mapping, source_cols, report)
    con.execute(
        f"create or replace temp table _mapped as select {', '.join(select_exprs)}, "
        "_source_file, _line from _landing"
    )
    con.execute("drop table _landing")  # one text copy of a large file at a time
    if mapping.deduplicate_on:
        key = quote_ident(mapping.deduplicate_on)
        con.execute(
            f"create or replace temp table _mapped as select * from _mapped "
            f"qualify row_number() over (partition by {key} order by _line) = 1"
        )
    _check_types(con, table)
    report.quarantined = _quarantine_missing_required(con, table)
    _repair_implausible(con, table, today, report)
    _check_unique_key(con, table)
    if table.required:
        _check_not_empty(con, table, report)
    # _mapped keeps the files' row order unless a window reordered it (parts' line numbers, dedup)
    in_file_order = len(found.files) == 1 and not mapping.deduplicate_on
    _write_typed(con, table, extras, report, sort=not in_file_order)
    return report


def _mapped_columns(
    table: Table, mapping: TableMapping, source_cols: dict[str, str], report: LoadReport
) -> tuple[list[str], dict[str, str]]:
    """Text-level SQL per contract column and per kept extra column, and the extras (name → source)."""
    select_exprs, used = _mapped_text_columns(table, mapping, source_cols, report)
    extras = {clean_column_name(c): c for c in source_cols.values() if c not in used}
    if mapping.extra_columns is not None:
        keep = {c.strip().lower() for c in mapping.extra_columns}
        extras = {k: v for k, v in extras.items() if v.strip().lower() in keep}
    extras = {k: v for k, v in extras.items() if table.column(k) is None and not k.startswith("_")}
    if table.extras_are_attributes:
        personal = sorted(k for k in extras if PERSONAL_DATA_NAME.search(k))
        if personal:
            report.personal_data_columns = personal
            report.warnings.append(
                f"{table.full_name}: column(s) {personal} look like personal data and were not loaded "
                "(personal data never becomes a candidate attribute; see docs/personal-data.md)"
            )
            extras = {k: v for k, v in extras.items() if k not in personal}
    report.extra_columns = sorted(extras)
    # Extras are text at this stage (a Parquet struct or timestamp would not cast to a number later).
    select_exprs += [f"{quote_ident(src)}::varchar as {quote_ident(name)}" for name, src in extras.items()]
    return select_exprs, extras


def _load_clean(
    con: duckdb.DuckDBPyConnection, found: TableFiles, table: Table, mapping: TableMapping, today: dt.date
) -> LoadReport | None:
    """The common case, clean files, in one read of the files and no text copy of them.

    In one transaction the raw table is written straight from the files, stopping at the first row the
    general path (`_load_checked`) would act on (an unparsable, missing or implausible value), and one
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
        report = _write_clean(con, table, today, *plan)
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
    reader = _reader_sql(found)
    names = [r[0] for r in con.execute(f"describe select * from {reader}").fetchall()]
    if names[-1:] != ["filename"] or {n.strip().lower() for n in names[:-1]} & {"filename", *_INTERNAL}:
        return None
    if found.file_format == "csv":
        _check_csv_headers(found)
    source_cols = _source_columns(names[:-1], table)
    _check_mapped_columns_exist(table, mapping, source_cols)
    _check_parts_have_required_columns(con, found, table, mapping)
    select_exprs, extras = _mapped_columns(table, mapping, source_cols, report)
    source = f"(select {', '.join(select_exprs)}, filename as _source_file from {reader}) _src"
    return report, source, extras


def _write_clean(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    today: dt.date,
    report: LoadReport,
    source: str,
    extras: dict[str, str],
) -> LoadReport | None:
    """Inside the caller's transaction: the raw table if nothing needs the general path, else None."""
    # Where the general path would act on a row: an unparsable, missing or implausible value.
    flags = [
        f"({quote_ident(c.name)} is not null and {_typed_expr(c)} is null)"
        for c in table.columns
        if c.type != "string"
    ]
    flags += [f"{quote_ident(c)} is null" for c in table.required_columns]
    flags += [f"({cond})" for _, cond, _ in plausibility_rules(table, today)]
    source_file = "_source_file"
    if flags:  # the first such row stops the write (and the caller rolls back)
        stop = f"error({sql_literal(_NEEDS_GENERAL_PATH)})"
        source_file = f"(case when {' or '.join(flags)} then {stop} else _source_file end)"
    columns = [f"{_typed_expr(c)}::{c.duckdb_type} as {quote_ident(c.name)}" for c in table.columns]
    columns += [f"{quote_ident(name)}::varchar as {quote_ident(name)}" for name in extras]
    raw = f"{RAW_SCHEMA}.{table.raw_table}"
    _reset_quarantine(con, table)
    with single_threaded(con):
        report.rows = con.execute(
            f"create or replace table {raw} as select {', '.join(columns)}, {source_file} as _source_file "
            f"from {source}"
        ).fetchone()[0]

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
        if is_numeric:  # every value parses as a number (see `_extra_typed_expr`)
            q = quote_ident(name)
            con.execute(
                f"alter table {raw} alter column {q} set data type double using try_cast({q} as double)"
            )
    return report


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


def _clear_quarantine(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """An absent table has no quarantined rows in this refresh (drop a previous refresh's)."""
    if table_exists(con, RAW_SCHEMA, "_quarantine"):
        con.execute(f"delete from {QUARANTINE_TABLE} where landing_table = ?", [table.full_name])


def _read_as_text(con: duckdb.DuckDBPyConnection, found: TableFiles) -> None:
    for path in found.files:
        if path.stat().st_size == 0:
            raise LandingDataError(
                f"{found.table.full_name}: {path} is empty (0 bytes). Export it again with its header row, "
                "or delete the file if the table has no data"
                + (
                    " (the table is optional, so the run goes on without it)."
                    if not found.table.required
                    else "."
                )
            )
    reader = _reader_sql(found)
    try:
        con.execute(f"create or replace temp table _landing_in as select * from {reader}")
    except duckdb.Error as exc:
        raise LandingDataError(_unreadable_message(found, exc)) from exc
    if found.file_format == "csv":
        _check_csv_headers(found)
    # rowid follows insertion order, so it gives each row its line in its file (CSV: header = line 1;
    # a quoted newline inside a value is not counted) or its row number (Parquet, from 1).
    first = 2 if found.file_format == "csv" else 1
    # one file: its rows are rowids 0..n-1, so no window over the whole table is needed
    offset = "rowid" if len(found.files) == 1 else "(rowid - min(rowid) over (partition by filename))"
    con.execute(
        "create or replace temp table _landing as select * exclude (filename), filename as _source_file, "
        f"({offset} + {first})::bigint as _line from _landing_in"
    )
    con.execute("drop table _landing_in")


def _reader_sql(found: TableFiles) -> str:
    """The table function reading every file of the table as text (CSV) or as stored (Parquet)."""
    files = "[" + ", ".join(sql_literal(str(p)) for p in found.files) + "]"
    if found.file_format == "csv":
        return (
            f"read_csv({files}, all_varchar=true, header=true, union_by_name=true, filename=true, "
            "delim=',', quote='\"', escape='\"', strict_mode=false)"
        )
    return f"read_parquet({files}, union_by_name=true, filename=true)"


def _unreadable_message(found: TableFiles, exc: duckdb.Error) -> str:
    """Why the files could not be read, naming the file, line and fix where they can be found."""
    name = found.table.full_name
    if found.file_format == "parquet":
        return (
            f"{name}: could not read {', '.join(map(str, found.files))} as Parquet: {exc}. "
            "Export the table again as Parquet (or as a UTF-8 CSV with a header row)."
        )
    for path in found.files:
        problem = _csv_file_problem(path)
        if problem:
            return f"{name}: {path}: {problem}"
    return (
        f"{name}: could not read {', '.join(map(str, found.files))}: {exc}. "
        "Files must be UTF-8, comma separated, with a header row (RFC 4180)."
    )


def _csv_file_problem(path: Path) -> str | None:
    """The first encoding or delimiter problem of a CSV file, as a sentence with its line and fix."""
    bad = _first_non_utf8(path)
    if bad is not None:
        line, offset, byte = bad
        return (
            f"line {line} is not UTF-8 (byte 0x{byte.hex().upper()} at offset {offset}, "
            f"{byte.decode('latin-1')!r} in Latin-1/Windows-1252). The landing contract expects UTF-8: save "
            f"the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 {path.name} > {path.stem}.utf8.csv`, or "
            "'CSV UTF-8' in Excel) and replace it."
        )
    with path.open(encoding="utf-8-sig") as f:
        return _delimiter_problem(f.readline())


def _first_non_utf8(path: Path, chunk_size: int = 1 << 24) -> tuple[int, int, bytes] | None:
    """(line, byte offset, byte) of the first byte that is not valid UTF-8, read in chunks."""
    carry, offset, line = b"", 0, 1
    with path.open("rb") as f:
        while True:
            chunk = f.read(chunk_size)
            data = carry + chunk
            if not data:
                return None
            try:
                data.decode("utf-8")
                carry = b""
            except UnicodeDecodeError as err:
                if chunk and err.reason == "unexpected end of data":  # a character split by the chunk
                    carry, data = data[err.start :], data[: err.start]
                else:
                    line += data.count(b"\n", 0, err.start)
                    return line, offset + err.start, data[err.start : err.start + 1]
            line += data.count(b"\n")
            offset += len(data)


def _delimiter_problem(header: str) -> str | None:
    if "," in header:
        return None
    for delim, label in _OTHER_DELIMITERS.items():
        if delim in header:
            return (
                f"the header {header.strip()[:120]!r} is {label} separated ({delim!r}); the landing contract "
                "expects comma-separated CSV. Export the file again with ',' as the delimiter."
            )
    return None


def _check_csv_headers(found: TableFiles) -> None:
    """Each file's header: comma separated, and no column name twice (case-insensitively).

    DuckDB would read a header in another delimiter as one column, and rename a repeated name
    (`Industry`, `INDUSTRY` → `INDUSTRY_1`); both are refused here with the file named.
    """
    for path in found.files:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
            first = f.readline()
            f.seek(0)
            header = next(csv.reader(f), [])
        problem = _delimiter_problem(first) if len(header) <= 1 else None
        if problem:
            raise LandingDataError(f"{found.table.full_name}: {path}: {problem}")
        seen: dict[str, str] = {}
        for name in header:
            key = name.strip().lower()
            if key in seen:
                same = "appear twice" if seen[key] == name else "differ only in case"
                raise LandingDataError(
                    f"{found.table.full_name}: {path}: columns {seen[key]!r} and {name!r} {same}; column names "
                    "are case-insensitive, so keep one."
                )
            seen[key] = name


def _landing_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("describe _landing").fetchall() if r[0] not in _INTERNAL]


def _source_columns(names: list[str], table: Table) -> dict[str, str]:
    """Lower-cased name → actual column name of the landing file(s)."""
    by_lower: dict[str, str] = {}
    for name in names:
        key = name.strip().lower()
        if key in by_lower:
            raise LandingDataError(
                f"{table.full_name}: columns {by_lower[key]!r} and {name!r} differ only in case; "
                "column names are case-insensitive, so keep one."
            )
        by_lower[key] = name
    return by_lower


def _check_mapped_columns_exist(table: Table, mapping: TableMapping, source_cols: dict[str, str]) -> None:
    for target, src in mapping.columns.items():
        for col in src.source_columns:
            if col.strip().lower() not in source_cols:
                raise LandingDataError(
                    f"{table.full_name}: mapping for {target!r} names column {col!r}, which the file does not "
                    f"have. Columns found: {sorted(source_cols.values())}"
                )
    for col in mapping.extra_columns or []:
        if col.strip().lower() not in source_cols:
            raise LandingDataError(
                f"{table.full_name}: mapping's extra_columns names column {col!r}, which the file does not "
                f"have. Columns found: {sorted(source_cols.values())}"
            )


def _check_parts_have_required_columns(
    con: duckdb.DuckDBPyConnection, found: TableFiles, table: Table, mapping: TableMapping
) -> None:
    """Parts of one table may differ in optional and extra columns, never in the required ones."""
    if len(found.files) < 2:
        return
    needed = set()
    for name in table.required_columns:
        src = mapping.columns.get(name) or ColumnSource(column=name)
        needed.update(c.strip().lower() for c in src.source_columns)
    problems = []
    for path in found.files:
        if found.file_format == "csv":
            reader = (
                f"read_csv({sql_literal(str(path))}, all_varchar=true, header=true, delim=',', "
                "quote='\"', escape='\"', strict_mode=false)"
            )
        else:
            reader = f"read_parquet({sql_literal(str(path))})"
        columns = {r[0].strip().lower() for r in con.execute(f"describe select * from {reader}").fetchall()}
        missing = sorted(needed - columns)
        if missing:
            problems.append(f"{path.name} lacks {missing}")
    if problems:
        raise LandingDataError(
            f"{table.full_name}: the parts of the table differ in required columns ({'; '.join(problems)}). "
            "Parts may differ in optional and extra columns only: add the column(s) to those files, or load "
            "them as separate exports."
        )


def _mapped_text_columns(
    table: Table, mapping: TableMapping, source_cols: dict[str, str], report: LoadReport
) -> tuple[list[str], set[str]]:
    """One text-level SQL expression per contract column, and the source columns they consume."""
    exprs: list[str] = []
    used: set[str] = set()
    missing_required: list[str] = []
    for col in table.columns:
        src = mapping.columns.get(col.name)
        if src is None and col.name in source_cols:
            src = ColumnSource(column=col.name)
        if src is None:
            if col.required:
                missing_required.append(col.name)
            else:
                report.missing_optional_columns.append(col.name)
            exprs.append(f"null::varchar as {quote_ident(col.name)}")
            continue
        used.update(source_cols[c.strip().lower()] for c in src.source_columns)
        exprs.append(f"{_text_expr(src, source_cols)} as {quote_ident(col.name)}")
    if missing_required:
        hints = _renamed_column_hints(missing_required, list(source_cols.values()))
        raise LandingDataError(
            f"{table.full_name}: missing required column(s) {missing_required}. Columns found: "
            f"{sorted(source_cols.values())}.{hints} Rename the column in the export or map it under "
            f"`mappings: {table.full_name}: columns:` in the ICP config."
        )
    return exprs, used


def _renamed_column_hints(missing: list[str], found: list[str]) -> str:
    """` Did you mean 'Account ID' for account_id?` for missing columns with a look-alike in the file."""
    by_clean = {clean_column_name(c).replace("_", ""): c for c in found}
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name.replace("_", ""), list(by_clean), n=1, cutoff=0.75)
        if close:
            hints.append(f"{by_clean[close[0]]!r} for {name}")
    return f" Did you mean {', '.join(hints)}?" if hints else ""


def _text_expr(src: ColumnSource, source_cols: dict[str, str]) -> str:
    def col(name: str) -> str:
        return f"nullif(trim({quote_ident(source_cols[name.strip().lower()])}::varchar), '')"

    if src.constant is not None:
        expr = sql_literal(src.constant)
    elif src.subtract is not None:
        first, *rest = (f"try_cast({col(c)} as double)" for c in src.subtract)
        expr = f"({first} - {' - '.join(rest)})::varchar"
    else:
        expr = col(src.column)  # type: ignore[arg-type]
    if src.values:
        cases = " ".join(
            f"when lower({expr}) = {sql_literal(k.lower())} then {sql_literal(v)}"
            for k, v in src.values.items()
        )
        expr = f"(case {cases} else {expr} end)"
    if src.date_format:
        expr = f"strftime(try_strptime({expr}, {sql_literal(src.date_format)}), '%Y-%m-%dT%H:%M:%S')"
    if src.multiply is not None:
        expr = f"(try_cast({expr} as double) * {src.multiply!r})::varchar"
    return expr


def _typed_expr(col: Column) -> str:
    name = quote_ident(col.name)
    if col.type == "string":
        return name
    if col.type == "boolean":
        return (
            f"(case lower({name}) when 'true' then true when 't' then true when 'yes' then true "
            f"when 'y' then true when '1' then true when 'false' then false when 'f' then false "
            f"when 'no' then false when 'n' then false when '0' then false end)"
        )
    if col.type == "date":
        return f"try_cast(try_cast({name} as timestamp) as date)"
    if col.type == "integer":  # whole numbers only: try_cast alone would round '12.5' to 13
        return f"(case when try_cast({name} as double) = floor(try_cast({name} as double)) then try_cast({name} as bigint) end)"
    if col.type == "decimal":  # finite numbers only: 'NaN' and 'inf' are not amounts
        return f"(case when isfinite(try_cast({name} as double)) then try_cast({name} as double) end)"
    return f"try_cast({name} as {col.duckdb_type})"


def _check_types(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    typed = [c for c in table.columns if c.type != "string"]
    if not typed:
        return
    # one scan counts the unparsable values of every column; the detail query runs only on failure
    counts = con.execute(
        "select "
        + ", ".join(
            f"count(*) filter (where {quote_ident(c.name)} is not null and {_typed_expr(c)} is null)"
            for c in typed
        )
        + " from _mapped"
    ).fetchone()
    for col, n_bad in zip(typed, counts, strict=True):
        if not n_bad:
            continue
        name = quote_ident(col.name)
        bad = con.execute(
            f"select _source_file, _line, {name} from _mapped "
            f"where {name} is not null and {_typed_expr(col)} is null order by _source_file, _line"
        ).fetchall()
        if bad:
            examples = "; ".join(
                f"{Path(f).name} {'row' if f.endswith('.parquet') else 'line'} {line}: {v!r}"
                for f, line, v in bad[:_MAX_EXAMPLES]
            )
            raise LandingDataError(
                f"{table.full_name}: column {col.name!r} expects {_type_hint(col)}, but {len(bad)} row(s) "
                f"do not parse ({examples}). Fix the export or map the column with a `date_format`/value map."
            )


def _type_hint(col: Column) -> str:
    return {
        "integer": "a whole number",
        "decimal": "a plain decimal number (e.g. 1234.50)",
        "date": "a date YYYY-MM-DD",
        "timestamp": "an ISO-8601 timestamp",
        "boolean": "true/false",
    }[col.type]


def _reset_quarantine(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Create `raw._quarantine` if needed and drop the table's rows of a previous load."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"create table if not exists {QUARANTINE_TABLE} (landing_table varchar, source_file varchar, "
        "line bigint, reason varchar, record json)"
    )
    con.execute(f"delete from {QUARANTINE_TABLE} where landing_table = ?", [table.full_name])


def _quarantine_missing_required(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    _reset_quarantine(con, table)
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


def plausibility_rules(table: Table, today: dt.date) -> list[tuple[Column, str, str]]:
    """(column, SQL condition on the typed value, what is wrong) for every implausible-value rule."""
    rules = []
    horizon = sql_literal((today + dt.timedelta(days=1)).isoformat())  # one day of grace for time zones
    for col in table.columns:
        value = _typed_expr(col)
        key = (table.full_name, col.name)
        if col.type in ("date", "timestamp") and key not in FUTURE_DATES_ALLOWED:
            rules.append(
                (col, f"cast({value} as date) > cast({horizon} as date)", f"is in the future (after {today})")
            )
        if col.name == "founded_year":
            rules.append((col, f"{value} > {today.year}", f"is in the future (after {today.year})"))
        if key in NON_NEGATIVE:
            rules.append((col, f"{value} < 0", "is negative"))
        if key == ("erp/fx_rates", "rate_to_reporting"):
            rules.append((col, f"{value} <= 0", "is not a positive exchange rate"))
        if col.type == "decimal" and col.name in MONEY_COLUMNS:
            rules.append(
                (
                    col,
                    f"abs({value}) >= {ABSURD_AMOUNT!r}",
                    f"is absurd (|amount| of {ABSURD_AMOUNT:.0e} or more)",
                )
            )
    return rules


def _repair_implausible(
    con: duckdb.DuckDBPyConnection, table: Table, today: dt.date, report: LoadReport
) -> None:
    """Required column: row to raw._quarantine. Optional column: value set to null, row kept and logged."""
    rules = plausibility_rules(table, today)
    if not rules:
        return
    # One scan counts every rule's hits; the common case (nothing implausible) ends here.
    counts = con.execute(
        "select " + ", ".join(f"count(*) filter (where {cond})" for _, cond, _ in rules) + " from _mapped"
    ).fetchone()
    for (col, condition, problem), counted in zip(rules, counts, strict=True):
        if not counted:
            continue
        name = quote_ident(col.name)
        action = "row quarantined" if col.required else "value set to null, row kept"
        reason = f"{sql_literal(col.name + ' ')} || {name} || {sql_literal(f' {problem}: {action}')}"
        # recount: an earlier rule may have quarantined some of these rows
        n = con.execute(f"select count(*) from _mapped where {condition}").fetchone()[0]
        if not n:
            continue
        con.execute(
            f"insert into {QUARANTINE_TABLE} select ?, _source_file, _line, {reason}, to_json(t) "
            f"from _mapped t where {condition}",
            [table.full_name],
        )
        if col.required:
            con.execute(f"delete from _mapped where {condition}")
            report.quarantined += int(n)
        else:
            con.execute(f"update _mapped set {name} = null where {condition}")
            report.repaired += int(n)
        report.warnings.append(
            f"{table.full_name}: {n} value(s) of {col.name} {problem}: {action} (see raw._quarantine)"
        )


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
        f"from _mapped group by {key} having count(*) > 1 order by n desc, {key} limit {_MAX_EXAMPLES}"
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
            f"({examples}). Remove the duplicates or set `deduplicate_on: {table.key}` in its mapping."
        )


def _write_typed(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    extras: dict[str, str],
    report: LoadReport,
    sort: bool = True,
) -> None:
    """`raw.<table>` from `_mapped`, in file and line order (`sort=False`: `_mapped` is in that order)."""
    typed = [f"{_typed_expr(c)}::{c.duckdb_type} as {quote_ident(c.name)}" for c in table.columns]
    if extras:  # one scan decides every extra column's type
        numeric = con.execute(
            "select "
            + ", ".join(
                f"count({q}) > 0 and count({q}) = count(try_cast({q} as double))"
                for q in map(quote_ident, extras)
            )
            + " from _mapped"
        ).fetchone()
        typed += [_extra_typed_expr(name, bool(n)) for name, n in zip(extras, numeric, strict=True)]
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    order = " order by _source_file, _line" if sort else ""
    with single_threaded(con):
        report.rows = con.execute(
            f"create or replace table {RAW_SCHEMA}.{table.raw_table} as "
            f"select {', '.join(typed)}, _source_file from _mapped{order}"
        ).fetchone()[0]
    con.execute("drop table if exists _mapped")
    con.execute("drop table if exists _landing")


def _extra_typed_expr(name: str, numeric: bool) -> str:
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
