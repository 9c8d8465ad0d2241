"""Mapped columns are checked like any column: a transform never turns a value into null silently.

A mapping's `date_format`, `multiply` and `subtract` (see `transforms`) parse text. For each such
column the loader keeps the operands as found (`__src__<column>__<i>`) beside the result, and here:

- **Parsed correctly when unambiguous, and counted.** A date with a time part after a `date_format`
  without one (`11/9/2023 0:00` for `%m/%d/%Y`) is read with its time (`transforms.date_formats`);
  a number with comma thousands separators (`"25,928"`) is read without them, when every value of
  the column is a plain number or in that form (kind `thousands_separator`, counted).
- **Unparsable operand: the load stops**, as for an unmapped column (`typecheck`): the file, line,
  value, the transform and the fix.
- **An empty operand of `subtract`** (Sales given, Profit empty): the result is unknown, so it is
  null; each such row is counted and logged in `raw._quarantine` (kind `mapped_operand_missing`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.files import LandingDataError
from icp_pipeline.lib.landing.mapping import ColumnSource, TableMapping
from icp_pipeline.lib.landing.quarantine import MAX_EXAMPLES, QUARANTINE_COLUMNS, QUARANTINE_TABLE, LoadReport
from icp_pipeline.lib.landing.transforms import (
    SOURCE_PREFIX,
    THOUSANDS,
    date_formats,
    number_expr,
)
from icp_pipeline.lib.warehouse.sql import quote_ident, sql_literal


def companions(con: duckdb.DuckDBPyConnection, relation: str = "_mapped") -> dict[str, list[str]]:
    """{contract column: its companion columns} present in `relation`."""
    found: dict[str, list[str]] = {}
    for (name,) in con.execute(f"select column_name from (describe {relation})").fetchall():
        if name.startswith(SOURCE_PREFIX):
            column = name[len(SOURCE_PREFIX) :].rsplit("__", 1)[0]
            found.setdefault(column, []).append(name)
    return found


def clean_path_flags(columns: dict[str, list[str]]) -> list[str]:
    """SQL conditions (on the mapped source) true for a row these checks would act on."""
    flags = []
    for column, parts in columns.items():
        present = " or ".join(f"{quote_ident(p)} is not null" for p in parts)
        flags.append(f"(({present}) and {quote_ident(column)} is null)")
        flags += [
            f"coalesce(regexp_full_match({quote_ident(p)}, {sql_literal(THOUSANDS)}), false)" for p in parts
        ]
    return flags


def _operand_ok(source: ColumnSource, operand: str) -> str:
    """SQL: the operand (not null) parses as its transform expects."""
    q = quote_ident(operand)
    if source.date_format:
        formats = "[" + ", ".join(sql_literal(f) for f in date_formats(source.date_format)) + "]"
        return f"try_strptime({q}, {formats}) is not null"
    return f"{number_expr(q)} is not null"


def _transform(source: ColumnSource) -> str:
    if source.date_format:
        return f"date_format {source.date_format!r}"
    if source.multiply is not None:
        return f"multiply {source.multiply:g}"
    return f"subtract {source.subtract}"


def check_mapped_values(
    con: duckdb.DuckDBPyConnection, table: Table, mapping: TableMapping, report: LoadReport
) -> None:
    """Check, count and log every mapped value a transform would null; drop the companion columns."""
    for column, parts in companions(con).items():
        source = mapping.columns[column]
        bad = " or ".join(f"({quote_ident(p)} is not null and not ({_operand_ok(source, p)}))" for p in parts)
        unparsable = con.execute(
            f"select _source_file, _line, {', '.join(map(quote_ident, parts))} from _mapped where {bad} "
            f"order by _source_file, _line limit {MAX_EXAMPLES}"
        ).fetchall()
        if unparsable:
            total = con.execute(f"select count(*) from _mapped where {bad}").fetchone()[0]
            examples = "; ".join(
                f"{Path(f).name} line {line}: {' / '.join(repr(v) for v in values if v is not None)}"
                for f, line, *values in unparsable
            )
            what = "a date in that format" if source.date_format else "a number (e.g. 1234.5 or 1,234.5)"
            raise LandingDataError(
                f"{table.full_name}: column {column!r} is mapped with {_transform(source)} from "
                f"{source.source_columns}, which expects {what}, but {total} row(s) do not parse ({examples}). "
                "Fix the export or the mapping (a `date_format` matching the values, or a value map)."
            )
        thousands = " or ".join(
            f"coalesce(regexp_full_match({quote_ident(p)}, {sql_literal(THOUSANDS)}), false)" for p in parts
        )
        n = con.execute(f"select count(*) from _mapped where {thousands}").fetchone()[0]
        if n:
            report.count("thousands_separator", n)
            report.warnings.append(
                f"{table.full_name}: {n} value(s) of {column} were written with thousands separators "
                "(e.g. 25,928) and read without them"
            )
        if len(parts) > 1:
            missing = (
                f"({' or '.join(f'{quote_ident(p)} is not null' for p in parts)}) and "
                f"({' or '.join(f'{quote_ident(p)} is null' for p in parts)})"
            )
            reason = (
                f"{column}: an operand of {_transform(source)} is empty, so the value is unknown: "
                "value set to null, row kept"
            )
            con.execute(
                f"insert into {QUARANTINE_TABLE} ({QUARANTINE_COLUMNS}) select ?, _source_file, _line, ?, "
                f"to_json(t), 'mapped_operand_missing' from _mapped t where {missing}",
                [table.full_name, reason],
            )
            n = con.execute(f"select count(*) from _mapped where {missing}").fetchone()[0]
            if n:
                report.count("mapped_operand_missing", n)
                report.repaired += int(n)
                report.warnings.append(
                    f"{table.full_name}: {n} value(s) of {column}: {reason} (see raw._quarantine)"
                )
        for p in parts:
            con.execute(f"alter table _mapped drop column {quote_ident(p)}")
