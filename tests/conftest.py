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
