"""Great Expectations suites as Dagster asset checks: errors block downstream, warnings inform.

`build_gx_checks` makes the two checks of one table; the raw tables' checks are in
`defs/extract/checks.py`, the feature mart's in `defs/transform/checks.py`."""

from collections.abc import Iterator

import dagster as dg
import duckdb

from icp_pipeline.lib.quality.gx_sample import columns_of, frame_for_gx, validate_suites
from icp_pipeline.lib.quality.gx_validate import ExpectationOutcome
from icp_pipeline.lib.quality.outcome_text import outcomes_text
from icp_pipeline.lib.warehouse.sql import quote_ident
from icp_pipeline.resources import WarehouseResource


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


def gx_check_specs(key: dg.AssetKey, description: str) -> list[dg.AssetCheckSpec]:
    """The two checks of `key`: `gx_errors` (blocking) and `gx_warnings` (shown, never blocking)."""
    return [
        dg.AssetCheckSpec("gx_errors", asset=key, blocking=True, description=f"{description} Blocking."),
        dg.AssetCheckSpec("gx_warnings", asset=key, description=f"{description} Warnings only."),
    ]


def gx_check_results(
    con: duckdb.DuckDBPyConnection,
    key: dg.AssetKey,
    table_sql: str,
    errors: list,
    warnings: list,
    names: set[str],
) -> list[dg.AssetCheckResult]:
    """The results of the checks `names` (of `gx_errors`, `gx_warnings`) of `key` on `table_sql`."""
    columns = columns_of(errors + warnings)
    check_name = "gx_" + "_".join(key.path)
    select = ", ".join(quote_ident(c) for c in columns) or "*"
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
        if name in names
    ]
    outcomes = validate_suites(frame, check_name, [(name, usable) for name, usable, _ in selected])
    return [
        _results(key, name, severity, outcomes.get(name, []), (len(frame), n_rows))
        for name, _, severity in selected
    ]


def build_gx_checks(
    key: dg.AssetKey, table_sql: str, errors: list, warnings: list, description: str
) -> dg.AssetChecksDefinition:
    """Two checks on `key` (`gx_check_specs`) in a step of their own."""

    @dg.multi_asset_check(
        specs=gx_check_specs(key, description), name="gx_" + "_".join(key.path), can_subset=True
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        names = {k.name for k in context.selected_asset_check_keys if k.asset_key == key}
        with warehouse.connect(read_only=True) as con:
            results = gx_check_results(con, key, table_sql, errors, warnings, names)
        yield from results

    return _check
