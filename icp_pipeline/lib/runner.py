"""Run the pipeline headlessly in one Dagster run and print where the outputs are."""

from __future__ import annotations

import dagster as dg

from icp_pipeline.lib.settings import Settings
from icp_pipeline.lib.summary import print_summary


def run_refresh(settings: Settings, selection: str = "*") -> int:
    """Materialise the selected assets (default all) in one run; 0 on success, 1 on failure."""
    from icp_pipeline.definitions import build_definitions
    from icp_pipeline.lib.progress import progress_logger

    defs = build_definitions()
    if selection.strip() in ("*", ""):
        job = defs.resolve_job_def("icp_refresh")
    else:
        job = dg.Definitions.merge(
            defs, dg.Definitions(jobs=[dg.define_asset_job("icp_cli_selection", selection=selection)])
        ).resolve_job_def("icp_cli_selection")
    job = job.with_logger_defs({"console": progress_logger})
    print(f"ICP refresh: landing {settings.landing_dir} → warehouse {settings.duckdb_path}", flush=True)
    result = job.execute_in_process(instance=dg.DagsterInstance.get(), raise_on_error=False)
    if not result.success:
        print(f"\nRefresh FAILED (run {result.run_id}). The previously published tables are unchanged.")
        return 1
    print(f"\nRefresh succeeded (run {result.run_id}).")
    print_summary(settings)
    return 0
