"""Account scores: predicted value, win probability, expected value and the 0-100 ICP score."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.labels import Labels
from icp_pipeline.lib.model.percentile import percentile_score

from .candidates import BaselineScorer
from .explain import shap_and_raw_score
from .fast_shap import PatternCache
from .lgb_threads import predict
from .reasons import reason_codes, score_contributions
from .training import ValueModel, WinModel

SCORE_COLUMNS = ["account_key", "predicted_ltv", "win_probability", "expected_value", "icp_score"]


def icp_score(expected_value: np.ndarray | pd.Series, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Percentile rank of expected value scaled to 0-100 (average rank for ties), rounded to as many
    decimals as keep neighbouring ranks apart (one rank = 100 / (n - 1) points; at least 1 decimal),
    so the top of a large list is not a block of 100.0. `tiebreak` (one value per account, higher is
    better) orders accounts of equal expected value: when a coarse baseline scores the list, the best
    learnt candidate's expected value (docs/model-card.md, "Ties"); see `lib/model/percentile.py`."""
    return percentile_score(expected_value, tiebreak)


def expected_values(
    value_log: np.ndarray, win_probability: np.ndarray, scale_by_win: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(predicted_ltv, win_probability, expected_value); see `score_accounts`."""
    predicted = np.maximum(np.expm1(np.asarray(value_log, dtype=float)), 0.0)
    win = np.clip(np.asarray(win_probability, dtype=float), 0.0, 1.0)
    return predicted, win, win * predicted if scale_by_win else predicted.copy()


def score_accounts(
    account_key: pd.Series,
    value_log: np.ndarray,
    win_probability: np.ndarray,
    scale_by_win: bool = True,
    tiebreak: np.ndarray | None = None,
) -> pd.DataFrame:
    """expected_value = win_probability x predicted_ltv, with predicted_ltv = expm1 of the value
    model's log-space prediction `value_log` (clipped at 0), as ValueModel.predict does. Without
    `scale_by_win` (the win model was not learnt) expected_value = predicted_ltv. `tiebreak`: see
    `icp_score` (only the order of accounts of equal expected value changes, no value)."""
    predicted, win, ev = expected_values(value_log, win_probability, scale_by_win)
    return pd.DataFrame(
        {
            "account_key": account_key.to_numpy(),
            "predicted_ltv": predicted,
            "win_probability": win,
            "expected_value": ev,
            "icp_score": icp_score(ev, tiebreak),
        },
        index=account_key.index,
    )


def _win_shap(
    win_model: WinModel, block: pd.DataFrame, cache: PatternCache | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(win SHAP in `block`'s column order, zeros for columns the win model does not use; win
    probability). The win model is fitted on the attribute groups' representatives, which may be
    fewer columns than the value model that scores the list."""
    names = win_model.booster.feature_name()
    same = names == list(block.columns)
    shap, logit = shap_and_raw_score(win_model.booster, block if same else block[names], cache)
    if not same:
        full = np.zeros((len(block), block.shape[1]))
        full[:, block.columns.get_indexer(names)] = shap
        shap = full
    return shap, 1.0 / (1.0 + np.exp(-logit))


def score_and_explain(
    X: pd.DataFrame,
    value_model: ValueModel,
    win_model: WinModel,
    kinds: dict[str, str],
    train: np.ndarray,
    n_reasons: int,
    block_rows: int,
    labels: Labels | None = None,
    reference: pd.DataFrame | None = None,
    *,
    threads: int = 2,
) -> tuple[np.ndarray, np.ndarray, pd.Series, pd.DataFrame]:
    """(log value, win probability, top reasons, value SHAP of the `train` rows) for every row of X.

    `reference`: the rows behind 'high'/'low' in reasons (default: X's `train` rows); a partition of
    a larger frame passes the training customers (lib/engine/spark_scoring.py).

    SHAP values sum to the raw prediction, so one pass per model gives both scores and reasons. Rows
    go in blocks of `block_rows`: an accounts x attributes matrix is 0.8 GB per model at 1 M accounts,
    a block's a fraction of it. The win model's SHAP of a block is computed on a second thread while
    the value model's runs on this one (fast SHAP is mostly single-threaded numpy, which releases
    the GIL): the same numbers, on two cores. `threads=1` computes both on this thread, one after
    the other (a Spark task holds one core, `spark.task.cpus`: lib/engine/spark_scoring.py)."""
    value_log = np.empty(len(X))
    win_probability = np.full(len(X), win_model.prior)
    reasons, train_shap = [], []
    reference = X.loc[train] if reference is None else reference
    # each model's split patterns go to LightGBM once, not once per block (fast_shap.PatternCache)
    value_cache = PatternCache(value_model.booster)
    win_cache = PatternCache(win_model.booster) if win_model.booster is not None else None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="win-shap") as pool:
        for start in range(0, len(X), max(block_rows, 1)):
            block = X.iloc[start : start + block_rows]
            rows = slice(start, start + len(block))
            pending = None
            if win_model.booster is not None and threads > 1:
                pending = pool.submit(_win_shap, win_model, block, win_cache)
            value_shap, value_log[rows] = shap_and_raw_score(value_model.booster, block, value_cache)
            win_shap = None
            if pending is not None:
                win_shap, win_probability[rows] = pending.result()
            elif win_model.booster is not None:
                win_shap, win_probability[rows] = _win_shap(win_model, block, win_cache)
            in_train = train[rows]
            train_shap.append(
                pd.DataFrame(value_shap[in_train], index=block.index[in_train], columns=X.columns)
            )
            contrib = score_contributions(value_shap, win_shap, win_probability[rows])
            reasons.append(reason_codes(contrib, block, kinds, reference, n_reasons, labels))
            del value_shap, win_shap, contrib
    top_reasons = pd.concat(reasons) if reasons else pd.Series([], index=X.index, dtype=object)
    value_shap_train = pd.concat(train_shap) if train_shap else pd.DataFrame(columns=X.columns, dtype=float)
    return value_log, win_probability, top_reasons, value_shap_train


def score_with_baseline(
    X: pd.DataFrame,
    scorer: BaselineScorer,
    win_model: WinModel,
    kinds: dict[str, str],
    train: np.ndarray,
    n_reasons: int,
    block_rows: int,
    labels: Labels | None = None,
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """(log value, win probability, top reasons) when a baseline scores the list; reasons from the
    baseline's own contributions (value only), in blocks of `block_rows` rows."""
    value_log = np.empty(len(X))
    win_probability = np.full(len(X), win_model.prior)
    reasons = []
    reference = X.loc[train]
    for start in range(0, len(X), max(block_rows, 1)):
        block = X.iloc[start : start + block_rows]
        rows = slice(start, start + len(block))
        value_log[rows], contrib = scorer.score(block)
        if win_model.booster is not None:
            win_probability[rows] = predict(win_model.booster, block[win_model.booster.feature_name()])
        reasons.append(reason_codes(contrib, block, kinds, reference, n_reasons, labels))
    top_reasons = pd.concat(reasons) if reasons else pd.Series([], index=X.index, dtype=object)
    return value_log, win_probability, top_reasons
