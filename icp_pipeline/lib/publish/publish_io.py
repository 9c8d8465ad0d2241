"""Writing frames into the warehouse and files, safely."""

from __future__ import annotations

import base64
import glob
import os
import re
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

_QUALIFIED_NAME = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")


def checked_table_name(name: str) -> str:
    """`schema.table` of plain lower-case identifiers (names never come from users unchecked)."""
    if not _QUALIFIED_NAME.match(name):
        raise ValueError(
            f"invalid table name {name!r}: expected schema.table in lower-case letters, digits, _"
        )
    return name


def write_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Replace `schema.table` with the frame's rows (DuckDB reads the frame zero-copy)."""
    name = checked_table_name(name)
    con.execute(f"create schema if not exists {name.split('.')[0]}")
    con.register("_frame_to_write", frame)
    try:
        con.execute(f"create or replace table {name} as select * from _frame_to_write")
    finally:
        con.unregister("_frame_to_write")


def arrow_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its `str` columns as Arrow strings (`pd.ArrowDtype`): same values, and DuckDB
    reads them without converting value by value (both are VARCHAR in DuckDB).

    DuckDB reads such a frame as a whole through Arrow, so this is done only when every other object
    column holds text or nothing (Arrow would refuse mixed values that DuckDB's own scan reads as
    text), and a non-range index, which Arrow would add as a column (`__index_level_0__`), is reset
    (DuckDB ignores the index otherwise).
    """
    text = {
        c: pd.ArrowDtype(pa.large_string()) for c, t in frame.dtypes.items() if isinstance(t, pd.StringDtype)
    }
    objects = [c for c, t in frame.dtypes.items() if pd.api.types.is_object_dtype(t)]
    if not text or any(
        pd.api.types.infer_dtype(frame[c], skipna=True) not in ("string", "empty") for c in objects
    ):
        return frame
    out = frame.astype(text)
    if not isinstance(out.index, pd.RangeIndex):
        out = out.reset_index(drop=True)
    out.attrs = frame.attrs
    return out


def image_markdown(png: bytes, alt: str = "plot") -> str:
    """Markdown that shows a PNG inline in the Dagster UI."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"


def replace_file_atomically(path: Path, write) -> None:
    """Call `write(tmp_path)` then rename over `path`, so readers never see a half-written file.

    An interrupted write (an error, or a killed process) leaves `path` as it was; the temporary file
    of a writer that was killed is removed by the next write.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _remove_stale_temporaries(path: Path) -> None:
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.tmp-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
