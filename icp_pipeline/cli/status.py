"""`icp status`: the last refresh, its checks and where the outputs are."""

from __future__ import annotations

import dagster as dg

from icp_pipeline.lib.config.settings import Settings
from icp_pipeline.lib.warehouse.connection import connect, table_exists


def print_status(settings: Settings) -> int:
    instance = dg.DagsterInstance.get()
    runs = instance.get_runs(limit=1)
    if runs:
        run = runs[0]
        stats = instance.get_run_stats(run.run_id)
        print(f"Last run      : {run.run_id} ({run.job_name}) — {run.status.value}")
        print(
            f"  steps ok/failed: {stats.steps_succeeded}/{stats.steps_failed}, "
            f"materialisations: {stats.materializations}"
        )
        checks = instance.event_log_storage.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000
        ).records
        failed = [r.event_log_entry.dagster_event.event_specific_data for r in checks]
        failed = [c for c in failed if not c.passed]
        print(f"  asset checks: {len(checks)} evaluated, {len(failed)} failed")
        for check in failed:
            print(f"    ✗ {check.asset_key.to_user_string()}: {check.check_name}")
    else:
        print("Last run      : none recorded in DAGSTER_HOME")
    if settings.duckdb_path.exists():
        with connect(settings.duckdb_path, read_only=True) as con:
            published = (
                con.execute(
                    "select any_value(icp_version), max(published_at), count(*) from icp.target_accounts"
                ).fetchone()
                if table_exists(con, "icp", "target_accounts")
                else None
            )
        if published:
            print(
                f"Published     : refresh {published[0]} at {published[1]:%Y-%m-%d %H:%M} UTC, "
                f"{published[2]:,} target accounts"
            )
    print(f"Warehouse     : {settings.duckdb_path}")
    print(f"Exports       : {settings.export_dir}")
    print(f"Landing folder: {settings.landing_dir}")
    print(f"ICP config    : {settings.config_path}")
    return 0
