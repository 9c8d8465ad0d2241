"""Dagster metadata of `model.model_metrics`: the metrics as a table, and the published model's
metrics as flat numeric entries the UI plots across materialisations."""

from __future__ import annotations

import math

import dagster as dg
import pandas as pd

# How a split is named in a metadata key: `holdout_spearman`, `cv_win_auc`, `fit_win_model_learnt`.
SPLIT_PREFIX = {"time_holdout": "holdout", "cv": "cv", "fit": "fit"}
PUBLISHED_MODEL = "lightgbm"
_TABLE_COLUMNS = [
    dg.TableColumn("split", "string", description="cv (grouped cross-validation), time_holdout or fit"),
    dg.TableColumn("metric", "string"),
    dg.TableColumn(
        "model", "string", description="lightgbm, plain_lightgbm, linear_baseline, rules_baseline"
    ),
    dg.TableColumn("value", "float"),
]


def _number(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def metrics_table(metrics: pd.DataFrame) -> dg.TableMetadataValue:
    """Every row of `metrics` (metric, model, split, value) as a Dagster table, sorted by split,
    metric and model; a missing or infinite value is empty."""
    rows = metrics.sort_values(["split", "metric", "model"], kind="stable")
    records = [
        dg.TableRecord(
            {"split": str(r.split), "metric": str(r.metric), "model": str(r.model), "value": _number(r.value)}
        )
        for r in rows.itertuples(index=False)
    ]
    return dg.MetadataValue.table(records, schema=dg.TableSchema(columns=_TABLE_COLUMNS))


def metrics_numeric(metrics: pd.DataFrame) -> dict[str, dg.MetadataValue]:
    """The published model's metrics as `<split>_<metric>` entries (`holdout_spearman`, `cv_win_auc`,
    ...): counts (`n_accounts`, `win_n_accounts`) as int, the others as float; a missing value and an
    unknown split are left out."""
    out: dict[str, dg.MetadataValue] = {}
    mine = metrics[metrics["model"] == PUBLISHED_MODEL]
    for r in mine.itertuples(index=False):
        prefix, value = SPLIT_PREFIX.get(str(r.split)), _number(r.value)
        if prefix is None or value is None:
            continue
        key = f"{prefix}_{r.metric}"
        is_count = str(r.metric).endswith("n_accounts") and value.is_integer()
        out[key] = dg.MetadataValue.int(int(value)) if is_count else dg.MetadataValue.float(value)
    return out
