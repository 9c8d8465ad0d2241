"""The scheduled full refresh (weekly by default; cron and timezone from env vars)."""

import os

import dagster as dg

from icp_pipeline.defs.automation.jobs import refresh_all

DEFAULT_CRON = "0 6 * * 1"  # Mondays 06:00


def build_refresh_schedule() -> dg.ScheduleDefinition:
    """`ICP_REFRESH_CRON` (default Mondays 06:00) in `ICP_REFRESH_TIMEZONE` (default UTC)."""
    return dg.ScheduleDefinition(
        name="icp_weekly_refresh",
        job=refresh_all,
        cron_schedule=os.environ.get("ICP_REFRESH_CRON", DEFAULT_CRON),
        execution_timezone=os.environ.get("ICP_REFRESH_TIMEZONE", "UTC"),
        description="Full ICP refresh on a cron (ICP_REFRESH_CRON, ICP_REFRESH_TIMEZONE).",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
