"""A sensor that starts a full refresh when the landing folder's content changes."""

import json

import dagster as dg

from icp_pipeline.defs.automation.jobs import refresh_all
from icp_pipeline.lib.landing.fingerprint import landing_fingerprint
from icp_pipeline.resources import IcpPathsResource


@dg.sensor(
    name="icp_landing_sensor",
    job=refresh_all,
    minimum_interval_seconds=300,
    description="Starts a full refresh when files in ICP_LANDING_DIR are added or their content changes. "
    "Keyed by a content hash, so an unchanged (or merely touched) folder starts nothing.",
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def landing_sensor(context: dg.SensorEvaluationContext, paths: IcpPathsResource):
    state = json.loads(context.cursor) if context.cursor else {}
    fingerprint, files = landing_fingerprint(paths.landing, state.get("files"))
    context.update_cursor(json.dumps({"fingerprint": fingerprint, "files": files}))
    if not files:
        return dg.SkipReason(f"No CSV or Parquet files in {paths.landing}")
    if fingerprint == state.get("fingerprint"):
        return dg.SkipReason("Landing folder unchanged since the last refresh request")
    return dg.RunRequest(run_key=fingerprint, tags={"icp/landing_fingerprint": fingerprint[:16]})
