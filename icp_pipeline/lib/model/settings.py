"""`ModelSettings`: every knob of the model layer, with defaults that work from ~30 customers up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

IDENTITY_COLUMNS = frozenset(
    {
        "account_key",
        "crm_account_id",
        "erp_customer_id",
        "account_name",
        "domain",
        "industry",
        "country",
        "employee_count",
        "is_customer",
        "as_of_date",
        "first_won_date",
    }
)

RulesFn = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class ModelSettings:
    """Hyper-parameters and policies of the value and win models.

    `learning_rate` and `num_leaves` default by training-set size (`resolved_learning_rate`,
    `resolved_num_leaves`).

    LightGBM capacity is scaled down for small training sets (see `training.lgb_params`):
    `num_leaves` and `min_data_in_leaf` are capped by n and `lambda_l2` grows as n shrinks.
    """

    # labels
    value_label: str = "label_annualised_value"
    won_label: str = "label_has_won_opportunity"
    closed_label: str = "label_has_closed_opportunity"
    min_customers: int = 20  # fewer customers with a value label -> ValueError
    min_win_class: int = 10  # fewer won or lost accounts -> win probability = documented prior

    # LightGBM
    seed: int = 42
    num_threads: int = 2  # LightGBM threads, and bootstrap refits run side by side (explain.py)
    # Shallow trees and a slow rate: on a few thousand held-out customers this beat deeper trees.
    # From `large_data_rows` training rows the defaults switch to bigger trees and a faster rate: at
    # 95 k customers (bench, 1 M accounts) that converged in 83 instead of 749 rounds, 6x faster,
    # for the same CV Spearman (0.756 vs 0.756) and win AUC (0.806 vs 0.806). A value set here
    # (Dagster config) applies at every size.
    learning_rate: float | None = None  # None: 0.03, or `large_learning_rate` from `large_data_rows`
    num_leaves: int | None = None  # None: 4, or `large_num_leaves` from `large_data_rows`
    large_data_rows: int = 20_000
    large_learning_rate: float = 0.1
    large_num_leaves: int = 15
    max_min_data_in_leaf: int = 40
    lambda_l2: float = 1.0
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    bagging_freq: int = 1
    num_boost_round: int = 800
    early_stopping_rounds: int = 30
    early_stopping_min_n: int = 40  # below this: fixed `small_data_rounds`, no inner CV
    small_data_rounds: int = 120

    # design matrix
    max_categories: int = 50
    max_unique_share: float = 0.5  # applies to categoricals with more than 10 distinct levels

    # leakage guard
    leak_coverage_customers: float = 0.9
    leak_coverage_others: float = 0.05
    leak_coverage_ratio: float = 20.0  # customer coverage >= 0.5 and >= ratio x non-customer coverage
    leak_auc: float = 0.97

    # explanation
    n_bootstrap: int = 10
    bootstrap_max_rows: int = 50_000  # customers drawn per bootstrap refit (all of them when fewer)
    bootstrap_shap_rows: int = 20_000  # mean |SHAP| of each bootstrap refit on at most this many customers
    n_recommended: int = 12
    n_reasons: int = 3
    # accounts scored and explained per block (bounds memory: the two models' SHAP matrices of a block
    # are in memory at once); split patterns are cached across blocks (fast_shap.PatternCache), so
    # smaller blocks cost little more
    shap_block_rows: int = 125_000

    # validation
    run_validation: bool = True
    cv_folds: int = 5
    time_holdout_share: float = 0.25
    calibration_bins: int = 10
    linear_max_rows: int = 20_000  # linear baselines are fitted on at most this many training rows
    rules_baseline: RulesFn | None = None  # default: count of numeric attributes above the customer median

    # model card (rules: lib/model/card.py)
    n_metric_bootstrap: int = 200  # resamples of the held-out customers for the 90 % intervals
    tie_margin_spearman: float = 0.01  # candidates within it of the best: the simplest wins
    min_holdout_n: int = 30  # fewer held-out customers: strength `none`; time hold-out below it -> CV
    moderate_spearman_low: float = 0.2  # Spearman lower bound below it: `weak`
    strong_spearman_low: float = 0.5  # Spearman lower bound from it (and lift bound > 1): `strong`

    # attribute groups (lib/model/groups.py)
    near_duplicate_spearman: float = 0.95  # |Spearman| from which two attributes form one group
    group_sample_rows: int = 20_000  # accounts sampled for the correlations

    make_plots: bool = True


SMALL_DATA_LEARNING_RATE = 0.03
SMALL_DATA_NUM_LEAVES = 4


def resolved_learning_rate(settings: ModelSettings, n: int) -> float:
    """The configured learning rate, else 0.03 below `large_data_rows` training rows and
    `large_learning_rate` from there."""
    if settings.learning_rate is not None:
        return settings.learning_rate
    return settings.large_learning_rate if n >= settings.large_data_rows else SMALL_DATA_LEARNING_RATE


def resolved_num_leaves(settings: ModelSettings, n: int) -> int:
    """The configured maximum leaves per tree, else 4 below `large_data_rows` training rows and
    `large_num_leaves` from there."""
    if settings.num_leaves is not None:
        return settings.num_leaves
    return settings.large_num_leaves if n >= settings.large_data_rows else SMALL_DATA_NUM_LEAVES
