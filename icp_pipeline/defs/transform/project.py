"""The dbt project as Dagster sees it: one cached DbtProject, parsed on first use."""

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from icp_pipeline.lib.config.settings import DBT_PROJECT_DIR, Settings

# dbt's profile reads the warehouse path from ICP_DUCKDB_PATH; parsing needs it set.
os.environ.setdefault("ICP_DUCKDB_PATH", str(Settings.from_env().duckdb_path))
os.environ.setdefault("DO_NOT_TRACK", "1")
# The dbt executable sits beside the interpreter (the project's venv), which need not be on PATH.
_bin_dir = str(Path(sys.executable).parent)
if _bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin_dir + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


_SOURCE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}


def _newest_source_mtime() -> float:
    skip = {dbt_project.project_dir / "target", dbt_project.project_dir / "logs"}
    return max(
        (
            p.stat().st_mtime
            for p in dbt_project.project_dir.rglob("*")
            if p.suffix in _SOURCE_SUFFIXES and not any(parent in skip for parent in p.parents)
        ),
        default=0.0,
    )


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing or older than any model, test or seed file."""
    manifest = dbt_project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        dbt_project.preparer.prepare(dbt_project)


ensure_manifest()
