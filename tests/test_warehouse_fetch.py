"""`fetch_frame` returns exactly what DuckDB's one-piece `.df()` returns, in chunks."""

import duckdb
import pandas as pd
import pytest

from icp_pipeline.lib.warehouse.frames import fetch_frame


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(
        """
        create table t as
        select i as id, 'k' || i as key, i % 7 = 0 as flag,
               case when i >= 5000 then i end as late_int,
               case when i >= 5000 then 'x' || i end as late_text,
               date '2024-01-01' + cast(i % 300 as integer) as day
        from range(10000) as r(i)
        """
    )
    yield con
    con.close()


@pytest.mark.parametrize("vectors", [1, 2, 100])
def test_chunked_frame_equals_the_one_piece_conversion(con, vectors):
    sql = "select * from t order by id"
    expected = con.execute(sql).df()
    got = fetch_frame(con, sql, vectors_per_chunk=vectors)
    pd.testing.assert_frame_equal(got, expected)


def test_an_empty_result_keeps_its_columns(con):
    got = fetch_frame(con, "select * from t where id < 0")
    assert list(got.columns) == ["id", "key", "flag", "late_int", "late_text", "day"]
    assert got.empty
