"""Jobs: the full refresh and partial refreshes per stage."""

from __future__ import annotations

import dagster as dg

refresh_all = dg.define_asset_job(
    "icp_refresh",
    selection=dg.AssetSelection.all(),
    description="Full refresh: extract → dbt → model → publish.",
)

jobs = [refresh_all]
