"""Publish assets: tiered target accounts and the ICP tables in schema `icp`, plus file exports."""

import datetime as dt

import dagster as dg
import pandas as pd

from icp_pipeline.defs.publish.tables import PUBLISHED_TABLES, column_schema
from icp_pipeline.lib.config.run import icp_config_for
from icp_pipeline.lib.engine.steps import after_publish
from icp_pipeline.lib.icp.filters.config_check import check_config_filters
from icp_pipeline.lib.publish.export_schema import PUBLISHED_COLUMN_TYPES
from icp_pipeline.lib.publish.exports import write_exports
from icp_pipeline.lib.publish.publication import publish_tables, published_types
from icp_pipeline.lib.publish.refresh import build_published_frames
from icp_pipeline.resources import IcpPathsResource, WarehouseResource

MODEL_OUTPUTS = [
    dg.AssetKey(["model", "account_scores"]),
    dg.AssetKey(["model", "attribute_importance"]),
    dg.AssetKey(["model", "model_metrics"]),
    dg.AssetKey(["model", "model_card"]),
    dg.AssetKey(["marts", "account_features"]),
]


class PublishConfig(dg.Config):
    """Per-run publishing options."""

    rebaseline: bool = False  # recompute tier cut-offs instead of keeping the previous refresh's


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["icp", name],
            deps=MODEL_OUTPUTS,
            description=spec.description,
            metadata={
                "dagster/column_schema": column_schema(spec, PUBLISHED_COLUMN_TYPES.get(name)),
                "dagster/table_name": f"icp.{name}",
            },
            kinds={"duckdb", "table"},
            owners=["team:data"],
            tags={"layer": "published"},
            # BI dashboards read these every morning: warn after a missed weekly refresh, fail after two.
            freshness_policy=dg.FreshnessPolicy.time_window(
                fail_window=dt.timedelta(days=15), warn_window=dt.timedelta(days=8)
            ),
        )
        for name, spec in PUBLISHED_TABLES.items()
    ],
    group_name="publish",
    can_subset=False,
)
def icp_published_tables(
    context: dg.AssetExecutionContext,
    config: PublishConfig,
    warehouse: WarehouseResource,
    paths: IcpPathsResource,
):
    """Tier the scored accounts and swap every published table into `icp` in one transaction."""
    icp_config = icp_config_for(paths)
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with warehouse.connect() as con:
        columns = [r[0] for r in con.execute("describe marts.account_features").fetchall()]
        for warning in check_config_filters(icp_config, columns, paths.config_path):
            context.log.warning(warning)
        frames, warnings = build_published_frames(
            con, icp_config, context.run_id, published_at, rebaseline=config.rebaseline
        )
        publish_tables(
            con,
            frames,
            icp_version=context.run_id,
            published_at=published_at,
            declared_types=PUBLISHED_COLUMN_TYPES,
        )
        types = published_types(con, list(frames))
        on_spark = after_publish(con, warehouse.duckdb_path)  # ICP_ENGINE=spark: icp.* as Spark tables
    if on_spark:
        context.log.info(f"published {len(on_spark)} tables as Spark Parquet tables in schema icp")
    for warning in warnings:
        context.log.warning(warning)
    for name, frame in frames.items():
        metadata = {
            "dagster/column_schema": column_schema(PUBLISHED_TABLES[name], types[name]),
            **_table_metadata(name, frame),
        }
        yield dg.MaterializeResult(asset_key=["icp", name], metadata=metadata)


@dg.asset(
    key=["icp", "exports"],
    deps=[dg.AssetKey(["icp", name]) for name in PUBLISHED_TABLES],
    group_name="publish",
    description="Files in ICP_EXPORT_DIR: target_accounts as Parquet and CSV, a CRM import CSV "
    "(account id, ICP score, tier, reasons) and icp_report.html. Each file is written to a temporary "
    "name and renamed, so readers never see a partial file.",
    kinds={"parquet", "csv", "html"},
    owners=["team:data"],
)
def icp_exports(warehouse: WarehouseResource, paths: IcpPathsResource) -> dg.MaterializeResult:
    with warehouse.lock("exports"), warehouse.connect(read_only=True) as con:
        written = write_exports(con, paths.exports, icp_config_for(paths).tiers.accounts_per_rep)
    return dg.MaterializeResult(
        metadata={name: dg.MetadataValue.path(str(path)) for name, path in written.items()}
    )


def _table_metadata(name: str, frame: pd.DataFrame) -> dict[str, dg.MetadataValue | int]:
    metadata: dict[str, dg.MetadataValue | int] = {"dagster/row_count": len(frame)}
    if name == "refresh_history" and len(frame):
        last = frame.iloc[-1]
        metadata["tier_churn"] = dg.MetadataValue.float(float(last["tier_churn"]))
        metadata["thresholds_frozen"] = dg.MetadataValue.bool(bool(last["thresholds_frozen"]))
        reason = last.get("rebaseline_reason")
        metadata["rebaseline_reason"] = dg.MetadataValue.text(reason if isinstance(reason, str) else "frozen")
    if name == "target_accounts" and len(frame):
        counts = frame["tier"].fillna("(none)").value_counts().sort_index()
        metadata["tier_counts"] = dg.MetadataValue.json({str(k): int(v) for k, v in counts.items()})
        top = frame[frame["tier"] == "Tier 1"].nlargest(10, "icp_score")
        metadata["top_tier1_accounts"] = dg.MetadataValue.md(
            top[["account_name", "domain", "icp_score", "top_reasons"]].to_markdown(index=False)
        )
    return metadata


publish_assets = [icp_published_tables, icp_exports]
