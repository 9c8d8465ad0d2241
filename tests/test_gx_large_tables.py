"""Large tables: GX validates a sample plus every row breaking a blocking expectation, with exact results."""

import duckdb
import pandas as pd

from icp_pipeline.lib.landing.contract import get_table
from icp_pipeline.lib.quality import gx_sample
from icp_pipeline.lib.quality.gx_validate import validate_frame
from icp_pipeline.lib.quality.suites import raw_error_expectations, raw_warning_expectations


def _summary(frame, expectations):
    return [
        (o.expectation, o.column, o.success, o.unexpected_count)
        for o in validate_frame(frame, "s", expectations)
    ]


def test_sampled_frame_gives_the_full_tables_blocking_results(monkeypatch):
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.a as select 'A' || i as activity_id, "
        "case when i % 1000 = 0 then null else 'acc' end as account_id, 'call' as activity_type, "
        "timestamp '2026-01-01' as occurred_at from range(20000) r(i)"
    )
    con.execute(
        "insert into raw.a values ('A5', 'x', 'call', timestamp '2026-01-01'), ('A7', 'x', 'call', null)"
    )
    errors = raw_error_expectations(get_table("crm/activities"))
    cols = ["activity_id", "account_id", "activity_type", "occurred_at"]
    monkeypatch.setattr(gx_sample, "GX_MAX_ROWS", 500)
    frame, n = gx_sample.frame_for_gx(con, "raw.a", ", ".join(cols), errors, cols)
    assert n == 20002 and len(frame) < 1000
    full = con.execute("select * from raw.a").df()
    assert _summary(frame, errors) == _summary(full, errors)
    assert not all(o[2] for o in _summary(frame, errors))


def test_small_tables_are_validated_whole():
    con = duckdb.connect()
    con.execute("create table t as select i as k from range(100) r(i)")
    frame, n = gx_sample.frame_for_gx(con, "t", "k", [], ["k"])
    assert n == 100 and len(frame) == 100


def test_a_clean_large_table_is_validated_on_the_sample_alone(monkeypatch):
    con = duckdb.connect()
    con.execute(
        "create table t as select 'A' || i as activity_id, 'acc' as account_id, 'call' as activity_type, "
        "timestamp '2026-01-01' as occurred_at from range(5000) r(i)"
    )
    errors = raw_error_expectations(get_table("crm/activities"))
    cols = ["activity_id", "account_id", "occurred_at"]
    monkeypatch.setattr(gx_sample, "GX_MAX_ROWS", 300)
    frame, n = gx_sample.frame_for_gx(con, "t", ", ".join(cols), errors, cols)
    assert n == 5000 and len(frame) == 300
    assert frame["activity_id"].is_unique


def test_both_suites_validated_together_give_each_suites_own_outcomes():
    table = get_table("erp/invoices")
    frame = duckdb.sql(
        "select 'I' || (i % 900) as invoice_id, 'C' as erp_customer_id, date '2025-01-01' as invoice_date, "
        "case when i % 7 = 0 then -5.0 else i * 1.5 end as amount, "
        "case when i % 11 = 0 then 'lost' else 'paid' end as status from range(1000) r(i)"
    ).df()
    errors, warnings = raw_error_expectations(table), raw_warning_expectations(table)
    together = gx_sample.validate_suites(frame, "t", [("gx_errors", errors), ("gx_warnings", warnings)])
    assert together == {
        "gx_errors": validate_frame(frame, "e", errors),
        "gx_warnings": validate_frame(frame, "w", warnings),
    }
    assert not all(o.success for o in together["gx_errors"])
    assert not all(o.success for o in together["gx_warnings"])


def test_validation_does_not_hash_the_frame(monkeypatch):
    """GX's batch fingerprint (a hash of the whole frame, 60 % of a validation) is turned off."""
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    def no_hashing(frame):
        raise AssertionError("the frame was hashed")

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", no_hashing)
    frame = pd.DataFrame({"id": [1, 2, 2, None]})
    outcomes = validate_frame(
        frame,
        "no_hash",
        [
            gx.expectations.ExpectColumnValuesToBeUnique(column="id"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="id"),
        ],
    )
    assert [(o.expectation, o.success, o.unexpected_count) for o in outcomes] == [
        ("expect_column_values_to_be_unique", False, 2),
        ("expect_column_values_to_not_be_null", False, 1),
    ]
