"""Every ICP_* environment variable is checked in one place when `icp run` starts and when the Dagster
definitions load (icp_pipeline/lib/config/environment.py): a wrong value stops the run before any
step, naming the variable, the value and the allowed values. Before, ICP_DBT_UNIT_TESTS=maybe failed
only when the dbt step ran, and ICP_LOCK_WAIT_SECONDS=soon was silently read as 0."""

from __future__ import annotations

import re

import pytest

from icp_pipeline.lib.config.environment import ENV_VARS, InvalidEnvironmentError, environment_problems
from icp_pipeline.lib.config.settings import PROJECT_ROOT


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("ICP_DBT_UNIT_TESTS", "maybe", "1/true/yes/on or 0/false/no/off"),
        ("ICP_ENGINE", "postgres", "duckdb or spark"),
        ("ICP_LOCK_WAIT_SECONDS", "soon", "a number of seconds"),
        ("ICP_REFRESH_CRON", "0 6 * *", "a cron expression of 5 fields"),
        ("ICP_REFRESH_TIMEZONE", "Mars/Olympus", "an IANA time zone name"),
        ("ICP_DUCKDB_MEMORY_LIMIT", "lots", "a size such as 2GB"),
        ("ICP_SPARK_DBT_THREADS", "0", "a whole number above 0"),
    ],
)
def test_a_wrong_value_is_named_with_the_allowed_values(name, value, allowed):
    (problem,) = environment_problems({name: value, "PATH": "/bin"})
    assert problem.startswith(f"{name}={value!r} is not allowed: use {allowed}")


def test_allowed_values_pass_and_other_variables_are_left_alone():
    assert (
        environment_problems(
            {
                "ICP_DBT_UNIT_TESTS": "1",
                "ICP_ENGINE": "DuckDB",
                "ICP_LOCK_WAIT_SECONDS": "2.5",
                "ICP_REFRESH_CRON": "0 6 * * 1",
                "ICP_REFRESH_TIMEZONE": "Europe/Berlin",
                "ICP_DUCKDB_MEMORY_LIMIT": "2GB",
                "ICP_SPARK_DRIVER_MEMORY": "2g",
                "ICP_SOMETHING_ELSE_ENTIRELY": "x",  # not ours, not close to ours
                "HOME": "/root",
            }
        )
        == []
    )


def test_a_misspelt_name_is_an_error_with_the_suggestion():
    assert environment_problems({"ICP_ENGIN": "spark"}) == [
        "ICP_ENGIN is not a setting of this pipeline: did you mean ICP_ENGINE?"
    ]


def test_icp_run_stops_before_any_step(tmp_path, monkeypatch, capsys):
    from icp_pipeline.cli import main

    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("ICP_DUCKDB_PATH", str(warehouse))
    monkeypatch.setenv("ICP_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dh"))
    monkeypatch.setenv("ICP_DBT_UNIT_TESTS", "maybe")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "ICP_DBT_UNIT_TESTS='maybe' is not allowed: use 1/true/yes/on or 0/false/no/off" in err
    assert not warehouse.exists() and not (tmp_path / "dh").exists()


def test_the_definitions_do_not_load_with_a_wrong_value(monkeypatch):
    from icp_pipeline.definitions import build_definitions

    monkeypatch.setenv("ICP_LOCK_WAIT_SECONDS", "soon")
    with pytest.raises(InvalidEnvironmentError, match=r"ICP_LOCK_WAIT_SECONDS='soon' is not allowed"):
        build_definitions()


def test_every_icp_variable_the_code_reads_is_checked_and_documented():
    read = set()
    for path in [
        *(PROJECT_ROOT / "icp_pipeline").rglob("*.py"),
        PROJECT_ROOT / "dbt_project" / "profiles.yml",
    ]:
        read |= set(re.findall(r"[\"'](ICP_[A-Z_]+)[\"']", path.read_text(encoding="utf-8")))
    assert read - set(ENV_VARS) == set()
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in ENV_VARS if f"`{name}`" not in readme] == []
