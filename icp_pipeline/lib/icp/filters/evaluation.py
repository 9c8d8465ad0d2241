"""Evaluation: a filter as a boolean mask over a features frame (three-valued logic, unknown = False)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.warehouse.frames import is_text_column

from .resolution import leaf_columns
from .syntax import Between, BoolOp, Event, InList, Node, Not, Uses, parse_filter


def _numbers(col: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(col):
        col = col.astype("Float64")
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def _texts(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(casefolded trimmed strings as object array, known mask); empty text counts as missing."""
    known = col.notna().to_numpy()
    if only_text(col):  # each distinct value converted once
        codes, uniques = pd.factorize(col)
        lookup = np.array([*(str(v).strip().casefold() for v in uniques), ""], dtype=object)
        out = lookup[codes]  # code -1 (missing) -> ""
        return out, known & (out != "")
    out = np.full(len(col), "", dtype=object)
    out[known] = [str(v).strip().casefold() for v in col.to_numpy(dtype=object)[known]]
    return out, known & (out != "")


def only_text(col: pd.Series) -> bool:
    """Whether the column holds text and missing values only (distinct texts are then distinct
    values, so text can be converted once per distinct value)."""
    return is_text_column(col)


def _kleene(values: np.ndarray, known: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.asarray(values, bool) & known, ~np.asarray(known, bool))


_NUMERIC_OPS = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "=": np.equal,
    "!=": np.not_equal,
}


def _eval(node: Node, df: pd.DataFrame, cols: dict[int, str]) -> pd.arrays.BooleanArray:
    if isinstance(node, BoolOp):
        parts = [_eval(item, df, cols) for item in node.items]
        out = parts[0]
        for part in parts[1:]:
            out = (out & part) if node.op == "and" else (out | part)
        return out
    if isinstance(node, Not):
        return ~_eval(node.item, df, cols)
    col = df[cols[id(node)]]
    if isinstance(node, Uses | Event):
        x = _numbers(col)
        res = _kleene(x > 0, ~np.isnan(x))
        return ~res if isinstance(node, Uses) and node.negate else res
    if isinstance(node, Between):
        x = _numbers(col)
        low, high = sorted([node.low.number, node.high.number])
        return _kleene((x >= low) & (x <= high), ~np.isnan(x))
    values = node.values if isinstance(node, InList) else (node.value,)
    op = ("!=" if node.negate else "=") if isinstance(node, InList) else node.op
    numeric = all(v.number is not None for v in values)
    if op in ("=", "!=") and not (numeric and _is_numeric(col)):
        texts, known = _texts(col)
        hit = np.isin(texts, [v.text.strip().casefold() for v in values])
        return _kleene(hit if op == "=" else ~hit, known)
    x = _numbers(col)
    known = ~np.isnan(x)
    if isinstance(node, InList):
        hit = np.isin(x, [v.number for v in values])
        return _kleene(hit if not node.negate else ~hit, known)
    with np.errstate(invalid="ignore"):
        return _kleene(_NUMERIC_OPS[op](x, node.value.number), known)


def compile_filter(filter_: str | Node, features: pd.DataFrame, columns=None) -> pd.Series:
    """Boolean mask (index of `features`) of the accounts matching the filter; unknown -> False.

    `columns`: the names attributes are resolved against (default: the columns of `features`), so a
    frame holding only the columns the filter uses resolves exactly as the whole mart would.
    """
    node = parse_filter(filter_) if isinstance(filter_, str) else filter_
    cols = leaf_columns(node, [str(c) for c in (features.columns if columns is None else columns)])
    if len(features) == 0:
        return pd.Series(np.zeros(0, bool), index=features.index)
    result = _eval(node, features, cols)
    return pd.Series(result.to_numpy(dtype=bool, na_value=False), index=features.index)
