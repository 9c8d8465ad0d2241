"""The dbt CLI resource of the refresh: dagster-dbt's `DbtCliResource` without two start-up costs.

Before every `dbt build`, `DbtCliResource.cli` (dagster-dbt 0.29) does two things this pipeline does
not use:

- it runs `dbt --version` in a subprocess to learn the dbt version (a second dbt start-up: 3.6 CPU s
  measured on the 2-core development machine), only to tell dbt Core from the Fusion engine;
- it builds a dbt Core adapter in the Dagster process (3.2 CPU s), used only by
  `fetch_row_counts()` / `fetch_column_metadata()`, which the transform asset does not call
  (dagster-dbt itself goes on without it when building it fails).

`IcpDbtCliResource` reads the version of the installed `dbt-core` package instead, when the `dbt`
executable is the one installed beside this interpreter (else it asks `dbt --version` as before), and
builds no adapter. dbt's own run, its events and the assets' materialisations are unchanged.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from functools import cached_property
from importlib import metadata
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version


def bundled_dbt_version(dbt_executable: str) -> version.Version | None:
    """The installed `dbt-core` version when `dbt_executable` is the `dbt` script of this interpreter's
    environment (found on PATH in the folder of `sys.executable`, symlinks not followed: a venv's
    python links to the base interpreter), else None (ask the executable)."""
    found = shutil.which(dbt_executable)
    if found is None or Path(found).absolute().parent != Path(sys.executable).absolute().parent:
        return None
    try:
        return version.parse(metadata.version("dbt-core"))
    except metadata.PackageNotFoundError:
        return None


class IcpDbtCliResource(DbtCliResource):
    """`DbtCliResource` that skips `dbt --version` and the in-process adapter (module doc)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return bundled_dbt_version(self.dbt_executable) or super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Sequence[str]):  # noqa: ARG002 - dagster-dbt's signature
        return None
