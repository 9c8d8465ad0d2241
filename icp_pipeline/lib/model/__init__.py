"""Model layer: pure pandas/LightGBM functions (no Dagster, no file paths).

Entry point: `run_models(features, catalog, closed_opportunities, settings) -> ModelResult`.
Tiers are a publishing concern: see `icp_pipeline.lib.tiering`.

Documented choices:
- value model: LightGBM regression on log1p(max(value, 0)) of customers with `settings.value_label`;
  when fewer than `min_customers` (20) customers have that label (e.g. ACV without ERP contracts) the
  first label of `pipeline.VALUE_LABEL_FALLBACKS` they do have is learnt instead (noted, and kept in
  `ModelResult.value_label`); ValueError when none qualifies. Capacity shrinks / L2 grows for small n
  (`training.lgb_params`).
- win model: binary on accounts with a closed opportunity (won vs never won); with fewer than
  `min_win_class` (10) of either class, win_probability is a constant prior: the observed win rate
  among closed accounts (the win rate of closed deals when every such account is on one side, e.g.
  every account has won a deal), else the customer share of all accounts (reported in
  `ModelResult.notes` and `model_status`).
- expected_value = win_probability x predicted_ltv; icp_score = percentile rank of expected value x 100
  (ties of a baseline's levels by the best learnt candidate's expected value).
- importance = mean |SHAP| (log space) over training customers x their median predicted value.
- reasons: top 3 |contributions| to log expected value (value SHAP + win SHAP x (1 - p)).
- excluded attributes (behavioural, leaks, constant, all-missing, high-cardinality) are listed in
  `exclusions` and appended unranked to `importance` with `excluded_reason`.
"""

from .pipeline import ModelResult, metric_value, run_models
from .settings import ModelSettings

__all__ = ["ModelResult", "ModelSettings", "metric_value", "run_models"]
