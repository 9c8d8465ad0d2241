"""Every `ICP_*` environment variable the pipeline reads, with its allowed values, checked in one place.

`check_environment()` runs first in `icp run` and when the Dagster definitions load
(`icp_pipeline.definitions.build_definitions`), so a wrong value stops the run before any step,
naming the variable, the value found and the allowed values, instead of failing (or being ignored)
only when the step that reads it runs. An `ICP_*` name that is not in `ENV_VARS` but close to one
(a typo such as `ICP_ENGIN`) is an error with the suggestion; other `ICP_*` names are not ours and
are left alone. The list is documented in README.md ("Running on your own data").
"""

from __future__ import annotations

import difflib
import os
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from icp_pipeline.lib.engine import ENGINES
from icp_pipeline.lib.warehouse.dbt_build import _FALSE, _TRUE


@dataclass(frozen=True)
class EnvVar:
    name: str
    allowed: str  # the allowed values, in words
    valid: Callable[[str], bool]


def _any_text(value: str) -> bool:
    return bool(value.strip())


def _non_negative_number(value: str) -> bool:
    try:
        number = float(value)
    except ValueError:
        return False
    return number >= 0 and number != float("inf")


def _positive_int(value: str) -> bool:
    return value.strip().isdigit() and int(value) > 0


_CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,\-?LW#]+$")
_CRON_MACROS = {"@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight"}


def _cron(value: str) -> bool:
    text = value.strip()
    if text.lower() in _CRON_MACROS:
        return True
    fields = text.split()
    return len(fields) == 5 and all(_CRON_FIELD.match(f) for f in fields)


def _timezone(value: str) -> bool:
    try:
        zoneinfo.ZoneInfo(value.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _size(value: str) -> bool:  # DuckDB memory_limit / Spark memory: '2GB', '512MB', '2g', '80%'
    return bool(re.fullmatch(r"\s*\d+(\.\d+)?\s*(%|[kmgtp]i?b?|b)?\s*", value, flags=re.IGNORECASE))


ENV_VARS: dict[str, EnvVar] = {
    v.name: v
    for v in (
        EnvVar("ICP_LANDING_DIR", "a folder path", _any_text),
        EnvVar("ICP_DUCKDB_PATH", "a DuckDB file path", _any_text),
        EnvVar("ICP_EXPORT_DIR", "a folder path", _any_text),
        EnvVar("ICP_CONFIG", "the path of an icp.yaml or mapping file", _any_text),
        EnvVar("ICP_SOURCE_DUCKDB", "the path of a DuckDB file with connector schemas", _any_text),
        EnvVar("ICP_ENGINE", " or ".join(ENGINES), lambda v: v.strip().lower() in ENGINES),
        EnvVar(
            "ICP_DBT_UNIT_TESTS",
            "1/true/yes/on or 0/false/no/off (or unset)",
            lambda v: v.strip().lower() in _TRUE | _FALSE,
        ),
        EnvVar("ICP_LOCK_WAIT_SECONDS", "a number of seconds, 0 or more", _non_negative_number),
        EnvVar(
            "ICP_REFRESH_CRON",
            "a cron expression of 5 fields (e.g. '0 6 * * 1') or @daily/@weekly/...",
            _cron,
        ),
        EnvVar("ICP_REFRESH_TIMEZONE", "an IANA time zone name (e.g. 'UTC', 'Europe/Berlin')", _timezone),
        EnvVar("ICP_EXTRACT_THREADS", "a whole number above 0", _positive_int),
        EnvVar("ICP_DUCKDB_MEMORY_LIMIT", "a size such as 2GB, 512MB or 80%", _size),
        EnvVar("ICP_SPARK_DIR", "a folder path", _any_text),
        EnvVar("ICP_SPARK_MASTER", "a Spark master URL (e.g. local[2])", _any_text),
        EnvVar("ICP_SPARK_DRIVER_MEMORY", "a Spark memory size such as 2g or 512m", _size),
        EnvVar("ICP_SPARK_JAVA_OPTIONS", "JVM options", lambda v: True),
        EnvVar("ICP_SPARK_DBT_THREADS", "a whole number above 0", _positive_int),
        EnvVar("ICP_SPARK_DBT_EXCLUDE", "dbt selectors separated by spaces", lambda v: True),
        EnvVar("ICP_SPARK_WAREHOUSE", "a folder path", _any_text),
        EnvVar("ICP_SPARK_METASTORE", "a folder path", _any_text),
    )
}


class InvalidEnvironmentError(ValueError):
    """One or more ICP_* environment variables hold a value the pipeline does not accept."""


def environment_problems(environ: Mapping[str, str] | None = None) -> list[str]:
    """One sentence per wrong ICP_* variable (name, value found, allowed values); empty when all fit."""
    environ = os.environ if environ is None else environ
    problems = []
    for name, value in sorted(environ.items()):
        if not name.startswith("ICP_"):
            continue
        var = ENV_VARS.get(name)
        if var is None:
            close = difflib.get_close_matches(name, list(ENV_VARS), n=1, cutoff=0.85)
            if close:
                problems.append(f"{name} is not a setting of this pipeline: did you mean {close[0]}?")
            continue
        if not var.valid(value):
            problems.append(f"{name}={value!r} is not allowed: use {var.allowed}")
    return problems


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Raise `InvalidEnvironmentError` listing every wrong ICP_* variable (see the module doc)."""
    problems = environment_problems(environ)
    if problems:
        raise InvalidEnvironmentError(
            "Wrong environment variable"
            + ("s" if len(problems) > 1 else "")
            + ":\n  "
            + "\n  ".join(problems)
        )
