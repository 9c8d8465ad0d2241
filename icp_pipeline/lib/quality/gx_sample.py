"""The rows a Great Expectations suite validates, and several suites validated on one frame.

Plain DuckDB, pandas and GX (no Dagster); the asset checks are built in `icp_pipeline/defs/gx_checks.py`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from icp_pipeline.lib.quality.gx_validate import ExpectationOutcome, validate_frame
from icp_pipeline.lib.warehouse.frames import read_frame
from icp_pipeline.lib.warehouse.sql import quote_ident

# Tables with more rows are validated on a uniform sample of this many rows plus every row that breaks a
# blocking expectation (found in DuckDB): blocking results stay exact, warnings are estimated on the sample.
GX_MAX_ROWS = 500_000


def columns_of(expectations: list) -> list[str]:
    return sorted({e.column for e in expectations if getattr(e, "column", None)})


def _violations_sql(
    con: duckdb.DuckDBPyConnection, table_sql: str, errors: list, present: list[str]
) -> list[str]:
    """SQL conditions matching every row that breaks a not-null or unique expectation.

    Only the expectations some row breaks get a condition; one aggregate over the table finds them,
    so a clean table costs no join."""
    tests = []  # (condition on a row, aggregate that is true when some row meets it)
    for e in errors:
        column = getattr(e, "column", None)
        if column not in present:
            continue
        q = quote_ident(column)
        kind = type(e).__name__
        if kind == "ExpectColumnValuesToNotBeNull":
            tests.append((f"{q} is null", f"count(*) > count({q})"))
        elif kind == "ExpectColumnValuesToBeUnique":  # a non-null value repeats
            repeated = f"{q} in (select {q} from {table_sql} group by {q} having count(*) > 1)"
            tests.append((repeated, f"count({q}) > count(distinct {q})"))
    if not tests:
        return []
    met = con.execute(f"select {', '.join(test for _, test in tests)} from {table_sql}").fetchone()
    return [condition for (condition, _), broken in zip(tests, met, strict=True) if broken]


def frame_for_gx(
    con: duckdb.DuckDBPyConnection, table_sql: str, select: str, errors: list, present: list[str]
) -> tuple[pd.DataFrame, int]:
    """The rows GX validates (all of them up to `GX_MAX_ROWS`) and the table's row count."""
    n = con.execute(f"select count(*) from {table_sql}").fetchone()[0]
    if n <= GX_MAX_ROWS:
        return read_frame(con, f"select {select} from {table_sql}"), n
    keep = f"select rowid from {table_sql} using sample reservoir({GX_MAX_ROWS} rows) repeatable (42)"
    conditions = _violations_sql(con, table_sql, errors, present)
    if conditions:
        keep += f" union select rowid from {table_sql} where {' or '.join(conditions)}"
    frame = read_frame(con, f"select {select} from {table_sql} where rowid in ({keep}) order by rowid")
    return frame, n


def validate_suites(
    frame: pd.DataFrame, check_name: str, suites: list[tuple[str, list]]
) -> dict[str, list[ExpectationOutcome]]:
    """Each suite's outcomes; the suites are validated together (one GX context and batch for the
    frame) and the outcomes, which GX returns in the expectations' order, split back per suite."""
    suites = [(name, expectations) for name, expectations in suites if expectations]
    if not suites:
        return {}
    if len(suites) > 1:
        together = [e for _, expectations in suites for e in expectations]
        outcomes = validate_frame(frame, f"{check_name}_{'_'.join(n for n, _ in suites)}", together)
        expected = [(e.expectation_type, getattr(e, "column", None)) for e in together]
        if [(o.expectation, o.column) for o in outcomes] == expected:
            split, start = {}, 0
            for name, expectations in suites:
                split[name] = outcomes[start : start + len(expectations)]
                start += len(expectations)
            return split
    return {
        name: validate_frame(frame, f"{check_name}_{name}", expectations) for name, expectations in suites
    }
