"""Benchmark (not a test): score synthetic prospects on local Spark with 1, 2 and 4 partitions.

    .venv/bin/python bench/spark_scoring.py --rows 1000000 2000000 --partitions 1 2 4
    .venv/bin/python bench/spark_scoring.py --compare 20000     # Spark vs in-process, same rows

A LightGBM value model (200 trees, 31 leaves) and a win model (100 trees) are trained on 20 000
synthetic customers on the driver; the prospects are generated in Spark and scored per partition by
the pipeline's own Spark scorer (`icp_pipeline.lib.engine.spark_scoring.score_frame`:
`score_and_explain` per block of rows, i.e. value and win predictions from SHAP contributions, and
worded top-3 reasons). Each run forces the full computation with Spark's `noop` writer and prints
rows per second.

Attributes (`--attributes`, 30 columns, 10 % missing where a value can be missing):
- `mixed` (default): shaped like the feature mart's families: 12 technology flags (0/1), 6 activity
  and event counts, 4 firmographics (employee count, revenue rounded to 10 000, founding year,
  growth in whole percent), 2 categoricals (industry 12 levels, country 8) and 6 continuous scores.
- `continuous`: 30 standard-normal attributes, the worst case of the fast SHAP path
  (`lib/model/fast_shap.py`): almost every row takes its own direction pattern in every tree, so
  SHAP costs LightGBM's TreeSHAP per row (about 0.5 ms for these models).

`--compare N`: the first N prospects scored in-process with `score_and_explain` (blocks of
`--block-rows`) and on Spark with one partition, same rows, both timed.

Needs Java and the [spark] extra (`make spark`). Spark master from ICP_SPARK_MASTER (default
local[2]).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import lightgbm as lgb
import numpy as np
import pandas as pd

N_TECH, N_COUNTS, N_CONTINUOUS = 12, 6, 6
INDUSTRIES = [f"industry_{i:02d}" for i in range(12)]
COUNTRIES = ["US", "GB", "DE", "FR", "NL", "ES", "IT", "CA"]


def columns(attributes: str) -> dict[str, str]:
    """{attribute: kind} of the synthetic design matrix."""
    if attributes == "continuous":
        return {f"x{i:02d}": "numeric" for i in range(30)}
    out = {f"tech__t{i:02d}": "binary" for i in range(N_TECH)}
    out |= {f"beh__count_{i}": "numeric" for i in range(N_COUNTS)}
    out |= {
        "firmo__employee_count": "numeric",
        "firmo__annual_revenue": "numeric",
        "firmo__founded_year": "numeric",
        "firmo__growth_pct": "numeric",
        "firmo__industry": "categorical",
        "firmo__country": "categorical",
    }
    out |= {f"sit__score_{i}": "numeric" for i in range(N_CONTINUOUS)}
    return out


def categories(attributes: str) -> dict[str, pd.CategoricalDtype]:
    if attributes == "continuous":
        return {}
    return {
        "firmo__industry": pd.CategoricalDtype(INDUSTRIES),
        "firmo__country": pd.CategoricalDtype(COUNTRIES),
    }


def customers(attributes: str, n: int, seed: int) -> pd.DataFrame:
    """n synthetic rows in pandas, the same distributions as `prospects`."""
    rng = np.random.default_rng(seed)
    kinds = columns(attributes)
    if attributes == "continuous":
        X = pd.DataFrame(rng.normal(size=(n, len(kinds))), columns=list(kinds))
        return X.mask(rng.random(X.shape) < 0.1)
    data: dict[str, object] = {}
    for i in range(N_TECH):
        data[f"tech__t{i:02d}"] = (rng.random(n) < 0.05 + 0.04 * i).astype(float)
    for i in range(N_COUNTS):
        data[f"beh__count_{i}"] = np.where(rng.random(n) < 0.3, 0.0, rng.poisson(0.5 + i, n)).astype(float)
    data["firmo__employee_count"] = np.round(rng.lognormal(4, 1.5, n))
    data["firmo__annual_revenue"] = np.round(rng.lognormal(15, 1.5, n), -4)
    data["firmo__founded_year"] = rng.integers(1950, 2025, n).astype(float)
    data["firmo__growth_pct"] = np.round(rng.normal(5, 10, n))
    for name, levels in (("firmo__industry", INDUSTRIES), ("firmo__country", COUNTRIES)):
        codes = rng.integers(0, len(levels), n)
        codes[rng.random(n) < 0.1] = -1
        data[name] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(levels))
    for i in range(N_CONTINUOUS):
        data[f"sit__score_{i}"] = rng.normal(size=n)
    X = pd.DataFrame(data)
    for name, kind in kinds.items():
        if kind == "numeric":
            X.loc[rng.random(n) < 0.1, name] = np.nan
    return X


def train_models(attributes: str = "mixed", seed: int = 0):
    """(ValueModel, WinModel, {attribute: kind}, training customers) on synthetic data."""
    from icp_pipeline.lib.model.training import ValueModel, WinModel

    rng = np.random.default_rng(seed)
    X = customers(attributes, 20_000, seed)
    numeric = X.select_dtypes("number").fillna(0)
    if attributes == "continuous":
        x = numeric.to_numpy()
        y = 2 * x[:, 0] - x[:, 1] * x[:, 2] + np.sin(x[:, 3])
    else:
        y = (
            numeric.filter(like="tech__").to_numpy() @ np.linspace(-1, 1, N_TECH)
            + np.log1p(numeric["firmo__employee_count"]) / 2
            + np.log1p(numeric["firmo__annual_revenue"]) / 4
            + numeric.filter(like="beh__").sum(axis=1) / 5
            + numeric["sit__score_0"]
            + (X["firmo__industry"].cat.codes.to_numpy() % 3) / 2
        )
    y = np.asarray(y) + rng.normal(scale=0.5, size=len(X))
    params = {"objective": "regression", "num_leaves": 31, "verbose": -1, "seed": seed}
    value = lgb.train(params, lgb.Dataset(X, y), num_boost_round=200)
    won = (y + rng.normal(size=len(X)) > np.median(y)).astype(int)
    win = lgb.train({**params, "objective": "binary"}, lgb.Dataset(X, won), num_boost_round=100)
    return ValueModel(value, params, 200, len(X)), WinModel(win, 0.5, "bench"), columns(attributes), X


def prospects(spark, rows: int, attributes: str):
    """`_row` + the attributes in the scorer's transport form (categoricals as int codes, -1 =
    missing), generated in Spark."""
    from pyspark.sql import functions as F

    frame = spark.range(rows).withColumnRenamed("id", "_row")
    missing = lambda i: F.rand(seed=100 + i) < 0.1  # noqa: E731
    for i, (name, kind) in enumerate(columns(attributes).items()):
        if attributes == "continuous" or name.startswith("sit__"):
            value = F.randn(seed=i)
        elif kind == "binary":
            value = (F.rand(seed=i) < 0.05 + 0.04 * i).cast("double")
        elif kind == "categorical":
            levels = len(INDUSTRIES if name.endswith("industry") else COUNTRIES)
            frame = frame.withColumn(
                name, F.when(missing(i), F.lit(-1)).otherwise(F.floor(F.rand(seed=i) * levels)).cast("int")
            )
            continue
        elif name.startswith("beh__"):
            value = F.when(F.rand(seed=200 + i) < 0.3, 0.0).otherwise(F.floor(F.rand(seed=i) * (2 * i + 2)))
        elif name.endswith("employee_count"):
            value = F.round(F.exp(F.randn(seed=i) * 1.5 + 4))
        elif name.endswith("annual_revenue"):
            value = F.round(F.exp(F.randn(seed=i) * 1.5 + 15), -4)
        elif name.endswith("founded_year"):
            value = F.floor(F.rand(seed=i) * 75 + 1950)
        else:  # growth in whole percent
            value = F.round(F.randn(seed=i) * 10 + 5)
        frame = frame.withColumn(name, F.when(missing(i), F.lit(None)).otherwise(value).cast("double"))
    return frame


def compare(spark, rows: int, attributes: str, models, block_rows: int) -> None:
    """The same `rows` prospects in-process (`score_and_explain`) and on Spark with 1 partition."""
    from icp_pipeline.lib.engine.spark_scoring import _from_transport, score_frame
    from icp_pipeline.lib.model.scoring import score_and_explain

    value_model, win_model, kinds, reference = models
    cats = categories(attributes)
    names = list(kinds)
    transport = prospects(spark, rows, attributes).toPandas()
    X = _from_transport(transport, names, cats)
    started = time.perf_counter()
    local = score_and_explain(
        X, value_model, win_model, kinds, np.zeros(len(X), bool), 3, block_rows, reference=reference
    )
    local_s = time.perf_counter() - started
    frame = spark.createDataFrame(transport).repartition(1).cache()
    frame.count()
    scored = score_frame(spark, frame, names, cats, value_model, win_model, kinds, reference, 3, block_rows)
    started = time.perf_counter()
    out = scored.toPandas().sort_values("_row")
    spark_s = time.perf_counter() - started
    same = np.allclose(out["value_log"].to_numpy(), local[0]) and (
        out["top_reasons"].tolist() == local[2].astype(str).tolist()
    )
    print(
        f"| {rows:,} | in-process | {local_s:.1f} | {rows / local_s:,.0f} |\n"
        f"| {rows:,} | Spark, 1 partition | {spark_s:.1f} | {rows / spark_s:,.0f} |\n"
        f"(same scores and reasons: {same}; Spark / in-process time {spark_s / local_s:.2f})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000, 2_000_000, 4_000_000])
    parser.add_argument("--partitions", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--attributes", choices=["mixed", "continuous"], default="mixed")
    parser.add_argument("--block-rows", type=int, default=50_000, help="rows per score_and_explain call")
    parser.add_argument("--compare", type=int, default=0, help="rows scored in-process and on Spark")
    args = parser.parse_args()

    from icp_pipeline.lib.engine.spark_scoring import score_frame
    from icp_pipeline.lib.engine.spark_session import scoring_session

    spark = scoring_session()
    models = train_models(args.attributes)
    value_model, win_model, kinds, reference = models
    print(
        f"Spark {spark.version}, master {spark.sparkContext.master}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}, {platform.platform()}; attributes {args.attributes}; "
        f"value model {value_model.booster.num_trees()} trees, "
        f"win model {win_model.booster.num_trees()} trees, {len(kinds)} attributes, "
        f"blocks of {args.block_rows:,} rows"
    )
    print("| prospects | partitions | seconds | rows per second |")
    print("|---:|---:|---:|---:|")
    if args.compare:
        compare(spark, args.compare, args.attributes, models, args.block_rows)
    for rows in args.rows:
        for parts in args.partitions:
            frame = prospects(spark, rows, args.attributes).repartition(parts)
            scored = score_frame(
                spark,
                frame,
                list(kinds),
                categories(args.attributes),
                value_model,
                win_model,
                kinds,
                reference,
                3,
                args.block_rows,
            )
            started = time.perf_counter()
            scored.write.format("noop").mode("overwrite").save()
            seconds = time.perf_counter() - started
            print(
                f"| {rows:,} | {parts} | {seconds:.1f} | {rows / seconds:,.0f} | "
                f"(load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )


if __name__ == "__main__":
    main()
