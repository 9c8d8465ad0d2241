"""The ICP profile: what the best customers (top quarter by value) look like, attribute by attribute.

For each recommended attribute (topped up to `min_rows` with the next-ranked model attributes):
- numeric: the 25th–75th percentile among best customers, rounded to two significant digits;
- categorical: the levels over-represented among best customers (else the most common), by count
  among them, added until they cover half of the best customers (at most three levels);
- flag (0/1): "uses X" when best customers have the flag more often than others, else "does not use X".
`share_best` / `share_others`: share of best customers / of every other account (other customers and
prospects, missing values counted as outside) matching the ideal range, levels or flag.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.families import family_of, human_name, is_single_technology

from .attributes import attribute_kind, numbers, select_attributes, text_codes, texts
from .formatting import fmt_num, fmt_pct

PROFILE_COLUMNS = [
    "attribute",
    "family",
    "rank",
    "kind",
    "ideal_range",
    "share_best",
    "share_others",
    "best_customers",
    "brief_line",
]
_PLACE_WORDS = ("industry", "country", "region", "sector", "vertical")


def best_customers(features: pd.DataFrame, value_col: str, top_share: float) -> pd.Series:
    """Mask of customers in the top `top_share` by value (at least one when any has a value)."""
    value = numbers(features[value_col]).where(features["is_customer"].fillna(False).astype(bool))
    known = value.dropna()
    if known.empty:
        return pd.Series(False, index=features.index)
    n_best = max(1, math.ceil(top_share * len(known)))
    top = known.sort_values(ascending=False, kind="stable").index[:n_best]
    return pd.Series(features.index.isin(top), index=features.index)


def _nice(x: float) -> float:
    """Two significant digits from 100 up (1,793 -> 1,800), else unchanged."""
    if not np.isfinite(x) or abs(x) < 100:
        return x
    return float(round(x, -int(math.floor(math.log10(abs(x)))) + 1))


def _span(lo: float, hi: float) -> str:
    return f"{fmt_num(lo)} to {fmt_num(hi)}" if lo < 0 else f"{fmt_num(lo)}–{fmt_num(hi)}"


def _numeric(name: str, x: pd.Series, best: pd.Series, attribute: str) -> tuple[str, pd.Series, str]:
    lo, hi = (_nice(float(q)) for q in x[best].quantile([0.25, 0.75]))
    inside = (x >= lo) & (x <= hi)
    text = f"{name} {fmt_num(lo)}" if lo == hi else f"{name} {_span(lo, hi)}"
    human = human_name(attribute)
    what = f"{human} of {fmt_num(lo)}" if lo == hi else f"{human} between {fmt_num(lo)} and {fmt_num(hi)}"
    return text, inside, f"have {what}"


def _levels(codes: np.ndarray, code_of: dict[str, int], best: np.ndarray) -> list[str]:
    """Levels over-represented among best customers (else the commonest), by count among them,
    added until they cover half of the best customers (at most three); the texts are coded as
    `codes` (-1 = missing; `code_of`: {text: code})."""
    n_best = int(best.sum())
    labels = list(code_of)
    known = codes >= 0
    in_best = np.bincount(codes[best & known], minlength=len(labels))
    in_others = np.bincount(codes[~best & known], minlength=len(labels))
    counts = pd.Series(in_best, index=pd.Index(labels, dtype=object))
    counts = counts[counts > 0].sort_index().sort_values(ascending=False, kind="stable")
    share_others = dict(zip(labels, in_others / max(int((~best).sum()), 1), strict=True))
    over = [lv for lv in counts.index if counts[lv] / n_best >= share_others.get(lv, 0.0)]
    levels, covered = [], 0
    for level in over or list(counts.index):
        levels.append(level)
        covered += counts[level]
        if covered >= 0.5 * n_best or len(levels) == 3:
            break
    return levels


def _categorical(name: str, x: pd.Series, best: pd.Series, attribute: str) -> tuple[str, pd.Series, str]:
    codes, code_of = text_codes(x, casefold=True)  # x is trimmed text already: its case-folded keys
    is_best = best.to_numpy(bool)
    levels = _levels(codes, code_of, is_best)
    inside = pd.Series(np.isin(codes, [code_of[lv] for lv in levels]), index=x.index)
    shown = [x[is_best & (codes == code_of[lv])].mode().iloc[0] for lv in levels]
    text = f"{name}: {', '.join(shown)} ({fmt_pct(inside[best].mean())})"
    joined = " or ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else shown[0]
    human = human_name(attribute)
    line = f"are in {joined}" if any(w in human for w in _PLACE_WORDS) else f"have {human} {joined}"
    return text, inside, line


def _flag(name: str, x: pd.Series, best: pd.Series, attribute: str) -> tuple[str, pd.Series, str]:
    has = x == 1
    positive = has[best].mean() >= has[~best].mean()
    inside = has if positive else (x == 0)
    tech = is_single_technology(attribute)
    verb = ("use" if positive else "do not use") if tech else ("have" if positive else "do not have")
    human = human_name(attribute)
    text = f"{'uses' if positive else 'does not use'} {name}" if tech else f"{name} = {1 if positive else 0}"
    return text, inside, f"{verb} {human}"


def build_profile(
    features: pd.DataFrame,
    importance: pd.DataFrame,
    value_col: str,
    top_share: float = 0.25,
    min_rows: int = 10,
    max_rows: int = 12,
) -> pd.DataFrame:
    """One row per profile attribute (`PROFILE_COLUMNS`), in importance rank order."""
    best = best_customers(features, value_col, top_share)
    attrs = select_attributes(importance, features.columns, n_max=max_rows, n_min=min_rows)
    rank = importance.drop_duplicates("attribute").set_index("attribute").get("rank")
    family = importance.drop_duplicates("attribute").set_index("attribute").get("family")
    if not best.any():
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    others = ~best
    rows = []
    for attr in attrs:
        col = features[attr]
        kind = attribute_kind(col)
        name = attr.split("__", 1)[1] if "__" in attr else attr
        if kind == "categorical":
            x = texts(col)
            if x[best].isna().all():
                continue
            text, inside, phrase = _categorical(name, x, best, attr)
        else:
            x = numbers(col)
            if x[best].isna().all():
                continue
            if kind == "flag":
                text, inside, phrase = _flag(name, x, best, attr)
            else:
                text, inside, phrase = _numeric(name, x, best, attr)
        share_best = float(inside[best].mean())
        share_others = float(inside[others].mean()) if others.any() else np.nan
        if kind == "flag":
            text += f" ({fmt_pct(share_best)} of best customers vs {fmt_pct(share_others)} of others)"
        fam = family.get(attr) if family is not None else None
        rows.append(
            {
                "attribute": attr,
                "family": fam if isinstance(fam, str) else family_of(attr),
                "rank": rank.get(attr) if rank is not None else None,
                "kind": kind,
                "ideal_range": text,
                "share_best": share_best,
                "share_others": share_others,
                "best_customers": int(best.sum()),
                "brief_line": (
                    f"{fmt_pct(share_best)} of our best customers {phrase}, "
                    f"vs {fmt_pct(share_others)} of other accounts."
                ),
            }
        )
    out = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
    out["rank"] = pd.to_numeric(out["rank"], errors="coerce").astype("Int64")
    return out
