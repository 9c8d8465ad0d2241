"""Jobs: the full refresh and partial refreshes per stage."""

import dagster as dg

EXTRACT = dg.AssetSelection.groups("extract")
TRANSFORM = dg.AssetSelection.groups("transform")
MODEL = dg.AssetSelection.groups("model")
PUBLISH = dg.AssetSelection.groups("publish")

# Transient failures (a locked file, a killed worker) are retried once by the run itself.
_RETRY_TAGS = {"dagster/max_retries": "1", "dagster/retry_strategy": "FROM_FAILURE"}

refresh_all = dg.define_asset_job(
    "icp_refresh",
    selection=dg.AssetSelection.all(),
    description="Full refresh: extract → dbt → model → publish.",
    tags=_RETRY_TAGS,
)
refresh_data = dg.define_asset_job(
    "icp_refresh_data",
    selection=EXTRACT | TRANSFORM,
    description="Reload the landing files and rebuild the dbt models, without retraining or publishing.",
    tags=_RETRY_TAGS,
)
retrain_and_publish = dg.define_asset_job(
    "icp_retrain",
    selection=MODEL | PUBLISH,
    description="Retrain the models on the current marts and republish (no reload).",
    tags=_RETRY_TAGS,
)
republish = dg.define_asset_job(
    "icp_republish",
    selection=PUBLISH,
    description="Re-tier and republish from the current scores (e.g. after editing tier policy or overrides), "
    "without retraining.",
    tags=_RETRY_TAGS,
)

jobs = [refresh_all, refresh_data, retrain_and_publish, republish]
