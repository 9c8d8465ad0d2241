"""The extract step loads several tables at once (lib/landing/concurrent.py): same raw tables, same
quarantine and load-log rows in the same order as one-by-one loads, every table's error reported."""

from __future__ import annotations

import threading
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from icp_pipeline.defs.extract.assets import extract_assets
from icp_pipeline.lib.landing.concurrent import (
    EXTRACT_THREADS_ENV,
    extract_threads,
    prepare_shared_tables,
    restore_quarantine_order,
    run_on_cursors,
)
from icp_pipeline.resources import IcpPathsResource, WarehouseResource

FILES = {
    # two rows of accounts, one of contacts and one of invoices miss a required value: quarantined
    "crm/accounts.csv": "account_id,account_name,industry\n1,Acme,Software\n2,,Retail\n3,Beta,Retail\n4,,\n",
    "crm/contacts.csv": "contact_id,account_id,title\nc1,1,CTO\nc2,,CEO\nc3,3,VP\n",
    "erp/invoices.csv": "invoice_id,erp_customer_id,invoice_date,amount,status\n"
    "i1,e1,2024-01-05,10,paid\ni2,,2024-02-01,5,paid\ni3,e1,2024-03-01,7,paid\n",
}


def _landing(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "landing" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "landing"


def _extract(root: Path, landing: Path) -> tuple[dg.ExecuteInProcessResult, Path]:
    warehouse = root / "warehouse.duckdb"
    result = dg.materialize(
        extract_assets,
        resources={
            "warehouse": WarehouseResource(duckdb_path=str(warehouse)),
            "paths": IcpPathsResource(
                landing_dir=str(landing), export_dir=str(root / "exports"), config_path=""
            ),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    return result, warehouse


def _raw_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every raw table's rows in stored order (the order readers without `order by` see)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw' order by 1"
            ).fetchall()
        ]
        return {name: con.execute(f'select * from raw."{name}"').fetchall() for name in names}


def test_concurrent_loads_give_the_tables_and_row_order_of_one_by_one_loads(tmp_path, monkeypatch):
    landing = _landing(tmp_path, FILES)
    tables = {}
    for threads in ("1", "3"):
        monkeypatch.setenv(EXTRACT_THREADS_ENV, threads)
        result, warehouse = _extract(tmp_path / f"threads_{threads}", landing)
        assert result.success
        tables[threads] = _raw_tables(warehouse)
    assert tables["1"] == tables["3"]
    quarantined = [(r[0], r[2]) for r in tables["3"]["_quarantine"]]  # (landing table, line), stored order
    assert quarantined == [("crm/accounts", 3), ("crm/accounts", 5), ("crm/contacts", 3), ("erp/invoices", 3)]
    loads = {r[0]: (r[3], r[4]) for r in tables["3"]["_landing_loads"]}  # rows, quarantined rows
    assert (
        loads["crm/accounts"] == (2, 2)
        and loads["crm/contacts"] == (2, 1)
        and loads["erp/invoices"] == (2, 1)
    )
    assert [r[0] for r in tables["3"]["_landing_loads"]] == sorted(loads)  # written in table order
    events = result.get_asset_check_evaluations()
    assert {(e.asset_key.to_user_string(), e.check_name) for e in events} >= {
        ("crm/accounts", "gx_errors"),
        ("crm/accounts", "gx_warnings"),
        ("erp/invoices", "gx_errors"),
    }


def test_a_failing_table_leaves_the_others_loaded_and_fails_the_step_with_its_error(tmp_path, monkeypatch):
    monkeypatch.setenv(EXTRACT_THREADS_ENV, "2")
    files = {**FILES, "erp/customers.csv": "erp_customer_id,customer_name\ne1,One\ne1,Again\n"}
    result, warehouse = _extract(tmp_path, _landing(tmp_path, files))
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = failure.event_specific_data.error.to_string()
    assert "erp/customers: key column 'erp_customer_id' must be unique" in message
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"crm/accounts", "crm/contacts", "erp/invoices"} <= materialized
    assert "erp/customers" not in materialized
    loads = {r[0] for r in _raw_tables(warehouse)["_landing_loads"]}
    assert "crm/accounts" in loads and "erp/customers" not in loads


def test_tasks_run_at_the_same_time_each_on_a_cursor_of_its_own():
    con = duckdb.connect()
    both_running = threading.Barrier(2, timeout=10)

    def task(cursor: duckdb.DuckDBPyConnection) -> int:
        cursor.execute("create temp table t as select 1 as x")  # temp tables are per cursor
        both_running.wait()  # raises BrokenBarrierError unless the other task runs meanwhile
        return cursor.execute("select current_setting('threads'), count(*) from t").fetchone()

    results = run_on_cursors(con, [("a", task), ("b", task)], threads=2)
    assert results == {"a": (1, 1), "b": (1, 1)}  # one DuckDB thread per load while they run
    assert con.execute("select current_setting('threads')").fetchone()[0] > 0


def test_quarantine_rows_of_interleaved_loads_go_back_to_load_order():
    con = duckdb.connect()
    prepare_shared_tables(con)
    insert = "insert into raw._quarantine (landing_table, line, kind) values (?, ?, 'k')"
    for table, line in (("z/other", 1), ("a/x", 2), ("b/y", 2), ("a/x", 3), ("b/y", 3), ("z/other", 2)):
        con.execute(insert, [table, line])
    restore_quarantine_order(con, ["b/y", "a/x"])
    rows = con.execute("select landing_table, line from raw._quarantine").fetchall()
    assert rows == [("z/other", 1), ("z/other", 2), ("b/y", 2), ("b/y", 3), ("a/x", 2), ("a/x", 3)]


def test_extract_threads_setting(monkeypatch):
    monkeypatch.delenv(EXTRACT_THREADS_ENV, raising=False)
    assert 1 <= extract_threads() <= 4
    monkeypatch.setenv(EXTRACT_THREADS_ENV, "3")
    assert extract_threads() == 3
    for bad in ("0", "two"):
        monkeypatch.setenv(EXTRACT_THREADS_ENV, bad)
        with pytest.raises(ValueError, match=f"{EXTRACT_THREADS_ENV}='{bad}'"):
            extract_threads()


def test_a_check_selected_alone_validates_the_loaded_table_without_loading_it(tmp_path):
    landing = _landing(tmp_path, FILES)
    first, warehouse = _extract(tmp_path, landing)
    assert first.success
    (landing / "crm" / "accounts.csv").write_text("account_id,account_name\n9,Changed\n")  # not reloaded
    errors = dg.AssetCheckKey(dg.AssetKey(["crm", "accounts"]), "gx_errors")
    result = dg.materialize(
        extract_assets,
        selection=dg.AssetSelection.checks(errors),
        resources={
            "warehouse": WarehouseResource(duckdb_path=str(warehouse)),
            "paths": IcpPathsResource(landing_dir=str(landing), export_dir=str(tmp_path), config_path=""),
        },
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert not result.get_asset_materialization_events()
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == ("gx_errors", True)
    assert [r[0] for r in _raw_tables(warehouse)["crm__accounts"]] == ["1", "3"]
