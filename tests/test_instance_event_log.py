"""The `dagster.yaml` `icp` writes, and its event log storage (icp_pipeline/instance.py): the same
records as Dagster's default SQLite storage, in the same files, with one engine per database file."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

import icp_pipeline.instance as instance_module
from icp_pipeline.instance import (
    _PREVIOUS_CONFIG,
    PooledSqliteEventLogStorage,
    ensure_instance_config,
    instance_config,
)


@dg.asset
def upstream() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"dagster/row_count": 3})


@dg.asset(deps=[upstream], check_specs=[dg.AssetCheckSpec("positive", asset="downstream")])
def downstream():
    yield dg.MaterializeResult(metadata={"dagster/row_count": 2})
    yield dg.AssetCheckResult(check_name="positive", passed=True)


def _run(home: Path) -> tuple[dg.DagsterInstance, str]:
    instance = dg.DagsterInstance.from_config(str(home))
    job = dg.Definitions(assets=[upstream, downstream]).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance)
    assert result.success
    return instance, result.run_id


def test_refresh_events_stored_with_one_engine_per_file_and_read_by_dagsters_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    ensure_instance_config(home)
    engines: list[str] = []
    real_create_engine = instance_module.create_engine

    def counting_create_engine(url, **kwargs):
        engines.append(str(url))
        return real_create_engine(url, **kwargs)

    monkeypatch.setattr(instance_module, "create_engine", counting_create_engine)
    instance, run_id = _run(home)
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    logs = instance.all_logs(run_id)
    assert len(logs) >= 20  # planned, step, materialisation and check events
    # one engine per database file (the run's and index.db), not one per event
    assert sorted(Path(u).name for u in engines) == sorted([f"{run_id}.db", "index.db"])
    instance.dispose()

    # Dagster's default storage (a home without the setting) reads the same records from the same files
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    default = dg.DagsterInstance.from_config(str(home))
    assert type(default.event_log_storage).__name__ == "SqliteEventLogStorage"
    again = default.all_logs(run_id)
    assert [e.dagster_event_type for e in again] == [e.dagster_event_type for e in logs]
    record = default.get_latest_materialization_event(dg.AssetKey("downstream"))
    assert record is not None and record.asset_materialization.metadata["dagster/row_count"].value == 2
    check = default.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey("downstream"), "positive")]
    )
    assert len(check) == 1
    # and a later run through the pooled storage adds to them
    ensure_instance_config(home)  # a file the user wrote is left alone
    assert "event_log_storage" not in (home / "dagster.yaml").read_text()
    (home / "dagster.yaml").write_text(instance_config(home))
    pooled, second = _run(home)
    assert pooled.get_latest_materialization_event(dg.AssetKey("downstream")).run_id == second
    assert {r.run_id for r in pooled.get_runs()} == {run_id, second}


def test_instance_config_written_new_and_over_the_previous_default_only(tmp_path: Path) -> None:
    new = tmp_path / "new"
    ensure_instance_config(new)
    text = (new / "dagster.yaml").read_text()
    assert "max_concurrent_runs: 1" in text and "PooledSqliteEventLogStorage" in text
    assert str((new / "history" / "runs").absolute()) in text

    previous = tmp_path / "previous"
    previous.mkdir()
    (previous / "dagster.yaml").write_text(_PREVIOUS_CONFIG)
    ensure_instance_config(previous)
    assert "PooledSqliteEventLogStorage" in (previous / "dagster.yaml").read_text()

    own = tmp_path / "own"
    own.mkdir()
    (own / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")
    ensure_instance_config(own)
    assert (own / "dagster.yaml").read_text() == "telemetry:\n  enabled: true\n"


def test_event_log_connections_commit_without_waiting_for_the_disk(tmp_path: Path) -> None:
    """synchronous=NORMAL (1) on every connection of the run's file and index.db, not SQLite's FULL (2)."""
    home = tmp_path / "home"
    ensure_instance_config(home)
    instance, run_id = _run(home)
    storage = instance.event_log_storage
    for shard in (run_id, "index"):
        with storage._connect(shard) as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    instance.dispose()
