"""The count of `dedup_conflict` is one per key AND column whose merged rows differ, and the words
beside it (run summary, icp.data_coverage) must say so: AWS SaaS-Sales printed '297 key(s) whose
merged rows differed' for its 99 customers (99 keys x 3 columns)."""

from __future__ import annotations

import duckdb

from icp_pipeline.lib.landing.contract import get_table
from icp_pipeline.lib.landing.loader import load_table
from icp_pipeline.lib.landing.mapping import parse_mappings
from icp_pipeline.lib.landing.quarantine import describe_counts


def test_conflicts_are_counted_and_described_per_key_and_column(tmp_path):
    (tmp_path / "lines.csv").write_text(
        "Customer ID,Customer,Country,Region\n"
        "7,Acme,Ireland,EMEA\n"
        "7,Acme,Germany,DACH\n"
        "7,Acme,Germany,DACH\n"
        "8,Beta,France,EMEA\n"
    )
    spec = {
        "path": "lines.csv",
        "deduplicate_on": "erp_customer_id",
        "columns": {"erp_customer_id": "Customer ID", "customer_name": "Customer", "country": "Country"},
        "extra_columns": ["Region"],
    }
    with duckdb.connect() as con:
        report = load_table(
            con,
            tmp_path,
            get_table("erp/customers"),
            parse_mappings({"erp/customers": spec})["erp/customers"],
        )
        keys = con.execute(
            "select count(distinct record->>'key') from raw._quarantine where kind = 'dedup_conflict'"
        ).fetchone()[0]
    assert report.counts["dedup_conflict"] == 2  # key 7 differs in country and in region
    assert keys == 1
    # one spread of distinct values is written once ('2', not '2-2', as AWS's 'region (3-3 ...)')
    assert any("differ in country (2 distinct values)" in w for w in report.warnings), report.warnings
    words = describe_counts({"dedup_conflict": 2})
    assert words.startswith("2 ") and "2 key(s)" not in words
    assert "key and column" in words


def test_a_location_is_taken_from_one_row_not_column_by_column(tmp_path):
    """Issue 14 (AWS AnyCompany Bank: country JP, region EMEA): country and region combined column by
    column take the most frequent of each (JP from 2 rows, EMEA from 3 others); kept together they
    are the most frequent location, Japan / APJ, of one row. Conflicts are still counted per column."""
    (tmp_path / "lines.csv").write_text(
        "Customer ID,Customer,Country,Region\n"
        "7,Acme,Japan,APJ\n"
        "7,Acme,United Kingdom,EMEA\n"
        "7,Acme,Japan,APJ\n"
        "7,Acme,Germany,EMEA\n"
        "7,Acme,France,EMEA\n"
        "8,Beta,France,EMEA\n"
    )
    spec = {
        "path": "lines.csv",
        "deduplicate_on": "erp_customer_id",
        "columns": {"erp_customer_id": "Customer ID", "customer_name": "Customer", "country": "Country"},
        "extra_columns": ["Region"],
    }
    with duckdb.connect() as con:
        report = load_table(
            con,
            tmp_path,
            get_table("erp/customers"),
            parse_mappings({"erp/customers": spec})["erp/customers"],
        )
        rows = con.execute(
            "select erp_customer_id, country, region from raw.erp__customers order by 1"
        ).fetchall()
    assert rows == [("7", "Japan", "APJ"), ("8", "France", "EMEA")]
    assert report.counts["dedup_conflict"] == 2  # key 7 differs in country and in region
    assert any("country, region kept together from one row" in w for w in report.warnings), report.warnings
