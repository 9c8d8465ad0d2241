"""The published tables' Dagster column schemas, from their documentation (`lib/publish/tables.py`)
and, once published, their DuckDB types."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from icp_pipeline.lib.publish.tables import PUBLISHED_TABLES, STAMP_COLUMNS, PublishedTable


def column_schema(table: PublishedTable, types: Mapping[str, str] | None = None) -> dg.TableSchema:
    """The table's columns (stamps last) with their descriptions and, when `types` (column -> DuckDB
    type) is given, their types; a published column the documentation lacks is listed too."""
    documented = {**table.columns, **STAMP_COLUMNS}
    names = list(documented) if types is None else [*types, *(c for c in documented if c not in types)]
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name, type=(types or {}).get(name, "string").lower(), description=documented.get(name)
            )
            for name in names
        ]
    )


__all__ = ["PUBLISHED_TABLES", "STAMP_COLUMNS", "column_schema"]
