"""Exports a BI tool loads every week keep one typed schema whatever the data (issue 15, point 6).

Two refreshes are published into a real DuckDB warehouse with `publish_tables` and exported with
`write_table_exports`, as the publish assets do. The second refresh has every optional text column
empty (no domain, no disqualifier, no override), no segment (zero customers to form one, so the
builder's segment column is all-NaN float) and one account without an employee count (BIGINT would
turn DOUBLE). Both refreshes' Parquet and CSV files must load with one fixed schema.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from icp_pipeline.defs.publish.tables import PUBLISHED_TABLES, STAMP_COLUMNS
from icp_pipeline.lib.publish.export_schema import (
    CRM_IMPORT_TYPES,
    CSV_DECIMALS,
    PUBLISHED_COLUMN_TYPES,
    TARGET_ACCOUNTS_TYPES,
)
from icp_pipeline.lib.publish.exports import write_table_exports
from icp_pipeline.lib.publish.publication import publish_tables

T0 = dt.datetime(2026, 11, 23, 6, 0)


def _targets(empty_optionals: bool) -> pd.DataFrame:
    """A target list shaped like the builder's output (object text columns, pandas dtypes as built)."""
    frame = pd.DataFrame(
        {
            "account_key": ["acme.com", "crm:0015", "globex.io"],
            "crm_account_id": ["0011", "0015", None],
            "account_name": ["Acme", "Initech", "Globex"],
            "domain": ["acme.com", None, "globex.io"],
            "industry": ["software", "retail", "software"],
            "country": ["DE", "US", "FR"],
            "employee_count": [250, 12, 4000],
            "is_customer": [True, False, False],
            "icp_score": [99.987654, 50.0, 0.004],
            "expected_value": [12345.6789, 999.994, 0.0],
            "predicted_ltv": [20000.125, 1500.0, 10.555],
            "win_probability": [0.617283, 0.66666, 0.00004],
            "tier": ["Tier 1", "Tier 2", "Disqualified"],
            "segment": ["Mid-size software", "Small retail", "Mid-size software"],
            "top_reasons": ["+ uses snowflake", "− employee_count 12 (low)", "+ industry = software"],
            "disqualified_reason": [None, None, "industry in [education]"],
            "override_note": ["include by J. Doe: strategic", None, None],
            "industry_label": ["Software", "Retail", "Software"],
            "money_basis": ["expected value of the model (rated strong)"] * 3,
            "win_probability_basis": ["win model learnt (out-of-fold AUC in icp.model_card.win_auc)"] * 3,
        }
    )
    if empty_optionals:
        frame["industry_label"] = None
        frame["domain"] = None
        frame["disqualified_reason"] = None
        frame["override_note"] = None
        frame["segment"] = np.nan  # what mapping keys through an all-missing assignment gives
        frame["employee_count"] = [250.0, np.nan, 4000.0]
    return frame


def _refresh(tmp_path, name: str, empty_optionals: bool):
    warehouse = tmp_path / f"{name}.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        frames = {"target_accounts": _targets(empty_optionals)}
        publish_tables(con, frames, name, T0, declared_types=PUBLISHED_COLUMN_TYPES)
        return write_table_exports(con, tmp_path / name)


@pytest.fixture
def two_refreshes(tmp_path):
    return _refresh(tmp_path, "full", False), _refresh(tmp_path, "sparse", True)


def test_the_empty_refresh_builds_the_frame_that_used_to_lose_its_types():
    # the premise of this file: DuckDB types these columns by their values when nothing declares them
    con = duckdb.connect()
    con.register("sparse", _targets(empty_optionals=True))
    found = {r[0]: r[1] for r in con.execute("describe select * from sparse").fetchall()}
    assert found["domain"] == '"NULL"' and found["override_note"] == '"NULL"'
    assert found["segment"] == "DOUBLE" and found["employee_count"] == "DOUBLE"


def test_both_refreshes_parquet_load_with_one_fixed_schema(two_refreshes):
    full, sparse = (r["target_accounts_parquet"] for r in two_refreshes)
    assert pq.read_schema(full) == pq.read_schema(sparse)
    files = f"['{full}', '{sparse}']"
    both = duckdb.sql(f"describe select * from read_parquet({files}, union_by_name = false)").fetchall()
    assert {r[0]: r[1] for r in both} == TARGET_ACCOUNTS_TYPES
    for path in (full, sparse):
        one = duckdb.sql(f"describe select * from read_parquet('{path}')").fetchall()
        assert [(r[0], r[1]) for r in one] == list(TARGET_ACCOUNTS_TYPES.items())
    rows = duckdb.sql(f"select domain, segment, employee_count from read_parquet('{sparse}')").fetchall()
    assert rows == [(None, None, 250), (None, None, None), (None, None, 4000)]


def test_both_refreshes_csv_load_with_the_declared_types_and_infer_the_same(two_refreshes):
    declared = "{" + ", ".join(f"'{c}': '{t}'" for c, t in TARGET_ACCOUNTS_TYPES.items()) + "}"
    inferred = []
    for refresh in two_refreshes:
        path = refresh["target_accounts_csv"]
        loaded = duckdb.sql(f"select * from read_csv('{path}', header = true, columns = {declared})")
        assert len(loaded.fetchall()) == 3
        inferred.append(duckdb.sql(f"describe select * from read_csv('{path}')").fetchall())
    # a loader that infers types (no schema given) also reads the same types from both refreshes
    assert [r[:2] for r in inferred[0]] == [r[:2] for r in inferred[1]]


def test_csv_numbers_are_rounded_to_meaningful_digits_and_parquet_keeps_them(two_refreshes):
    full = two_refreshes[0]
    csv = pd.read_csv(full["target_accounts_csv"], dtype=str)
    assert csv["icp_score"].tolist() == ["99.99", "50.0", "0.0"]
    assert csv["expected_value"].tolist() == ["12345.68", "999.99", "0.0"]
    assert csv["predicted_ltv"].tolist() == ["20000.13", "1500.0", "10.56"]
    assert csv["win_probability"].tolist() == ["0.6173", "0.6667", "0.0"]
    parquet = pd.read_parquet(full["target_accounts_parquet"])
    assert parquet["expected_value"].tolist() == [12345.6789, 999.994, 0.0]
    assert set(CSV_DECIMALS) <= set(TARGET_ACCOUNTS_TYPES)


def test_crm_import_keeps_its_schema_and_the_unrounded_order(two_refreshes):
    for refresh in two_refreshes:
        path = refresh["crm_import_csv"]
        described = duckdb.sql(
            f"describe select * from read_csv('{path}', header = true, columns = "
            + "{"
            + ", ".join(f"'{c}': '{t}'" for c, t in CRM_IMPORT_TYPES.items())
            + "})"
        ).fetchall()
        assert [r[0] for r in described] == list(CRM_IMPORT_TYPES)
        crm = pd.read_csv(path)
        assert crm["crm_account_id"].astype(str).tolist() == ["11", "15"]  # read as numbers by pandas
        assert crm["model_caution"].isna().all()


def test_the_declared_export_schema_is_the_documented_table(two_refreshes):
    documented = [*PUBLISHED_TABLES["target_accounts"].columns, *STAMP_COLUMNS]
    assert list(TARGET_ACCOUNTS_TYPES) == documented


def test_a_value_the_declared_type_would_change_stops_publication_and_keeps_the_previous(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        publish_tables(
            con, {"target_accounts": _targets(False)}, "r1", T0, declared_types=PUBLISHED_COLUMN_TYPES
        )
        broken = _targets(False).assign(employee_count=[250.5, 12.0, 4000.0])
        with pytest.raises(
            ValueError,
            match=r"icp.target_accounts.employee_count: declared BIGINT, found DOUBLE with 1 value",
        ):
            publish_tables(con, {"target_accounts": broken}, "r2", T0, declared_types=PUBLISHED_COLUMN_TYPES)
        extra = _targets(False).assign(surprise="x")
        with pytest.raises(ValueError, match="columns not in the declared export schema: surprise"):
            publish_tables(con, {"target_accounts": extra}, "r2", T0, declared_types=PUBLISHED_COLUMN_TYPES)
        assert con.execute("select distinct icp_version from icp.target_accounts").fetchall() == [("r1",)]


def test_an_undeclared_table_publishes_an_all_empty_column_as_text(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        segments = pd.DataFrame({"segment_id": [1, 2], "note": [None, None], "share": [0.5, 0.5]})
        publish_tables(con, {"segments": segments}, "r1", T0)
        types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() where table_name = 'segments'"
            ).fetchall()
        )
    assert types == {
        "segment_id": "BIGINT",
        "note": "VARCHAR",
        "share": "DOUBLE",
        "icp_version": "VARCHAR",
        "published_at": "TIMESTAMP",
    }
