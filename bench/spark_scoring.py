"""Benchmark (not a test): score synthetic prospects on local Spark with 1, 2 and 4 partitions.

    .venv/bin/python bench/spark_scoring.py --rows 1000000 2000000 4000000 --partitions 1 2 4

A LightGBM value model (200 trees, 31 leaves) is trained on 20 000 synthetic customers on the driver;
the prospects (30 numeric attributes, 10 % missing) are generated in Spark and scored per partition by
`icp_pipeline.lib.engine.spark_scoring.score_partitions` (prediction + SHAP + top-3 reasons). Each run
forces the full computation with Spark's `noop` writer and prints rows per second. Needs Java and the
[spark] extra (`make spark`). Spark master from ICP_SPARK_MASTER (default local[2]).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

N_FEATURES = 30


def train_booster(seed: int = 0) -> tuple[lgb.Booster, list[str]]:
    rng = np.random.default_rng(seed)
    features = [f"x{i:02d}" for i in range(N_FEATURES)]
    X = pd.DataFrame(rng.normal(size=(20_000, N_FEATURES)), columns=features)
    y = 2 * X["x00"] - X["x01"] * X["x02"] + np.sin(X["x03"]) + rng.normal(scale=0.5, size=len(X))
    params = {"objective": "regression", "num_leaves": 31, "verbose": -1, "seed": seed}
    return lgb.train(params, lgb.Dataset(X, y), num_boost_round=200), features


def prospects(spark, rows: int, features: list[str]):
    from pyspark.sql import functions as F

    frame = spark.range(rows).withColumn("account_key", F.concat(F.lit("p"), F.col("id").cast("string")))
    for i, name in enumerate(features):
        value = F.randn(seed=i)
        frame = frame.withColumn(name, F.when(F.rand(seed=100 + i) < 0.1, F.lit(None)).otherwise(value))
    return frame.drop("id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 2_000_000, 4_000_000])
    parser.add_argument("--partitions", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()

    from icp_pipeline.lib.engine.spark_scoring import score_partitions
    from icp_pipeline.lib.engine.spark_session import get_spark

    spark = get_spark(Path(tempfile.mkdtemp(prefix="icp_spark_bench_")))
    booster, features = train_booster()
    print(f"Spark {spark.version}, master {spark.sparkContext.master}; booster {booster.num_trees()} trees")
    print("| prospects | partitions | seconds | rows per second |")
    print("|---:|---:|---:|---:|")
    for rows in args.rows:
        for parts in args.partitions:
            frame = prospects(spark, rows, features).repartition(parts)
            started = time.perf_counter()
            score_partitions(spark, frame, booster, features).write.format("noop").mode("overwrite").save()
            seconds = time.perf_counter() - started
            print(f"| {rows:,} | {parts} | {seconds:.1f} | {rows / seconds:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
