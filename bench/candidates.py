"""Benchmark of the model candidates on fresh demo data (not a timed test).

Usage: python bench/candidates.py [--sizes 20000 100000] [--seed 2026] [--root DIR]

Per size (accounts the pipeline scores; a third of them CRM accounts, as `bench/data.py`): generate
demo data, run the whole pipeline (`icp run`), then print
- the time hold-out Spearman and top-decile lift of every candidate (`model.model_metrics`), and the
  model card's choice and strength;
- against the planted truth, for prospects: the Spearman of predicted value with the true annual gross
  margin and the top-decile lift of true value, for the published list and for the plain approach (one
  default LightGBM fitted on every observable attribute of the same mart, as a one-page script would).

The true value of prospects is recomputed from the generator's seed (the demo's company universe);
the pipeline never sees it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from data import ensure_data  # noqa: E402

from icp_pipeline.demo.companies import build_companies  # noqa: E402
from icp_pipeline.demo.lifecycle import simulate_lifecycle  # noqa: E402
from icp_pipeline.lib.model.candidates import plain_model  # noqa: E402
from icp_pipeline.lib.model.features import build_design_matrix  # noqa: E402
from icp_pipeline.lib.model.leakage import detect_leakage  # noqa: E402
from icp_pipeline.lib.model.metrics import spearman, top_share  # noqa: E402
from icp_pipeline.lib.model.settings import ModelSettings  # noqa: E402
from icp_pipeline.lib.model.training import value_target  # noqa: E402

CANDIDATES = ["lightgbm", "plain_lightgbm", "linear_baseline", "rules_baseline"]


def run_pipeline(landing: Path, work: Path) -> float:
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "ICP_LANDING_DIR": str(landing),
        "ICP_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "ICP_EXPORT_DIR": str(work / "exports"),
        "DAGSTER_HOME": str(work / "dagster_home"),
    }
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    subprocess.run([str(ROOT / ".venv" / "bin" / "icp"), "run"], env=env, check=True, capture_output=True)
    return time.time() - t0


def true_prospect_values(manifest: dict) -> pd.DataFrame:
    companies = simulate_lifecycle(
        manifest["seed"], build_companies(manifest["seed"], manifest["n_accounts"], manifest["n_prospects"])
    )
    prospects = companies[~companies["is_customer"]]
    return pd.DataFrame({"account_key": prospects["domain"], "true_value": prospects["annual_gross_margin"]})


def plain_prospect_predictions(con: duckdb.DuckDBPyConnection, label: str) -> pd.DataFrame:
    """The plain approach on the same mart: default LightGBM on every observable attribute."""
    features = con.execute("select * from marts.account_features order by account_key").df()
    catalog = con.execute("select * from marts.attribute_catalog").df()
    settings = ModelSettings(value_label=label)
    dm = build_design_matrix(features, catalog, settings)
    customer = features["is_customer"].astype("boolean").fillna(False).astype(bool)
    dm = dm.drop(detect_leakage(dm.X, customer, settings))
    value = pd.to_numeric(features[label], errors="coerce").where(customer)
    train = value.notna()
    model = plain_model(dm.X.loc[train], value_target(value[train]), settings)
    return pd.DataFrame({"account_key": features["account_key"], "plain_predicted": model.predict(dm.X)})


def measure(size: int, seed: int, root: Path) -> dict:
    manifest = ensure_data(root / "data", size, 1 / 3, seed)
    work = root / f"run_{size}_seed{seed}"
    seconds = run_pipeline(Path(manifest["landing"]), work)
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    metrics = con.execute("select metric, model, split, value from model.model_metrics").df()
    card = con.execute("select * from model.model_card").df().iloc[0]
    scores = con.execute(
        "select s.account_key, s.predicted_ltv, s.expected_value from model.account_scores s"
    ).df()
    plain = plain_prospect_predictions(con, str(card["value_label"]))
    con.close()
    truth = true_prospect_values(manifest)
    joined = truth.merge(scores, on="account_key").merge(plain, on="account_key")
    holdout = metrics[metrics["split"] == "time_holdout"].pivot(
        index="model", columns="metric", values="value"
    )
    out = {
        "size": size,
        "pipeline_seconds": round(seconds, 1),
        "holdout_n": int(card["holdout_n"]),
        "value_model": card["value_model"],
        "strength": card["strength"],
        "prospects_with_truth": len(joined),
        "holdout": {
            m: {k: float(holdout.at[m, k]) for k in ("spearman", "top_decile_lift")}
            for m in CANDIDATES
            if m in holdout.index
        },
    }
    actual = joined["true_value"].to_numpy()
    for name, col in (("published", "predicted_ltv"), ("plain", "plain_predicted")):
        pred = joined[col].to_numpy()
        out[f"prospects_{name}_spearman"] = spearman(actual, pred)
        out[f"prospects_{name}_top_decile_lift"] = top_share(actual, pred, 0.1)[0]
    return out


def table(results: list[dict]) -> str:
    head = (
        "| accounts | hold-out n | candidate | hold-out Spearman | hold-out top-decile lift |\n"
        "|---:|---:|---|---:|---:|\n"
    )
    rows = []
    for r in results:
        for m, v in r["holdout"].items():
            mark = " (published)" if m.replace("_baseline", "") == r["value_model"] else ""
            rows.append(
                f"| {r['size']:,} | {r['holdout_n']:,} | {m}{mark} | {v['spearman']:.3f} | {v['top_decile_lift']:.2f} |"
            )
    truth = (
        "\n\n| accounts | prospects | published model | strength | Spearman vs truth: published / plain "
        "| top-decile lift vs truth: published / plain | pipeline s |\n|---:|---:|---|---|---:|---:|---:|\n"
    )
    truth += "\n".join(
        f"| {r['size']:,} | {r['prospects_with_truth']:,} | {r['value_model']} | {r['strength']} | "
        f"{r['prospects_published_spearman']:.3f} / {r['prospects_plain_spearman']:.3f} | "
        f"{r['prospects_published_top_decile_lift']:.2f} / {r['prospects_plain_top_decile_lift']:.2f} | "
        f"{r['pipeline_seconds']:.0f} |"
        for r in results
    )
    return head + "\n".join(rows) + truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--root", type=Path, default=ROOT / "data" / "bench_candidates")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        results.append(measure(size, args.seed, args.root))
        print(json.dumps(results[-1], default=float), flush=True)
    print(table(results))
    np.seterr(all="ignore")


if __name__ == "__main__":
    main()
