"""Benchmark (not a test): score synthetic prospects on local Spark with 1, 2 and 4 partitions.

    .venv/bin/python bench/spark_scoring.py --rows 1000000 2000000 4000000 --partitions 1 2 4

A LightGBM value model (200 trees, 31 leaves) and a win model (100 trees) are trained on 20 000
synthetic customers on the driver; the prospects (30 numeric attributes, 10 % missing) are
generated in Spark and scored per partition by the pipeline's own Spark scorer
(`icp_pipeline.lib.engine.spark_scoring.score_frame`: `score_and_explain` per batch, i.e. value and
win predictions from SHAP contributions, and worded top-3 reasons). Each run forces the full
computation with Spark's `noop` writer and prints rows per second. Needs Java and the [spark]
extra (`make spark`). Spark master from ICP_SPARK_MASTER (default local[2]).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import lightgbm as lgb
import numpy as np
import pandas as pd

N_FEATURES = 30


def train_models(seed: int = 0):
    """(ValueModel, WinModel, attribute names, training customers) on synthetic data."""
    from icp_pipeline.lib.model.training import ValueModel, WinModel

    rng = np.random.default_rng(seed)
    features = [f"x{i:02d}" for i in range(N_FEATURES)]
    X = pd.DataFrame(rng.normal(size=(20_000, N_FEATURES)), columns=features)
    y = 2 * X["x00"] - X["x01"] * X["x02"] + np.sin(X["x03"]) + rng.normal(scale=0.5, size=len(X))
    params = {"objective": "regression", "num_leaves": 31, "verbose": -1, "seed": seed}
    value = lgb.train(params, lgb.Dataset(X, y), num_boost_round=200)
    won = (y + rng.normal(size=len(X)) > 0).astype(int)
    win = lgb.train({**params, "objective": "binary"}, lgb.Dataset(X, won), num_boost_round=100)
    return ValueModel(value, params, 200, len(X)), WinModel(win, 0.5, "bench"), features, X


def prospects(spark, rows: int, features: list[str]):
    """`_row` + the attributes (standard normal, 10 % missing), generated in Spark."""
    from pyspark.sql import functions as F

    frame = spark.range(rows).withColumnRenamed("id", "_row")
    for i, name in enumerate(features):
        value = F.randn(seed=i)
        frame = frame.withColumn(name, F.when(F.rand(seed=100 + i) < 0.1, F.lit(None)).otherwise(value))
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 2_000_000, 4_000_000])
    parser.add_argument("--partitions", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()

    from icp_pipeline.lib.engine.spark_scoring import score_frame
    from icp_pipeline.lib.engine.spark_session import scoring_session

    spark = scoring_session()
    value_model, win_model, features, customers = train_models()
    kinds = dict.fromkeys(features, "numeric")
    print(
        f"Spark {spark.version}, master {spark.sparkContext.master}, {os.cpu_count()} cores, "
        f"{platform.platform()}; value model {value_model.booster.num_trees()} trees, "
        f"win model {win_model.booster.num_trees()} trees, {len(features)} attributes"
    )
    print("| prospects | partitions | seconds | rows per second |")
    print("|---:|---:|---:|---:|")
    for rows in args.rows:
        for parts in args.partitions:
            frame = prospects(spark, rows, features).repartition(parts)
            scored = score_frame(
                spark, frame, features, {}, value_model, win_model, kinds, customers, 3, 50_000
            )
            started = time.perf_counter()
            scored.write.format("noop").mode("overwrite").save()
            seconds = time.perf_counter() - started
            print(f"| {rows:,} | {parts} | {seconds:.1f} | {rows / seconds:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
