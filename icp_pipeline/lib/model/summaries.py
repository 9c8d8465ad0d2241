"""One-sentence, data-backed summaries of an attribute among customers with a value label."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .features import categorical_strings, to_float


def fmt_num(x: float) -> str:
    """1234.5 -> '1,234'; 12.0 -> '12'; 0.123 -> '0.123'."""
    if not np.isfinite(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if float(x).is_integer():
        return f"{x:.0f}"
    return f"{x:.3g}"


def attribute_values(raw: pd.Series, kind: str | None) -> pd.Series:
    """Raw column as float (numeric/binary) or stripped strings (categorical)."""
    return categorical_strings(raw) if kind == "categorical" else to_float(raw)


def customers_with(values: pd.Series, kind: str | None) -> int:
    """Customers having the attribute: flag = 1 for binary attributes, else non-null."""
    return int((values == 1).sum()) if kind == "binary" else int(values.notna().sum())


def summarise(name: str, values: pd.Series, value: pd.Series, kind: str | None) -> str:
    """'accounts with tech__snowflake = 1: median value 1.8x the rest (140 customers)'-style text.

    binary: flag = 1 vs 0; numeric: top quartile vs the rest (known values); categorical: the
    best-supported level by median value vs every other customer.
    """
    values = values.reindex(value.index)
    if kind == "binary":
        known = values.notna()
        group, rest = values == 1, known & (values != 1)
        label = f"accounts with {name} = 1"
    elif kind == "numeric":
        known = values.notna()
        if known.sum() < 4:
            return f"{name}: too few customers with a known value to summarise"
        q75 = float(values[known].quantile(0.75))
        group = values >= q75
        if group.sum() == known.sum():
            group = values > q75
        rest = known & ~group
        label = f"top quartile of {name} (>= {fmt_num(q75)})"
    elif kind == "categorical":
        level = _best_level(values, value)
        if level is None:
            return f"{name}: no level with enough customers to summarise"
        group, rest = values == level, values != level
        label = f"{name} = {level}"
    else:
        return ""
    return _compare(label, value[group.fillna(False)], value[rest.fillna(False)])


def _best_level(values: pd.Series, value: pd.Series) -> str | None:
    known = values.notna()
    if not known.any():
        return None
    min_support = max(3, int(np.ceil(0.05 * known.sum())))
    stats = value[known].groupby(values[known]).agg(["median", "count"])
    stats = stats[stats["count"] >= min_support]
    if stats.empty:
        return None
    stats = stats.reset_index(names="level").sort_values(["median", "level"], ascending=[False, True])
    return str(stats["level"].iloc[0])


def _compare(label: str, group: pd.Series, rest: pd.Series) -> str:
    n = len(group)
    if n == 0 or len(rest) == 0:
        return f"{label}: {n} customers, no comparison group"
    a, b = float(group.median()), float(rest.median())
    if b > 0 and a >= 0:
        return f"{label}: median value {a / b:.1f}× the rest ({n} customers)"
    return f"{label}: median value {fmt_num(a)} vs {fmt_num(b)} for the rest ({n} customers)"
