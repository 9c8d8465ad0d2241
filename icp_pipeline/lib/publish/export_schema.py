"""The one typed schema of every exported table, and the casts that hold it whatever the data.

A BI tool loads the exports every week with a fixed schema. Left to type inference, a column's type
follows its values: a text column with no value this refresh (`domain` of a CRM-only export,
`disqualified_reason` without disqualifiers, `override_note` without overrides) becomes DuckDB's NULL
type (Parquet `null`), `segment` becomes DOUBLE when no segment could be formed, and `employee_count`
turns from BIGINT to DOUBLE as soon as one account lacks it. Here every exported column has one declared
DuckDB type (the outputs contract, `/work/shared/outputs-contract.md`, plus the project's own columns,
documented in `lib/publish/tables.py`), and `typed_select` casts to it.

A cast never changes a value silently: `cast_problems` lists each column whose values the declared type
would alter (a text value in a number column, a fractional employee count), and publication stops with
that list (table, column, type found, type declared) instead.

Parquet fields are all nullable (`arrow_schema`): DuckDB's own Parquet writer marks a column REQUIRED
when this refresh's values happen to have no null, which would change the file's schema between
refreshes. CSV numbers are rounded to the digits that carry meaning (`CSV_DECIMALS`); Parquet keeps
full precision.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pyarrow as pa

from icp_pipeline.lib.warehouse.sql import quote_ident

# Per exported table, column -> DuckDB type, in the published column order.
TARGET_ACCOUNTS_TYPES: dict[str, str] = {
    "account_key": "VARCHAR",
    "crm_account_id": "VARCHAR",
    "account_name": "VARCHAR",
    "domain": "VARCHAR",
    "industry": "VARCHAR",
    "country": "VARCHAR",
    "employee_count": "BIGINT",
    "is_customer": "BOOLEAN",
    "icp_score": "DOUBLE",
    "expected_value": "DOUBLE",
    "predicted_ltv": "DOUBLE",
    "win_probability": "DOUBLE",
    "tier": "VARCHAR",
    "segment": "VARCHAR",
    "top_reasons": "VARCHAR",
    "disqualified_reason": "VARCHAR",
    "override_note": "VARCHAR",
    "industry_label": "VARCHAR",
    "money_basis": "VARCHAR",
    "win_probability_basis": "VARCHAR",
    "icp_version": "VARCHAR",
    "published_at": "TIMESTAMP",
}
# The CRM import file (`crm_import.csv`): the model-strength caution first, then the CRM's fields.
CRM_IMPORT_TYPES: dict[str, str] = {
    "model_caution": "VARCHAR",
    "crm_account_id": "VARCHAR",
    "account_key": "VARCHAR",
    "account_name": "VARCHAR",
    "icp_score": "DOUBLE",
    "tier": "VARCHAR",
    "top_reasons": "VARCHAR",
}
# Published tables whose columns and types are declared (publication casts to them).
PUBLISHED_COLUMN_TYPES: dict[str, dict[str, str]] = {"target_accounts": TARGET_ACCOUNTS_TYPES}

# Decimal places of numbers in the CSV exports (Parquet keeps full precision):
# icp_score, a 0-100 percentile rank: 2 (a hundredth of a point tells 10,000 accounts apart);
# money (expected_value, predicted_ltv): 2, the reporting currency's minor unit (cents);
# win_probability: 4 (a hundredth of a percentage point).
CSV_DECIMALS: dict[str, int] = {"icp_score": 2, "expected_value": 2, "predicted_ltv": 2, "win_probability": 4}

# DuckDB type -> Arrow type of the Parquet exports.
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
}
# Type changes that keep every value (a column may arrive as either, depending on the data).
_WIDENING = {("INTEGER", "BIGINT"), ("INTEGER", "DOUBLE"), ("BIGINT", "DOUBLE"), ("FLOAT", "DOUBLE")}


def typed_select(relation: str, types: Mapping[str, str], decimals: Mapping[str, int] | None = None) -> str:
    """`select cast(<col> as <type>) as <col>, ... from <relation>` in the declared order; a column
    named in `decimals` is rounded to that many places (half away from zero, DuckDB `round`)."""
    parts = []
    for column, dtype in types.items():
        expr = f"cast({quote_ident(column)} as {dtype})"
        if decimals and column in decimals:
            expr = f"round({expr}, {int(decimals[column])})"
        parts.append(f"{expr} as {quote_ident(column)}")
    return f"select {', '.join(parts)} from {relation}"


def arrow_schema(types: Mapping[str, str]) -> pa.Schema:
    """The Arrow schema of declared `types` (every field nullable), for the Parquet exports."""
    return pa.schema(
        [pa.field(column, _ARROW_TYPES[dtype], nullable=True) for column, dtype in types.items()]
    )


def column_types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column -> DuckDB type of a table, view or registered frame, in column order."""
    return {r[0]: r[1] for r in con.execute(f"describe select * from {relation}").fetchall()}


def cast_problems(
    con: duckdb.DuckDBPyConnection, relation: str, types: Mapping[str, str], table: str
) -> list[str]:
    """Why `relation` cannot be cast to `types` without changing a value (empty when it can).

    A column is castable when it has the declared type, holds no value at all, widens
    (INTEGER → BIGINT → DOUBLE), or is DOUBLE with whole values only for a BIGINT column. A missing or
    undeclared column is a problem too. Each problem names table, column, type found and type declared.
    """
    found = column_types(con, relation)
    problems = []
    missing = [c for c in types if c not in found]
    extra = [c for c in found if c not in types]
    if missing:
        problems.append(f"{table}: declared columns missing from the frame: {', '.join(missing)}")
    if extra:
        problems.append(
            f"{table}: columns not in the declared export schema: {', '.join(extra)} "
            "(declare them in icp_pipeline/lib/publish/export_schema.py)"
        )
    for column, want in types.items():
        have = found.get(column)
        if have is None or have == want or have == '"NULL"' or (have, want) in _WIDENING:
            continue
        col = quote_ident(column)
        values, altered = con.execute(
            f"select count({col}), count({col}) filter (where {col} <> round({col})) from {relation}"
            if (have, want) in (("DOUBLE", "BIGINT"), ("FLOAT", "BIGINT"))
            else f"select count({col}), count({col}) from {relation}"
        ).fetchall()[0]
        if values and altered:
            problems.append(
                f"{table}.{column}: declared {want}, found {have} with {altered:,} value(s) the cast would "
                "change; fix the builder or the declared type"
            )
    return problems
