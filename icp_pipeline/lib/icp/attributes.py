"""Which attributes of the importance table describe the ICP, and of what kind they are."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.families import NON_OBSERVABLE_FAMILIES, family_of

from .filters import only_text

__all__ = ["attribute_kind", "numbers", "select_attributes", "text_codes", "texts", "truthy"]


def numbers(col: pd.Series) -> pd.Series:
    """Column as float64 (bool and numeric text included), NaN for missing."""
    if pd.api.types.is_bool_dtype(col):
        col = col.astype("Float64")
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return pd.Series(values, index=col.index)


def texts(col: pd.Series, casefold: bool = False) -> pd.Series:
    """Column as trimmed strings (object), empty text and missing as None; `casefold`: also case-folded."""
    if only_text(col):  # each distinct value converted once, not once per row
        codes, uniques = pd.factorize(col)
        labels = [_text(v) for v in uniques]
        if casefold:
            labels = [None if v is None else v.casefold() for v in labels]
        lookup = np.array([*labels, None], dtype=object)  # code -1 (missing) -> None
        return pd.Series(lookup[codes], index=col.index, dtype=object)
    values = [None if pd.isna(v) else (str(v).strip() or None) for v in col.to_numpy(dtype=object)]
    if casefold:
        values = [None if v is None else v.casefold() for v in values]
    return pd.Series(np.array(values, dtype=object), index=col.index, dtype=object)


def text_codes(col: pd.Series, casefold: bool = False) -> tuple[np.ndarray, dict[str, int]]:
    """`texts(col, casefold)` as (a code per row, {text: code}); missing text has code -1."""
    if only_text(col):
        codes, uniques = pd.factorize(col)
        labels = [_text(v) for v in uniques]
        if casefold:
            labels = [None if v is None else v.casefold() for v in labels]
        label_codes, distinct = pd.factorize(np.array([*labels, None], dtype=object))
        codes = label_codes[codes]  # code -1 (missing) takes the trailing None's code, -1
    else:
        codes, distinct = pd.factorize(texts(col, casefold))
    return codes, {text: i for i, text in enumerate(distinct)}


def _text(value) -> str | None:
    return str(value).strip() or None


def attribute_kind(col: pd.Series) -> str:
    """`flag` (numeric with values in {0, 1}), `numeric` or `categorical`."""
    if pd.api.types.is_bool_dtype(col):
        return "flag"
    if not pd.api.types.is_numeric_dtype(col):
        return "categorical"
    known = numbers(col).dropna()
    return "flag" if len(known) and known.isin([0.0, 1.0]).all() else "numeric"


def _observable(importance: pd.DataFrame) -> pd.Series:
    fam = importance["attribute"].map(family_of)
    ok = ~fam.isin(NON_OBSERVABLE_FAMILIES)
    if "observable_for_prospects" in importance.columns:
        ok &= importance["observable_for_prospects"].fillna(True).astype(bool)
    return ok


def select_attributes(
    importance: pd.DataFrame,
    columns,
    n_max: int,
    n_min: int = 0,
    observable_only: bool = True,
) -> list[str]:
    """Recommended attributes by rank, topped up with other model attributes to `n_min`, at most `n_max`.

    Only attributes present in `columns`; with `observable_only`, none prospects cannot show.
    """
    imp = importance[importance["attribute"].isin(list(columns))].copy()
    if observable_only:
        imp = imp[_observable(imp)]
    rank = pd.to_numeric(imp["rank"], errors="coerce") if "rank" in imp else pd.Series(np.nan, imp.index)
    imp["_rank"] = np.nan_to_num(rank.to_numpy(dtype=float, na_value=np.nan), nan=np.inf)
    flag = imp.get("recommended", pd.Series(False, imp.index)).fillna(False).astype(bool)
    used = imp.get("used_in_model", pd.Series(True, imp.index)).fillna(False).astype(bool)
    rec = imp[flag].sort_values(["_rank", "attribute"])["attribute"].tolist()
    extra = imp[~flag & used].sort_values(["_rank", "attribute"])["attribute"].tolist()
    chosen = rec + extra[: max(0, n_min - len(rec))]
    return chosen[:n_max]


def truthy(col: pd.Series) -> pd.Series:
    """Booleans from bool, 0/1 or yes/no/true/false text; missing -> False."""
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return pd.to_numeric(col, errors="coerce").fillna(0).astype(float) > 0
    text = col.astype("string").str.strip().str.lower()
    return text.isin(["1", "true", "yes", "y", "t", "responded"]).fillna(False).astype(bool)
