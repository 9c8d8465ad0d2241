"""Reading and sniffing landing files: the table's files, read as text with each row's file and line,
and the encoding, delimiter and header problems named with their line and fix.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import duckdb

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.encoding import encoding_problem, rewrite_csv
from icp_pipeline.lib.landing.files import LandingDataError, TableFiles, find_table_files
from icp_pipeline.lib.landing.mapping import TableMapping
from icp_pipeline.lib.landing.ragged import (
    CSV_OPTIONS,
    FooterLine,
    check_rejects,
    clear_rejects,
    scan_field_counts,
)
from icp_pipeline.lib.warehouse.sql import sql_literal

# Delimiters other than the contract's comma that exports commonly use.
_OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}


# Columns the loader adds to a landing file's own (its name and each row's line).
INTERNAL = ("_source_file", "_line")


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


def read_as_text(
    con: duckdb.DuckDBPyConnection, found: TableFiles, originals: dict[str, str] | None = None
) -> list[FooterLine]:
    """Temp table `_landing`: every file's columns as text, plus `_source_file` and `_line`.

    Returns the report-footer lines skipped (to count); any other row whose field count differs from
    the header raises (see `ragged`). `originals` maps converted copies to the user's files, whose
    names `_source_file` then carries.
    """
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
    with tempfile.TemporaryDirectory(prefix="icp-landing-rewritten-") as folder:
        found, originals = _read_files(con, found, originals or {}, Path(folder))
        footers: list[FooterLine] = []
        if found.file_format == "csv":
            check_csv_headers(found, originals)
            footers = check_rejects(con, found.table.full_name, originals)
            clear_rejects(con)
    # rowid follows insertion order, so it gives each row its line in its file (CSV: header = line 1;
    # a quoted newline inside a value is not counted) or its row number (Parquet, from 1).
    first = 2 if found.file_format == "csv" else 1
    # one file: its rows are rowids 0..n-1, so no window over the whole table is needed
    offset = "rowid" if len(found.files) == 1 else "(rowid - min(rowid) over (partition by filename))"
    source = "filename"
    if originals:  # the user's file names, not those of converted copies
        cases = " ".join(f"when {sql_literal(k)} then {sql_literal(v)}" for k, v in originals.items())
        source = f"(case filename {cases} else filename end)"
    con.execute(
        f"create or replace temp table _landing as select * exclude (filename), {source} as _source_file, "
        f"({offset} + {first})::bigint as _line from _landing_in"
    )
    con.execute("drop table _landing_in")
    return footers


def _read_files(
    con: duckdb.DuckDBPyConnection, found: TableFiles, originals: dict[str, str], folder: Path
) -> tuple[TableFiles, dict[str, str]]:
    """Temp table `_landing_in` from the files; the files and originals actually read.

    When DuckDB's strict CSV reader cannot read a file at all (e.g. its line endings change from
    `\\r\\n` to `\\n` within the file), the file's encoding and delimiter are checked, then every row's
    field count (Python's csv module, `ragged.scan_field_counts`), and the files are read again from
    copies rewritten row by row (`encoding.rewrite_csv`) into `folder`.
    """
    clear_rejects(con)
    try:
        con.execute(f"create or replace temp table _landing_in as select * from {reader_sql(found)}")
        return found, originals
    except duckdb.Error as exc:
        if found.file_format != "csv":
            raise LandingDataError(_unreadable_message(found, exc, originals)) from exc
        error = exc
    for path in found.files:
        shown = Path(originals.get(str(path), path))
        problem = _csv_file_problem(path)
        if problem:
            raise LandingDataError(f"{found.table.full_name}: {shown}: {problem}") from error
        scan_field_counts(path, shown, found.table.full_name)
    files, rewritten = [], {}
    for i, path in enumerate(found.files):
        copy = folder / f"{i:04d}_{path.name}"
        rewrite_csv(path, "utf-8-sig", copy)
        rewritten[str(copy)] = originals.get(str(path), str(path))
        files.append(copy)
    found = TableFiles(found.table, tuple(files), "csv")
    clear_rejects(con)
    try:
        con.execute(f"create or replace temp table _landing_in as select * from {reader_sql(found)}")
    except duckdb.Error as exc:
        raise LandingDataError(_unreadable_message(found, exc, rewritten)) from exc
    return found, rewritten


def reader_sql(found: TableFiles) -> str:
    """The table function reading every file of the table as text (CSV) or as stored (Parquet).

    CSV files are read one by one (DuckDB keeps rejected rows only without `union_by_name`) and
    stacked by column name; the file name comes last, as `filename`.
    """
    if found.file_format == "csv":
        reads = [
            f"select * from read_csv({sql_literal(str(p))}, all_varchar=true, header=true, filename=true, "
            f"{CSV_OPTIONS})"
            for p in found.files
        ]
        if len(reads) == 1:
            return f"({reads[0]})"
        return f"(select * exclude (filename), filename from ({' union all by name '.join(reads)}))"
    files = "[" + ", ".join(sql_literal(str(p)) for p in found.files) + "]"
    return f"read_parquet({files}, union_by_name=true, filename=true)"


def _unreadable_message(found: TableFiles, exc: duckdb.Error, originals: dict[str, str]) -> str:
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
            return f"{name}: {originals.get(str(path), path)}: {problem}"
    return (
        f"{name}: could not read {', '.join(map(str, found.files))}: {exc}. "
        "Files must be UTF-8, comma separated, with a header row (RFC 4180)."
    )


def _csv_file_problem(path: Path) -> str | None:
    """The first encoding or delimiter problem of a CSV file, as a sentence with its line and fix."""
    problem = encoding_problem(path)
    if problem is not None:
        return problem
    with path.open(encoding="utf-8-sig") as f:
        return _delimiter_problem(f.readline())


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


def check_csv_headers(found: TableFiles, originals: dict[str, str] | None = None) -> None:
    """Each file's header: comma separated, and no column name twice (case-insensitively).

    DuckDB would read a header in another delimiter as one column, and rename a repeated name
    (`Industry`, `INDUSTRY` → `INDUSTRY_1`); both are refused here with the file named.
    """
    for path in found.files:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
            first = f.readline()
            f.seek(0)
            header = next(csv.reader(f), [])
        shown = (originals or {}).get(str(path), path)
        problem = _delimiter_problem(first) if len(header) <= 1 else None
        if problem:
            raise LandingDataError(f"{found.table.full_name}: {shown}: {problem}")
        seen: dict[str, str] = {}
        for name in header:
            key = name.strip().lower()
            if key in seen:
                same = "appear twice" if seen[key] == name else "differ only in case"
                raise LandingDataError(
                    f"{found.table.full_name}: {shown}: columns {seen[key]!r} and {name!r} {same}; column names "
                    "are case-insensitive, so keep one."
                )
            seen[key] = name


def landing_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("describe _landing").fetchall() if r[0] not in INTERNAL]


def source_columns(names: list[str], table: Table) -> dict[str, str]:
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
