"""Mapping transforms: the text-level SQL that puts an export's columns onto the contract's (renames,
constants, differences, value maps, date formats, multipliers) and picks the extra columns kept.
"""

from __future__ import annotations

import csv
import difflib
import re

import duckdb

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.files import LandingDataError, TableFiles
from icp_pipeline.lib.landing.mapping import ColumnSource, TableMapping
from icp_pipeline.lib.landing.quarantine import LoadReport
from icp_pipeline.lib.warehouse.sql import quote_ident, sql_literal

# A column of crm/accounts or enrichment/firmographics named like this is personal data (of a contact,
# or of the employee who owns the account) and is not loaded as a candidate attribute, whose values
# would otherwise be published in attribute summaries (docs/personal-data.md).
PERSONAL_DATA_NAME = re.compile(
    r"(^|_)(e_?mail|phone|telephone|mobile|fax|first_?name|last_?name|full_?name|surname|"
    r"contact_?(name|person)|person_?name|birth_?date|date_of_birth|dob|ssn|social_security|passport|"
    r"owner|csm|customer_success_manager|account_manager|account_executive|sales_?(rep|agent|person))(_|$)"
)


def clean_column_name(name: str) -> str:
    """Lower-case, trimmed, non-alphanumerics as `_`: how extra columns are named in the warehouse."""
    cleaned = re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")
    return cleaned or "unnamed"


def mapped_columns(
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
            report.count("personal_data_column", len(personal))
            report.warnings.append(
                f"{table.full_name}: column(s) {personal} look like personal data and were not loaded "
                "(personal data never becomes a candidate attribute; see docs/personal-data.md)"
            )
            extras = {k: v for k, v in extras.items() if k not in personal}
    report.extra_columns = sorted(extras)
    # Extras are text at this stage (a Parquet struct or timestamp would not cast to a number later).
    select_exprs += [f"{quote_ident(src)}::varchar as {quote_ident(name)}" for name, src in extras.items()]
    return select_exprs, extras


def check_mapped_columns_exist(table: Table, mapping: TableMapping, source_cols: dict[str, str]) -> None:
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


def check_parts_have_required_columns(
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
            with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
                columns = {c.strip().lower() for c in next(csv.reader(f), [])}
        else:
            reader = f"read_parquet({sql_literal(str(path))})"
            columns = {
                r[0].strip().lower() for r in con.execute(f"describe select * from {reader}").fetchall()
            }
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
        expr, operands = _text_expr(src, source_cols)
        exprs.append(f"{expr} as {quote_ident(col.name)}")
        exprs += [f"{o} as {quote_ident(companion_name(col.name, i))}" for i, o in enumerate(operands)]
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


# A number written with comma thousands separators (`25,928`, `-1,234,567.50`): read without them.
THOUSANDS = r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?"
# Time parts a `date_format` without one also accepts (exports add a time to dates: `11/9/2023 0:00`).
_TIME_SUFFIXES = (" %H:%M:%S", " %H:%M", "T%H:%M:%S", " %I:%M:%S %p", " %I:%M %p")
SOURCE_PREFIX = "__src__"  # companion columns: a transformed column's operands as found, for the checks


def number_expr(text: str) -> str:
    """SQL: `text` as a double, also when written with comma thousands separators; null if not a number."""
    return (
        f"coalesce(try_cast({text} as double), case when regexp_full_match({text}, {sql_literal(THOUSANDS)}) "
        f"then try_cast(replace({text}, ',', '') as double) end)"
    )


def date_formats(date_format: str) -> list[str]:
    """The mapping's format, and the same followed by a time part when it has none."""
    if any(code in date_format for code in ("%H", "%I", "%M", "%S", "%p")):
        return [date_format]
    return [date_format] + [date_format + suffix for suffix in _TIME_SUFFIXES]


def companion_name(column: str, i: int) -> str:
    return f"{SOURCE_PREFIX}{column}__{i}"


def _text_expr(src: ColumnSource, source_cols: dict[str, str]) -> tuple[str, list[str]]:
    """The column's text-level SQL, and its operands' SQL when a transform could turn them into null."""

    def col(name: str) -> str:
        return f"nullif(trim({quote_ident(source_cols[name.strip().lower()])}::varchar), '')"

    operands: list[str] = []
    if src.constant is not None:
        expr = sql_literal(src.constant)
    elif src.subtract is not None:
        operands = [col(c) for c in src.subtract]
        first, *rest = (number_expr(o) for o in operands)
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
        operands = operands or [expr]
        formats = "[" + ", ".join(sql_literal(f) for f in date_formats(src.date_format)) + "]"
        expr = f"strftime(try_strptime({expr}, {formats}), '%Y-%m-%dT%H:%M:%S')"
    if src.multiply is not None:
        operands = operands or [expr]
        expr = f"({number_expr(expr)} * {src.multiply!r})::varchar"
    return expr, operands
