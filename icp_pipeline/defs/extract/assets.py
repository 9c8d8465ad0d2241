"""Extract assets: one per landing-contract (and connector) table, loading its files into DuckDB schema
`raw`, with the contract tables' Great Expectations checks; all in one step (`landing_tables`) that
loads several tables at once (`lib/landing/concurrent.py`)."""

import dataclasses
import time
from collections.abc import Iterator

import dagster as dg
import duckdb

from icp_pipeline.defs.gx_checks import gx_check_results, gx_check_specs
from icp_pipeline.lib.config.run import icp_config_for
from icp_pipeline.lib.landing.concurrent import (
    EXTRACT_THREADS_ENV,
    extract_threads,
    prepare_shared_tables,
    restore_quarantine_order,
    run_on_cursors,
)
from icp_pipeline.lib.landing.connectors.airbyte import connector_mapping
from icp_pipeline.lib.landing.connectors.detect import check_mapping_applies, detect, record_detection
from icp_pipeline.lib.landing.connectors.source_duckdb import connector_dir
from icp_pipeline.lib.landing.connectors.tables import CONNECTOR_TABLES
from icp_pipeline.lib.landing.contract import TABLES, Table
from icp_pipeline.lib.landing.files import LandingDataError
from icp_pipeline.lib.landing.loader import load_table
from icp_pipeline.lib.landing.quarantine import LoadReport, record_load
from icp_pipeline.lib.landing.reading import resolve_files
from icp_pipeline.lib.quality.suites import raw_error_expectations, raw_warning_expectations
from icp_pipeline.resources import IcpPathsResource, WarehouseResource


def _column_schema(table: Table) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                c.name,
                c.duckdb_type.lower(),
                description=c.description or None,
                constraints=dg.TableColumnConstraints(nullable=not c.required, unique=c.name == table.key),
            )
            for c in table.columns
        ]
    )


def _description(table: Table) -> str:
    return (
        f"{table.description} Loads `{table.source}/{table.name}` (.csv, .parquet or a folder of parts) from "
        f"the landing folder into `raw.{table.raw_table}`, typed and validated against the landing contract."
        + (" Required." if table.required else " Optional: absent → empty table, and the run goes on.")
    )


def extract_spec(table: Table) -> dg.AssetSpec:
    """Asset `<source>/<table>`: the table's landing files loaded into `raw.<source>__<table>`."""
    return dg.AssetSpec(
        key=dg.AssetKey([table.source, table.name]),
        group_name="extract",
        description=_description(table),
        kinds={"duckdb", "csv", "parquet"},
        owners=["team:data"],
        tags={"layer": "raw", "source": table.source},
        metadata={
            "dagster/column_schema": _column_schema(table),
            "dagster/table_name": f"raw.{table.raw_table}",
        },
    )


def _key(table: Table) -> dg.AssetKey:
    return dg.AssetKey([table.source, table.name])


@dataclasses.dataclass
class _Loaded:
    """One table's load (None when only its checks ran) and check results, with the seconds each took."""

    report: LoadReport | None = None
    checks: list[dg.AssetCheckResult] = dataclasses.field(default_factory=list)
    load_seconds: float = 0.0
    check_seconds: float = 0.0
    check_error: Exception | None = None  # the checks could not run (the load itself succeeded)


def _load(
    con: duckdb.DuckDBPyConnection, table: Table, paths: IcpPathsResource, config, dialects
) -> LoadReport:
    """Load one table (contract or connector) from the landing folder into `raw`."""
    mapping = config.mappings.get(table.full_name)
    stages = (list(config.stages.won), list(config.stages.lost))
    # Connector tables (docs/connectors/) are read when their dialect is set or detected; a
    # contract table a connector stands in for is then loaded as absent (empty).
    connectors = connector_dir(paths.landing)  # the landing folder, or ICP_SOURCE_DUCKDB's export
    is_connector = table in CONNECTOR_TABLES
    landing, to_load = (connectors if is_connector else paths.landing), table
    if is_connector and dialects.is_active(table):  # Airbyte: API names (StageName) onto snake case
        api_names = dialects.crm == "airbyte_salesforce" and table.source.startswith("salesforce")
        mapping = connector_mapping(connectors, table, api_names, user=mapping)
    check_mapping_applies(table, mapping, dialects)  # no mapping of a table a connector replaces
    if (is_connector and not dialects.is_active(table)) or dialects.replaces(table):
        landing = paths.landing / "_absent_"
        to_load = dataclasses.replace(table, required=False)
    return load_table(con, landing, to_load, mapping, stages=stages)


def _task(table: Table, load: bool, checks: set[str], paths: IcpPathsResource, config, dialects):
    """Load `table` (if `load`) then run its selected GX checks, on the cursor it is given."""

    def run(con: duckdb.DuckDBPyConnection) -> _Loaded:
        done = _Loaded()
        started = time.perf_counter()
        if load:
            done.report = _load(con, table, paths, config, dialects)
        done.load_seconds = time.perf_counter() - started
        if checks:
            started = time.perf_counter()
            try:
                done.checks = gx_check_results(
                    con,
                    _key(table),
                    f"raw.{table.raw_table}",
                    raw_error_expectations(table),
                    raw_warning_expectations(table),
                    checks,
                )
            except Exception as exc:  # noqa: BLE001 - the load stands; the step fails after reporting it
                done.check_error = exc
            done.check_seconds = time.perf_counter() - started
        return done

    return run


def _landing_bytes(table: Table, paths: IcpPathsResource, config) -> int:
    """The table's landing files' size (to start the largest loads first); 0 when none or unknown."""
    try:
        found = resolve_files(paths.landing, table, config.mappings.get(table.full_name))
        return sum(p.stat().st_size if p.is_file() else 0 for p in found.files)
    except (OSError, LandingDataError):
        return 0


_CHECKED = frozenset(
    t.full_name for t in TABLES
)  # contract tables have GX suites; connector tables are checked in dbt


@dg.multi_asset(
    name="landing_tables",
    specs=[extract_spec(t) for t in TABLES + CONNECTOR_TABLES],
    check_specs=[
        spec
        for t in TABLES
        for spec in gx_check_specs(
            _key(t),
            f"Great Expectations suite of raw.{t.raw_table} (keys, required values, enumerations, ranges).",
        )
    ],
    can_subset=True,
    description="Load the landing files of every selected table into DuckDB schema `raw`, several tables at "
    f"once (`{EXTRACT_THREADS_ENV}`), each followed by its Great Expectations checks.",
    retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
)
def landing_tables(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, paths: IcpPathsResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """One step for the extract assets: the selected tables loaded on a thread pool (`lib/landing/
    concurrent.py`), then their materialisations and check results in table order. A table whose load
    fails leaves the others loaded and recorded; the step then fails with every table's error."""
    config = icp_config_for(paths)
    connectors = connector_dir(paths.landing)
    dialects = detect(paths.landing, config.source.model_dump(), connectors)
    selected = context.selected_asset_keys
    checks: dict[str, set[str]] = {}
    for check in context.selected_asset_check_keys:
        checks.setdefault("/".join(check.asset_key.path), set()).add(check.name)
    tables = sorted(
        (
            t
            for t in TABLES + CONNECTOR_TABLES
            if _key(t) in selected or (t.full_name in _CHECKED and checks.get(t.full_name))
        ),
        key=lambda t: t.full_name,
    )
    tasks = [
        (t.full_name, _task(t, _key(t) in selected, checks.get(t.full_name, set()), paths, config, dialects))
        for t in sorted(tables, key=lambda t: -_landing_bytes(t, paths, config))
    ]
    with warehouse.connect() as con:
        prepare_shared_tables(con)
        done = run_on_cursors(con, tasks, extract_threads())
        loaded = [t for t in tables if isinstance(done[t.full_name], _Loaded) and done[t.full_name].report]
        for table in loaded:  # in table order, as one-by-one loads would have written them
            record_load(con, done[table.full_name].report)
        restore_quarantine_order(con, [t.full_name for t in loaded])
        if any(t.full_name == "crm/accounts" for t in loaded):  # runs in every refresh
            record_detection(con, dialects)
    if dialects.dialects and any(t.full_name == "crm/accounts" for t in loaded):
        context.log.info(f"Source dialect: {dialects.describe()}")
    for table in loaded:
        yield _materialization(context, table, done[table.full_name], paths)
    for table in tables:
        if isinstance(done[table.full_name], _Loaded):
            yield from done[table.full_name].checks
    failed = [(t, done[t.full_name]) for t in tables if isinstance(done[t.full_name], BaseException)]
    failed += [
        (t, d.check_error) for t in tables if isinstance(d := done[t.full_name], _Loaded) and d.check_error
    ]
    if len(failed) == 1:
        raise failed[0][1]
    if failed:
        for table, error in failed:
            context.log.error(f"{table.full_name}: {error}")
        if all(isinstance(e, LandingDataError) for _, e in failed):
            raise LandingDataError("\n".join(str(e) for _, e in failed)) from failed[0][1]
        raise next(e for _, e in failed if not isinstance(e, LandingDataError))


def _materialization(
    context: dg.AssetExecutionContext, table: Table, done: _Loaded, paths: IcpPathsResource
) -> dg.MaterializeResult:
    report = done.report
    if not report.present and table not in CONNECTOR_TABLES:
        context.log.warning(f"{table.full_name}: no file in {paths.landing}; loaded an empty table")
    if report.quarantined:
        context.log.warning(
            f"{table.full_name}: {report.quarantined} row(s) moved to raw._quarantine (see its `reason`)"
        )
    for warning in report.warnings:
        context.log.warning(warning)
    return dg.MaterializeResult(
        asset_key=_key(table),
        metadata={
            "dagster/row_count": report.rows,
            "present": report.present,
            "source_files": dg.MetadataValue.json(report.files),
            "quarantined_rows": report.quarantined,
            "repaired_values": report.repaired,
            "skipped_lines": report.skipped_lines,
            "set_aside": dg.MetadataValue.json(report.counts),
            "personal_data_columns_dropped": dg.MetadataValue.json(report.personal_data_columns),
            "extra_columns": dg.MetadataValue.json(report.extra_columns),
            "missing_optional_columns": dg.MetadataValue.json(report.missing_optional_columns),
            "load_seconds": round(done.load_seconds, 2),
        },
    )


extract_assets = [landing_tables]
"""The extract step: every landing table's asset (and the contract tables' GX checks) in one step."""
