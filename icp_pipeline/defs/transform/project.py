"""The dbt project as Dagster sees it: one cached DbtProject, parsed on first use."""


import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from icp_pipeline.lib.settings import DBT_PROJECT_DIR, Settings

# dbt's profile reads the warehouse path from ICP_DUCKDB_PATH; parsing needs it set.
os.environ.setdefault("ICP_DUCKDB_PATH", str(Settings.from_env().duckdb_path))
os.environ.setdefault("DO_NOT_TRACK", "1")
# The dbt executable sits beside the interpreter (the project's venv), which need not be on PATH.
_bin_dir = str(Path(sys.executable).parent)
if _bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin_dir + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing (fresh clone) or under `dagster dev`."""
    if not dbt_project.manifest_path.exists():
        dbt_project.preparer.prepare(dbt_project)
    else:
        dbt_project.prepare_if_dev()


ensure_manifest()
