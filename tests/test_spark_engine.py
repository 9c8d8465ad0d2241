"""ICP_ENGINE=spark, run for real: the demo through the whole pipeline on local Spark and on DuckDB.

One module-scoped pair of runs (the demo at 150 CRM accounts / 300 prospects, seed 11) serves every
Spark test, so each Spark process starts once (docs/scale-out.md, "Tests"). The DuckDB run, the
reference, materialises every asset without checks; the Spark run every asset and every Dagster
check but not the dbt tests (data and unit tests): those run on DuckDB in the rest of the suite
(tests/test_pipeline_end_to_end.py, tests/test_dbt_project.py), and on Spark in a full
`ICP_ENGINE=spark icp run`. Tests skip, saying why, without Java or pyspark (`make spark` installs
both).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.engine.spark_session import DEFAULT_JAVA_OPTIONS, java_missing_reason
from tests.pipeline_harness import PipelineRun, run_pipeline

NO_SPARK = java_missing_reason()
spark_only = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.skipif(NO_SPARK is not None, reason=f"Spark engine: {NO_SPARK}"),
]
SPARK_TYPES = {  # DuckDB type -> the Spark type of its Parquet column
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "FLOAT": "float",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp_ntz",
    "JSON": "string",  # Parquet's JSON annotation on a string; Spark has no JSON type
    '"NULL"': "string",  # a column DuckDB typed NULL (all null) is written as string (spark_tables.py)
}


def spark_type(duckdb_type: str) -> str:
    """The Spark type of a DuckDB column written to Parquet (`VARCHAR[]` -> `array<string>`)."""
    if duckdb_type.endswith("[]"):
        return f"array<{spark_type(duckdb_type[:-2])}>"
    return SPARK_TYPES.get(duckdb_type, duckdb_type.lower())


def _non_dbt_checks() -> dg.AssetSelection:
    """Every asset and every Dagster check, without the dbt tests' checks."""
    from icp_pipeline.defs.extract.checks import extract_check_keys, extract_checks
    from icp_pipeline.defs.model.checks import model_checks
    from icp_pipeline.defs.publish.checks import publish_checks
    from icp_pipeline.defs.transform.checks import transform_checks

    checks = (*extract_checks, *transform_checks, *model_checks, *publish_checks)
    keys = [*extract_check_keys, *(key for check in checks for key in check.check_keys)]
    return dg.AssetSelection.all().without_checks() | dg.AssetSelection.checks(*keys)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """The demo once on DuckDB (every asset, no checks: the reference) and once on Spark (every asset
    and every Dagster check), plus the Spark catalog's listing; seconds per step in `seconds`."""
    from icp_pipeline.demo.generator import generate_demo_data

    root = tmp_path_factory.mktemp("engines")
    landing = root / "landing"
    generate_demo_data(landing, n_accounts=150, n_prospects=300, seed=11)
    seconds = {}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DO_NOT_TRACK", "1")
        env.setenv("ICP_ENGINE", "duckdb")
        started = time.perf_counter()
        duck = run_pipeline(root / "duckdb", landing, selection=dg.AssetSelection.all().without_checks())
        seconds["duckdb run"] = time.perf_counter() - started
        env.setenv("ICP_ENGINE", "spark")
        env.setenv("ICP_SPARK_DIR", str(root / "spark" / "spark"))
        # a throw-away metastore: Derby without fsync (docs/scale-out.md, "Tests")
        env.setenv("ICP_SPARK_JAVA_OPTIONS", f"{DEFAULT_JAVA_OPTIONS} -Dderby.system.durability=test")
        # the dbt unit tests run on DuckDB in the main suite; on Spark in a full `icp run`
        env.setenv("ICP_SPARK_DBT_EXCLUDE", "resource_type:unit_test")
        started = time.perf_counter()
        spark = run_pipeline(root / "spark", landing, selection=_non_dbt_checks())
        seconds["spark run"] = time.perf_counter() - started
        started = time.perf_counter()
        listing = subprocess.run(
            [
                sys.executable,
                "-m",
                "icp_pipeline.lib.engine.spark_catalog",
                "--dir",
                str(root / "spark" / "spark"),
            ]
            + ["raw", "marts", "icp"],
            capture_output=True,
            text=True,
        )
        seconds["catalog listing"] = time.perf_counter() - started
    assert listing.returncode == 0, listing.stderr[-3000:]
    for name, run in (("duckdb", duck), ("spark", spark)):  # Dagster's own step durations
        for event in run.result.all_events:
            if event.is_step_success:
                seconds[f"{name} step {event.step_key}"] = event.event_specific_data.duration_ms / 1000
    (root / "seconds.json").write_text(json.dumps(seconds, indent=1))
    return {
        "duckdb": duck,
        "spark": spark,
        "catalog": json.loads(listing.stdout.strip().splitlines()[-1]),
        "seconds": seconds,
    }


def _query(run: PipelineRun, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        return con.execute(sql).df()


@pytest.mark.parametrize("value", ["Spark", "bogus"])
def test_unknown_engine_is_a_clear_error(monkeypatch, value):
    from icp_pipeline.definitions import build_definitions

    monkeypatch.setenv("ICP_ENGINE", value)
    if value == "Spark":  # case and spaces do not matter
        build_definitions()
        return
    with pytest.raises(ValueError, match="ICP_ENGINE='bogus' is not allowed: use duckdb or spark"):
        build_definitions()


def test_arrow_batches_are_scored_in_blocks_of_block_rows():
    """Arrow's batches (10 000 rows) are regrouped into blocks of at least `block_rows` rows, in
    order, so each partition calls `score_and_explain` as seldom as in-process (no Spark needed)."""
    from icp_pipeline.lib.engine.spark_scoring import _blocks

    batches = [pd.DataFrame({"_row": np.arange(start, start + 4)}) for start in range(0, 40, 4)]
    blocks = list(_blocks(iter(batches), 10))
    assert [len(b) for b in blocks] == [12, 12, 12, 4]
    assert pd.concat(blocks)["_row"].tolist() == list(range(40))


@pytest.mark.usefixtures("runs")
class TestSparkEngine:
    pytestmark = spark_only

    def test_both_runs_succeed(self, runs):
        assert runs["duckdb"].result.success
        assert runs["spark"].result.success

    def test_raw_tables_are_the_loaders_tables_in_spark(self, runs):
        """Every `raw.*` of the loader, bookkeeping included, is a Spark table with its rows and types."""
        catalog = runs["catalog"]
        duck = runs["spark"]
        tables = _query(duck, "select table_name from information_schema.tables where table_schema = 'raw'")
        assert {"_landing_loads", "_quarantine", "crm__accounts"} <= set(tables["table_name"])
        for name in tables["table_name"]:
            described = _query(duck, f"describe raw.{name}")
            rows = _query(duck, f"select count(*) as n from raw.{name}")["n"].iloc[0]
            assert catalog[f"raw.{name}"]["rows"] == rows, name
            expected = [[c, spark_type(t)] for c, t in described[["column_name", "column_type"]].values]
            assert catalog[f"raw.{name}"]["columns"] == expected, name
        assert catalog["raw.crm__accounts"]["rows"] == 150

    @pytest.mark.parametrize(
        ("mart", "key"),
        [
            ("account_features", "account_key"),
            ("closed_opportunities", "opportunity_id"),
            ("attribute_catalog", "attribute"),
        ],
    )
    def test_marts_built_on_spark_equal_duckdbs(self, runs, mart, key):
        """Same rows, columns and values. Numbers to a relative 1e-7: the engines add floating-point
        sums in different orders (2.7e-9 apart at most here)."""
        duck = _query(runs["duckdb"], f"select * from marts.{mart}").sort_values(key, ignore_index=True)
        spark = _query(runs["spark"], f"select * from marts.{mart}").sort_values(key, ignore_index=True)
        assert runs["catalog"][f"marts.{mart}"]["rows"] == len(duck) > 0  # the Spark table itself
        assert list(spark.columns) == list(duck.columns)
        assert duck[key].is_unique and spark[key].tolist() == duck[key].tolist()
        for column in duck.columns:
            left, right = duck[column], spark[column]
            if pd.api.types.is_numeric_dtype(left) and pd.api.types.is_numeric_dtype(right):
                both = left.astype(float).to_numpy(), right.astype(float).to_numpy()
                assert np.allclose(*both, rtol=1e-7, atol=1e-9, equal_nan=True), column
            else:
                assert left.astype(str).tolist() == right.astype(str).tolist(), column

    def test_published_tables_are_spark_tables_with_duckdbs_columns_and_types(self, runs):
        catalog = runs["catalog"]
        duck = runs["duckdb"]
        names = _query(duck, "select table_name from information_schema.tables where table_schema = 'icp'")
        assert {"target_accounts", "attribute_importance", "model_card"} <= set(names["table_name"])
        for name in names["table_name"]:
            described = _query(duck, f"describe icp.{name}")
            expected = [[c, spark_type(t)] for c, t in described[["column_name", "column_type"]].values]
            assert catalog[f"icp.{name}"]["columns"] == expected, name
            spark_rows = _query(runs["spark"], f"select count(*) as n from icp.{name}")["n"].iloc[0]
            assert catalog[f"icp.{name}"]["rows"] == spark_rows, name

    def test_same_published_accounts_tiers_and_ranking(self, runs):
        """The issue's acceptance: same published customers, tiers equal for >= 99 % of accounts,
        the top 5 attributes each within one place of their DuckDB rank."""
        cols = "account_key, is_customer, tier, icp_score"
        duck = _query(runs["duckdb"], f"select {cols} from icp.target_accounts").set_index("account_key")
        spark = _query(runs["spark"], f"select {cols} from icp.target_accounts").set_index("account_key")
        assert set(spark.index) == set(duck.index) and len(duck) > 300
        customers = lambda t: set(t.index[t["is_customer"].astype(bool)])  # noqa: E731
        assert customers(spark) == customers(duck) and len(customers(duck)) > 20
        same_tier = (spark.loc[duck.index, "tier"] == duck["tier"]).mean()
        assert same_tier >= 0.99, f"tiers equal for {same_tier:.1%} of {len(duck)} accounts"

        ranks = "select attribute, rank from icp.attribute_importance"
        duck_rank = _query(runs["duckdb"], ranks).set_index("attribute")["rank"]
        spark_rank = _query(runs["spark"], ranks).set_index("attribute")["rank"]
        top5 = duck_rank.nsmallest(5).index
        assert (spark_rank.reindex(top5) - duck_rank[top5]).abs().le(1).all(), pd.DataFrame(
            {"duckdb": duck_rank[top5], "spark": spark_rank.reindex(top5)}
        )

    def test_exports_written_on_spark(self, runs):
        exports = Path(runs["spark"].exports)
        for name in ("target_accounts.parquet", "target_accounts.csv", "icp_report.html"):
            assert (exports / name).stat().st_size > 0, name
        exported = pd.read_parquet(exports / "target_accounts.parquet")
        published = _query(runs["spark"], "select count(*) as n from icp.target_accounts")["n"].iloc[0]
        assert len(exported) == published

    def test_same_reasons_for_the_same_account(self, runs):
        """Reasons are worded from marts.attribute_catalog's labels on both engines: the same
        `top_reasons` text for the same account (for >= 99 % of accounts, as the tiers: the two
        builds agree to 1e-7, not bit for bit), and a catalogue label that differs from the naming
        rule appears in them."""
        cols = "account_key, top_reasons"
        duck = _query(runs["duckdb"], f"select {cols} from icp.target_accounts").set_index("account_key")
        spark = _query(runs["spark"], f"select {cols} from icp.target_accounts").set_index("account_key")
        same = (spark.loc[duck.index, "top_reasons"] == duck["top_reasons"]).mean()
        assert same >= 0.99, f"reasons equal for {same:.1%} of {len(duck)} accounts"
        catalog = _query(runs["spark"], "select attribute, label from marts.attribute_catalog")
        from icp_pipeline.lib.model.labels import attribute_label

        own = catalog[[label != attribute_label(a)[0] for a, label in catalog.values]]
        used = [
            label for label in own["label"] if spark["top_reasons"].str.contains(label, regex=False).any()
        ]
        assert used, "no reason is worded with a catalogue label that differs from the naming rule"

    def test_scoring_per_partition_equals_in_process_scoring(self, runs):
        """`score_and_explain_on_spark` (3 partitions) gives `score_and_explain`'s numbers and reasons,
        categorical attributes and the attribute labels included."""
        from icp_pipeline.lib.engine.spark_scoring import score_and_explain_on_spark
        from icp_pipeline.lib.model.labels import Labels
        from icp_pipeline.lib.model.scoring import score_and_explain

        X, value_model, win_model, kinds, train = _small_models()
        labels = Labels({"firmo__employee_count": ("Staff on payroll", "people")})
        args = (X, value_model, win_model, kinds, train, 3, 500, labels)
        local = score_and_explain(*args)
        spark = score_and_explain_on_spark(*args, partitions=3)
        assert np.allclose(spark[0], local[0], rtol=1e-12, atol=1e-12)
        assert np.allclose(spark[1], local[1], rtol=1e-12, atol=1e-12)
        assert spark[2].tolist() == local[2].tolist()
        assert spark[2].str.lower().str.contains("industry").any()  # a categorical reason survived the trip
        assert spark[2].str.contains("Staff on payroll").any()  # worded in the labels given


def _small_models():
    """A value and a win model on 2 000 synthetic accounts with a categorical attribute."""
    import lightgbm as lgb

    from icp_pipeline.lib.model.training import ValueModel, WinModel

    rng = np.random.default_rng(3)
    n = 2000
    industry = pd.Categorical(
        rng.choice(["saas", "retail", "bank", None], n), categories=["bank", "retail", "saas"]
    )
    X = pd.DataFrame(
        {
            "firmo__industry": industry,
            "firmo__employee_count": rng.lognormal(4, 1, n),
            "tech__snowflake": rng.integers(0, 2, n).astype(float),
        }
    )
    X.loc[rng.random(n) < 0.1, "firmo__employee_count"] = np.nan
    value = 2 * (X["firmo__industry"] == "saas") + np.log1p(X["firmo__employee_count"].fillna(10)) / 3
    params = {"objective": "regression", "num_leaves": 7, "verbose": -1, "min_data_in_leaf": 20}
    value_booster = lgb.train(params, lgb.Dataset(X, value + rng.normal(0, 0.3, n)), 40)
    won = (value + rng.normal(0, 1, n) > value.median()).astype(int)
    win_booster = lgb.train(
        {**params, "objective": "binary"},
        lgb.Dataset(X[["firmo__employee_count", "tech__snowflake"]], won),
        20,
    )
    kinds = {
        "firmo__industry": "categorical",
        "firmo__employee_count": "numeric",
        "tech__snowflake": "numeric",
    }
    train = rng.random(n) < 0.3
    return (
        X,
        ValueModel(value_booster, params, 40, int(train.sum())),
        WinModel(win_booster, 0.3, "test"),
        kinds,
        train,
    )
