"""Shared fixtures: telemetry off, paths of the optional shared datasets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")

SHARED_DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"


@pytest.fixture
def shared_datasets() -> Path:
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"{SHARED_DATASETS} is absent (only CI and developers have ../shared)")
    return SHARED_DATASETS


@pytest.fixture(scope="session")
def demo_800_run(tmp_path_factory):
    """The issue-13 demo (`icp demo-data --accounts 800 --prospects 2000 --seed 3`: 2,000 instead of
    20,000 enrichment-only prospects) through the whole pipeline with the shipped icp.yaml, run once
    per test session (every xdist worker) and shared read-only by test_identity_exports,
    test_landing_quirks_pipeline and test_weak_model_outputs (a test that changes it uses copy_run).
    Its landing folder is `run.warehouse.parent / "landing"`."""
    from icp_pipeline.demo.generator import generate_demo_data
    from icp_pipeline.lib.config.settings import DEFAULT_CONFIG
    from tests.pipeline_harness import run_pipeline, shared_run

    def build(root: Path):
        generate_demo_data(root / "landing", n_accounts=800, n_prospects=2000, seed=3)
        return run_pipeline(root, root / "landing", config_path=DEFAULT_CONFIG)

    return shared_run(tmp_path_factory, "demo_800", build)
