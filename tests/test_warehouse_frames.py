"""`read_frame`, the one reader of query results: its dtype policy per DuckDB type (with and without
NULLs, and for an empty result), pinned here so a DuckDB or pandas upgrade that changes it fails."""

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.warehouse.frames import TEXT_DTYPE, read_frame

# (DuckDB type, a value, pandas dtype without NULLs / with a NULL / of an empty result, the value read)
POLICY = [
    ("TINYINT", "1", "int8", "Int8", "int8", 1),
    ("INTEGER", "1", "int32", "Int32", "int32", 1),
    ("BIGINT", "1", "int64", "Int64", "int64", 1),
    ("UBIGINT", "1", "uint64", "UInt64", "uint64", 1),
    ("HUGEINT", "1", "float64", "float64", "float64", 1.0),
    ("DECIMAL(10,2)", "1.25", "float64", "float64", "float64", 1.25),
    ("DECIMAL(38,4)", "1.25", "float64", "float64", "float64", 1.25),
    ("FLOAT", "1.5", "float32", "float32", "float32", 1.5),
    ("DOUBLE", "1.5", "float64", "float64", "float64", 1.5),
    ("BOOLEAN", "true", "bool", "boolean", "bool", True),
    (
        "DATE",
        "'2024-01-02'",
        "datetime64[us]",
        "datetime64[us]",
        "datetime64[us]",
        pd.Timestamp("2024-01-02"),
    ),
    (
        "TIMESTAMP",
        "'2024-01-02 03:04:05'",
        "datetime64[us]",
        "datetime64[us]",
        "datetime64[us]",
        pd.Timestamp("2024-01-02 03:04:05"),
    ),
    (
        "INTERVAL",
        "interval 1 day",
        "timedelta64[us]",
        "timedelta64[us]",
        "timedelta64[us]",
        pd.Timedelta("1D"),
    ),
    ("VARCHAR", "'a'", TEXT_DTYPE, TEXT_DTYPE, TEXT_DTYPE, "a"),
    ("TIME", "'01:02:03'", "object", "object", "object", dt.time(1, 2, 3)),
]


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    yield con
    con.close()


@pytest.mark.parametrize(("sql_type", "value", "plain", "with_null", "empty", "read"), POLICY)
def test_each_duckdb_type_becomes_the_documented_dtype(con, sql_type, value, plain, with_null, empty, read):
    con.execute(f"create table t as select cast({value} as {sql_type}) as v, 1 as k")
    got = read_frame(con, "select v from t")
    assert got["v"].dtype == plain
    assert got["v"].iloc[0] == read
    con.execute("insert into t values (null, 2)")
    got = read_frame(con, "select v from t order by k")
    assert got["v"].dtype == with_null
    assert got["v"].iloc[0] == read and pd.isna(got["v"].iloc[1])
    got = read_frame(con, "select v from t where k < 0")
    assert got["v"].dtype == empty and got.empty and list(got.columns) == ["v"]


def test_timestamptz_is_in_the_connections_time_zone(con):
    got = read_frame(con, "select timestamptz '2024-01-02 03:04:05+02' as v")
    assert str(got["v"].dtype) == "datetime64[us, UTC]"
    assert got["v"].iloc[0] == pd.Timestamp("2024-01-02 01:04:05", tz="UTC")


def test_text_with_no_value_is_still_text_and_writes_back_as_varchar(con):
    """`.df()` gives `object` here, which DuckDB writes back as type NULL; the policy keeps VARCHAR."""
    got = read_frame(con, "select cast(null as varchar) as v from range(3)")
    assert got["v"].dtype == TEXT_DTYPE and got["v"].isna().all()
    con.register("f", got)
    assert con.execute("select typeof(v) from f limit 1").fetchone()[0] == "VARCHAR"


def test_ints_with_nulls_only_in_later_rows_are_nullable_and_nothing_is_lost(con):
    """Nulls far from the first rows (beyond DuckDB's 2,048-row vectors) make the whole column
    nullable, whatever the number of columns converted per pass."""
    con.execute(
        "create table t as select i as id, case when i >= 5000 then i end as late_int, "
        "case when i >= 5000 then 'x' || i end as late_text, i % 7 = 0 as flag from range(10000) r(i)"
    )
    for per_pass in (1, 2, 16):
        got = read_frame(con, "select * from t order by id", columns_per_pass=per_pass)
        assert list(got.dtypes.astype(str)) == ["int64", "Int64", "str", "bool"]
        assert int(got["late_int"].isna().sum()) == 5000 and int(got["late_int"].sum()) == sum(
            range(5000, 10000)
        )
        assert got["late_text"].iloc[9999] == "x9999" and int(got["late_text"].isna().sum()) == 5000
        assert isinstance(got.index, pd.RangeIndex) and len(got) == 10000


def test_parameters_repeated_names_and_column_order(con):
    got = read_frame(con, "select ? as p, 1 as a, 'x' as a, 2.5::double as a", [7])
    assert list(got.columns) == ["p", "a", "a_1", "a_2"]
    assert got.iloc[0].tolist() == [7, 1, "x", 2.5]


def test_a_result_left_open_on_the_connection_does_not_block_the_read(con):
    con.execute("select 1 from range(10)").fetchone()
    assert read_frame(con, "select 42 as v")["v"].tolist() == [42]


def test_enum_and_uuid_are_read_as_text(con):
    got = read_frame(
        con, "select 'a'::enum('a', 'b') as e, '00000000-0000-0000-0000-000000000001'::uuid as u"
    )
    assert got["e"].dtype == TEXT_DTYPE and got["u"].dtype == TEXT_DTYPE
    assert got.iloc[0].tolist() == ["a", "00000000-0000-0000-0000-000000000001"]


def test_numbers_match_duckdbs_own_conversion(con):
    """Everything but text is exactly `.df()`'s conversion (values and dtypes)."""
    sql = (
        "select i, i::double / 3 as d, (i % 5)::decimal(9, 2) as m, date '2024-01-01' + i::int as day, "
        "case when i % 3 = 0 then null else i end as n from range(5000) r(i)"
    )
    pd.testing.assert_frame_equal(read_frame(con, sql, columns_per_pass=2), con.execute(sql).df())
    assert np.isnan(read_frame(con, "select null::double as v")["v"].iloc[0])
