"""The extract loader reads the landing contract's files into typed `raw` tables or says what is wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from icp_pipeline.lib.landing import loader
from icp_pipeline.lib.landing.contract import TABLES, get_table
from icp_pipeline.lib.landing.files import LandingDataError
from icp_pipeline.lib.landing.loader import load_table
from icp_pipeline.lib.landing.mapping import parse_mappings

ACCOUNTS = get_table("crm/accounts")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def test_columns_are_case_insensitive_and_extras_are_kept_with_their_type(tmp_path, con):
    write(
        tmp_path / "crm" / "accounts.csv",
        "\ufeffACCOUNT_ID,Account_Name,Employee_Count,Cloud Spend,Tier\n1,Acme,120,3.5,gold\n2,Beta,,4,silver\n",
    )
    report = load_table(con, tmp_path, ACCOUNTS)
    assert report.rows == 2 and report.extra_columns == ["cloud_spend", "tier"]
    types = dict(con.execute("select column_name, column_type from (describe raw.crm__accounts)").fetchall())
    assert types["employee_count"] == "BIGINT"
    assert types["cloud_spend"] == "DOUBLE"
    assert types["tier"] == "VARCHAR"
    assert con.execute("select employee_count from raw.crm__accounts order by account_id").fetchall() == [
        (120,),
        (None,),
    ]


def test_a_folder_of_parquet_parts_with_different_columns_loads_as_one_table(tmp_path, con):
    folder = tmp_path / "crm" / "accounts"
    folder.mkdir(parents=True)
    con.execute(f"copy (select '1' as account_id, 'A' as account_name) to '{folder / 'p1.parquet'}'")
    con.execute(
        f"copy (select '2' as account_id, 'B' as account_name, 'x.com' as website) to '{folder / 'p2.parquet'}'"
    )
    report = load_table(con, tmp_path, ACCOUNTS)
    assert report.rows == 2 and len(report.files) == 2
    assert con.execute("select website from raw.crm__accounts where account_id = '2'").fetchone() == (
        "x.com",
    )


def test_missing_required_column_names_the_table_and_the_columns_found(tmp_path, con):
    write(tmp_path / "crm" / "accounts.csv", "id,name\n1,Acme\n")
    with pytest.raises(LandingDataError, match=r"crm/accounts: missing required column\(s\) \['account_id'"):
        load_table(con, tmp_path, ACCOUNTS)


def test_unparsable_value_names_file_column_and_line(tmp_path, con):
    write(
        tmp_path / "crm" / "accounts.csv",
        "account_id,account_name,created_at\n1,A,2024-01-02\n2,B,31/02/2024\n",
    )
    with pytest.raises(LandingDataError, match=r"'created_at'.*accounts\.csv line 3: '31/02/2024'"):
        load_table(con, tmp_path, ACCOUNTS)


def test_duplicate_keys_are_refused_with_their_lines(tmp_path, con):
    write(tmp_path / "crm" / "accounts.csv", "account_id,account_name\n1,A\n1,B\n2,C\n")
    with pytest.raises(LandingDataError, match=r"'1' x2 at accounts\.csv:2, accounts\.csv:3"):
        load_table(con, tmp_path, ACCOUNTS)


def test_rows_missing_a_required_value_are_quarantined_not_lost(tmp_path, con):
    write(tmp_path / "crm" / "accounts.csv", "account_id,account_name\n1,A\n,B\n3,\n")
    report = load_table(con, tmp_path, ACCOUNTS)
    assert report.rows == 1 and report.quarantined == 2
    lines = con.execute("select line from raw._quarantine order by line").fetchall()
    assert lines == [(3,), (4,)]


def test_absent_optional_table_becomes_an_empty_table_with_the_contract_columns(tmp_path, con):
    report = load_table(con, tmp_path, get_table("erp/invoices"))
    assert not report.present
    cols = [r[0] for r in con.execute("describe raw.erp__invoices").fetchall()]
    assert cols[:7] == [c.name for c in get_table("erp/invoices").columns]
    assert con.execute("select count(*) from raw.erp__invoices").fetchone() == (0,)


def test_absent_required_table_is_an_error_that_says_where_it_was_expected(tmp_path, con):
    with pytest.raises(LandingDataError, match=r"crm/accounts is required.*crm/accounts\.csv"):
        load_table(con, tmp_path, ACCOUNTS)


def test_a_mapping_renames_converts_dates_subtracts_and_maps_values(tmp_path, con):
    write(
        tmp_path / "export.csv",
        "\ufeffRow ID,Customer ID,Order Date,Sales,Profit,State\n1,C1,11/9/2023,100.5,40.5,Paid\n"
        "2,C1,1/31/2024,-20,-5,PAID\n",
    )
    mappings = parse_mappings(
        {
            "erp/invoices": {
                "path": "export.csv",
                "columns": {
                    "invoice_id": "Row ID",
                    "erp_customer_id": "customer id",
                    "invoice_date": {"column": "Order Date", "date_format": "%m/%d/%Y"},
                    "amount": "Sales",
                    "cost": {"subtract": ["Sales", "Profit"]},
                    "currency": {"constant": "USD"},
                    "status": {"column": "State", "values": {"paid": "paid"}},
                },
            }
        }
    )
    load_table(con, tmp_path, get_table("erp/invoices"), mappings["erp/invoices"])
    rows = con.execute(
        "select invoice_date::varchar, amount, cost, currency, status from raw.erp__invoices order by invoice_id"
    ).fetchall()
    assert rows == [("2023-11-09", 100.5, 60.0, "USD", "paid"), ("2024-01-31", -20.0, -15.0, "USD", "paid")]


def test_a_mapping_can_deduplicate_invoice_lines_into_customers(tmp_path, con):
    write(tmp_path / "lines.csv", "Customer ID,Customer\n7,Acme\n7,Acme\n8,Beta\n")
    mapping = parse_mappings(
        {
            "erp/customers": {
                "path": "lines.csv",
                "columns": {"erp_customer_id": "Customer ID", "customer_name": "Customer"},
                "deduplicate_on": "erp_customer_id",
            }
        }
    )["erp/customers"]
    assert load_table(con, tmp_path, get_table("erp/customers"), mapping).rows == 2


def test_mapping_errors_name_the_table_and_the_unknown_column():
    with pytest.raises(ValueError, match=r"'acount_id' is not a contract column of crm/accounts"):
        parse_mappings({"crm/accounts": {"columns": {"acount_id": "x"}}})
    with pytest.raises(ValueError, match=r"unknown table 'crm/acounts'"):
        parse_mappings({"crm/acounts": {}})


def test_every_contract_table_can_be_created_empty(tmp_path, con):
    for table in TABLES:
        if not table.required:
            load_table(con, tmp_path, table)
    n = con.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchone()[0]
    assert n == len(TABLES) - 1


# ---- the clean-file path and the general path give the same result ---------------------------------


def _raw_state(con) -> dict:
    tables = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'raw' order by 1"
    ).fetchall()
    return {
        name: (
            con.execute(f'describe raw."{name}"').fetchall(),
            con.execute(f'select * from raw."{name}"').fetchall(),
        )
        for (name,) in tables
    }


def _load_both_ways(tmp_path: Path, table, monkeypatch, today=None):
    """(report, raw tables, error) of the clean-file path where it applies, and of the general path alone."""
    results = []
    for general_only in (False, True):
        with monkeypatch.context() as patch:
            if general_only:
                patch.setattr(loader, "load_clean", lambda *args: None)
            with duckdb.connect() as con:
                try:
                    report, error = dataclasses.asdict(load_table(con, tmp_path, table, today=today)), None
                except LandingDataError as exc:
                    report, error = None, str(exc)
                results.append((report, _raw_state(con), error))
    return results


ACCOUNTS_CSV = (
    "account_id,account_name,employee_count,annual_revenue,created_at,cloud_spend,tier\n"
    + "".join(
        f"{i},Name {i},{i % 500},{i * 10.5},2024-01-{i % 28 + 1:02d},{i / 7},{'ab'[i % 2]}\n"
        for i in range(1, 3000)
    )
)


@pytest.mark.parametrize(
    "last_row",
    [
        "",  # clean: loaded by the clean-file path
        "9001,,1,2,2024-01-01,3,a\n",  # a missing required value: quarantined
        "9001,Z,-5,2,2024-01-01,3,a\n",  # an implausible optional value: set to null
        "9001,Z,1,2,2099-01-01,3,a\n",  # a date in the future
        "9001,Z,many,2,2024-01-01,3,a\n",  # unparsable: an error
        "1,Z,1,2,2024-01-01,3,a\n",  # a repeated key: an error
        "9001,Z,1,2,2024-01-01,n/a,a\n",  # an extra column that is no longer numeric
    ],
)
def test_the_clean_file_path_loads_exactly_what_the_general_path_loads(tmp_path, monkeypatch, last_row):
    write(tmp_path / "crm" / "accounts.csv", ACCOUNTS_CSV + last_row)
    fast, general = _load_both_ways(tmp_path, ACCOUNTS, monkeypatch, today=dt.date(2026, 11, 24))
    assert fast == general
    assert fast[0] is not None or fast[2] is not None


def test_a_repeated_key_found_after_the_clean_write_leaves_the_previous_raw_table(tmp_path, con):
    write(tmp_path / "crm" / "accounts.csv", "account_id,account_name\n1,A\n2,B\n")
    load_table(con, tmp_path, ACCOUNTS)
    before = _raw_state(con)["crm__accounts"]
    write(tmp_path / "crm" / "accounts.csv", "account_id,account_name\n1,A\n2,B\n2,C\n")
    with pytest.raises(LandingDataError, match="must be unique"):
        load_table(con, tmp_path, ACCOUNTS)
    assert _raw_state(con)["crm__accounts"] == before
