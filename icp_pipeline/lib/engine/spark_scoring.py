"""Scoring on Spark: a LightGBM booster broadcast to the executors, applied per partition.

Training stays on one machine (customers are ~10^5 rows); scoring a market of prospects is a cluster
job. `score_partitions` runs `booster.predict` and the SHAP contributions (`lib/model/fast_shap.
pred_contrib`, LightGBM's `pred_contrib` for the same numbers) on each pandas batch of a Spark
DataFrame with `mapInPandas`; nothing is collected to the driver.

Output per row: `account_key`, `raw_score` (the booster's output, log value for the value model),
`top_reasons` (the `n_reasons` attributes with the largest |SHAP|, `+name`/`-name` by sign, `; `
separated). The global steps (0-100 percentile score, tier cut-offs) need one pass over all scores
and are not part of this module.
"""

from __future__ import annotations

from collections.abc import Iterator

import lightgbm as lgb
import numpy as np
import pandas as pd

OUTPUT_SCHEMA = "account_key string, raw_score double, top_reasons string"


def reasons_from_contrib(contrib: np.ndarray, features: list[str], n_reasons: int = 3) -> list[str]:
    """Top `n_reasons` features by |SHAP| per row (`contrib`: n x (p + 1), last column the bias)."""
    shap = contrib[:, : len(features)]
    order = np.argsort(-np.abs(shap), axis=1, kind="stable")[:, :n_reasons]
    out = []
    for row, idx in zip(shap, order, strict=True):
        out.append("; ".join(("+" if row[j] >= 0 else "-") + features[j] for j in idx if row[j] != 0))
    return out


def score_batch(
    booster: lgb.Booster, batch: pd.DataFrame, features: list[str], n_reasons: int
) -> pd.DataFrame:
    """Score one pandas batch (columns `account_key` + `features`); used by every partition."""
    from icp_pipeline.lib.model.fast_shap import pred_contrib

    X = batch[features].astype(float)
    raw = np.asarray(booster.predict(X, num_threads=1), dtype=float)
    contrib = pred_contrib(booster, X, num_threads=1)
    return pd.DataFrame(
        {
            "account_key": batch["account_key"].astype(str).to_numpy(),
            "raw_score": raw,
            "top_reasons": reasons_from_contrib(contrib, features, n_reasons),
        }
    )


def score_partitions(spark, frame, booster: lgb.Booster, features: list[str], n_reasons: int = 3):
    """The Spark DataFrame `frame` scored per partition (schema OUTPUT_SCHEMA), lazily.

    The booster travels once per executor as a broadcast model string, not once per task.
    """
    model = spark.sparkContext.broadcast(booster.model_to_string())

    def _score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        local = lgb.Booster(model_str=model.value)
        for batch in batches:
            yield score_batch(local, batch, features, n_reasons)

    return frame.select("account_key", *features).mapInPandas(_score, schema=OUTPUT_SCHEMA)
