"""Model assets: LightGBM value and win models, SHAP attribute ranking and scores for every account."""

from pathlib import Path

import dagster as dg
import pandas as pd

from icp_pipeline.defs.model.checks import card_metadata
from icp_pipeline.defs.model.config import ModelConfig
from icp_pipeline.defs.model.metadata import metrics_numeric, metrics_table
from icp_pipeline.lib.config.run import icp_config_for
from icp_pipeline.lib.engine.steps import model_scorer
from icp_pipeline.lib.icp.filters.config_check import check_config_filters
from icp_pipeline.lib.model.pipeline import ModelResult, model_status, run_models
from icp_pipeline.lib.publish.publish_io import image_markdown, write_frame
from icp_pipeline.lib.warehouse.frames import read_frame
from icp_pipeline.resources import IcpPathsResource, WarehouseResource

MODEL_SCHEMA = "model"
MARTS = [
    dg.AssetKey(["marts", "account_features"]),
    dg.AssetKey(["marts", "attribute_catalog"]),
    dg.AssetKey(["marts", "closed_opportunities"]),
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            [MODEL_SCHEMA, "account_scores"],
            deps=MARTS,
            description="Every account's predicted value, win probability, expected value, ICP score "
            "and top reasons (from its own SHAP values).",
        ),
        dg.AssetSpec(
            [MODEL_SCHEMA, "attribute_importance"],
            deps=MARTS,
            description="Attributes ranked by mean |SHAP| with direction, effect summary and bootstrap rank interval.",
        ),
        dg.AssetSpec(
            [MODEL_SCHEMA, "model_metrics"],
            deps=MARTS,
            description="Honest validation: grouped CV and time hold-out metrics beside linear and rules baselines, "
            "plus excluded attributes (leakage, high cardinality) with reasons.",
        ),
        dg.AssetSpec(
            [MODEL_SCHEMA, "model_card"],
            deps=MARTS,
            description="One row per refresh: the candidate that scored the list, its hold-out metrics with 90 % "
            "bootstrap intervals and n, the baselines', strength (strong / moderate / weak / none) and a verdict.",
        ),
    ],
    group_name="model",
    can_subset=False,
)
def icp_models(
    context: dg.AssetExecutionContext,
    config: ModelConfig,
    warehouse: WarehouseResource,
    paths: IcpPathsResource,
):
    """Train the value and win models on the feature mart and score every account."""
    settings = config.to_settings(icp_config_for(paths).value_label)
    with warehouse.connect() as con:
        # A fixed row order: DuckDB's scan order may change between builds, and LightGBM's bagging
        # and folds depend on it, so an unchanged refresh would otherwise score differently.
        features = read_frame(con, "select * from marts.account_features order by account_key")
        catalog = read_frame(con, "select * from marts.attribute_catalog order by attribute")
        closed = read_frame(con, "select * from marts.closed_opportunities order by opportunity_id")
    # A filter naming an attribute the mart lacks (a typo) fails here, before any training.
    for warning in check_config_filters(icp_config_for(paths), features.columns, paths.config_path):
        context.log.warning(warning)
    context.log.info(
        f"Training on {int(features['is_customer'].sum())} customers of {len(features)} accounts "
        f"(label {settings.value_label})"
    )
    result = run_models(features, catalog, closed, settings, scorer=model_scorer())
    for note in result.notes:
        context.log.info(note)
    model_dir = _save_model_files(result, Path(paths.export_dir).parent / "models" / context.run_id)
    metrics = result.metrics.assign(run_id=context.run_id)
    exclusions = result.exclusions.assign(run_id=context.run_id)
    holdout = holdout_predictions(result, features["account_key"])
    with warehouse.connect() as con:
        write_frame(con, f"{MODEL_SCHEMA}.holdout_predictions", holdout)
        write_frame(con, f"{MODEL_SCHEMA}.account_scores", result.scores)
        write_frame(con, f"{MODEL_SCHEMA}.attribute_importance", result.importance)
        write_frame(con, f"{MODEL_SCHEMA}.model_metrics", metrics)
        write_frame(con, f"{MODEL_SCHEMA}.attribute_exclusions", exclusions)
        # which model components were trained and why not (read by icp.data_coverage)
        write_frame(con, f"{MODEL_SCHEMA}.model_status", model_status(result))
        write_frame(con, f"{MODEL_SCHEMA}.model_card", result.card.assign(run_id=context.run_id))
    plots = {name: image_markdown(png) for name, png in result.plots.items()}
    yield dg.MaterializeResult(
        asset_key=[MODEL_SCHEMA, "account_scores"],
        metadata={
            "dagster/row_count": len(result.scores),
            "model_dir": dg.MetadataValue.path(str(model_dir)),
            "score_distribution": dg.MetadataValue.md(
                result.scores["icp_score"].describe().round(2).to_frame().to_markdown()
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=[MODEL_SCHEMA, "attribute_importance"],
        metadata={
            "dagster/row_count": len(result.importance),
            "top_attributes": dg.MetadataValue.md(_top_importance_markdown(result.importance)),
            **{f"plot_{k}": dg.MetadataValue.md(v) for k, v in plots.items() if "importance" in k},
        },
    )
    yield dg.MaterializeResult(
        asset_key=[MODEL_SCHEMA, "model_metrics"],
        metadata={
            "metrics": metrics_table(result.metrics),
            **metrics_numeric(result.metrics),
            "excluded_attributes": dg.MetadataValue.md(
                result.exclusions.to_markdown(index=False) if len(result.exclusions) else "none"
            ),
            **{f"plot_{k}": dg.MetadataValue.md(v) for k, v in plots.items() if "importance" not in k},
        },
    )
    yield dg.MaterializeResult(asset_key=[MODEL_SCHEMA, "model_card"], metadata=card_metadata(result.card))


def holdout_predictions(result: ModelResult, account_keys: pd.Series) -> pd.DataFrame:
    """Out-of-fold predictions of both models: account_key, target (value|win), predicted, actual."""
    frames = []
    validation = result.validation
    if validation is not None and "lightgbm" in validation.value_oof:
        oof = validation.value_oof
        frames.append(
            pd.DataFrame({"target": "value", "predicted": oof["lightgbm"], "actual": oof["actual"]})
        )
    if validation is not None and "lightgbm" in validation.win_oof:
        oof = validation.win_oof
        frames.append(pd.DataFrame({"target": "win", "predicted": oof["lightgbm"], "actual": oof["won"]}))
    if not frames:
        return pd.DataFrame({"account_key": [], "target": [], "predicted": [], "actual": []})
    out = pd.concat(frames)
    out.insert(0, "account_key", account_keys.reindex(out.index).to_numpy())
    return out.reset_index(drop=True).astype({"predicted": float, "actual": float})


def _save_model_files(result: ModelResult, folder: Path) -> Path:
    """Keep each refresh's model files, metrics and plots for audit and reproduction."""
    folder.mkdir(parents=True, exist_ok=True)
    if result.value_booster is not None:
        result.value_booster.save_model(str(folder / "value_model.txt"))
    if result.win_booster is not None:
        result.win_booster.save_model(str(folder / "win_model.txt"))
    result.metrics.to_csv(folder / "model_metrics.csv", index=False)
    for name, png in result.plots.items():
        (folder / f"{name}.png").write_bytes(png)
    return folder


def _top_importance_markdown(importance: pd.DataFrame, n: int = 12) -> str:
    cols = [
        c for c in ("rank", "attribute", "family", "direction", "importance", "summary") if c in importance
    ]
    return importance.sort_values("rank").head(n)[cols].to_markdown(index=False)


model_assets = [icp_models]
