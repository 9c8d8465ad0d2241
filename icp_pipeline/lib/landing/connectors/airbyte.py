"""Airbyte's Salesforce schema read as Fivetran's: the same objects, columns in API names.

Airbyte keeps Salesforce's API names (`StageName`, `IsWon`, `NumberOfEmployees`, `Tier__c`) and
names each table after its object (`Account`); Fivetran lands the same fields in snake case
(`stage_name`). So `airbyte_salesforce` reuses the fivetran_salesforce tables and dbt models, with
a column mapping (`landing.mapping.TableMapping`) per table from each declared column to its API
name, built from the file's header (a field the org does not have is simply absent). Custom fields
stay extra columns (`Tier__c` -> `tier_c`). Airbyte has no History Mode: attributes are current-state.
"""

from __future__ import annotations

from pathlib import Path

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.files import find_table_files
from icp_pipeline.lib.landing.mapping import TableMapping


def api_name(snake: str) -> str:
    """`stage_name` -> `StageName`, `id` -> `Id` (Salesforce API names are CamelCase)."""
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_") if part)


def header(landing: Path, table: Table) -> list[str]:
    found = find_table_files(landing, table)
    if not found.present:
        return []
    if found.file_format == "csv":
        with open(found.files[0], encoding="utf-8-sig", errors="replace") as handle:
            return [c.strip().strip('"') for c in handle.readline().rstrip("\r\n").split(",")]
    import pyarrow.parquet as pq

    return list(pq.read_schema(found.files[0]).names)


def connector_mapping(landing: Path, table: Table, api_names: bool = False) -> TableMapping | None:
    """The loader mapping of a connector table (None: no file).

    Extra columns exclude the connector's own bookkeeping columns (`_fivetran_synced`,
    `_airbyte_extracted_at`, `_airbyte_meta`, ...: every column starting with `_`), which are never
    candidate attributes. With `api_names` (Airbyte), each declared column is read from its API name.
    """
    names = header(landing, table)
    present = {c.lower(): c for c in names}
    if not present:
        return None
    columns = {}
    if api_names:
        for column in table.columns:
            if column.name.startswith("_"):
                continue
            source = present.get(api_name(column.name).lower())
            if source is not None and column.name.lower() not in present:
                columns[column.name] = source
    declared = {c.name for c in table.columns}
    mapped = {v.lower() for v in columns.values()}
    extras = [
        c
        for c in names
        if not c.strip().startswith("_") and c.lower() not in mapped and c.lower() not in declared
    ]
    return TableMapping(columns=columns, extra_columns=extras)


def airbyte_mapping(landing: Path, table: Table) -> TableMapping | None:
    """The mapping of `table`'s declared columns to the API names in its landed file (None: no file)."""
    return connector_mapping(landing, table, api_names=True)
