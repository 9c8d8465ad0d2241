"""Dagster resources: where the warehouse, landing folder, exports and ICP config live."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from icp_pipeline.lib.config.settings import Settings
from icp_pipeline.lib.warehouse.connection import connect
from icp_pipeline.lib.warehouse.lock import warehouse_lock


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file the pipeline builds and publishes into (`ICP_DUCKDB_PATH`)."""

    duckdb_path: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection; a writing one holds the warehouse lock (one refresh at a time) while open."""
        if read_only:
            with connect(self.duckdb_path, read_only=True) as con:
                yield con
            return
        with self.lock(), connect(self.duckdb_path) as con:
            yield con

    def lock(self, holder: str = "Dagster step"):
        """The warehouse lock (`icp_pipeline.lib.warehouse.lock`), e.g. around a dbt build."""
        return warehouse_lock(self.duckdb_path, holder=holder)


class IcpPathsResource(dg.ConfigurableResource):
    """Landing folder (`ICP_LANDING_DIR`), export folder (`ICP_EXPORT_DIR`), ICP config (`ICP_CONFIG`)."""

    landing_dir: str
    export_dir: str
    config_path: str

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def exports(self) -> Path:
        return Path(self.export_dir)

    @property
    def config(self) -> Path:
        return Path(self.config_path)


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources resolved from the environment at load time (each can be overridden per run)."""
    s = Settings.from_env()
    return {
        "warehouse": WarehouseResource(duckdb_path=str(s.duckdb_path)),
        "paths": IcpPathsResource(
            landing_dir=str(s.landing_dir), export_dir=str(s.export_dir), config_path=str(s.config_path)
        ),
    }
