"""Which dbt resource types a refresh's `dbt build` leaves out.

dbt unit tests check the models' SQL logic on fixed inputs, not the data: the same result on every
refresh. dbt's documentation advises running them in development and CI only ("Unit testing",
docs.getdbt.com/docs/build/unit-tests: "we recommend only running unit tests in development or CI
environments"). A refresh (`icp run`, Dagster) therefore leaves them out unless
`ICP_DBT_UNIT_TESTS=1`; `tests/test_dbt_project.py` runs them on every change of the project.
"""

from __future__ import annotations

import os

UNIT_TESTS_ENV = "ICP_DBT_UNIT_TESTS"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def unit_tests_in_refresh(environ: dict[str, str] | None = None) -> bool:
    """True when `ICP_DBT_UNIT_TESTS` asks for the dbt unit tests in a refresh (default False).

    Raises ValueError on a value that is neither true (1/true/yes/on) nor false (0/false/no/off/unset)."""
    value = (environ if environ is not None else os.environ).get(UNIT_TESTS_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{UNIT_TESTS_ENV}={value!r}: use 1 (run dbt unit tests in the refresh) or 0 (default: leave them out)"
    )


def refresh_build_args(environ: dict[str, str] | None = None) -> list[str]:
    """Extra `dbt build` arguments of a refresh: `--exclude-resource-type unit_test` unless asked for."""
    return [] if unit_tests_in_refresh(environ) else ["--exclude-resource-type", "unit_test"]
