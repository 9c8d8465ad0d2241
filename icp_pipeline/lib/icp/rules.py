"""The team's rules from `icp.yaml` as a ranking, for when the model is too weak to rank (strength none).

Rule (documented in README, "When the model is weak"): every hypothesis of `icp.yaml` that can be
evaluated on this data and that the data do not contradict is a rule. An account's rule score is the
number of `expect: higher` rules it matches minus the number of `expect: lower` rules it matches.
Tiers then rank the accounts by rule score (high first), ties by expected value (the best available
scores) and account key, and cut them by the tier policy's quotas (`tier_baseline.rules_tiers`).
Disqualifiers and overrides apply first, as always.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .definition import Hypothesis
from .filters import FilterError, compile_filter

EXCLUDED_VERDICTS = ("contradicted", "not testable on this data")


def rule_scores(
    features: pd.DataFrame, hypotheses, results: pd.DataFrame | None = None, columns=None
) -> tuple[np.ndarray, list[str]]:
    """(the rule score of every row of `features`, the ids of the hypotheses used as rules).

    `results`: `test_hypotheses`' table (its `id`, `verdict`), to leave out contradicted and
    untestable hypotheses; `columns`: as for `compile_filter`.
    """
    verdicts = (
        {} if results is None or results.empty else dict(zip(results["id"], results["verdict"], strict=False))
    )
    score = np.zeros(len(features))
    used: list[str] = []
    for item in hypotheses:
        hyp = item if isinstance(item, Hypothesis) else Hypothesis.model_validate(item)
        if verdicts.get(hyp.id) in EXCLUDED_VERDICTS:
            continue
        try:
            inside = compile_filter(hyp.filter, features, columns=columns).to_numpy(dtype=bool)
        except FilterError:
            continue
        score += np.where(inside, 1.0 if hyp.expect == "higher" else -1.0, 0.0)
        used.append(hyp.id)
    return score, used
