"""Scoring on Spark: the model library's own scoring applied per partition (ICP_ENGINE=spark).

Training stays on one machine (customers are ~10^5 rows). Scoring, SHAP contributions and reason
codes run per partition with `mapInPandas`: every partition calls
`icp_pipeline.lib.model.scoring.score_and_explain` (the function DuckDB runs use) on its pandas
batches, with the value and win models broadcast once. Only the three per-row results come back
(`value_log`, `win_probability`, `top_reasons`); the global steps (0-100 ICP score, tiers) need one
pass over all scores and run on the driver, as on DuckDB.

Categorical attributes travel as their category codes and are rebuilt with the design matrix's
categories in each partition, so LightGBM sees exactly the levels it was trained on.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

OUTPUT_SCHEMA = "_row long, value_log double, win_probability double, top_reasons string"


def _to_transport(X: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.CategoricalDtype]]:
    """X with categoricals as int32 codes (-1 = missing) and bools as floats, plus the dtypes to rebuild."""
    categories = {c: X[c].dtype for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)}
    out = {}
    for column in X.columns:
        if column in categories:
            out[column] = X[column].cat.codes.astype("int32").to_numpy()
        else:
            out[column] = pd.to_numeric(X[column], errors="coerce").astype(float).to_numpy()
    return pd.DataFrame(out, index=X.index), categories


def _from_transport(batch: pd.DataFrame, columns: list[str], categories: dict) -> pd.DataFrame:
    """The design-matrix rows of one batch, categoricals rebuilt from their codes."""
    data = {}
    for column in columns:
        if column in categories:
            data[column] = pd.Categorical.from_codes(batch[column].to_numpy(), dtype=categories[column])
        else:
            data[column] = batch[column].astype(float).to_numpy()
    return pd.DataFrame(data, index=batch["_row"].to_numpy())


def _blocks(batches: Iterator[pd.DataFrame], block_rows: int) -> Iterator[pd.DataFrame]:
    """The batches regrouped into frames of at least `block_rows` rows (the last one smaller)."""
    pending, size = [], 0
    for batch in batches:
        pending.append(batch)
        size += len(batch)
        if size >= max(block_rows, 1):
            yield pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]
            pending, size = [], 0
    if pending:
        yield pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]


def rows_frame(spark, X: pd.DataFrame, partitions: int | None = None):
    """(Spark DataFrame of `_row` + X's columns in transport form, categories to rebuild them)."""
    transport, categories = _to_transport(X)
    transport.insert(0, "_row", np.arange(len(X), dtype="int64"))
    frame = spark.createDataFrame(transport)
    if partitions:
        frame = frame.repartition(partitions)
    return frame, categories


def score_frame(
    spark,
    frame,
    columns,
    categories,
    value_model,
    win_model,
    kinds,
    reference,
    n_reasons,
    block_rows,
    labels=None,
):
    """`frame` (`_row` + transport columns) scored per partition, lazily (schema OUTPUT_SCHEMA).

    The models, attribute kinds, the reference rows (training customers: the quantiles behind
    'high'/'low' in reasons) and the attribute labels the reasons are worded in
    (`lib.model.labels.Labels`, from marts.attribute_catalog) travel once as a broadcast.

    A task scores on `spark.task.cpus` threads (Spark's default 1): the win model's SHAP goes on a
    second thread only when the task holds two cores, so partitions, not threads, are what spread
    the work over an executor's cores."""
    task_cpus = int(spark.sparkContext.getConf().get("spark.task.cpus", "1"))
    payload = spark.sparkContext.broadcast(
        (value_model, win_model, kinds, reference, n_reasons, block_rows, list(columns), categories, labels)
    )

    def _score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from icp_pipeline.lib.model.scoring import score_and_explain

        vm, wm, kinds_, ref, n, rows, cols, cats, labels_ = payload.value
        # Arrow hands over batches of spark.sql.execution.arrow.maxRecordsPerBatch rows (10 000);
        # they are scored in blocks of `block_rows`, as in-process: fast SHAP's cost per call
        # (model dump, self-check) and its per-pattern work shrink per row as blocks grow.
        for block in _blocks(batches, rows):
            X = _from_transport(block, cols, cats)
            value_log, win_probability, reasons, _ = score_and_explain(
                X,
                vm,
                wm,
                kinds_,
                np.zeros(len(X), dtype=bool),
                n,
                rows,
                labels_,
                reference=ref,
                threads=task_cpus,
            )
            yield pd.DataFrame(
                {
                    "_row": X.index.to_numpy(dtype="int64"),
                    "value_log": value_log,
                    "win_probability": win_probability,
                    "top_reasons": reasons.astype(str).to_numpy(),
                }
            )

    return frame.mapInPandas(_score, schema=OUTPUT_SCHEMA)


def score_and_explain_on_spark(
    X: pd.DataFrame,
    value_model,
    win_model,
    kinds: dict[str, str],
    train: np.ndarray,
    n_reasons: int,
    block_rows: int,
    labels=None,
    *,
    partitions: int | None = None,
):
    """`lib.model.scoring.score_and_explain`'s contract, every row scored in a Spark partition.

    Same arguments in the same order (`labels`: the `Labels` reasons are worded in, as on DuckDB);
    `partitions`: repartition the rows first (default: Spark's own split).

    Returns (log value, win probability, top reasons indexed like X, None): the training customers'
    SHAP matrix is left to the caller (`run_models` computes it on the driver when None)."""
    from icp_pipeline.lib.engine.spark_session import scoring_session

    spark = scoring_session()
    frame, categories = rows_frame(spark, X, partitions)
    reference = X.loc[np.asarray(train, dtype=bool)]
    scored = score_frame(
        spark,
        frame,
        X.columns,
        categories,
        value_model,
        win_model,
        kinds,
        reference,
        n_reasons,
        block_rows,
        labels,
    ).toPandas()
    scored = scored.sort_values("_row").reset_index(drop=True)
    if len(scored) != len(X) or not np.array_equal(scored["_row"].to_numpy(), np.arange(len(X))):
        raise RuntimeError(f"Spark scoring returned {len(scored)} rows for {len(X)} accounts")
    reasons = pd.Series(scored["top_reasons"].to_numpy(dtype=object), index=X.index)
    return scored["value_log"].to_numpy(), scored["win_probability"].to_numpy(), reasons, None
