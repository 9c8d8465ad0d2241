"""Account scores: predicted value, win probability, expected value and the 0-100 ICP score."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .training import ValueModel, WinModel

SCORE_COLUMNS = ["account_key", "predicted_ltv", "win_probability", "expected_value", "icp_score"]


def icp_score(expected_value: np.ndarray | pd.Series) -> np.ndarray:
    """Percentile rank of expected value scaled to 0-100 (average rank for ties), 1 decimal."""
    ev = pd.Series(np.asarray(expected_value, dtype=float))
    n = len(ev)
    if n == 0:
        return np.array([], dtype=float)
    if n == 1:
        return np.array([100.0])
    ranks = ev.rank(method="average").to_numpy()
    return np.round((ranks - 1.0) / (n - 1.0) * 100.0, 1)


def score_accounts(
    account_key: pd.Series, X: pd.DataFrame, value_model: ValueModel, win_model: WinModel
) -> pd.DataFrame:
    """expected_value = win_probability x predicted_ltv (expm1 of the log-space prediction)."""
    predicted = value_model.predict(X)
    win = np.clip(win_model.predict(X), 0.0, 1.0)
    ev = win * predicted
    return pd.DataFrame(
        {
            "account_key": account_key.to_numpy(),
            "predicted_ltv": predicted,
            "win_probability": win,
            "expected_value": ev,
            "icp_score": icp_score(ev),
        },
        index=X.index,
    )
