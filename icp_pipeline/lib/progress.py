"""A quiet Dagster logger for the CLI: one line per asset and check, errors in full, no noise."""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg


class ProgressHandler(logging.Handler):
    """Prints step starts, materialisations, failed checks and warnings from Dagster log records."""

    def __init__(self, stream=None) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream or sys.stdout
        self.step_started: dict[str, float] = {}

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_event", None)
        if event is None:
            if record.levelno >= logging.WARNING:
                self._print(f"    ! {record.getMessage().split(' - ')[-1]}")
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START":
            self.step_started[step] = time.monotonic()
            self._print(f"▶ {step}")
        elif kind == "ASSET_MATERIALIZATION":
            self._print(f"  ✓ {event.asset_key.to_user_string()}")
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if not data.passed:
                self._print(f"  ✗ check {data.check_name} on {data.asset_key.to_user_string()} failed")
        elif kind == "STEP_SUCCESS":
            elapsed = time.monotonic() - self.step_started.get(step, time.monotonic())
            self._print(f"  done {step} in {elapsed:.1f}s")
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            message = error.message.strip() if error else record.getMessage()
            self._print(f"✗ {step} failed: {message}")


@dg.logger(description="Concise per-asset progress for the `icp` command line.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("icp_progress", level=logging.DEBUG)
    logger.addHandler(ProgressHandler())
    return logger
