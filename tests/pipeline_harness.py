"""Run the whole pipeline in-process against a temporary warehouse (shared by end-to-end tests)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from filelock import FileLock

from icp_pipeline.defs.transform.assets import dbt_resource
from icp_pipeline.resources import IcpPathsResource, WarehouseResource

FAST_MODEL_CONFIG = {"n_bootstrap": 3, "cv_folds": 3}


@dataclass
class PipelineRun:
    result: dg.ExecuteInProcessResult | None  # None: a shared run built by another test (shared_run)
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


def _session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this test session sees (pytest-N/), or the base temp of a
    session without xdist: never one of an earlier session."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_run(
    tmp_path_factory: pytest.TempPathFactory, key: str, build: Callable[[Path], PipelineRun]
) -> PipelineRun:
    """One successful pipeline run per `key` for the whole test session, shared by every module and
    xdist worker that asks for it (pytest-xdist's "session-scoped fixtures execute only once" with a
    file lock). `build(root)` lands its data in `root / "landing"` and runs into `root`; the first
    caller runs it, the others wait for it and get its warehouse and exports (result None).

    The run is read-only for its users: a test that changes the warehouse works on a copy
    (`copy_run`). A failed build fails every user with the first failure's message."""
    root = _session_dir(tmp_path_factory) / "shared_runs" / key
    done, failed = root.parent / f"{key}.done", root.parent / f"{key}.failed"
    root.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root.parent / f"{key}.lock")):
        if failed.exists():
            pytest.fail(f"shared run {key} failed earlier in this session: {failed.read_text()}")
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            try:
                run = build(root)
                assert run.result is not None and run.result.success, f"shared run {key} did not succeed"
            except BaseException as exc:
                failed.write_text(f"{type(exc).__name__}: {exc}")
                raise
            done.write_text(str(run.warehouse))
            return run
    return PipelineRun(None, Path(done.read_text()), root / "exports")


def copy_run(run: PipelineRun, root: Path) -> PipelineRun:
    """The run's warehouse, exports and landing folder copied into `root`, to be changed there."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(run.warehouse, root / "warehouse.duckdb")
    wal = run.warehouse.with_name(run.warehouse.name + ".wal")
    if wal.exists():  # not checkpointed yet: DuckDB replays it on open
        shutil.copy(wal, root / "warehouse.duckdb.wal")
    shutil.copytree(run.exports, root / "exports")
    shutil.copytree(run.warehouse.parent / "landing", root / "landing")
    return PipelineRun(run.result, root / "warehouse.duckdb", root / "exports", run.instance)
