"""Statistical support of a trait: does it set the best customers apart from every other account?

`share_difference_interval` is Newcombe's hybrid score interval for a difference of two proportions
(Newcombe 1998, Statistics in Medicine 17:873, method 10), built from each share's Wilson score
interval as SciPy computes it (`scipy.stats.binomtest(...).proportion_ci(method="wilson")`).
"""

from __future__ import annotations

import math

from scipy.stats import binomtest

CONFIDENCE = 0.90  # a 90 % interval: the brief keeps a trait when its interval excludes no difference
MIN_CUSTOMERS = 5  # best customers who must have the trait before the brief states it
MAX_OTHERS_SHARE = 0.9  # a trait nine in ten other accounts share defines nothing


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of the share k / n (n >= 1)."""
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def share_difference_interval(
    k1: int, n1: int, k2: int, n2: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Interval of k1/n1 - k2/n2 (Newcombe's hybrid score method); (nan, nan) when a group is empty."""
    if n1 <= 0 or n2 <= 0:
        return math.nan, math.nan
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, confidence)
    l2, u2 = wilson(k2, n2, confidence)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def brief_verdict(
    k_best: int, share_others: float, difference_low: float, importance: float | None
) -> str | None:
    """None when the trait belongs in the brief, else why not (one phrase)."""
    if importance is not None and not (importance > 0):
        return "the model ranks it at zero"
    if k_best < MIN_CUSTOMERS:
        return f"fewer than {MIN_CUSTOMERS} best customers have it"
    if not difference_low > 0:
        return f"no difference at {CONFIDENCE:.0%} confidence"
    if share_others > MAX_OTHERS_SHARE:
        return f"more than {MAX_OTHERS_SHARE:.0%} of other accounts share it"
    return None
