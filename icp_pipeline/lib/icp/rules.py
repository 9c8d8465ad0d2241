"""The team's rules from `icp.yaml` as a ranking, for when the model is too weak to rank (strength none).

Rule (documented in README, "When the model is weak"): every hypothesis of `icp.yaml` that can be
evaluated on this data and that the data do not contradict is a rule. An account's rule score is the
number of `expect: higher` rules it matches minus the number of `expect: lower` rules it matches.
Tiers then rank the accounts by rule score (high first), ties by expected value (the best available
scores) and account key, and cut them by the tier policy's quotas (`tier_baseline.rules_tiers`).
Disqualifiers and overrides apply first, as always. The published `icp_score` is then the score of
that order (`rules_icp_score`: percentile rank of the rule score, ties by the model's icp_score), so a
list sorted by icp_score never contradicts its tiers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.labels import readable_value
from icp_pipeline.lib.model.percentile import percentile_score

from .definition import Hypothesis
from .filters import FilterError, compile_filter

EXCLUDED_VERDICTS = ("contradicted", "not testable on this data")


def _usable_rules(features: pd.DataFrame, hypotheses, results: pd.DataFrame | None, columns):
    """(hypothesis, inside mask) of every hypothesis usable as a rule (see the module doc)."""
    verdicts = (
        {} if results is None or results.empty else dict(zip(results["id"], results["verdict"], strict=False))
    )
    for item in hypotheses:
        hyp = item if isinstance(item, Hypothesis) else Hypothesis.model_validate(item)
        if verdicts.get(hyp.id) in EXCLUDED_VERDICTS:
            continue
        try:
            inside = compile_filter(hyp.filter, features, columns=columns).to_numpy(dtype=bool)
        except FilterError:
            continue
        yield hyp, inside


def rule_scores(
    features: pd.DataFrame, hypotheses, results: pd.DataFrame | None = None, columns=None
) -> tuple[np.ndarray, list[str]]:
    """(the rule score of every row of `features`, the ids of the hypotheses used as rules).

    `results`: `test_hypotheses`' table (its `id`, `verdict`), to leave out contradicted and
    untestable hypotheses; `columns`: as for `compile_filter`.
    """
    score = np.zeros(len(features))
    used: list[str] = []
    for hyp, inside in _usable_rules(features, hypotheses, results, columns):
        score += np.where(inside, 1.0 if hyp.expect == "higher" else -1.0, 0.0)
        used.append(hyp.id)
    return score, used


RULE_NONE_MATCHED = "Rule: none matched"


def rule_reasons(
    features: pd.DataFrame, hypotheses, results: pd.DataFrame | None = None, columns=None
) -> np.ndarray:
    """Per row of `features`, the rules it matches in `top_reasons`' form, the order of `rule_scores`:
    `+ Rule: <id>` for an `expect: higher` rule, `− Rule: <id>` for `expect: lower` (the id as people
    read it: `finance_industry` -> `Finance industry`), joined by `; `,
    or `Rule: none matched`. When the tiers follow the rules, these are the tier's reasons."""
    text = np.full(len(features), "", dtype=object)
    for hyp, inside in _usable_rules(features, hypotheses, results, columns):
        item = f"{'+' if hyp.expect == 'higher' else '−'} Rule: {readable_value(hyp.id)}"
        text = np.where(inside, np.where(text == "", item, text + "; " + item), text)
    return np.where(text == "", RULE_NONE_MATCHED, text).astype(object)


def rules_icp_score(rule_score: np.ndarray, model_score: np.ndarray) -> np.ndarray:
    """0-100 score of the rules order: percentile rank of the rule score (missing counts as 0), ties
    by the model's `icp_score` (missing last), accounts equal in both sharing their average rank."""
    rules = np.nan_to_num(np.asarray(rule_score, dtype=float), nan=0.0)
    return percentile_score(rules, np.asarray(model_score, dtype=float))
