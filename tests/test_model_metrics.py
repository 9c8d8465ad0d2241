"""Metrics, scores and reason formatting."""

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.metrics import normalised_gini, ranking_metrics, reliability_table
from icp_pipeline.lib.model.reasons import MINUS, PLUS, reason_codes
from icp_pipeline.lib.model.scoring import icp_score


def test_icp_score_is_rank_preserving_0_100():
    ev = np.array([5.0, 1.0, 3.0, 3.0, 10.0])
    s = icp_score(ev)
    assert s.min() == 0.0 and s.max() == 100.0
    assert s[2] == s[3]
    assert list(np.argsort(s, kind="stable")) == list(np.argsort(ev, kind="stable"))


def test_ranking_metrics_perfect_and_random():
    rng = np.random.default_rng(0)
    actual = rng.lognormal(8, 1, 500)
    perfect = ranking_metrics(actual, actual)
    assert abs(perfect["normalised_gini"] - 1) < 1e-9 and perfect["spearman"] > 0.999
    assert perfect["top_decile_lift"] > 2
    assert abs(normalised_gini(actual, rng.random(500))) < 0.2


def test_reliability_table():
    p = np.linspace(0.01, 0.99, 100)
    y = (p > 0.5).astype(int)
    t = reliability_table(y, p, 10)
    assert t["n"].sum() == 100 and len(t) == 10


def test_reason_codes_format():
    X = pd.DataFrame(
        {
            "tech__snowflake": [1.0, 0.0],
            "firmo__employee_count": [1200.0, 10.0],
            "firmo__industry": pd.Categorical(["software", None], categories=["retail", "software"]),
            "x__noise": [0.1, 0.2],
        }
    )
    shap = pd.DataFrame(
        {
            "tech__snowflake": [0.9, -0.5],
            "firmo__employee_count": [0.3, -0.2],
            "firmo__industry": [0.2, 0.1],
            "x__noise": [0.01, 0.0],
        }
    )
    kinds = {
        "tech__snowflake": "binary",
        "firmo__employee_count": "numeric",
        "firmo__industry": "categorical",
        "x__noise": "numeric",
    }
    r = reason_codes(shap, X, kinds, n_reasons=3)
    assert r[0] == f"{PLUS} Uses Snowflake; {PLUS} Employee count: 1,200 (high); {PLUS} Industry: Software"
    assert (
        r[1] == f"{MINUS} Does not use Snowflake; {MINUS} Employee count: 10 (low); {PLUS} Industry unknown"
    )


def test_describe_words_equal_values_alike_and_missing_as_unknown():
    from icp_pipeline.lib.model.reasons import describe

    values = pd.Series([-0.0, 0.0, np.nan, 5.0, 0.0])
    reference = pd.Series([0.0, 1.0, 2.0, 3.0, 4.0])
    out = describe("sit__employee_growth_12m", values, "numeric", reference)
    assert out == [
        "Employee growth, last 12 months: 0 (low)",
        "Employee growth, last 12 months: 0 (low)",
        "Employee growth, last 12 months unknown",
        "Employee growth, last 12 months: 5 (high)",
        "Employee growth, last 12 months: 0 (low)",
    ]


def test_top_reasons_are_the_stable_sorts_first_k_ties_to_the_lower_column():
    from icp_pipeline.lib.model.reasons import top_by_magnitude

    rng = np.random.default_rng(4)
    # few distinct magnitudes, both signs, zeros of both signs and infinities: many ties
    C = rng.integers(-3, 4, size=(5000, 12)).astype(float)
    C[rng.random(C.shape) < 0.05] = -0.0
    C[0, 5], C[1, 2], C[2, 7] = np.inf, -np.inf, np.inf
    C[3] = 0.0  # a row without any contribution
    for k in (1, 3, 12):
        expected = np.argsort(-np.abs(C), axis=1, kind="stable")[:, :k]
        np.testing.assert_array_equal(top_by_magnitude(C.copy(), k), expected)
    with_nan = C.copy()
    with_nan[10, 3] = np.nan  # the sort puts NaN last
    np.testing.assert_array_equal(
        top_by_magnitude(with_nan, 3), np.argsort(-np.abs(with_nan), axis=1, kind="stable")[:, :3]
    )
    np.testing.assert_array_equal(
        top_by_magnitude(C, 3)[0], [5, *np.argsort(-np.abs(C[0]), kind="stable")[1:3]]
    )
