"""The refresh's dbt resource starts `dbt` without dagster-dbt's `dbt --version` subprocess and without
building a dbt adapter in the Dagster process (icp_pipeline/defs/transform/dbt_cli.py)."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import dagster_dbt.core.resource as dagster_dbt_resource
import pytest
from packaging import version

from icp_pipeline.defs.transform.assets import dbt_resource
from icp_pipeline.defs.transform.dbt_cli import bundled_dbt_version


def test_dbt_runs_without_version_subprocess_or_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list = []

    def no_subprocess(args, *rest, **kwargs):
        calls.append(args)
        raise AssertionError(f"unexpected subprocess {args}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess)
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    resource = dbt_resource()
    invocation = resource.cli(["debug", "--config-dir"], raise_on_error=True).wait()
    assert invocation.is_successful()
    assert calls == []  # dagster-dbt's `dbt --version` was not run
    assert invocation.adapter is None  # no dbt adapter built in this process
    assert resource._cli_version == version.parse(metadata.version("dbt-core"))


def test_other_dbt_executable_is_asked_its_version(tmp_path: Path) -> None:
    """A `dbt` outside this interpreter's folder may be another dbt (e.g. Fusion): no shortcut."""
    other = tmp_path / "dbt"
    other.write_text("#!/bin/sh\necho 'dbt-fusion 2.0.0'\n")
    other.chmod(0o755)
    assert bundled_dbt_version(str(other)) is None
    assert bundled_dbt_version(str(Path(sys.executable).parent / "dbt")) == version.parse(
        metadata.version("dbt-core")
    )
