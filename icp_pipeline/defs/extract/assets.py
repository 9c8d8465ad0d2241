"""Extract assets: one per landing-contract table, loading files into DuckDB schema `raw`."""

import dataclasses

import dagster as dg

from icp_pipeline.lib.landing.connectors.airbyte import connector_mapping
from icp_pipeline.lib.landing.connectors.detect import detect, record_detection
from icp_pipeline.lib.landing.connectors.source_duckdb import connector_dir
from icp_pipeline.lib.landing.connectors.tables import CONNECTOR_TABLES
from icp_pipeline.lib.landing.contract import TABLES, Table
from icp_pipeline.lib.landing.loader import load_table
from icp_pipeline.lib.landing.quarantine import record_load
from icp_pipeline.lib.run_config import icp_config_for
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


def build_extract_asset(table: Table) -> dg.AssetsDefinition:
    """Asset `<source>/<table>` that loads the table's landing files into `raw.<source>__<table>`."""
    description = (
        f"{table.description} Loads `{table.source}/{table.name}` (.csv, .parquet or a folder of parts) from "
        f"the landing folder into `raw.{table.raw_table}`, typed and validated against the landing contract."
        + (" Required." if table.required else " Optional: absent → empty table, and the run goes on.")
    )

    @dg.asset(
        key=dg.AssetKey([table.source, table.name]),
        group_name="extract",
        description=description,
        kinds={"duckdb", "csv", "parquet"},
        owners=["team:data"],
        tags={"layer": "raw", "source": table.source},
        metadata={
            "dagster/column_schema": _column_schema(table),
            "dagster/table_name": f"raw.{table.raw_table}",
        },
        retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
    )
    def _extract(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, paths: IcpPathsResource
    ) -> dg.MaterializeResult:
        config = icp_config_for(paths)
        mapping = config.mappings.get(table.full_name)
        stages = (list(config.stages.won), list(config.stages.lost))
        # Connector tables (docs/connectors/) are read when their dialect is set or detected; a
        # contract table a connector stands in for is then loaded as absent (empty).
        connectors = connector_dir(paths.landing)  # the landing folder, or ICP_SOURCE_DUCKDB's export
        dialects = detect(paths.landing, config.source.model_dump(), connectors)
        is_connector = table in CONNECTOR_TABLES
        landing, to_load = (connectors if is_connector else paths.landing), table
        if is_connector and dialects.is_active(table):  # Airbyte: API names (StageName) onto snake case
            api_names = dialects.crm == "airbyte_salesforce" and table.source.startswith("salesforce")
            mapping = connector_mapping(connectors, table, api_names)
        if (is_connector and not dialects.is_active(table)) or dialects.replaces(table):
            landing = paths.landing / "_absent_"
            to_load = dataclasses.replace(table, required=False)
        with warehouse.connect() as con:
            report = load_table(con, landing, to_load, mapping, stages=stages)
            record_load(con, report)
            if table.full_name == "crm/accounts":  # runs in every refresh
                record_detection(con, dialects)
        if dialects.dialects and table.full_name == "crm/accounts":
            context.log.info(f"Source dialect: {dialects.describe()}")
        if not report.present and not is_connector:
            context.log.warning(f"{table.full_name}: no file in {paths.landing}; loaded an empty table")
        if report.quarantined:
            context.log.warning(
                f"{table.full_name}: {report.quarantined} row(s) moved to raw._quarantine (see its `reason`)"
            )
        for warning in report.warnings:
            context.log.warning(warning)
        return dg.MaterializeResult(
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
            }
        )

    return _extract


extract_assets = [build_extract_asset(t) for t in TABLES + CONNECTOR_TABLES]
