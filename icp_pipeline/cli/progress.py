"""A quiet Dagster logger for the CLI: one line per asset and check, errors in full, no noise."""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

# Where progress lines go; the runner points it at the terminal while tool output goes to a log file.
PROGRESS_STREAM: dict = {"stream": None}


class ProgressHandler(logging.Handler):
    """One line per finished step (its assets, checks and time), failures in full, no noise."""

    def __init__(self, stream=None) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream or PROGRESS_STREAM["stream"] or sys.stdout
        self.started: dict[str, float] = {}
        self.assets: dict[str, list[str]] = {}
        self.checks: dict[str, list[bool]] = {}

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
            self.started[step] = time.monotonic()
        elif kind == "ASSET_MATERIALIZATION":
            self.assets.setdefault(step, []).append(event.asset_key.to_user_string())
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            self.checks.setdefault(step, []).append(bool(data.passed))
            if not data.passed:
                severity = getattr(getattr(data, "severity", None), "value", "ERROR")
                self._print(
                    f"  ✗ check {data.check_name} on {data.asset_key.to_user_string()} failed ({severity})"
                )
                if getattr(data, "description", None):  # the check's own message, indented
                    self._print("    " + data.description.replace("\n", "\n    "))
        elif kind == "STEP_SUCCESS":
            self._print(f"✓ {self._describe(step)}")
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            message = failure_message(error) if error else record.getMessage()
            self._print(f"✗ {self._describe(step)} FAILED: {message}")
        elif kind == "STEP_SKIPPED":
            self._print(f"- {step} skipped (an upstream step failed or a blocking check did not pass)")

    def _describe(self, step: str) -> str:
        elapsed = time.monotonic() - self.started.get(step, time.monotonic())
        assets = self.assets.get(step, [])
        checks = self.checks.get(step, [])
        what = ", ".join(assets) if len(assets) <= 3 else f"{len(assets)} assets"
        passed = f", checks {sum(checks)}/{len(checks)} passed" if checks else ""
        return f"{what or step}{passed} ({elapsed:.1f}s)"


def failure_message(error) -> str:
    """The user's error behind Dagster's wrappers (`Error occurred while executing op ...`)."""
    # Dagster* wrappers, and RetryRequestedFromPolicy (`Exceeded max_retries`) around the last attempt
    while (error.cls_name or "").startswith(("Dagster", "RetryRequested")) and error.cause is not None:
        error = error.cause
    return error.message.strip()


@dg.logger(description="Concise per-asset progress for the `icp` command line.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("icp_progress", level=logging.DEBUG)
    logger.addHandler(ProgressHandler())
    return logger
