"""Money per tier that has evidence behind it: what existing customers of each tier are observed to be
worth, and whether the model's expected values may be shown as money at all.

Rule (issue 14, "every published number earns its place"): when the model card rates the model `weak`
or `none` (`lib/model/strength.py`), its expected values are a weak model's point estimates, not
evidence of money, so `icp.tier_summary.total_expected_value` is withheld (null) and `money_basis`
states why. Every refresh also publishes, per tier, the observed value of the customers in it (the
mart's value label, e.g. lifetime revenue): `customers_with_value` (n), their mean
`observed_value_per_customer` and its 90 % interval (`observed_value_low`, `observed_value_high`:
percentile bootstrap of the mean, 1,000 resamples, seed 0; a normal approximation above 5,000
customers, where the mean's sampling distribution is close to normal). With fewer than 2 customers
there is no interval; with none, no observed value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import norm

from icp_pipeline.lib.model.strength import WEAK, ModelStrength

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_MAX_N = 5000
LEVEL = 0.90
OBSERVED_COLUMNS = [
    "customers_with_value",
    "observed_value_per_customer",
    "observed_value_low",
    "observed_value_high",
    "money_basis",
]


def money_withheld_reason(strength: ModelStrength | None) -> str | None:
    """Why the model's expected values are not shown as money (None: they may be)."""
    if strength is None or strength.strength not in WEAK:
        return None
    from icp_pipeline.lib.model.card import SHORT_LABEL  # a table value: no nested brackets

    model = (
        f" ({SHORT_LABEL.get(strength.value_model, strength.value_model)})" if strength.value_model else ""
    )
    from icp_pipeline.lib.model.strength import STRENGTH_WORDS

    return (
        f"withheld: on the model card the value model{model} {STRENGTH_WORDS[strength.strength]}, so its "
        "expected values are not evidence of money; the observed value of each tier's customers is given instead"
    )


def money_basis(strength: ModelStrength | None) -> str:
    """What the model's money figures rest on: `money_withheld_reason` when the model is weak or none,
    else 'expected value of the model' with its rating (icp.tier_summary, icp.target_accounts and
    icp.expansion_accounts `money_basis`)."""
    reason = money_withheld_reason(strength)
    if reason is not None:
        return reason
    return "expected value of the model" + (f" (rated {strength.strength})" if strength is not None else "")


def mean_interval(values: np.ndarray, level: float = LEVEL, seed: int = 0) -> tuple[float, float, float]:
    """(mean, low, high) of the finite `values`: the mean's `level` interval (see the module doc);
    NaN where undefined (no value: all three; one value: the interval)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v):
        return np.nan, np.nan, np.nan
    mean = float(v.mean())
    if len(v) < 2:
        return mean, np.nan, np.nan
    alpha = (1 - level) / 2
    if len(v) > BOOTSTRAP_MAX_N:
        half = float(norm.ppf(1 - alpha)) * float(v.std(ddof=1)) / np.sqrt(len(v))
        return mean, mean - half, mean + half
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), size=(BOOTSTRAP_RESAMPLES, len(v)))].mean(axis=1)
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return mean, float(low), float(high)


def observed_value_by_tier(tier: np.ndarray, is_customer: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    """Per tier, the customers with an observed value: n, mean and its 90 % interval (columns
    `tier` and `OBSERVED_COLUMNS` but `money_basis`). `value`: each row's observed value (NaN for
    prospects and customers without one)."""
    frame = pd.DataFrame({"tier": np.asarray(tier, dtype=object), "value": np.asarray(value, dtype=float)})
    frame = frame[np.asarray(is_customer, bool) & np.isfinite(frame["value"].to_numpy())]
    rows = []
    for name, part in frame.groupby("tier", sort=False):
        mean, low, high = mean_interval(part["value"].to_numpy())
        rows.append(
            {
                "tier": name,
                "customers_with_value": len(part),
                "observed_value_per_customer": mean,
                "observed_value_low": low,
                "observed_value_high": high,
            }
        )
    return pd.DataFrame(rows, columns=["tier", *OBSERVED_COLUMNS[:-1]])


def with_tier_money(
    summary: pd.DataFrame, observed: pd.DataFrame, strength: ModelStrength | None, win_learnt: bool = True
) -> pd.DataFrame:
    """`tier_summary` with the observed value of each tier's customers beside every row of that tier,
    and `total_expected_value` withheld (null) with the reason in `money_basis` when the model is weak.
    `win_learnt` False (the model card's win_model_status is not_learnt): `avg_win_probability` is
    null, as a constant prior averaged per tier is no figure about the tier."""
    out = summary.merge(observed, on="tier", how="left")
    if not win_learnt:
        out["avg_win_probability"] = np.nan
    out["customers_with_value"] = out["customers_with_value"].fillna(0).astype("int64")
    if money_withheld_reason(strength) is not None:
        out["total_expected_value"] = np.nan
    out["money_basis"] = money_basis(strength)
    return out


@dataclass
class TierMoneyLines:
    withheld: bool = False  # the expected value is withheld (model weak or none)
    lines: list[str] = field(default_factory=list)


def tier_money_lines(con: duckdb.DuckDBPyConnection, currency: str | None = None) -> TierMoneyLines:
    """For the run summary: whether icp.tier_summary withholds the expected value, and then the
    reason and each tier's observed customer value with its interval and n, one line each."""
    from icp_pipeline.lib.model.labels import format_money, format_number

    columns = {r[0] for r in con.execute("describe icp.tier_summary").fetchall()}
    if "money_basis" not in columns:
        return TierMoneyLines()
    rows = con.execute(
        "select tier, any_value(money_basis), any_value(customers_with_value), "
        "any_value(observed_value_per_customer), any_value(observed_value_low), "
        "any_value(observed_value_high) from icp.tier_summary where tier <> 'Disqualified' "
        "group by tier order by tier"
    ).fetchall()
    basis = next((r[1] for r in rows if r[1]), "")
    if not basis.startswith("withheld"):
        return TierMoneyLines()
    lines = [f"Expected value {basis}:"]
    for tier, _, n, mean, low, high in rows:
        if not n:
            lines.append(f"  {tier}: no customer with an observed value")
            continue
        interval = (
            f", 90 % interval {format_number(low)}–{format_money(high, currency)}"
            if low is not None and high is not None and np.isfinite(low) and np.isfinite(high)
            else ""
        )
        who = "customer" if n == 1 else "customers"
        lines.append(f"  {tier}: {format_money(mean, currency)} per customer ({n:,} {who}{interval})")
    return TierMoneyLines(True, lines)
