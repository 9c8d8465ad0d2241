"""Great Expectations suites as Dagster asset checks: errors block downstream, warnings inform."""

from collections.abc import Iterator

import dagster as dg
import duckdb
import pandas as pd

from icp_pipeline.defs.quality.identity_checks import identity_checks
from icp_pipeline.lib.landing.contract import TABLES, Table
from icp_pipeline.lib.quality.gx_validate import ExpectationOutcome, validate_frame
from icp_pipeline.lib.quality.outcome_text import outcomes_text
from icp_pipeline.lib.quality.suites import (
    feature_mart_error_expectations,
    feature_mart_warning_expectations,
    raw_error_expectations,
    raw_warning_expectations,
)
from icp_pipeline.lib.sql import quote_ident
from icp_pipeline.resources import WarehouseResource

# Tables with more rows are validated on a uniform sample of this many rows plus every row that breaks a
# blocking expectation (found in DuckDB): blocking results stay exact, warnings are estimated on the sample.
GX_MAX_ROWS = 500_000


def _columns_of(expectations: list) -> list[str]:
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
        return con.execute(f"select {select} from {table_sql}").df(), n
    keep = f"select rowid from {table_sql} using sample reservoir({GX_MAX_ROWS} rows) repeatable (42)"
    conditions = _violations_sql(con, table_sql, errors, present)
    if conditions:
        keep += f" union select rowid from {table_sql} where {' or '.join(conditions)}"
    frame = con.execute(f"select {select} from {table_sql} where rowid in ({keep}) order by rowid").df()
    return frame, n


def _validate_suites(
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


def _results(
    key: dg.AssetKey,
    name: str,
    severity: dg.AssetCheckSeverity,
    outcomes: list[ExpectationOutcome],
    rows: tuple[int, int] | None = None,
) -> dg.AssetCheckResult:
    failed = [o for o in outcomes if not o.success]
    metadata = {
        "expectations": len(outcomes),
        "failed": len(failed),
        "details": dg.MetadataValue.md("\n".join(f"- {o.describe()}" for o in outcomes) or "none"),
    }
    if rows is not None and rows[0] < rows[1]:
        metadata["rows_validated"] = rows[0]
        metadata["table_rows"] = rows[1]
    noun = "accounts" if key.path[-1] == "account_features" else "rows"  # the mart: one row per account
    metadata["found"] = dg.MetadataValue.text(outcomes_text(outcomes, noun, rows))
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=name,
        passed=not failed,
        severity=severity,
        description=outcomes_text(outcomes, noun, rows),
        metadata=metadata,
    )


def build_gx_checks(
    key: dg.AssetKey, table_sql: str, errors: list, warnings: list, description: str
) -> dg.AssetChecksDefinition:
    """Two checks on `key`: `gx_errors` (blocking) and `gx_warnings` (shown, never blocking)."""
    specs = [
        dg.AssetCheckSpec("gx_errors", asset=key, blocking=True, description=f"{description} Blocking."),
        dg.AssetCheckSpec("gx_warnings", asset=key, description=f"{description} Warnings only."),
    ]
    columns = _columns_of(errors + warnings)
    check_name = "gx_" + "_".join(key.path)

    @dg.multi_asset_check(specs=specs, name=check_name, can_subset=True)
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        select = ", ".join(quote_ident(c) for c in columns) or "*"
        with warehouse.connect(read_only=True) as con:
            available = {r[0] for r in con.execute(f"describe select * from {table_sql}").fetchall()}
            present = [c for c in columns if c in available]
            frame, n_rows = frame_for_gx(
                con, table_sql, ", ".join(quote_ident(c) for c in present) or select, errors, present
            )
        selected = [
            (name, [e for e in expectations if getattr(e, "column", None) in (None, *present)], severity)
            for name, expectations, severity in (
                ("gx_errors", errors, dg.AssetCheckSeverity.ERROR),
                ("gx_warnings", warnings, dg.AssetCheckSeverity.WARN),
            )
            if dg.AssetCheckKey(key, name) in context.selected_asset_check_keys
        ]
        outcomes = _validate_suites(frame, check_name, [(name, usable) for name, usable, _ in selected])
        for name, _, severity in selected:
            yield _results(key, name, severity, outcomes.get(name, []), (len(frame), n_rows))

    return _check


def _raw_check(table: Table) -> dg.AssetChecksDefinition:
    return build_gx_checks(
        dg.AssetKey([table.source, table.name]),
        f"raw.{table.raw_table}",
        raw_error_expectations(table),
        raw_warning_expectations(table),
        f"Great Expectations suite of raw.{table.raw_table} (keys, required values, enumerations, ranges).",
    )


def _checks() -> list[dg.AssetChecksDefinition]:
    mart = build_gx_checks(
        dg.AssetKey(["marts", "account_features"]),
        "marts.account_features",
        feature_mart_error_expectations(),
        feature_mart_warning_expectations(),
        "Great Expectations suite of the feature mart (one row per account key, labels in range).",
    )
    return [*(_raw_check(t) for t in TABLES), mart]


quality_checks: list[dg.AssetChecksDefinition] = [*_checks(), *identity_checks]
