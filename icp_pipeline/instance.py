"""The Dagster instance of `icp run`: the `dagster.yaml` written into a new `DAGSTER_HOME`, and the
event log storage it names.

`PooledSqliteEventLogStorage` is Dagster's own `SqliteEventLogStorage` (the default of a home without
configuration: the same files, `history/runs/<run_id>.db` and `index.db`, the same tables and
schema migrations) with two changes:

- it builds one SQLAlchemy engine per database file and keeps it, instead of building an engine for
  every event (which also threw away SQLAlchemy's compiled-statement cache);
- it keeps one connection to the cross-run `index.db` open, so storing an event there no longer
  closes the database's last connection, which checkpoints the write-ahead log and syncs the file.
  A run's own file is still closed after every event: the UI follows a running run by watching that
  file change (Dagster's `SqliteEventLogStorageWatchdog`), which it does when the log is checkpointed.

A refresh stores about 1,330 events (each asset's planned and materialised events, each check's
planned and evaluated events, step starts and ends) in about 2,100 SQLite transactions. Measured on
the 2-core development machine by storing the 1,331 events of a 200 k-account refresh again into a
new home (load average 8-13, one run each): Dagster's storage 11.2-15.5 CPU s and 82-94 s wall; one
engine per file 6.8 CPU s, 68 s; and the open index connection 5.5 CPU s, 37 s.

Every connection also sets SQLite's `synchronous=NORMAL` (SQLite's default is FULL): in WAL mode
(which Dagster sets) a commit then appends to the write-ahead log without waiting for the disk, and
the disk is synced when the log is checkpointed, i.e. when a run's file is closed after each event.
The database stays consistent after a crash of the process or of the machine; a machine crash (not a
process crash) may lose the last events written before it. Storing an event committed and synced the
log, then checkpointed and synced again: in a py-spy profile of a 200 k-account refresh the commits
were 481 and the closes 336 of the 1,280 samples spent storing events.

SQLite in WAL mode (which Dagster sets) lets the UI and the daemon read and write the same files from
their own processes while a connection is open here; writes are serialised by SQLite's lock, as
before. A home whose `dagster.yaml` names no event log storage keeps Dagster's default; both read and
write the same files.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, QueuePool

# The `dagster.yaml` earlier versions of `icp` wrote; a home holding exactly this gets the new one.
_PREVIOUS_CONFIG = "telemetry:\n  enabled: false\nconcurrency:\n  runs:\n    max_concurrent_runs: 1\n"


# SQLite's `synchronous` setting of every event log connection (module doc).
SYNCHRONOUS = "NORMAL"


def _synchronous_normal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    finally:
        cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's per-run SQLite event log with one engine per database file and an open connection
    to the index (module doc)."""

    def __init__(self, base_dir: str, inst_data=None) -> None:
        self._engines: dict[str, Engine] = {}  # before super().__init__, which may connect
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                # index.db: one connection kept open (no checkpoint and sync per event); a run's
                # file: closed after each use, so the UI's watcher sees it change
                pool = (
                    {"poolclass": QueuePool, "pool_size": 1, "max_overflow": 8}
                    if shard == INDEX_SHARD_NAME
                    else {"poolclass": NullPool}
                )
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                    **pool,
                )
                event.listen(engine, "connect", _synchronous_normal)
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
            with engine.connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        with self._db_lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # the files are deleted: no connection may outlive them
        super().wipe()

    def delete_events(self, run_id: str) -> None:
        self._dispose_engines()
        super().delete_events(run_id)

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()


def instance_config(home: Path) -> str:
    """The `dagster.yaml` of a new `DAGSTER_HOME`: no telemetry, one run at a time (runs launched
    from the UI, the schedule or the sensor queue up instead of sharing the warehouse), and the
    pooled event log storage above in Dagster's default place (`<home>/history/runs`, written as an
    absolute path: a home moved elsewhere needs its `dagster.yaml` deleted, and is written again)."""
    runs = (home / "history" / "runs").absolute()
    return (
        "telemetry:\n  enabled: false\n"
        "concurrency:\n  runs:\n    max_concurrent_runs: 1\n"
        "event_log_storage:\n"
        "  module: icp_pipeline.instance\n"
        "  class: PooledSqliteEventLogStorage\n"
        "  config:\n"
        f"    base_dir: {str(runs)!r}\n"
    )


def ensure_instance_config(home: Path) -> Path:
    """Write `instance_config` into `home/dagster.yaml` when the file is absent or is exactly what an
    earlier `icp` wrote; a file the user wrote or changed is left alone. Returns its path."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") == _PREVIOUS_CONFIG:
        config.write_text(instance_config(home), encoding="utf-8")
    return config
