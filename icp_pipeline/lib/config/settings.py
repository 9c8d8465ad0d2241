"""Where a run reads and writes: the four env vars of the outputs contract and their defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # icp_pipeline/ (this file: icp_pipeline/lib/config/)
# The repository root holds dbt_project/, icp.yaml and data/ beside the package.
PROJECT_ROOT = PACKAGE_DIR.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DATA_DIR = PROJECT_ROOT / "data"

# `icp_warehouse.duckdb`, not `icp.duckdb`: DuckDB names the catalog after the file, and a catalog
# called `icp` would make `icp.target_accounts` ambiguous.
DEFAULT_WAREHOUSE = DATA_DIR / "warehouse" / "icp_warehouse.duckdb"
DEFAULT_LANDING = DATA_DIR / "landing"
DEFAULT_CONFIG = PROJECT_ROOT / "icp.yaml"


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    duckdb_path: Path
    export_dir: Path
    config_path: Path

    @classmethod
    def from_env(cls) -> Settings:
        duckdb_path = Path(os.environ.get("ICP_DUCKDB_PATH") or DEFAULT_WAREHOUSE)
        return cls(
            landing_dir=Path(os.environ.get("ICP_LANDING_DIR") or DEFAULT_LANDING),
            duckdb_path=duckdb_path,
            export_dir=Path(os.environ.get("ICP_EXPORT_DIR") or duckdb_path.parent / "exports"),
            config_path=Path(os.environ.get("ICP_CONFIG") or DEFAULT_CONFIG),
        )
