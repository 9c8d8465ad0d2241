"""The landing sensor reacts to content changes only; the schedule honours its env vars."""

from __future__ import annotations

import os
import time

import dagster as dg
import pytest

from icp_pipeline.defs.automation.schedules import build_refresh_schedule
from icp_pipeline.defs.automation.sensors import landing_sensor
from icp_pipeline.resources import IcpPathsResource


def evaluate(landing, cursor=None):
    paths = IcpPathsResource(landing_dir=str(landing), export_dir=str(landing / "x"), config_path="")
    with dg.build_sensor_context(cursor=cursor, resources={"paths": paths}) as context:
        result = landing_sensor(context)
        return result, context.cursor


def test_new_file_requests_a_run_and_an_unchanged_folder_skips(tmp_path):
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "accounts.csv").write_text("account_id,account_name\n1,A\n")
    first, cursor = evaluate(tmp_path)
    assert isinstance(first, dg.RunRequest)
    again, cursor = evaluate(tmp_path, cursor)
    assert isinstance(again, dg.SkipReason)


def test_touching_a_file_without_changing_it_starts_nothing(tmp_path):
    path = tmp_path / "crm" / "accounts.csv"
    path.parent.mkdir()
    path.write_text("account_id,account_name\n1,A\n")
    _, cursor = evaluate(tmp_path)
    later = time.time() + 10
    os.utime(path, (later, later))
    result, _ = evaluate(tmp_path, cursor)
    assert isinstance(result, dg.SkipReason)


def test_changed_content_and_added_files_request_distinct_runs(tmp_path):
    path = tmp_path / "crm" / "accounts.csv"
    path.parent.mkdir()
    path.write_text("account_id,account_name\n1,A\n")
    first, cursor = evaluate(tmp_path)
    path.write_text("account_id,account_name\n1,B\n")
    second, cursor = evaluate(tmp_path, cursor)
    (tmp_path / "erp").mkdir()
    (tmp_path / "erp" / "invoices.csv").write_text("invoice_id\n1\n")
    third, _ = evaluate(tmp_path, cursor)
    keys = {r.run_key for r in (first, second, third)}
    assert all(isinstance(r, dg.RunRequest) for r in (first, second, third)) and len(keys) == 3


def test_empty_landing_folder_skips_with_a_reason(tmp_path):
    result, _ = evaluate(tmp_path)
    assert isinstance(result, dg.SkipReason) and "No CSV or Parquet" in result.skip_message


def test_schedule_defaults_to_weekly_and_reads_cron_and_timezone(monkeypatch):
    assert build_refresh_schedule().cron_schedule == "0 6 * * 1"
    monkeypatch.setenv("ICP_REFRESH_CRON", "30 2 * * *")
    monkeypatch.setenv("ICP_REFRESH_TIMEZONE", "Europe/Berlin")
    schedule = build_refresh_schedule()
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 2 * * *", "Europe/Berlin")
    assert schedule.job_name == "icp_refresh"
    with dg.build_schedule_context(scheduled_execution_time=None) as context:
        assert len(schedule.evaluate_tick(context).run_requests) == 1


@pytest.mark.parametrize("job", ["icp_refresh", "icp_refresh_data", "icp_retrain", "icp_republish"])
def test_every_stage_job_is_defined(job):
    from icp_pipeline.definitions import defs

    assert defs.resolve_job_def(job).name == job
