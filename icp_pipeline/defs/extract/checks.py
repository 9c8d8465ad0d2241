"""Asset checks of the extract assets: each raw table's Great Expectations suite (keys, required
values, enumerations, ranges)."""

import dagster as dg

from icp_pipeline.defs.gx_checks import build_gx_checks
from icp_pipeline.lib.landing.contract import TABLES, Table
from icp_pipeline.lib.quality.suites import raw_error_expectations, raw_warning_expectations


def _raw_check(table: Table) -> dg.AssetChecksDefinition:
    return build_gx_checks(
        dg.AssetKey([table.source, table.name]),
        f"raw.{table.raw_table}",
        raw_error_expectations(table),
        raw_warning_expectations(table),
        f"Great Expectations suite of raw.{table.raw_table} (keys, required values, enumerations, ranges).",
    )


extract_checks: list[dg.AssetChecksDefinition] = [_raw_check(t) for t in TABLES]
