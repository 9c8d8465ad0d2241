"""Write demo tables to the landing layout, in contract column order and contract formats."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from icp_pipeline.lib.landing.contract import get_table

FORMATS = ("csv", "parquet")


def _conform(full_name: str, frame: pd.DataFrame, file_format: str) -> pd.DataFrame:
    """Contract columns first (all of them), then allowed extras; values in the contract's types."""
    table = get_table(full_name)
    names = [c.name for c in table.columns]
    missing = [c for c in names if c not in frame.columns]
    extras = [c for c in frame.columns if c not in names]
    if missing:
        raise ValueError(f"demo table {full_name} lacks contract columns {missing}")
    if extras and not table.extras_are_attributes:
        raise ValueError(f"demo table {full_name} has columns outside the contract: {extras}")
    out = frame[names + extras].copy()
    for column in table.columns:
        values = out[column.name]
        if column.type == "integer":
            out[column.name] = pd.array(pd.to_numeric(values), dtype="Int64")
        elif column.type == "decimal":
            out[column.name] = pd.to_numeric(values).astype(float).round(2)
        elif column.type in ("date", "timestamp"):
            values = pd.to_datetime(values)
            if file_format == "csv":
                fmt = "%Y-%m-%d" if column.type == "date" else "%Y-%m-%dT%H:%M:%S"
                out[column.name] = values.dt.strftime(fmt)
            elif column.type == "date":
                out[column.name] = values.dt.date
        elif column.type == "boolean" and file_format == "csv":
            out[column.name] = values.map({True: "true", False: "false"})
    return out


def write_table(out_dir: Path, full_name: str, frame: pd.DataFrame, file_format: str = "csv") -> Path:
    """Write one table as `out_dir/<source>/<table>.<format>`, replacing any earlier copy."""
    if file_format not in FORMATS:
        raise ValueError(f"file_format must be one of {FORMATS}, got {file_format!r}")
    table = get_table(full_name)
    folder = Path(out_dir) / table.source
    folder.mkdir(parents=True, exist_ok=True)
    for old in FORMATS:
        (folder / f"{table.name}.{old}").unlink(missing_ok=True)
    path = folder / f"{table.name}.{file_format}"
    out = _conform(full_name, frame, file_format)
    if file_format == "csv":
        out.to_csv(path, index=False, lineterminator="\n")
    else:
        out.to_parquet(path, index=False)
    return path
