"""The Dagster code location: every asset, check, job, schedule and sensor of the ICP pipeline."""

from __future__ import annotations

from typing import Any

import dagster as dg

from icp_pipeline.defs.automation.jobs import jobs
from icp_pipeline.defs.automation.schedules import build_refresh_schedule
from icp_pipeline.defs.automation.sensors import landing_sensor
from icp_pipeline.defs.extract.assets import extract_assets
from icp_pipeline.defs.extract.checks import extract_checks
from icp_pipeline.defs.model.assets import model_assets
from icp_pipeline.defs.model.checks import model_checks
from icp_pipeline.defs.publish.assets import publish_assets
from icp_pipeline.defs.publish.checks import publish_checks
from icp_pipeline.defs.transform.assets import dbt_resource, icp_dbt_models
from icp_pipeline.defs.transform.checks import transform_checks
from icp_pipeline.lib.config.environment import check_environment
from icp_pipeline.lib.engine import current_engine
from icp_pipeline.resources import default_resources


def build_definitions(resources: dict[str, Any] | None = None) -> dg.Definitions:
    """Assemble the code location; resources come from the env vars of the outputs contract
    unless given (tests and scripts point them elsewhere). `ICP_ENGINE` (duckdb | spark) is checked
    here with every other ICP_* variable, so a wrong value stops the code location naming the
    variable, the value and the allowed values (lib/config/environment.py)."""
    check_environment()
    current_engine()
    return dg.Definitions(
        assets=[*extract_assets, icp_dbt_models, *model_assets, *publish_assets],
        asset_checks=[*extract_checks, *transform_checks, *model_checks, *publish_checks],
        jobs=jobs,
        schedules=[build_refresh_schedule()],
        sensors=[landing_sensor],
        resources=resources or {**default_resources(), "dbt": dbt_resource()},
        # One DuckDB file allows a single writer, so steps of a run execute one after another.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
