"""One refresh at a time: an exclusive lock file beside the DuckDB warehouse.

`warehouse_lock(path)` takes an OS lock (`flock`) on `<warehouse>.lock` and writes who holds it
(pid, host, command, since). `icp run` holds it for its whole run; every step that writes the
warehouse (extract, dbt, model, publish, exports) holds it while it writes, so a second refresh,
from the command line or the Dagster UI, stops with a clear message instead of interleaving its
writes with the first one. Within one process the lock is re-entrant (the steps of an `icp run`
take the lock their run already holds).

The operating system releases the lock when its process ends, however it ends (even SIGKILL), so a
crashed refresh never blocks the next one; the file itself may stay and is harmless. On file systems
without `flock` semantics (some network mounts) a stale lock can be removed by hand once no refresh
is running.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; the lock is advisory-only there
    fcntl = None  # type: ignore[assignment]

LOCK_WAIT_ENV = "ICP_LOCK_WAIT_SECONDS"


class WarehouseLockedError(RuntimeError):
    """Another refresh holds the warehouse lock."""


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[str, _Held] = {}
_guard = threading.Lock()


def lock_path_for(duckdb_path: str | Path) -> Path:
    """`<warehouse file>.lock`, beside the warehouse."""
    path = Path(duckdb_path)
    return path.with_name(path.name + ".lock")


def _holder_info(holder: str) -> dict:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "holder": holder,
        "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200],
        "since": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }


def read_lock_info(lock_path: Path) -> dict:
    """What the current holder wrote into the lock file ({} when unreadable or empty)."""
    try:
        return json.loads(lock_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def locked_message(lock_path: Path, info: dict) -> str:
    since = info.get("since", "an unknown time")
    who = ", ".join(
        part
        for part in (
            info.get("holder"),
            f"pid {info['pid']} on {info.get('host', '?')}" if "pid" in info else None,
            f"`{info['command']}`" if info.get("command") else None,
        )
        if part
    )
    return (
        f"another refresh holds the warehouse lock since {since}" + (f" ({who})" if who else "") + "; "
        f"wait for it to finish, or remove the stale lock {lock_path} if no refresh is running."
    )


def _try_lock(fd: int) -> bool:
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _acquire(lock_path: Path, holder: str, wait_seconds: float) -> int:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            os.close(fd)
            raise WarehouseLockedError(locked_message(lock_path, read_lock_info(lock_path)))
        time.sleep(0.2)
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(_holder_info(holder)).encode(), 0)
    os.fsync(fd)
    return fd


def _default_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, "0")))
    except ValueError:
        return 0.0


@contextmanager
def warehouse_lock(
    duckdb_path: str | Path, holder: str = "ICP refresh", wait_seconds: float | None = None
) -> Iterator[Path]:
    """Hold the warehouse's lock for the block; `WarehouseLockedError` when another process has it.

    `wait_seconds` (default `ICP_LOCK_WAIT_SECONDS`, else 0) is how long to wait for it first.
    """
    lock_path = lock_path_for(duckdb_path)
    key = str(lock_path.resolve())
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.depth += 1
        else:
            fd = _acquire(lock_path, holder, _default_wait() if wait_seconds is None else wait_seconds)
            _held[key] = _Held(fd, 1)
    try:
        yield lock_path
    finally:
        with _guard:
            held = _held[key]
            held.depth -= 1
            if held.depth == 0:
                del _held[key]
                try:
                    os.ftruncate(held.fd, 0)
                finally:
                    os.close(held.fd)  # closing the descriptor releases the flock
