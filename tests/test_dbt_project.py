"""The dbt project (dbt_project/) built on small hand-made warehouses.

Each fixture warehouse is built once per module (`dbt build`: seeds, models, data tests and unit
tests), then the tests read the marts. Every run gets its own DuckDB file, target and log folder,
so runs in parallel do not clash.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from icp_pipeline.lib.config.settings import DBT_PROJECT_DIR


def _load_fixtures():
    # Loaded by path so the test works whether or not tests/ is a package.
    path = Path(__file__).with_name("fixtures") / "raw_fixtures.py"
    spec = importlib.util.spec_from_file_location("icp_test_raw_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


raw = _load_fixtures()


@dataclass(frozen=True)
class DbtRun:
    duckdb_path: Path
    target_path: Path
    returncode: int
    output: str

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.duckdb_path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def one(self, sql: str, params: list | None = None) -> tuple:
        rows = self.query(sql, params)
        assert len(rows) == 1, f"expected one row, got {rows}"
        return rows[0]

    def feature(self, account_key: str, column: str):
        return self.one(
            f'select "{column}" from marts.account_features where account_key = ?', [account_key]
        )[0]

    def failures(self) -> list[str]:
        results = json.loads((self.target_path / "run_results.json").read_text())["results"]
        return [
            f"{r['unique_id']}: {r['status']} {r.get('message')}"
            for r in results
            if r["status"] in ("error", "fail", "runtime error")
        ]


def _dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


def run_dbt(workdir: Path, duckdb_path: Path, *args: str, vars_: dict | None = None) -> DbtRun:
    target_path = workdir / "target"
    command = [
        _dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(workdir / "logs"),
    ]
    if vars_:
        command += ["--vars", json.dumps(vars_)]
    env = {**os.environ, "ICP_DUCKDB_PATH": str(duckdb_path), "DO_NOT_TRACK": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    return DbtRun(duckdb_path, target_path, done.returncode, done.stdout + done.stderr)


def build(tmp_path_factory, name: str, tables, extra_columns=None, vars_=None) -> DbtRun:
    workdir = tmp_path_factory.mktemp(name)
    duckdb_path = raw.build_warehouse(workdir / "warehouse.duckdb", tables, extra_columns)
    run = run_dbt(workdir, duckdb_path, "build", vars_=vars_)
    assert run.returncode == 0, run.output[-6000:]
    return run


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> DbtRun:
    return build(
        tmp_path_factory,
        "full",
        raw.FULL_TABLES,
        raw.FULL_EXTRA_COLUMNS,
        vars_={"as_of_date": raw.AS_OF_DATE, "min_technology_support": 1},
    )


@pytest.fixture(scope="module")
def erp_less(tmp_path_factory) -> DbtRun:
    return build(tmp_path_factory, "erp_less", raw.ERP_LESS_TABLES)


@pytest.fixture(scope="module")
def accounts_only(tmp_path_factory) -> DbtRun:
    return build(tmp_path_factory, "accounts_only", raw.ACCOUNTS_ONLY_TABLES)


# ---------------------------------------------------------------------------------------------
# Build and data tests
# ---------------------------------------------------------------------------------------------


def test_dbt_build_runs_models_data_tests_and_unit_tests_without_failure(full):
    assert full.failures() == []
    results = json.loads((full.target_path / "run_results.json").read_text())["results"]
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"model", "test", "unit_test", "seed"} <= kinds


def test_the_marts_exist_in_schema_marts(full):
    tables = {
        t
        for (t,) in full.query(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    assert {
        "account_features",
        "attribute_catalog",
        "closed_opportunities",
        "identity_match_rates",
        "unmatched_records",
        "identity_conflicts",
        "unmapped_values",
    } <= tables
    staging = {
        t
        for (t,) in full.query(
            "select table_name from information_schema.tables where table_schema = 'staging'"
        )
    }
    assert "stg_crm__accounts" in staging and "stg_marketing__campaign_members" in staging


# ---------------------------------------------------------------------------------------------
# Identity resolution
# ---------------------------------------------------------------------------------------------


def test_website_variants_of_one_domain_join_to_one_account(full):
    # CRM A001 `https://www.Acme.com/about`, CRM A004 `http://acme.com:8080/?q=1`, ERP E1 `acme.com`.
    assert full.one("select count(*) from marts.account_features where domain = 'acme.com'") == (1,)
    assert full.one(
        "select crm_account_id, erp_customer_id from marts.account_features where account_key = 'acme.com'"
    ) == ("A001", "E1")
    # The duplicate CRM record's won deal belongs to the same account.
    assert full.one("select account_key from marts.closed_opportunities where opportunity_id = 'O2'") == (
        "acme.com",
    )
    assert ("duplicate_crm_domain", "A004") in full.query(
        "select conflict_type, record_id from marts.identity_conflicts where account_key = 'acme.com'"
    )


def test_a_stale_crm_account_id_loses_to_the_domain(full):
    # ERP E2 says crm_account_id A005 (Delta) but its website is Beta's domain.
    assert full.one(
        "select account_key, matched_crm_account_id, match_method from intermediate.int_erp_customer_keys "
        "where erp_customer_id = 'E2'"
    ) == ("beta.io", "A002", "domain")
    assert full.feature("delta.com", "erp_customer_id") is None
    assert full.one(
        "select count(*) from marts.identity_conflicts where conflict_type = 'stale_crm_account_id' and record_id = 'E2'"
    ) == (1,)


def test_a_name_only_match_links_an_erp_customer_without_website(full):
    # `GAMMA, GmbH` in ERP, `Gamma GmbH` (no website) in CRM.
    assert full.one(
        "select account_key, match_method from intermediate.int_erp_customer_keys where erp_customer_id = 'E3'"
    ) == ("crm:A003", "company_name")
    assert full.feature("crm:A003", "erp_customer_id") == "E3"


def test_a_crm_account_without_website_gets_its_domain_from_enrichment_by_name(full):
    # CRM `Sigma Systems, Inc.` has no website; firmographics `Sigma Systems` is sigma.io.
    assert full.one(
        "select crm_account_id, firmo__employee_count, firmo__industry from marts.account_features "
        "where account_key = 'sigma.io'"
    ) == ("A007", 300.0, "financial_services")
    assert full.one("select count(*) from marts.account_features where account_key = 'crm:A007'") == (0,)


def test_erp_customers_matching_nothing_become_their_own_accounts(full):
    assert full.feature("erp:E4", "is_customer") is True
    assert full.feature("eta.com", "crm_account_id") is None
    unmatched = full.query(
        "select record_id from marts.unmatched_records where source_table = 'erp/customers'"
    )
    assert sorted(unmatched) == [("E4",), ("E5",)]


def test_enrichment_only_domains_are_prospects(full):
    assert full.one(
        "select account_name, is_customer, has_crm_record from marts.account_features where account_key = 'omega.ai'"
    ) == ("Omega AI", False, False)


def test_subsidiaries_roll_up_to_the_top_parent_and_cycles_end(full):
    assert full.feature("crm:A003", "group_account_key") == "acme.com"
    assert full.feature("delta.com", "group_account_key") == full.feature(
        "epsilon.co.uk", "group_account_key"
    )
    assert full.one("select count(*) from marts.identity_conflicts where conflict_type = 'parent_cycle'") == (
        2,
    )


def test_match_rates_count_every_source_pair(full):
    rows = {
        r[0]: r[1:]
        for r in full.query(
            "select source_pair, row_count, matched_count, unmatched_count, match_rate from marts.identity_match_rates"
        )
    }
    assert rows["erp/customers -> crm/accounts"] == (5, 3, 2, pytest.approx(0.6))
    assert rows["crm/opportunities -> crm/accounts"][:3] == (6, 5, 1)
    assert full.one("select reason from marts.unmatched_records where record_id = 'O5'") == (
        "unknown_account_id",
    )


# ---------------------------------------------------------------------------------------------
# Value labels
# ---------------------------------------------------------------------------------------------


def test_credit_notes_and_fx_give_the_expected_labels_and_void_is_excluded(full):
    # Realised (USD): I1 1000 (cost 400), I9 100 EUR x 1.10 (cost 55), I2 500 EUR x 1.20 (no cost),
    # I3 credit note -200 (cost -80). Void I4, open I5 and GBP I6 (no rate) are excluded.
    with_cost = [(1000.0, 400.0), (110.0, 55.0), (-200.0, -80.0), (2000.0, 1500.0), (50.0, 10.0)]
    ratio = sum(a - c for a, c in with_cost) / sum(a for a, _ in with_cost)
    revenue, margin, acv, churned = full.one(
        "select label_revenue, label_gross_margin_ltv, label_acv, label_is_churned "
        "from marts.account_features where account_key = 'acme.com'"
    )
    assert revenue == pytest.approx(1000 + 110 + 600 - 200)
    assert margin == pytest.approx(600 + 55 + 600 * ratio - 120)
    assert acv == pytest.approx(1200)
    assert churned == 0
    assert full.one("select reason from marts.unmatched_records where record_id = 'I6'") == (
        "unknown_currency",
    )


def test_annualised_value_floors_tenure_at_twelve_months(full):
    margin, annualised, tenure = full.one(
        "select label_gross_margin_ltv, label_annualised_value, label_tenure_months "
        "from marts.account_features where account_key = 'erp:E4'"
    )
    assert tenure == 0
    assert annualised == pytest.approx(margin)


def test_churn_and_won_opportunity_labels(full):
    assert full.one(
        "select label_is_churned, label_has_won_opportunity, label_won_amount from marts.account_features "
        "where account_key = 'beta.io'"
    ) == (1, 1, pytest.approx(4000.0))
    assert full.one(
        "select is_won, amount_reporting from marts.closed_opportunities where opportunity_id = 'O2'"
    ) == (True, pytest.approx(6000.0))  # 5000 EUR at the rate valid on the close date


def test_without_erp_labels_fall_back_to_won_opportunity_amounts(erp_less):
    assert erp_less.failures() == []
    revenue, margin, is_customer = erp_less.one(
        "select label_revenue, label_gross_margin_ltv, is_customer from marts.account_features "
        "where account_key = 'won.example.com'"
    )
    assert revenue == pytest.approx(1000 * 1.2 + 500)
    assert margin == pytest.approx(1700)
    assert is_customer is True
    assert erp_less.one(
        "select is_customer, label_revenue, label_has_won_opportunity from marts.account_features "
        "where account_key = 'lost.example.com'"
    ) == (False, None, 0)


# ---------------------------------------------------------------------------------------------
# Point in time
# ---------------------------------------------------------------------------------------------


def test_customers_are_described_as_of_their_first_win(full):
    # Acme: contract start 2023-01-01 precedes the first paid invoice and the first won deal.
    assert str(full.feature("acme.com", "first_won_date")) == "2023-01-01"
    assert str(full.feature("acme.com", "as_of_date")) == "2023-01-01"
    assert str(full.feature("delta.com", "as_of_date")) == raw.AS_OF_DATE


def test_activities_contacts_technologies_and_events_after_the_win_are_excluded(full):
    row = dict(
        zip(
            ["activities", "calls", "contacts", "snowflake", "tableau", "funding"],
            full.one(
                "select beh__activities_total, beh__activities_call_12m, beh__contacts_total, tech__snowflake, "
                "tech__tableau, sit__events_funding_round_12m from marts.account_features where account_key = 'acme.com'"
            ),
            strict=True,
        )
    )
    assert row == {"activities": 2, "calls": 1, "contacts": 1, "snowflake": 1, "tableau": 0, "funding": 1}


def test_prospect_activity_counts_use_the_window_before_the_refresh_date(full):
    assert full.one(
        "select beh__activities_12m, beh__activities_total from marts.account_features where account_key = 'delta.com'"
    ) == (1, 2)


# ---------------------------------------------------------------------------------------------
# Features, catalogue, reports
# ---------------------------------------------------------------------------------------------


def test_extra_columns_reach_account_features_and_the_catalogue(full):
    types = dict(
        full.query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'account_features' and column_name like 'x\\_\\_%' escape '\\'"
        )
    )
    assert types == {
        "x__cloud_spend_index": "DOUBLE",
        "x__crm_segment": "VARCHAR",
        "x__vendor_score": "DOUBLE",
        "x__hq_city": "VARCHAR",
    }
    assert full.feature("acme.com", "x__crm_segment") == "enterprise"
    assert full.feature("omega.ai", "x__vendor_score") == 70.0
    catalogue = dict(
        full.query("select attribute, data_type from marts.attribute_catalog where family = 'extra'")
    )
    assert catalogue == {
        "x__cloud_spend_index": "numeric",
        "x__crm_segment": "categorical",
        "x__vendor_score": "numeric",
        "x__hq_city": "categorical",
    }


def test_the_catalogue_lists_every_attribute_column_with_its_family(full):
    columns = [
        c
        for (c,) in full.query(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'account_features'"
        )
    ]
    attributes = {
        c for c in columns if c.split("__")[0] in {"firmo", "tech", "sit", "beh", "x"} and "__" in c
    }
    catalogue = {
        a: (f, o)
        for a, f, o in full.query(
            "select attribute, family, observable_for_prospects from marts.attribute_catalog"
        )
    }
    assert set(catalogue) == attributes
    assert catalogue["tech__snowflake"] == ("technographic", True)
    assert catalogue["beh__lead_source"] == ("behavioural", False)
    assert catalogue["sit__events_hiring_surge_12m"] == ("business_situation", True)
    assert full.one("select data_type from marts.attribute_catalog where attribute = 'tech__snowflake'") == (
        "numeric",
    )


def test_the_catalogue_says_what_each_derived_attribute_derives_from(full):
    """Declared in the family models' YAML (intermediate/features); read by the model's groups."""
    derived = dict(full.query("select attribute, derived_from from marts.attribute_catalog"))
    assert derived["firmo__employee_band"] == "firmo__employee_count"
    assert derived["firmo__revenue_band"] == "firmo__annual_revenue"
    assert derived["firmo__region"] == "firmo__country"
    assert derived["tech__cat_data_warehouse"] == "tech__snowflake"
    assert derived["tech__cat_bi"] == "tech__tableau"
    assert derived["tech__count"] == "tech__snowflake, tech__tableau"  # never the category counts
    assert set(derived["sit__events_total_12m"].split(", ")) == {
        "sit__events_funding_round_12m",
        "sit__events_hiring_surge_12m",
    }
    assert derived["firmo__employee_count"] is None and derived["tech__snowflake"] is None


def test_the_mart_is_the_join_of_one_model_per_attribute_family(full):
    for family, prefix in (
        ("firmographic", "firmo__"),
        ("technographic", "tech__"),
        ("business_situation", "sit__"),
        ("behavioural", "beh__"),
        ("extra", "x__"),
    ):
        columns = [
            c
            for (c,) in full.query(
                "select column_name from information_schema.columns where table_schema = 'intermediate' "
                f"and table_name = 'int_account_features_{family}' and column_name <> 'account_key'"
            )
        ]
        assert columns and all(c.startswith(prefix) for c in columns), family


def test_firmographics_prefer_enrichment_over_crm(full):
    assert full.one(
        "select firmo__employee_count, firmo__employee_band, firmo__country, firmo__region "
        "from marts.account_features where account_key = 'acme.com'"
    ) == (150.0, "0051-0200", "US", "NAMER")
    assert full.feature("crm:A003", "firmo__country") == "DE"  # `Deutschland` in CRM


def test_unmapped_industries_are_reported(full):
    assert full.query("select raw_value, row_count from marts.unmapped_values where field = 'industry'") == [
        ("Underwater Basket Weaving", 1)
    ]
    assert full.feature("crm:A003", "industry") == "other"


def test_enforced_contracts_give_the_declared_types(full):
    types = dict(
        full.query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'closed_opportunities'"
        )
    )
    assert types == {
        "opportunity_id": "VARCHAR",
        "account_key": "VARCHAR",
        "is_won": "BOOLEAN",
        "amount_reporting": "DOUBLE",
        "close_date": "DATE",
        "created_date": "DATE",
    }


# ---------------------------------------------------------------------------------------------
# Empty optional tables, docs
# ---------------------------------------------------------------------------------------------


def test_every_empty_optional_table_still_builds(accounts_only):
    assert accounts_only.failures() == []
    assert accounts_only.query("select account_key from marts.account_features order by 1") == [
        ("crm:Z2",),
        ("lonely.example.org",),
    ]
    assert accounts_only.one("select count(*) from marts.closed_opportunities") == (0,)
    assert accounts_only.feature("lonely.example.org", "firmo__industry") == "insurance"


def test_dbt_docs_generate_works(accounts_only, tmp_path):
    run = run_dbt(tmp_path, accounts_only.duckdb_path, "docs", "generate")
    assert run.returncode == 0, run.output[-4000:]
    assert (tmp_path / "target" / "catalog.json").exists()


# ---------------------------------------------------------------------------------------------
# Portability: the same models on other engines (docs/scale-out.md)
# ---------------------------------------------------------------------------------------------


def _as_dispatched_for(dialect: str, statement):
    """Apply what the `replace_all` dispatch macro does for `dialect`: BigQuery's `regexp_replace`
    replaces every match and takes no flags, so its variant has no DuckDB 'g' flag."""
    import sqlglot

    if dialect == "bigquery":
        for node in statement.find_all(sqlglot.exp.RegexpReplace):
            modifiers = node.args.get("modifiers")
            if modifiers is not None and modifiers.name == "g":
                node.set("modifiers", None)
    return statement


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery", "spark", "postgres"])
def test_every_compiled_model_transpiles_to_another_warehouse_dialect(full, dialect):
    import sqlglot
    from sqlglot.errors import ErrorLevel

    compiled = [p for p in (full.target_path / "compiled").rglob("*.sql") if "/models/" in p.as_posix()]
    assert len(compiled) > 30
    problems = []
    for path in compiled:
        try:
            for statement in sqlglot.parse(path.read_text(), read="duckdb"):
                _as_dispatched_for(dialect, statement).sql(
                    dialect=dialect, unsupported_level=ErrorLevel.RAISE
                )
        except sqlglot.errors.SqlglotError as exc:
            problems.append(f"{path.name}: {str(exc)[:200]}")
    assert problems == []


def test_the_project_parses_for_a_postgres_profile(tmp_path):
    pytest.importorskip("dbt.adapters.postgres", reason="dbt-postgres is not installed")
    (tmp_path / "profiles.yml").write_text(
        "icp:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: 127.0.0.1\n"
        "      user: icp\n      password: unused\n      port: 5432\n      dbname: icp\n      schema: main\n"
        "      threads: 1\n"
    )
    command = [
        _dbt_executable(),
        "parse",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(tmp_path),
        "--target-path",
        str(tmp_path / "target"),
        "--log-path",
        str(tmp_path / "logs"),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env={**os.environ, "DO_NOT_TRACK": "1"}
    )
    assert done.returncode == 0, done.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "postgres"
    assert "model.icp.account_features" in manifest["nodes"]


def test_the_catalogue_gives_every_attribute_a_human_label_and_unit(full):
    """Issue 15: labels from the YAML (meta label/unit), the family patterns, else the name made
    readable; extra columns from unknown data get one by the same rule as Python's `attribute_label`."""
    from icp_pipeline.lib.model.labels import attribute_label

    rows = {
        a: (lb, u) for a, lb, u in full.query("select attribute, label, unit from marts.attribute_catalog")
    }
    assert all(label and "__" not in label and "_" not in label for label, _ in rows.values()), rows
    assert rows["firmo__employee_count"] == ("Employee count", "employees")
    assert rows["firmo__annual_revenue"] == ("Annual revenue (USD)", "USD")
    assert rows["tech__snowflake"] == ("Uses Snowflake", None)
    assert rows["tech__cat_data_warehouse"] == ("Data warehouse tools used", "tools")
    assert rows["sit__events_hiring_surge_12m"] == ("Hiring surge events, last 12 months", "events")
    assert rows["x__crm_segment"] == ("CRM segment", None)
    assert rows["x__hq_city"] == ("HQ city", None)
    documented = {"firmo", "sit", "beh"}  # the YAML's labels may differ from the naming rule
    for attribute, label_unit in rows.items():
        if attribute.split("__")[0] not in documented and attribute != "tech__count":
            assert label_unit == attribute_label(attribute), attribute
