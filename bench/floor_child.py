"""The engines' floor: the same data through DuckDB and LightGBM alone, no Dagster, dbt, checks or
validation. Writes a JSON report with one (start, end) interval per stage.

Usage: python bench/floor_child.py LANDING DBT_TARGET WORKDIR REPORT.json

- extract: one `create table raw.<table> as select ... from read_csv(...)` per landing table, the
  contract columns typed by DuckDB's reader (no text pass, no validation queries);
- dbt: the seeds, then every model's SQL as dbt compiled it in the pipeline's run of the same data
  (`DBT_TARGET/manifest.json`), executed in dependency order as `create view|table ... as <sql>`;
  dbt's tests are timed apart (`dbt_tests`) and are not part of the floor;
- model: the feature mart into pandas, LightGBM value and win models fitted once each with the
  pipeline's parameters and rounds chosen by early stopping on a 20 % validation split, and both
  predicted for every account;
- publish: scores into DuckDB, expected value, 0-100 score and tiers in SQL, `icp.target_accounts`
  and its Parquet and CSV exports.
"""

from __future__ import annotations

import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

T_PROCESS = time.time()
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402
from measure import rusage_report  # noqa: E402

STAGES: dict[str, list[float]] = {}


class stage:  # noqa: N801 - used as a context manager
    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.t0 = time.time()

    def __exit__(self, *exc):
        STAGES[self.name] = [self.t0, time.time()]


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def extract(con: duckdb.DuckDBPyConnection, landing: Path) -> dict[str, int]:
    from icp_pipeline.lib.landing.connectors.tables import CONNECTOR_TABLES
    from icp_pipeline.lib.landing.contract import TABLES
    from icp_pipeline.lib.landing.files import find_table_files

    con.execute("create schema if not exists raw")
    rows = {}
    for table in TABLES + CONNECTOR_TABLES:  # connector tables are empty unless a dialect is landed
        found = find_table_files(landing, table)
        name = f"raw.{table.raw_table}"
        if not found.present:
            cols = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in table.columns)
            con.execute(f"create table {name} ({cols}, _source_file varchar)")
            continue
        files = "[" + ", ".join(sql_str(str(p)) for p in found.files) + "]"
        if found.file_format == "csv":
            types = (
                "{" + ", ".join(f"{sql_str(c.name)}: {sql_str(c.duckdb_type)}" for c in table.columns) + "}"
            )
            reader = f"read_csv({files}, header=true, union_by_name=true, filename=true, types={types})"
        else:
            reader = f"read_parquet({files}, union_by_name=true, filename=true)"
        con.execute(
            f"create table {name} as select * exclude (filename), filename as _source_file from {reader}"
        )
        rows[table.full_name] = con.execute(f"select count(*) from {name}").fetchone()[0]
    return rows


def _compiled(node: dict, target: Path) -> str:
    if node.get("compiled_code"):
        return node["compiled_code"]
    return (target / "compiled" / node["package_name"] / node["original_file_path"]).read_text()


def dbt_sql(con: duckdb.DuckDBPyConnection, target: Path, project_dir: Path) -> tuple[int, list[str]]:
    """Seeds and models; returns (models run, test SQL in dependency order for `dbt_tests`)."""
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = manifest["nodes"]
    wanted = {k: n for k, n in nodes.items() if n["resource_type"] in ("seed", "model")}
    graph = {
        k: [d for d in n.get("depends_on", {}).get("nodes", []) if d in wanted] for k, n in wanted.items()
    }
    schemas = {n["schema"] for n in wanted.values()}
    for schema in sorted(schemas):
        con.execute(f'create schema if not exists "{schema}"')
    ran = 0
    for key in TopologicalSorter(graph).static_order():
        node = wanted[key]
        relation = node["relation_name"]
        if node["resource_type"] == "seed":
            types = node["config"].get("column_types") or {}
            spec = "{" + ", ".join(f"{sql_str(c)}: {sql_str(t)}" for c, t in types.items()) + "}"
            path = project_dir / node["original_file_path"]
            con.execute(
                f"create or replace table {relation} as select * from read_csv({sql_str(str(path))}, header=true, types={spec})"
            )
            continue
        kind = node["config"].get("materialized", "view")
        if kind == "ephemeral":
            continue
        sql = _compiled(node, target)
        con.execute(f"create or replace {'table' if kind == 'table' else 'view'} {relation} as {sql}")
        ran += 1
    tests = [
        _compiled(n, target)
        for n in nodes.values()
        if n["resource_type"] == "test" and n.get("compiled_code")
    ]
    return ran, tests


def model(con: duckdb.DuckDBPyConnection, value_label: str):
    import lightgbm as lgb
    import numpy as np
    import pandas as pd

    from icp_pipeline.lib.model.settings import ModelSettings
    from icp_pipeline.lib.model.training import lgb_params

    catalog = con.execute(
        "select attribute, data_type from marts.attribute_catalog where observable_for_prospects"
    ).df()
    features = con.execute("select * from marts.account_features").df()
    X = pd.DataFrame(index=features.index)
    for attr, kind in catalog.itertuples(index=False):
        if attr not in features:
            continue
        col = features[attr]
        X[attr] = (
            col.astype("category")
            if kind == "categorical"
            else pd.to_numeric(col, errors="coerce").astype(float)
        )
    settings = ModelSettings()
    value = pd.to_numeric(features[value_label], errors="coerce").where(features["is_customer"].astype(bool))
    fit = value.notna().to_numpy()
    y = np.log1p(np.maximum(value[fit].to_numpy(float), 0))
    params = lgb_params(settings, int(fit.sum()), "regression")
    value_booster = _fit_early_stopped(lgb, params, X[fit], y, settings)
    closed = features["label_has_closed_opportunity"].astype("boolean").fillna(False).to_numpy(bool)
    won = features["label_has_won_opportunity"].astype("boolean").fillna(False).to_numpy(bool)
    wparams = lgb_params(settings, int(closed.sum()), "binary")
    win_booster = _fit_early_stopped(lgb, wparams, X[closed], won[closed].astype(float), settings)
    rounds = {"value": value_booster.current_iteration(), "win": win_booster.current_iteration()}
    predicted = np.maximum(np.expm1(value_booster.predict(X)), 0)
    p_win = win_booster.predict(X)
    scores = pd.DataFrame(
        {"account_key": features["account_key"], "predicted_ltv": predicted, "win_probability": p_win}
    )
    return scores, {
        "value_rows": int(fit.sum()),
        "win_rows": int(closed.sum()),
        "rounds": rounds,
        "accounts": len(X),
    }


def _fit_early_stopped(lgb, params, X, y, settings):
    """One LightGBM fit with the pipeline's parameters, its rounds chosen by early stopping on a
    fixed 20 % of the rows (the least an engine-only run needs to pick them)."""
    import numpy as np

    valid = np.random.default_rng(settings.seed).random(len(y)) < 0.2
    train_set = lgb.Dataset(X[~valid], label=y[~valid])
    return lgb.train(
        params,
        train_set,
        num_boost_round=settings.num_boost_round,
        valid_sets=[lgb.Dataset(X[valid], label=y[valid], reference=train_set)],
        callbacks=[lgb.early_stopping(settings.early_stopping_rounds, verbose=False)],
    )


def publish(con: duckdb.DuckDBPyConnection, scores, export_dir: Path) -> int:
    con.register("_scores", scores)
    con.execute("create schema if not exists model")
    con.execute("create or replace table model.account_scores as select * from _scores")
    con.unregister("_scores")
    con.execute("create schema if not exists icp")
    con.execute(
        """
        create or replace table icp.target_accounts as
        with s as (
            select f.account_key, f.crm_account_id, f.account_name, f.domain, f.industry, f.country,
                   f.employee_count, f.is_customer, s.predicted_ltv, s.win_probability,
                   s.win_probability * s.predicted_ltv as expected_value
            from model.account_scores s join marts.account_features f using (account_key)
        ), ranked as (
            select *, round(100 * percent_rank() over (order by expected_value), 1) as icp_score,
                   case when not is_customer then row_number() over (
                       partition by is_customer order by expected_value desc, account_key) end as prospect_rank
            from s
        ), prospects as (
            select count(*) as n from s where not is_customer
        )
        select ranked.* exclude (prospect_rank),
               case when prospect_rank <= 0.1 * prospects.n then 'Tier 1'
                    when prospect_rank <= 0.3 * prospects.n then 'Tier 2' else 'Tier 3' end as tier
        from ranked cross join prospects order by icp_score desc, account_key
        """
    )
    export_dir.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"copy icp.target_accounts to {sql_str(str(export_dir / 'target_accounts.parquet'))} (format parquet)"
    )
    con.execute(
        f"copy icp.target_accounts to {sql_str(str(export_dir / 'target_accounts.csv'))} (format csv, header true)"
    )
    return con.execute("select count(*) from icp.target_accounts").fetchone()[0]


def main(landing: Path, target: Path, workdir: Path, report_path: Path) -> int:
    from icp_pipeline.lib.icp_config import load_icp_config
    from icp_pipeline.lib.settings import DBT_PROJECT_DIR

    value_label = load_icp_config(None).value_label
    warehouse = (
        workdir / "warehouse" / "icp_warehouse.duckdb"
    )  # same file name: same catalog name as dbt's SQL
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    warehouse.unlink(missing_ok=True)
    t_imported = time.time()
    con = duckdb.connect(str(warehouse))
    info: dict = {}
    with stage("extract"):
        info["raw_rows"] = extract(con, landing)
    with stage("dbt"):
        info["models"], tests = dbt_sql(con, target, DBT_PROJECT_DIR)
    with stage("model"):
        scores, info["model"] = model(con, value_label)
    with stage("publish"):
        info["target_accounts"] = publish(con, scores, workdir / "exports")
    with stage("dbt_tests"):  # measured apart, not part of the floor
        for sql in tests:
            con.execute(f"select count(*) from ({sql}) as t").fetchall()
        info["tests"] = len(tests)
    con.close()
    report = {
        "t_process": T_PROCESS,
        "t_imported": t_imported,
        "stages": STAGES,
        "info": info,
        "rusage": rusage_report(),
    }
    report_path.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])))
