"""Identifier-like numeric columns: codes and ids stored as numbers are not magnitudes.

An industry code (SIC 7372 is not "more" than SIC 2834), a postal code or a record id must not be
split by LightGBM as a number, nor summarised as "top quartile of sic_code (>= 7,736)". The rule,
applied to every numeric, non-binary candidate attribute (source: docs/model-card.md):

1. **Ids** - the name's last word is `id`, `key`, `uuid`, `guid` or `number`/`no` (e.g. `x__row_id`,
   `x__customer_number`) and the values are integers: left out ("identifier, no meaning as number
   or category").
2. **Codes** - a word of the name is a code word (`code`, `sic`, `naics`, `isic`, `nace`, `zip`,
   `postal`, `postcode`, `fips`, `duns`, `cusip`) and the values are integers: treated as a category.
   With more than `max_categories` distinct codes, the code is cut to its leading digits (the
   coarsest hierarchy level of SIC / NAICS / postal codes with at most `max_categories` levels);
   when even one leading digit leaves too few rows per level, the column is left out.
3. **Data alone** (no name hint) - integer values, at least 20 distinct ones, >= 95 % of them with
   the same number of digits (>= 4, i.e. fixed-width codes) and outside 1800-2100 (years are
   ordered and stay numeric): treated as a code as in 2.

Nothing else is touched: counts, amounts and years keep their order.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

ID_WORDS = frozenset({"id", "key", "uuid", "guid", "number", "no"})
CODE_WORDS = frozenset(
    {"code", "sic", "naics", "isic", "nace", "zip", "postal", "postcode", "fips", "duns", "cusip"}
)
MIN_DISTINCT_FOR_DATA_RULE = 20
FIXED_WIDTH_SHARE = 0.95


def _words(attribute: str) -> list[str]:
    name = attribute.split("__", 1)[1] if "__" in attribute else attribute
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]


def _integer_valued(values: pd.Series) -> bool:
    nn = values.dropna().to_numpy(dtype=float)
    return len(nn) > 0 and bool(np.all(np.isfinite(nn))) and bool(np.all(nn == np.round(nn)))


def _fixed_width_code(values: pd.Series, max_rows: int = 50_000) -> bool:
    nn = values.dropna().to_numpy(dtype=float)
    if len(nn) > max_rows:  # a fixed sample: the rule is about shares, and this runs on every column
        nn = nn[np.random.default_rng(0).choice(len(nn), max_rows, replace=False)]
    if (nn < 1).any() or len(np.unique(nn)) < MIN_DISTINCT_FOR_DATA_RULE:
        return False
    if ((nn >= 1800) & (nn <= 2100)).mean() > 0.5:  # years: ordered, stay numeric
        return False
    digits = np.floor(np.log10(nn)).astype(np.int64) + 1
    width = np.bincount(digits).argmax()
    return width >= 4 and (digits == width).mean() >= FIXED_WIDTH_SHARE


def identifier_kind(attribute: str, values: pd.Series) -> tuple[str | None, str]:
    """('id' | 'code' | None, why) for a numeric float column (NaN = missing)."""
    if not _integer_valued(values):
        return None, ""
    words = _words(attribute)
    if words and words[-1] in ID_WORDS:
        return "id", f"identifier-like name ('{words[-1]}') with integer values"
    hit = next((w for w in words if w in CODE_WORDS), None)
    if hit:
        return "code", f"code-like name ('{hit}') with integer values"
    if _fixed_width_code(values):
        return "code", "integer values of one fixed width (>= 4 digits), as codes are written"
    return None, ""


def code_as_category(
    values: pd.Series, max_categories: int, min_level_rows: int = 5
) -> tuple[pd.Series | None, str]:
    """Integer codes as category labels (strings), cut to leading digits when there are more than
    `max_categories` distinct codes. (None, why) when no level of the hierarchy fits."""
    known = values.dropna()
    ints = known.astype(np.int64).astype(str)
    if ints.nunique() <= max_categories:
        return _as_labels(values, ints), "treated as a category (one level per code)"
    width = int(ints.str.len().max())
    for digits in range(width - 1, 0, -1):
        cut = ints.str.zfill(width).str[:digits]
        counts = cut.value_counts()
        if len(counts) <= max_categories:
            if counts.median() < min_level_rows:
                break
            return _as_labels(values, cut), f"treated as a category of its leading {digits} digit(s)"
    return None, "too many distinct codes to use as a category"


def _as_labels(values: pd.Series, labels: pd.Series) -> pd.Series:
    out = pd.Series(np.nan, index=values.index, dtype=object)
    out[labels.index] = labels.to_numpy(dtype=object)
    return out
