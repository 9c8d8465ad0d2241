"""Run the whole pipeline in-process against a temporary warehouse (shared by end-to-end tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from icp_pipeline.defs.transform.assets import dbt_resource
from icp_pipeline.resources import IcpPathsResource, WarehouseResource

FAST_MODEL_CONFIG = {"n_bootstrap": 3, "cv_folds": 3}


@dataclass
class PipelineRun:
    result: dg.ExecuteInProcessResult
    warehouse: Path
    exports: Path
    instance: dg.DagsterInstance | None = None  # holds the run's event log (log lines included)

    def query(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).df()


def run_pipeline(
    root: Path,
    landing: Path,
    config_path: Path | None = None,
    model_config: dict | None = None,
    raise_on_error: bool = True,
    warehouse: Path | None = None,
    job: str = "icp_refresh",
    selection: dg.AssetSelection | None = None,
) -> PipelineRun:
    """Materialise every asset and check of the code location into `root` (`job="icp_refresh_data"`:
    only extract and dbt, without training or publishing; `selection`: only those assets)."""
    from icp_pipeline.definitions import build_definitions

    warehouse = warehouse or root / "warehouse.duckdb"
    exports = root / "exports"
    os.environ["ICP_DUCKDB_PATH"] = str(warehouse)
    resources = {
        "warehouse": WarehouseResource(duckdb_path=str(warehouse)),
        "paths": IcpPathsResource(
            landing_dir=str(landing), export_dir=str(exports), config_path=str(config_path or "")
        ),
        "dbt": dbt_resource(),
    }
    defs = build_definitions(resources)
    if selection is not None:
        defs = dg.Definitions.merge(
            defs, dg.Definitions(jobs=[dg.define_asset_job("selected_refresh", selection=selection)])
        )
        job = "selected_refresh"
    job_def = defs.resolve_job_def(job)
    model_ops = {"ops": {"icp_models": {"config": {**FAST_MODEL_CONFIG, **(model_config or {})}}}}
    instance = dg.DagsterInstance.ephemeral()
    result = job_def.execute_in_process(
        run_config=model_ops if job in ("icp_refresh", "selected_refresh") else {},
        instance=instance,
        raise_on_error=raise_on_error,
    )
    return PipelineRun(result, warehouse, exports, instance)
