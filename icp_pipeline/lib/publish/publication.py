"""Atomic publication of the `icp` schema: every table of a refresh swaps in one transaction."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from icp_pipeline.lib.publish.publish_io import checked_table_name

PUBLISH_SCHEMA = "icp"


def publish_tables(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pd.DataFrame],
    icp_version: str,
    published_at: dt.datetime,
) -> None:
    """Replace `icp.<name>` for every frame in one transaction, stamping `icp_version` and `published_at`.

    A reader sees either the previous refresh or this one, never a mix; on any error the
    transaction rolls back and the previous tables stay as they were.
    """
    con.execute(f"create schema if not exists {PUBLISH_SCHEMA}")
    con.execute("begin transaction")
    try:
        for name, frame in frames.items():
            table = checked_table_name(f"{PUBLISH_SCHEMA}.{name}")
            stamped = frame.assign(icp_version=icp_version, published_at=published_at)
            con.register("_publish_frame", stamped)
            con.execute(f"create or replace table {table} as select * from _publish_frame")
            con.unregister("_publish_frame")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
