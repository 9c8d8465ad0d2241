"""Compare the published tables of two refreshed warehouses: does a change alter any number?

Usage: python bench/compare_outputs.py BEFORE.duckdb AFTER.duckdb [--schemas icp,model]

For every table of the given schemas (default `icp` and `model`): the same table set, the same
columns, and the same rows as multisets (order-insensitive, `EXCEPT ALL` both ways) over every
column except the ones that differ between any two runs by design: timestamps, durations, run ids
(`VOLATILE`). Tables whose rows differ are compared again with floating-point columns rounded to
`SIGNIFICANT` significant digits: DuckDB's parallel sums add doubles in no fixed order, so two runs of the same
code on the same data can differ in the last bits (1e-11 on 1e5); such a table is reported as
"equal to 10 significant digits". A table that still differs names the columns whose own multiset of values
differs.
Exit 0 when everything is equal, 1 otherwise. Used to check that performance work changes no
published number (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import sys

import duckdb

# Columns that differ between two runs on the same data by design (when, how long, which run).
VOLATILE = {
    "run_id",
    "refresh_id",
    "baseline_refresh_id",
    "refreshed_at",
    "published_at",
    "generated_at",
    "created_at",
    "started_at",
    "finished_at",
    "duration_s",
    "duration_seconds",
    "icp_version",
}
VOLATILE_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
SIGNIFICANT = 10


def _rounded(c: str) -> str:
    """SQL: double column `c` rounded to SIGNIFICANT significant digits (0, NULL, NaN, inf as is)."""
    return (
        f'case when "{c}" = 0 or not isfinite("{c}") then "{c}" '
        f'else round("{c}", {SIGNIFICANT} - cast(ceil(log10(abs("{c}"))) as integer)) end'
    )


def _tables(con: duckdb.DuckDBPyConnection, db: str, schema: str) -> set[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ?", [db, schema]
    ).fetchall()
    return {r[0] for r in rows}


def _columns(con: duckdb.DuckDBPyConnection, db: str, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = ? and schema_name = ? "
        "and table_name = ? order by column_index",
        [db, schema, table],
    ).fetchall()


def _diff(con: duckdb.DuckDBPyConnection, rel: str, cols: str) -> tuple[int, int]:
    a_b = f"select count(*) from (select {cols} from a.{rel} except all select {cols} from b.{rel})"
    b_a = f"select count(*) from (select {cols} from b.{rel} except all select {cols} from a.{rel})"
    return con.execute(a_b).fetchone()[0], con.execute(b_a).fetchone()[0]


def compare(before: str, after: str, schemas: list[str]) -> int:
    """Print one line per table; return the number of differences found."""
    con = duckdb.connect()
    con.execute(f"attach '{before}' as a (read_only)")
    con.execute(f"attach '{after}' as b (read_only)")
    bad = 0
    for schema in schemas:
        ta, tb = _tables(con, "a", schema), _tables(con, "b", schema)
        if ta != tb:
            print(f"{schema}: table sets differ: only before {sorted(ta - tb)}, only after {sorted(tb - ta)}")
            bad += 1
        for table in sorted(ta & tb):
            ca, cb = _columns(con, "a", schema, table), _columns(con, "b", schema, table)
            if ca != cb:
                print(f"{schema}.{table}: columns differ")
                bad += 1
                continue
            kept = [(c, t) for c, t in ca if c not in VOLATILE and t not in VOLATILE_TYPES]
            skipped = [c for c, t in ca if (c, t) not in kept]
            rel = f'{schema}."{table}"'
            n = con.execute(f"select count(*) from a.{rel}").fetchone()[0]
            exact = ", ".join(f'"{c}"' for c, _ in kept)
            rounded = ", ".join(_rounded(c) if t in FLOAT_TYPES else f'"{c}"' for c, t in kept)
            d1, d2 = _diff(con, rel, exact) if kept else (0, 0)
            if not (d1 or d2):
                print(f"{schema}.{table}: {n} rows, {len(kept)} columns equal (not compared: {skipped})")
                continue
            r1, r2 = _diff(con, rel, rounded)
            if not (r1 or r2):
                print(
                    f"{schema}.{table}: {n} rows, {len(kept)} columns equal to {SIGNIFICANT} significant digits"
                )
                continue
            bad += 1
            cols = [c for c, t in kept if any(_diff(con, rel, _rounded(c) if t in FLOAT_TYPES else f'"{c}"'))]
            print(f"{schema}.{table}: {n} rows DIFFER ({r1} only before, {r2} only after); columns {cols}")
    print(f"differences: {bad}")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--schemas", default="icp,model")
    args = ap.parse_args()
    return 1 if compare(args.before, args.after, args.schemas.split(",")) else 0


if __name__ == "__main__":
    sys.exit(main())
