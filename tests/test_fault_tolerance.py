"""Fault tolerance: a refresh killed mid-publication, interrupted exports and concurrent refreshes.

A publication runs in a child process that holds the warehouse lock, as the publish step does; a test
hook (a frames mapping that stalls after the first table has been replaced inside the transaction)
lets the parent SIGKILL it at the worst moment. The previous `icp.*` tables must survive intact and
readable, and the next publication must succeed with no manual clean-up (no stale lock, no leftover
files). The same is shown for exports, and a second refresh meets a clear lock message.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from icp_pipeline.lib.publish.publication import publish_tables
from icp_pipeline.lib.publish.publish_io import replace_file_atomically
from icp_pipeline.lib.warehouse.lock import WarehouseLockedError, lock_path_for, warehouse_lock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")

T0 = dt.datetime(2026, 1, 1)


def frames(version: str, n: int = 3) -> dict[str, pd.DataFrame]:
    return {
        "target_accounts": pd.DataFrame(
            {"account_key": [f"{version}-{i}" for i in range(n)], "icp_score": range(n)}
        ),
        "tier_summary": pd.DataFrame({"tier": ["Tier 1"], "accounts": [n], "version": [version]}),
        "refresh_history": pd.DataFrame({"refresh_id": [version]}),
    }


def published(warehouse: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'icp'"
            ).fetchall()
        ]
        return {n: con.execute(f"select * from icp.{n} order by all").df() for n in sorted(names)}


def start_child(code: str, marker: Path) -> subprocess.Popen:
    """Run `code` in a new Python process and wait until it touches `marker` (it then stalls)."""
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not marker.exists():
        if child.poll() is not None:
            pytest.fail(f"child exited early: {child.stderr.read()}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail("child never reached the injection point")
        time.sleep(0.05)
    return child


def kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


STALLING_PUBLISH = """
    import datetime as dt, time, pathlib
    import duckdb, pandas as pd
    from icp_pipeline.lib.publish.publication import publish_tables
    from icp_pipeline.lib.warehouse.lock import warehouse_lock

    class StallAfterFirstTable(dict):
        # publish_tables iterates the frames inside its transaction: stall after the first one
        def items(self):
            for i, item in enumerate(super().items()):
                if i == 1:
                    pathlib.Path({marker!r}).touch()
                    time.sleep(600)
                yield item

    frames = StallAfterFirstTable(
        target_accounts=pd.DataFrame({{"account_key": ["v2-x"], "icp_score": [99]}}),
        tier_summary=pd.DataFrame({{"tier": ["Tier 9"], "accounts": [1], "version": ["v2"]}}),
        refresh_history=pd.DataFrame({{"refresh_id": ["v2"]}}),
    )
    with warehouse_lock({warehouse!r}, holder="publish step"), duckdb.connect({warehouse!r}) as con:
        publish_tables(con, frames, icp_version="v2", published_at=dt.datetime(2026, 2, 1))
"""


def test_a_refresh_killed_inside_the_publication_transaction_leaves_the_previous_tables(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        publish_tables(con, frames("v1"), icp_version="v1", published_at=T0)
    before = published(warehouse)
    marker = tmp_path / "inside_transaction"

    child = start_child(STALLING_PUBLISH.format(marker=str(marker), warehouse=str(warehouse)), marker)
    # meanwhile a second refresh is refused
    with pytest.raises(WarehouseLockedError, match="publish step"), warehouse_lock(warehouse):
        pass
    kill(child)

    after = published(warehouse)  # readable, and exactly the previous refresh: nothing of v2
    assert list(after) == list(before)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    assert set(after["target_accounts"]["icp_version"]) == {"v1"}

    # The next refresh needs no clean-up: the lock died with its process and the file opens writable.
    with warehouse_lock(warehouse, wait_seconds=0), duckdb.connect(str(warehouse)) as con:
        publish_tables(con, frames("v3"), icp_version="v3", published_at=T0)
    recovered = published(warehouse)
    assert recovered["target_accounts"]["account_key"].tolist() == ["v3-0", "v3-1", "v3-2"]
    assert {name: set(t["icp_version"]) for name, t in recovered.items()} == dict.fromkeys(recovered, {"v3"})


def test_an_error_inside_the_publication_transaction_rolls_every_table_back(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        publish_tables(con, frames("v1"), icp_version="v1", published_at=T0)
        before = {n: con.execute(f"select * from icp.{n} order by all").df() for n in frames("v1")}

        class FailAfterFirstTable(dict):
            def items(self):
                for i, item in enumerate(super().items()):
                    if i == 1:
                        raise RuntimeError("disk full (injected)")
                    yield item

        with pytest.raises(RuntimeError, match="injected"):
            publish_tables(con, FailAfterFirstTable(frames("v2")), icp_version="v2", published_at=T0)
        for name, frame in before.items():
            pd.testing.assert_frame_equal(frame, con.execute(f"select * from icp.{name} order by all").df())
        publish_tables(con, frames("v3"), icp_version="v3", published_at=T0)  # the same connection goes on
        assert con.execute("select distinct icp_version from icp.target_accounts").fetchall() == [("v3",)]


STALLING_EXPORT = """
    import time, pathlib
    from icp_pipeline.lib.publish.publish_io import replace_file_atomically

    def write(tmp):
        with open(tmp, "w") as f:
            f.write("account_key,icp_score\\npartial-row,")
            f.flush()
            pathlib.Path({marker!r}).touch()
            time.sleep(600)

    replace_file_atomically(pathlib.Path({path!r}), write)
"""


def test_an_export_killed_half_way_leaves_the_previous_file_and_no_debris(tmp_path):
    path = tmp_path / "exports" / "target_accounts.csv"
    replace_file_atomically(path, lambda tmp: tmp.write_text("account_key,icp_score\nv1,1\n"))
    marker = tmp_path / "half_written"

    kill(start_child(STALLING_EXPORT.format(marker=str(marker), path=str(path)), marker))
    assert path.read_text() == "account_key,icp_score\nv1,1\n"
    assert len(list(path.parent.glob(".target_accounts.csv.tmp-*"))) == 1  # the dead writer's file

    replace_file_atomically(path, lambda tmp: tmp.write_text("account_key,icp_score\nv2,2\n"))
    assert path.read_text() == "account_key,icp_score\nv2,2\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["target_accounts.csv"]


def test_an_export_that_fails_half_way_leaves_the_previous_file(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("<!doctype html>previous")

    def fail(tmp: Path) -> None:
        tmp.write_text("<!doctype html>half")
        raise OSError("no space left on device (injected)")

    with pytest.raises(OSError, match="injected"):
        replace_file_atomically(path, fail)
    assert path.read_text() == "<!doctype html>previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# --- one refresh at a time ---------------------------------------------------------------------------

HOLD_LOCK = """
    import pathlib, time
    from icp_pipeline.lib.warehouse.lock import warehouse_lock

    with warehouse_lock({warehouse!r}, holder="icp run"):
        pathlib.Path({marker!r}).touch()
        time.sleep({seconds})
"""


def hold_lock(tmp_path: Path, warehouse: Path, seconds: float = 600) -> subprocess.Popen:
    marker = tmp_path / f"locked-{time.monotonic_ns()}"
    code = HOLD_LOCK.format(warehouse=str(warehouse), marker=str(marker), seconds=seconds)
    return start_child(code, marker)


def test_a_second_refresh_is_refused_with_who_holds_the_lock_and_what_to_do(tmp_path):
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    child = hold_lock(tmp_path, warehouse)
    try:
        with pytest.raises(WarehouseLockedError) as caught, warehouse_lock(warehouse):
            pass
        message = str(caught.value)
        assert message.startswith("another refresh holds the warehouse lock since 20")
        assert f"icp run, pid {child.pid} on " in message
        assert (
            f"wait for it to finish, or remove the stale lock {lock_path_for(warehouse)} if no refresh is running"
            in message
        )
    finally:
        kill(child)
    with warehouse_lock(warehouse):  # released by the OS when its holder died
        pass


def test_a_waiting_refresh_starts_when_the_other_one_ends(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    child = hold_lock(tmp_path, warehouse, seconds=1.0)
    started = time.monotonic()
    with warehouse_lock(warehouse, wait_seconds=30):
        assert time.monotonic() - started > 0.3
    child.wait(timeout=30)


def test_the_lock_is_reentrant_within_a_refresh(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with warehouse_lock(warehouse, holder="icp run"), warehouse_lock(warehouse, holder="step"):
        pass
    with warehouse_lock(warehouse):
        pass


def test_icp_run_does_not_start_while_another_refresh_holds_the_warehouse(tmp_path, capsys, monkeypatch):
    from icp_pipeline.cli.runner import run_refresh
    from icp_pipeline.lib.config.settings import Settings

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    settings = Settings(
        tmp_path / "landing", tmp_path / "warehouse.duckdb", tmp_path / "exports", tmp_path / "x.yaml"
    )
    child = hold_lock(tmp_path, settings.duckdb_path)
    try:
        assert run_refresh(settings) == 1
    finally:
        kill(child)
    out = capsys.readouterr().out
    assert "Refresh NOT started: another refresh holds the warehouse lock since" in out
    assert not settings.duckdb_path.exists()  # nothing was written


def test_a_dagster_step_that_writes_fails_with_the_lock_message(tmp_path):
    import dagster as dg

    from icp_pipeline.cli.progress import failure_message
    from icp_pipeline.defs.extract.assets import extract_assets
    from icp_pipeline.resources import IcpPathsResource, WarehouseResource

    landing = tmp_path / "landing" / "crm"
    landing.mkdir(parents=True)
    (landing / "accounts.csv").write_text("account_id,account_name\n1,Acme\n")
    warehouse = tmp_path / "warehouse.duckdb"
    accounts = [dg.AssetKey(["crm", "accounts"])]
    resources = {
        "warehouse": WarehouseResource(duckdb_path=str(warehouse)),
        "paths": IcpPathsResource(
            landing_dir=str(tmp_path / "landing"), export_dir=str(tmp_path), config_path=""
        ),
    }
    child = hold_lock(tmp_path, warehouse)
    try:
        result = dg.materialize(extract_assets, selection=accounts, resources=resources, raise_on_error=False)
    finally:
        kill(child)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "another refresh holds the warehouse lock since" in failure_message(
        failure.event_specific_data.error
    )
    assert dg.materialize(
        extract_assets, selection=accounts, resources=resources
    ).success  # and works once the holder is gone
