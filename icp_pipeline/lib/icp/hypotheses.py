"""Test the ICP hypotheses of `icp.yaml` against customer data, with a bootstrap CI and a verdict.

For each hypothesis, accounts matching its filter ("inside") are compared with all others:
- value lift = median value of customers inside / median value of customers outside;
- win-rate lift = win rate inside / win rate outside, where the win rate is the share of won among
  accounts with a closed opportunity (`label_has_closed_opportunity`, `label_has_won_opportunity`)
  when those columns exist, else the customer share of all accounts.
`lift` is the hypothesis's `metric` (value by default). Its 90 % CI (`LEVEL`, the level of every
interval the project publishes: the model card, the profile, the tier money) is a percentile bootstrap
(`n_boot` resamples of each side, fixed seed). Verdict: `supported` when the CI lies entirely on
the expected side of 1, `contradicted` when entirely on the other side, else `inconclusive` (also
when fewer than `min_customers` customers, or closed accounts for win rate, are inside or outside),
and `not testable on this data` when the filter names an attribute the data do not have and that
resembles none they have (`untestable`; a near-miss is a typo, refused by `filters.config_check`).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .attributes import truthy
from .definition import Hypothesis
from .filters import FilterError, compile_filter, describe_filter
from .formatting import fmt_num, fmt_ratio

LEVEL = 0.90  # the level of the lift's interval (one level in every published table and the report)

RESULT_COLUMNS = [
    "id",
    "statement",
    "filter",
    "expect",
    "metric",
    "owner",
    "accounts_inside",
    "accounts_outside",
    "customers_inside",
    "customers_outside",
    "win_rate_inside",
    "win_rate_outside",
    "median_value_inside",
    "median_value_outside",
    "value_lift",
    "win_rate_lift",
    "lift",
    "lift_ci_low",
    "lift_ci_high",
    "verdict",
    "explanation",
]


NOT_TESTABLE = "not testable on this data"


def untestable(exc: FilterError) -> bool:
    """Whether a filter error means the data lack the attribute (an unknown name resembling no
    column), rather than a typo (suggestions), an ambiguous name or a syntax error."""
    return exc.attribute is not None and not exc.suggestions and exc.position is None


def _bool(features: pd.DataFrame, col: str) -> np.ndarray:
    return truthy(features[col]).to_numpy()


def _ratio(a: float | np.ndarray, b: float | np.ndarray):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(b) > 0, np.asarray(a, float) / np.asarray(b, float), np.nan)


def _boot_medians(values: np.ndarray, n_boot: int, rng: np.random.Generator, chunk: int = 250) -> np.ndarray:
    """Medians of `n_boot` resamples, in chunks so that memory stays ~ chunk x n.

    Equal to `np.median(values[idx], axis=1)` for the same draws; from `_FAST_MIN` finite values
    on, the medians come from `_ResampleMedian`, which counts ranks instead of sorting resamples.
    """
    out = np.empty(n_boot)
    fast = len(values) >= _FAST_MIN and bool(np.isfinite(values).all())
    median = _ResampleMedian(values) if fast else None
    if median is not None and _draws_split_freely():
        chunk = _BLOCK  # the same draws in blocks that stay in cache
    for start in range(0, n_boot, chunk):
        stop = min(start + chunk, n_boot)
        idx = rng.integers(0, len(values), size=(stop - start, len(values)))
        out[start:stop] = median(idx) if median is not None else np.median(values[idx], axis=1)
    return out


_FAST_MIN = 1000  # values; below, np.median of the resampled values is as quick
_BLOCK = 16  # resamples drawn and classified at once (keeps the work in cache)


@functools.cache
def _draws_split_freely() -> bool:
    """Whether `Generator.integers` draws the same numbers for rows drawn in several calls as in one.

    numpy's bounded integers take whole draws from the bit generator, so no call ends on a
    half-used one and the block size does not change the numbers; checked once, since the
    published intervals must not depend on it.
    """
    m = 1001
    whole = np.random.default_rng(0).integers(0, m, size=(3, m))
    rng = np.random.default_rng(0)
    return bool(np.array_equal(whole, np.concatenate([rng.integers(0, m, size=(1, m)) for _ in range(3)])))


class _ResampleMedian:
    """Exact medians of resamples `values[idx]`, row by row, without sorting whole resamples.

    The k-th smallest resampled value is the value of the k-th smallest resampled rank (ranks of
    `values` in sorted order). That rank is almost surely within a few standard deviations
    (~sqrt(n)/2 ranks) of the middle, so each resample's draws are counted per rank inside a band
    around the middle, plus below and above it, and the k-th rank is read off the cumulative counts;
    a resample whose middle falls outside the band (vanishingly rare) is partitioned whole. An even
    count takes the mean of the two middle values as `np.median` does, (a + b) / 2.
    """

    def __init__(self, values: np.ndarray):
        n = len(values)
        order = np.argsort(values, kind="stable")
        self.sorted = values[order]
        self.rank = np.empty(n, np.intp)
        self.rank[order] = np.arange(n)
        self.kth = [n // 2 - 1, n // 2] if n % 2 == 0 else [(n - 1) // 2]
        half = int(8 * np.sqrt(n)) + 16
        self.low, high = max(0, self.kth[0] - half), min(n - 1, self.kth[-1] + half)
        self.width = high - self.low + 1
        # counting bin of every value: its rank's place in the band, then `width` (below), `width + 1` (above)
        self.bin = np.where(
            self.rank < self.low, self.width, np.where(self.rank > high, self.width + 1, self.rank - self.low)
        )

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        bins = self.bin[idx]
        counts = np.empty((len(idx), self.width + 2), np.intp)
        for i, row in enumerate(bins):
            counts[i] = np.bincount(row, minlength=self.width + 2)
        below = counts[:, self.width]
        cumulative = np.cumsum(counts[:, : self.width], axis=1)
        ranks = np.empty((len(idx), len(self.kth)), np.intp)
        inside = np.ones(len(idx), bool)
        for j, kth in enumerate(self.kth):
            k = kth - below  # the k-th smallest (0-based) inside the band: the first bin counting past k
            pos = (cumulative <= k[:, None]).sum(axis=1)
            inside &= (k >= 0) & (pos < self.width)
            ranks[:, j] = self.low + pos
        for i in np.flatnonzero(~inside):
            ranks[i] = np.partition(self.rank[idx[i]], self.kth)[self.kth]
        picked = self.sorted[ranks]
        return picked[:, 0] if len(self.kth) == 1 else (picked[:, 0] + picked[:, 1]) / 2


def _ci(draws: np.ndarray) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if len(draws) == 0:
        return np.nan, np.nan
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)


def _verdict(low: float, high: float, expect: str) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "inconclusive"
    above, below = low > 1, high < 1
    if (above and expect == "higher") or (below and expect == "lower"):
        return "supported"
    if above or below:
        return "contradicted"
    return "inconclusive"


def test_hypotheses(
    features: pd.DataFrame,
    hypotheses,
    value_col: str,
    *,
    n_boot: int = 1000,
    seed: int = 42,
    min_customers: int = 5,
    columns=None,
) -> pd.DataFrame:
    """One row per hypothesis (`RESULT_COLUMNS`); hypotheses may be models or plain dicts.

    A filter that cannot be evaluated on `features` gives verdict `inconclusive` with the error
    in `explanation` (check filters at config time with `IcpDefinition.filter_problems`).
    `columns`: the names filters resolve against when `features` holds only some of the mart's
    columns (default: the columns of `features`).
    """
    is_customer = _bool(features, "is_customer")
    value = pd.to_numeric(features[value_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    has_value = is_customer & np.isfinite(value)
    if {"label_has_closed_opportunity", "label_has_won_opportunity"} <= set(features.columns):
        closed = _bool(features, "label_has_closed_opportunity")
        won = _bool(features, "label_has_won_opportunity") & closed
    else:
        closed, won = np.ones(len(features), bool), is_customer
    rows = []
    for i, item in enumerate(hypotheses):
        hyp = item if isinstance(item, Hypothesis) else Hypothesis.model_validate(item)
        rng = np.random.default_rng([seed, i])
        rows.append(
            _test_one(
                features, hyp, value, has_value, is_customer, closed, won, n_boot, rng, min_customers, columns
            )
        )
    out = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    counts = ["accounts_inside", "accounts_outside", "customers_inside", "customers_outside"]
    out[counts] = out[counts].astype("Int64")
    return out


test_hypotheses.__test__ = False  # a library function, not a pytest test


def _test_one(
    features, hyp, value, has_value, is_customer, closed, won, n_boot, rng, min_customers, columns=None
) -> dict:
    row = {
        "id": hyp.id,
        "statement": hyp.statement,
        "filter": hyp.filter,
        "expect": hyp.expect,
        "metric": hyp.metric,
        "owner": hyp.owner,
    }
    try:
        inside = compile_filter(hyp.filter, features, columns=columns).to_numpy()
    except FilterError as exc:
        nan_cols = [c for c in RESULT_COLUMNS if c not in row]
        row.update(dict.fromkeys(nan_cols, np.nan))
        if untestable(exc):
            row.update(
                verdict=NOT_TESTABLE,
                explanation=f"Not testable on this data: '{hyp.statement}' names an attribute the data "
                f"do not have ({exc}).",
            )
        else:
            row.update(
                verdict="inconclusive", explanation=f"Could not test '{hyp.statement}': {exc}. Inconclusive."
            )
        return row
    outside = ~inside
    v_in, v_out = value[has_value & inside], value[has_value & outside]
    c_in, c_out = closed & inside, closed & outside
    wr_in = won[c_in].mean() if c_in.any() else np.nan
    wr_out = won[c_out].mean() if c_out.any() else np.nan
    med_in = float(np.median(v_in)) if len(v_in) else np.nan
    med_out = float(np.median(v_out)) if len(v_out) else np.nan
    row.update(
        accounts_inside=int(inside.sum()),
        accounts_outside=int(outside.sum()),
        customers_inside=int((is_customer & inside).sum()),
        customers_outside=int((is_customer & outside).sum()),
        win_rate_inside=float(wr_in),
        win_rate_outside=float(wr_out),
        median_value_inside=med_in,
        median_value_outside=med_out,
        value_lift=float(_ratio(med_in, med_out)),
        win_rate_lift=float(_ratio(wr_in, wr_out)),
    )
    if hyp.metric == "value":
        enough = min(len(v_in), len(v_out)) >= min_customers
        draws = (
            _ratio(_boot_medians(v_in, n_boot, rng), _boot_medians(v_out, n_boot, rng)) if enough else None
        )
        row["lift"] = row["value_lift"]
    else:
        n_in, n_out = int(c_in.sum()), int(c_out.sum())
        enough = min(n_in, n_out) >= min_customers and min(won[c_in].sum(), won[c_out].sum()) > 0
        if enough:
            draws = _ratio(
                rng.binomial(n_in, wr_in, n_boot) / n_in, rng.binomial(n_out, wr_out, n_boot) / n_out
            )
        else:
            draws = None
        row["lift"] = row["win_rate_lift"]
    low, high = _ci(draws) if draws is not None else (np.nan, np.nan)
    row.update(lift_ci_low=low, lift_ci_high=high)
    row["verdict"] = _verdict(low, high, hyp.expect) if enough else "inconclusive"
    row["explanation"] = _explain(hyp, row, enough, len(v_in), len(v_out), min_customers)
    return row


def _explain(hyp: Hypothesis, row: dict, enough: bool, n_in: int, n_out: int, min_customers: int) -> str:
    who = f"Accounts {describe_filter(hyp.filter)}"
    if not enough:
        unit = "customers with a value" if hyp.metric == "value" else "closed accounts (with a win)"
        return (
            f"Too few {unit} to test '{hyp.statement}' ({who.lower()}: {n_in} inside, {n_out} outside; "
            f"need {min_customers} each): inconclusive."
        )
    ci = f"{LEVEL * 100:.0f} % CI {fmt_ratio(row['lift_ci_low'])}–{fmt_ratio(row['lift_ci_high'])}"
    if hyp.metric == "value":
        what = (
            f"{who} have a median value {fmt_ratio(row['lift'])}× the rest "
            f"({fmt_num(row['median_value_inside'])} vs {fmt_num(row['median_value_outside'])}, {ci}, "
            f"{n_in} customers)"
        )
    else:
        what = (
            f"{who} win {row['win_rate_inside']:.0%} of closed deals vs {row['win_rate_outside']:.0%} "
            f"for the rest ({fmt_ratio(row['lift'])}×, {ci})"
        )
    verdict = row["verdict"]
    if verdict == "contradicted":
        return f"{what}: contradicted (expected {hyp.expect})."
    if verdict == "inconclusive":
        return f"{what}: inconclusive (the CI includes 1×)."
    return f"{what}: supported."
