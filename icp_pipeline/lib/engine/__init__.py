"""The engine switch: `ICP_ENGINE=duckdb` (default) or `spark` (docs/scale-out.md)."""

from __future__ import annotations

import os

ENGINES = ("duckdb", "spark")


def current_engine() -> str:
    """`ICP_ENGINE` lower-cased, `duckdb` when unset; ValueError naming the allowed values otherwise."""
    engine = (os.environ.get("ICP_ENGINE") or "duckdb").strip().lower()
    if engine not in ENGINES:
        raise ValueError(f"ICP_ENGINE={engine!r} is not an engine; use one of {', '.join(ENGINES)}")
    return engine
