"""The dbt project as Dagster sees it: one cached DbtProject, parsed on first use."""

from __future__ import annotations

import os

from dagster_dbt import DbtProject

from icp_pipeline.lib.settings import DBT_PROJECT_DIR, Settings

# dbt's profile reads the warehouse path from ICP_DUCKDB_PATH; parsing needs it set.
os.environ.setdefault("ICP_DUCKDB_PATH", str(Settings.from_env().duckdb_path))
os.environ.setdefault("DO_NOT_TRACK", "1")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing (fresh clone) or under `dagster dev`."""
    if not dbt_project.manifest_path.exists():
        dbt_project.preparer.prepare(dbt_project)
    else:
        dbt_project.prepare_if_dev()


ensure_manifest()
