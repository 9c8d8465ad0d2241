"""One full refresh exactly as `icp run` does it, in this (fresh) process; writes a JSON report.

Usage: python bench/pipeline_child.py LANDING WORKDIR REPORT.json

The warehouse, exports, Dagster home and dbt target folder all live under WORKDIR, which must not
hold a warehouse yet (the refresh is a full one). Per-step start/end times come from the run's
STEP_START / STEP_SUCCESS (or STEP_FAILURE) events in the Dagster instance's event log.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

T_PROCESS = time.time()
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import rusage_report  # noqa: E402


def main(landing: Path, workdir: Path, report_path: Path) -> int:
    warehouse = workdir / "warehouse" / "icp_warehouse.duckdb"
    if warehouse.exists():
        raise SystemExit(f"{warehouse} exists: the bench measures full refreshes into a fresh warehouse")
    os.environ.update(
        {
            "DO_NOT_TRACK": "1",
            "DAGSTER_HOME": str(workdir / "dagster_home"),
            "ICP_LANDING_DIR": str(landing),
            "ICP_DUCKDB_PATH": str(warehouse),
            "ICP_EXPORT_DIR": str(workdir / "exports"),
            "DBT_TARGET_PATH": str(workdir / "dbt_target"),
        }
    )
    from icp_pipeline.instance import ensure_instance_config

    ensure_instance_config(workdir / "dagster_home")  # the dagster.yaml `icp run` writes

    import dagster as dg
    import duckdb

    from icp_pipeline.cli.runner import run_refresh
    from icp_pipeline.lib.config.settings import Settings

    t_imported = time.time()
    code = run_refresh(Settings.from_env())
    t_done = time.time()

    instance = dg.DagsterInstance.get()
    run = instance.get_runs(limit=1)[0]
    steps: dict[str, dict] = {}
    load_seconds: dict[str, float] = {}
    run_start = run_end = None
    for entry in instance.all_logs(run.run_id):
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        if kind == "STEP_START":
            steps.setdefault(event.step_key, {})["start"] = entry.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            steps.setdefault(event.step_key, {})["end"] = entry.timestamp
            steps[event.step_key]["status"] = kind
        elif kind == "ASSET_MATERIALIZATION":  # the extract step's seconds per table (`load_seconds`)
            seconds = event.step_materialization_data.materialization.metadata.get("load_seconds")
            if seconds is not None:
                load_seconds[event.asset_key.to_user_string()] = seconds.value
        elif kind == "RUN_START":
            run_start = entry.timestamp
        elif kind in ("RUN_SUCCESS", "RUN_FAILURE"):
            run_end = entry.timestamp

    counts = {}
    if warehouse.exists():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables() where schema_name in "
                "('raw', 'marts', 'model', 'icp')"
            ).fetchall():
                counts[f"{schema}.{name}"] = con.execute(
                    f'select count(*) from "{schema}"."{name}"'
                ).fetchone()[0]
    report = {
        "returncode": code,
        "run_id": run.run_id,
        "t_process": T_PROCESS,
        "t_imported": t_imported,
        "t_done": t_done,
        "run_start": run_start,
        "run_end": run_end,
        "steps": steps,
        "load_seconds": load_seconds,
        "table_rows": counts,
        "dbt_target": str(_dbt_target(workdir, run.run_id)),
        "rusage": rusage_report(),
    }
    report_path.write_text(json.dumps(report, indent=1))
    return code


def _dbt_target(workdir: Path, run_id: str) -> Path | None:
    found = sorted((workdir / "dbt_target").glob(f"*-{run_id[:7]}-*"))
    return found[-1] if found else None


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
