"""Writing connector tables: one CSV per table under `<out>/<schema>/<table>.csv`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_csv(out_dir: Path, schema: str, table: str, frame: pd.DataFrame) -> Path:
    folder = Path(out_dir) / schema
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table}.csv"
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map({True: "true", False: "false"})
    out.to_csv(path, index=False, lineterminator="\n")
    return path


def timestamps(values: pd.Series) -> pd.Series:
    """ISO 8601 text of date-like values (null stays null)."""
    parsed = pd.to_datetime(values, errors="coerce")
    return parsed.dt.strftime("%Y-%m-%dT%H:%M:%S").where(parsed.notna(), None)
