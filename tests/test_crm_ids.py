"""The Python key of a CRM account id (icp.yaml overrides) and the dbt macro `crm_account_id` agree."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pytest

from icp_pipeline.lib.landing.crm_ids import crm_account_key, salesforce_checksum

MACRO_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "macros"
MACROS = MACRO_DIR / "crm_account_id.sql"

EXAMPLES = [
    "001D000000IqhSLIAZ",  # Salesforce's documented example: 18-character form of 001D000000IqhSL
    "001D000000IqhSL",
    " 001D000000IqhSLIAZ ",
    "001d000000iqhslAAA",  # all lower case: checksum AAA
    "001D000000IqhSLXYZ",  # 18 characters, wrong checksum: kept
    "001D000000IqhSLIAz",  # checksum in the wrong case: kept
    "0015g00000ABCDEFGH",
    "ABCDEABCDEABCDE555",  # every letter upper case: 31 per chunk
    "CUST-000123456789A",  # not alphanumeric
    "12345",
    "",
    "   ",
]


def _dbt_rule(values: list[str]) -> list[str | None]:
    """The macro rendered by Jinja (as dbt renders it) and run by DuckDB on `values`; the cross-database
    macros it calls resolve to their DuckDB implementation, as dbt's adapter.dispatch does on DuckDB."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])  # dbt's Jinja has the `do` tag
    cross_db = env.from_string((MACRO_DIR / "cross_db.sql").read_text(encoding="utf-8")).module
    env.globals["regex_matches"] = cross_db.duckdb__regex_matches
    sql = env.from_string(MACROS.read_text(encoding="utf-8") + '{{ crm_account_id("v") }}').render()
    with duckdb.connect() as con:
        con.execute("create table t (i integer, v varchar)")
        con.executemany("insert into t values (?, ?)", list(enumerate(values)))
        return [r[0] for r in con.execute(f"select {sql} from t order by i").fetchall()]


def test_the_python_rule_and_the_dbt_macro_key_every_example_alike():
    assert [crm_account_key(v) for v in EXAMPLES] == _dbt_rule(EXAMPLES)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("001D000000IqhSLIAZ", "001D000000IqhSL"),
        ("001d000000iqhslAAA", "001d000000iqhsl"),
        ("001D000000IqhSLXYZ", "001D000000IqhSLXYZ"),
        ("  12345 ", "12345"),
        ("", None),
    ],
)
def test_an_18_character_case_safe_id_keys_as_its_15_characters(value, key):
    assert crm_account_key(value) == key


def test_checksum_of_the_documented_example():
    assert salesforce_checksum("001D000000IqhSL") == "IAZ"
