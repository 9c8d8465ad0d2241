"""icp_score keeps neighbouring ranks apart, so the top of a large list is not a block of 100.0."""

from __future__ import annotations

import numpy as np

from icp_pipeline.lib.model.scoring import icp_score


def test_the_top_of_25000_accounts_is_not_all_100():
    ev = np.random.default_rng(0).lognormal(8, 1, 25_000)
    score = icp_score(ev)
    top5 = np.sort(score)[::-1][:5]
    # today's main rounds to 1 decimal: all five read 100.0
    assert len(set(top5)) == 5 and top5[0] == 100.0 and top5[1] < 100.0
    assert len(np.unique(score)) == 25_000  # distinct values keep distinct scores


def test_small_lists_keep_one_decimal_and_ties_share_a_score():
    assert list(icp_score(np.array([1.0, 2.0, 2.0, 3.0]))) == [0.0, 50.0, 50.0, 100.0]
    score = icp_score(np.arange(85.0))
    assert np.allclose(score, np.round(score, 1)) and score.max() == 100.0
