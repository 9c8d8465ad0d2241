"""`ModelConfig` (Dagster run config) is derived from `ModelSettings`: no field copied by hand."""

import dataclasses

import dagster as dg

from icp_pipeline.defs.model.config import ModelConfig
from icp_pipeline.lib.model.settings import ModelSettings


def test_every_scalar_setting_is_configurable_and_callables_are_not():
    settings = {f.name for f in dataclasses.fields(ModelSettings)}
    assert set(ModelConfig.model_fields) == settings - {"rules_baseline"}


def test_unset_fields_keep_the_defaults_and_the_label_falls_back_to_the_icp_config():
    settings = ModelConfig(n_bootstrap=3, near_duplicate_spearman=0.9).to_settings("label_acv")
    assert settings == dataclasses.replace(
        ModelSettings(), value_label="label_acv", n_bootstrap=3, near_duplicate_spearman=0.9
    )
    assert ModelConfig(value_label="label_revenue").to_settings("label_acv").value_label == "label_revenue"


def test_dagster_rejects_an_unknown_or_mistyped_model_option():
    from icp_pipeline.definitions import defs

    job = defs.resolve_implicit_global_asset_job_def()
    ok = dg.validate_run_config(job, {"ops": {"icp_models": {"config": {"learning_rate": 0.05}}}})
    assert ok["ops"]["icp_models"]["config"]["learning_rate"] == 0.05
    for bad in ({"learning_rat": 0.05}, {"learning_rate": "fast"}):
        try:
            dg.validate_run_config(job, {"ops": {"icp_models": {"config": bad}}})
        except dg.DagsterInvalidConfigError:
            continue
        raise AssertionError(f"{bad} was accepted")
