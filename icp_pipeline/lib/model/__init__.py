"""Model layer: pure pandas/LightGBM functions (no Dagster, no file paths).

Entry point: `run_models(features, catalog, closed_opportunities, settings) -> ModelResult`.
Tiers: `assign_tiers(scores, TierPolicy(...))`.
"""

from .pipeline import ModelResult, metric_value, run_models
from .settings import ModelSettings
from .tiers import TierPolicy, assign_tiers

__all__ = ["ModelResult", "ModelSettings", "TierPolicy", "assign_tiers", "metric_value", "run_models"]
