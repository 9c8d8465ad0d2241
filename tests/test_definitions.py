"""The code location loads, and every asset explains itself in the UI."""

from __future__ import annotations

import dagster as dg

from icp_pipeline.definitions import defs
from icp_pipeline.lib.landing.contract import TABLES


def all_specs() -> list[dg.AssetSpec]:
    return list(defs.resolve_all_asset_specs())


def test_definitions_load_with_every_stage_present():
    groups = {spec.group_name for spec in all_specs()}
    assert {"extract", "transform", "model", "publish"} <= groups


def test_every_asset_has_a_description_a_group_and_an_owner():
    missing = [
        spec.key.to_user_string()
        for spec in all_specs()
        if not spec.description or not spec.group_name or spec.group_name == "default"
    ]
    assert missing == []


def test_each_landing_table_is_an_extract_asset_feeding_its_dbt_source():
    keys = {spec.key for spec in all_specs()}
    for table in TABLES:
        assert dg.AssetKey([table.source, table.name]) in keys
    graph = defs.resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_crm__accounts"])
    assert dg.AssetKey(["crm", "accounts"]) in graph.get(staging).parent_keys


def test_lineage_runs_from_extract_through_dbt_and_model_to_publish():
    graph = defs.resolve_asset_graph()
    target = dg.AssetKey(["icp", "target_accounts"])
    ancestors: set[dg.AssetKey] = set()
    frontier = [target]
    while frontier:
        key = frontier.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in ancestors:
                ancestors.add(parent)
                frontier.append(parent)
    expected = {
        dg.AssetKey(["crm", "accounts"]),
        dg.AssetKey(["marts", "account_features"]),
        dg.AssetKey(["model", "account_scores"]),
    }
    assert expected <= ancestors
