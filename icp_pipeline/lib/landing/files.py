"""Find the files of a landing-contract table: `<source>/<table>.csv|.parquet` or a folder of parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from icp_pipeline.lib.landing.contract import Table

FORMATS = ("csv", "parquet")


class LandingDataError(ValueError):
    """Input data that breaks the landing contract; the message names file, column, rows and the fix."""


@dataclass(frozen=True)
class TableFiles:
    table: Table
    files: tuple[Path, ...]
    file_format: str | None  # "csv" | "parquet" | None when absent

    @property
    def present(self) -> bool:
        return bool(self.files)


def find_table_files(landing_dir: Path, table: Table) -> TableFiles:
    """Locate a table's files; file and folder names match case-insensitively."""
    source_dir = _child_ci(Path(landing_dir), table.source)
    if source_dir is None:
        return TableFiles(table, (), None)
    found: list[Path] = []
    for entry in sorted(source_dir.iterdir()):
        name = entry.name.lower()
        if entry.is_file() and name in {f"{table.name}.{fmt}" for fmt in FORMATS}:
            found.append(entry)
        elif entry.is_dir() and name == table.name:
            found.extend(p for p in sorted(entry.iterdir()) if p.is_file() and _format_of(p))
    formats = {_format_of(p) for p in found}
    if len(formats) > 1:
        raise LandingDataError(
            f"{table.full_name}: found both CSV and Parquet files ({', '.join(map(str, found))}). "
            "Keep one format per table."
        )
    return TableFiles(table, tuple(found), formats.pop() if formats else None)


def _child_ci(folder: Path, name: str) -> Path | None:
    if not folder.is_dir():
        return None
    return next((p for p in sorted(folder.iterdir()) if p.is_dir() and p.name.lower() == name), None)


def _format_of(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None
