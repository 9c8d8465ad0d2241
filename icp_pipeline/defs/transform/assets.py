"""dbt models (staging → intermediate → marts) as Dagster assets, with dbt tests as asset checks."""

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from icp_pipeline.defs.transform.dbt_cli import IcpDbtCliResource
from icp_pipeline.defs.transform.project import dbt_project
from icp_pipeline.lib.config.run import icp_config_for
from icp_pipeline.lib.engine.steps import after_dbt, dbt_target_args
from icp_pipeline.lib.warehouse.dbt_build import refresh_build_args
from icp_pipeline.resources import IcpPathsResource, WarehouseResource


class IcpDbtTranslator(DagsterDbtTranslator):
    """Models go to group `transform`; sources keep the `<source>/<table>` keys of the extract assets."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("source."):
            return spec
        fqn = self.get_resource_props(manifest, unique_id).get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else unique_id.split(".")[0]
        return spec.replace_attributes(
            group_name="transform",
            owners=["team:data"],
            tags={**spec.tags, "layer": layer},
        )


translator = IcpDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_code_references=False))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator)
def icp_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    paths: IcpPathsResource,
) -> Iterator[Any]:
    """Build and test every selected dbt model against the warehouse, with the ICP config's dbt vars."""
    dbt_vars = icp_config_for(paths).dbt_vars()
    # The dbt profile reads the warehouse path from the environment of the dbt subprocess.
    os.environ["ICP_DUCKDB_PATH"] = warehouse.duckdb_path
    # ICP_ENGINE=spark: `--target spark` and the raw tables to register (lib/engine/steps.py)
    engine_args, engine_vars = dbt_target_args(warehouse.duckdb_path)
    with warehouse.lock("dbt build"):  # dbt writes the warehouse from its own process
        args = [
            "build",
            "--vars",
            json.dumps({**dbt_vars, **engine_vars}),
            *refresh_build_args(),  # dbt unit tests: CI and development only (ICP_DBT_UNIT_TESTS=1 adds them)
            *engine_args,
        ]
        yield from dbt.cli(args, context=context).stream()
    with warehouse.connect() as con:
        mirrored = after_dbt(con, warehouse.duckdb_path)
    if mirrored:
        context.log.info(f"read {len(mirrored)} tables built on Spark into {warehouse.duckdb_path}")


def dbt_resource() -> DbtCliResource:
    # without dagster-dbt's `dbt --version` subprocess and in-process adapter (defs/transform/dbt_cli.py)
    return IcpDbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir))
