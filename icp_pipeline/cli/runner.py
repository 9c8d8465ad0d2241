"""Run the pipeline headlessly in one Dagster run and print where the outputs are."""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

import dagster as dg

from icp_pipeline.cli.summary import print_summary
from icp_pipeline.lib.config.settings import Settings
from icp_pipeline.lib.warehouse.lock import WarehouseLockedError, warehouse_lock


def run_refresh(settings: Settings, selection: str = "*", verbose: bool = False) -> int:
    """Materialise the selected assets (default all) in one run; 0 on success, 1 on failure.

    dbt's and Dagster's own output goes to a log file beside the warehouse unless `verbose`.
    """
    from icp_pipeline.cli.progress import PROGRESS_STREAM, progress_logger
    from icp_pipeline.definitions import build_definitions

    defs = build_definitions()
    if selection.strip() in ("*", ""):
        job = defs.resolve_job_def("icp_refresh")
    else:
        job = dg.Definitions.merge(
            defs, dg.Definitions(jobs=[dg.define_asset_job("icp_cli_selection", selection=selection)])
        ).resolve_job_def("icp_cli_selection")
    job = job.with_logger_defs({"console": progress_logger})
    print(f"ICP refresh: landing {settings.landing_dir} → warehouse {settings.duckdb_path}", flush=True)
    log_path = _log_path(settings)
    PROGRESS_STREAM["stream"] = sys.stdout
    with contextlib.ExitStack() as stack:
        try:  # one refresh at a time: the run holds the warehouse lock from start to end
            stack.enter_context(warehouse_lock(settings.duckdb_path, holder="icp run"))
        except WarehouseLockedError as exc:
            print(f"\nRefresh NOT started: {exc}")
            return 1
        if not verbose:
            log = stack.enter_context(log_path.open("w", encoding="utf-8"))
            stack.enter_context(contextlib.redirect_stdout(log))
        result = job.execute_in_process(
            run_config={"loggers": {"console": {}}}, instance=dg.DagsterInstance.get(), raise_on_error=False
        )
    if not verbose:
        print(f"Full log (dbt and Dagster output): {log_path}")
    if not result.success:
        print(f"\nRefresh FAILED (run {result.run_id}). The previously published tables are unchanged.")
        return 1
    print(f"\nRefresh succeeded (run {result.run_id}).")
    print_summary(settings)
    return 0


def _log_path(settings: Settings) -> Path:
    folder = settings.duckdb_path.parent / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"icp_run_{time.strftime('%Y%m%d_%H%M%S')}.log"
