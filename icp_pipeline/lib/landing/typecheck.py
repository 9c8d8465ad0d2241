"""Type checks: the typed value of each contract column from its text, and the error listing values
that do not parse (file, line, value and the fix).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from icp_pipeline.lib.landing.contract import Column, Table
from icp_pipeline.lib.landing.files import LandingDataError
from icp_pipeline.lib.landing.quarantine import MAX_EXAMPLES
from icp_pipeline.lib.warehouse.sql import quote_ident


def typed_expr(col: Column) -> str:
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


def check_types(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    typed = [c for c in table.columns if c.type != "string"]
    if not typed:
        return
    # one scan counts the unparsable values of every column; the detail query runs only on failure
    counts = con.execute(
        "select "
        + ", ".join(
            f"count(*) filter (where {quote_ident(c.name)} is not null and {typed_expr(c)} is null)"
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
            f"where {name} is not null and {typed_expr(col)} is null order by _source_file, _line"
        ).fetchall()
        if bad:
            examples = "; ".join(
                f"{Path(f).name} {'row' if f.endswith('.parquet') else 'line'} {line}: {v!r}"
                for f, line, v in bad[:MAX_EXAMPLES]
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
