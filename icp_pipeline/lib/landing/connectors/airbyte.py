"""Airbyte's Salesforce schema read as Fivetran's: the same objects, columns in API names.

Airbyte keeps Salesforce's API names (`StageName`, `IsWon`, `NumberOfEmployees`, `Tier__c`) and
names each table after its object (`Account`); Fivetran lands the same fields in snake case
(`stage_name`). So `airbyte_salesforce` reuses the fivetran_salesforce tables and dbt models, with
a column mapping (`landing.mapping.TableMapping`) per table from each declared column to its API
name, built from the file's header (a field the org does not have is simply absent). A table of a
multi-word object is found under its API name too (`OpportunityHistory.csv` for
`opportunity_history`, `UserRole.csv` for `user_role`), through the mapping's `path`. Custom fields
stay extra columns (`Tier__c` -> `tier_c`). Airbyte has no History Mode: attributes are current-state.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.encoding import utf16_encoding
from icp_pipeline.lib.landing.files import find_table_files
from icp_pipeline.lib.landing.mapping import ColumnSource, TableMapping


def api_name(snake: str) -> str:
    """`stage_name` -> `StageName`, `id` -> `Id` (Salesforce API names are CamelCase)."""
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_") if part)


def api_table_path(landing: Path, table: Table) -> str | None:
    """Where Airbyte landed `table` when it is not under its snake-case name: the object's API name
    (`salesforce/OpportunityHistory.csv`, `salesforce/UserRole/` for `opportunity_history`,
    `user_role`), matched case-insensitively, as a path relative to `landing` (None: not there)."""
    if "_" not in table.name:
        return None  # a one-word object: its API name matches case-insensitively already
    alias = dataclasses.replace(table, name=table.name.replace("_", ""))
    found = find_table_files(landing, alias)
    if not found.present:
        return None
    first = found.files[0].relative_to(landing)
    return str(first.parent if first.parent.name.lower() == alias.name else first)  # folder of parts, or file


def _files(landing: Path, table: Table, path: str | None) -> tuple[list[Path], str | None]:
    if path is None:
        found = find_table_files(landing, table)
        return list(found.files), found.file_format
    target = landing / path
    files = sorted(p for p in (target.iterdir() if target.is_dir() else landing.glob(path)) if p.is_file())
    files = [p for p in files if p.suffix.lower() in (".csv", ".parquet")]
    return files, files[0].suffix.lower().lstrip(".") if files else None


def header(landing: Path, table: Table, path: str | None = None) -> list[str]:
    """The column names of `table`'s first landed file ([] when none), or of the first file at `path`
    (relative to `landing`, as a mapping's `path`): a CSV's header in UTF-8 (with or without a BOM)
    or UTF-16/32 (`encoding.utf16_encoding`, as the loader converts it), comma- or tab-separated; a
    Parquet file's schema."""
    files, file_format = _files(landing, table, path)
    if not files:
        return []
    first = files[0]
    if file_format == "csv":
        encoding = utf16_encoding(first) or "utf-8-sig"
        with open(first, encoding=encoding, errors="replace", newline="") as handle:
            line = handle.readline().lstrip("\ufeff").rstrip("\r\n")
        delimiter = "\t" if "\t" in line and "," not in line else ","
        return [c.strip() for c in next(csv.reader([line], delimiter=delimiter), [])]
    import pyarrow.parquet as pq

    return list(pq.read_schema(first).names)


def connector_mapping(
    landing: Path, table: Table, api_names: bool = False, user: TableMapping | None = None
) -> TableMapping | None:
    """The loader mapping of a connector table (None: no file).

    Extra columns exclude the connector's own bookkeeping columns (`_fivetran_synced`,
    `_airbyte_extracted_at`, `_airbyte_meta`, ...: every column starting with `_`), which are never
    candidate attributes. With `api_names` (Airbyte), each declared column is read from its API name.
    `user` is the table's `mappings:` entry of icp.yaml: its columns win over the API names (a
    column it maps is not also an extra), its `extra_columns`, `deduplicate_on`, `combine` and
    `path` apply as they do to a contract table.
    """
    path = user.path if user is not None and user.path else None
    if api_names and path is None and not find_table_files(landing, table).present:
        path = api_table_path(landing, table)  # OpportunityHistory.csv for opportunity_history
    names = header(landing, table, path)
    present = {c.lower(): c for c in names}
    if not present:
        return user
    columns = {}
    if api_names:
        for column in table.columns:
            if column.name.startswith("_"):
                continue
            source = present.get(api_name(column.name).lower())
            if source is not None and column.name.lower() not in present:
                columns[column.name] = source
    sources = {name: ColumnSource(column=source) for name, source in columns.items()}
    if user is not None:
        sources.update(user.columns)  # the user's mapping wins
    declared = {c.name for c in table.columns}
    mapped = {col.lower() for source in sources.values() for col in source.source_columns}
    extras = [
        c
        for c in names
        if not c.strip().startswith("_") and c.lower() not in mapped and c.lower() not in declared
    ]
    if user is None:
        return TableMapping(columns=sources, extra_columns=extras, path=path)
    kept = user.extra_columns if user.extra_columns is not None else extras
    return user.model_copy(update={"columns": sources, "extra_columns": kept, "path": path})


def airbyte_mapping(landing: Path, table: Table) -> TableMapping | None:
    """The mapping of `table`'s declared columns to the API names in its landed file (None: no file)."""
    return connector_mapping(landing, table, api_names=True)
