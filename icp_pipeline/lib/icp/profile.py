"""The ICP profile: what the best customers (top quarter by value) look like, attribute by attribute.

For each recommended attribute (topped up to `min_rows` with the next-ranked model attributes):
- numeric: the 25th–75th percentile among best customers, rounded to two significant digits;
- categorical: the levels over-represented among best customers (else the most common), by count
  among them, added until they cover half of the best customers (at most three levels);
- flag (0/1): "uses X" when best customers have the flag more often than others, else "does not use X".
`share_best` / `share_others`: share of best customers / of every other account (other customers and
prospects, missing values counted as outside) matching the ideal range, levels or flag.
`in_brief`: the trait sets the best customers apart with statistical support (support.py: the 90 %
interval of share_best - share_others above 0, at least 5 best customers with it, the model's
importance above 0, at most 90 % of other accounts sharing it); `not_in_brief` says why not. Traits
read as their labels (marts.attribute_catalog), values in their unit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.families import family_of
from icp_pipeline.lib.model.labels import Labels, readable_value

from .attributes import attribute_kind, numbers, select_attributes, text_codes, texts
from .formatting import fmt_pct
from .support import brief_verdict, share_difference_interval

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
    "label",
    "other_accounts",
    "difference_low",
    "difference_high",
    "in_brief",
    "not_in_brief",
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


def _lower(label: str) -> str:
    """'Employee count' -> 'employee count'; 'CRM tools used' stays (an acronym leads)."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _numeric(x: pd.Series, best: pd.Series, attribute: str, labels: Labels) -> tuple[str, pd.Series, str]:
    lo, hi = (float(q) for q in x[best].quantile([0.25, 0.75]))
    if labels.unit(attribute) != "year":
        lo, hi = _nice(lo), _nice(hi)
    inside = (x >= lo) & (x <= hi)
    name, low, high = labels.name(attribute), labels.value(attribute, lo), labels.value(attribute, hi)
    text = f"{name}: {low}" if lo == hi else f"{name}: {low} to {high}"
    what = f"{_lower(name)} of {low}" if lo == hi else f"{_lower(name)} between {low} and {high}"
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


def _categorical(x: pd.Series, best: pd.Series, attribute: str, labels: Labels) -> tuple[str, pd.Series, str]:
    codes, code_of = text_codes(x, casefold=True)  # x is trimmed text already: its case-folded keys
    is_best = best.to_numpy(bool)
    levels = _levels(codes, code_of, is_best)
    inside = pd.Series(np.isin(codes, [code_of[lv] for lv in levels]), index=x.index)
    shown = [readable_value(x[is_best & (codes == code_of[lv])].mode().iloc[0]) for lv in levels]
    name = labels.name(attribute)
    text = f"{name}: {', '.join(shown)} ({fmt_pct(inside[best].mean())})"
    joined = " or ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else shown[0]
    human = _lower(name)
    line = f"are in {joined}" if any(w in human.lower() for w in _PLACE_WORDS) else f"have {human} {joined}"
    return text, inside, line


def _flag(x: pd.Series, best: pd.Series, attribute: str, labels: Labels) -> tuple[str, pd.Series, str]:
    has = x == 1
    positive = has[best].mean() >= has[~best].mean()
    inside = has if positive else (x == 0)
    label = labels.label(attribute)
    if label.startswith("Uses "):
        thing = label[len("Uses ") :]
        text = label if positive else f"Does not use {thing}"
        return text, inside, f"use {thing}" if positive else f"do not use {thing}"
    text = f"{label}: {'yes' if positive else 'no'}"
    return text, inside, f"have {_lower(label)}" if positive else f"have no {_lower(label)}"


def build_profile(
    features: pd.DataFrame,
    importance: pd.DataFrame,
    value_col: str,
    top_share: float = 0.25,
    min_rows: int = 10,
    max_rows: int = 12,
    labels: Labels | None = None,
) -> pd.DataFrame:
    """One row per profile attribute (`PROFILE_COLUMNS`), in importance rank order (the rank of the
    attribute's group: members of a group are ranked with their representative)."""
    labels = labels or Labels()
    best = best_customers(features, value_col, top_share)
    attrs = select_attributes(importance, features.columns, n_max=max_rows, n_min=min_rows)
    rank = importance.drop_duplicates("attribute").set_index("attribute").get("rank")
    family = importance.drop_duplicates("attribute").set_index("attribute").get("family")
    weight = importance.drop_duplicates("attribute").set_index("attribute").get("importance")
    if not best.any():
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    others = ~best
    # counts by numpy masks: a boolean Series selection copies the 1 M-row column each time
    is_best, is_other = best.to_numpy(bool), others.to_numpy(bool)
    n_best, n_others = int(is_best.sum()), int(is_other.sum())
    rows = []
    for attr in attrs:
        col = features[attr]
        kind = attribute_kind(col)
        if kind == "categorical":
            x = texts(col)
            if x.isna().to_numpy()[is_best].all():
                continue
            text, inside, phrase = _categorical(x, best, attr, labels)
        else:
            x = numbers(col)
            if x.isna().to_numpy()[is_best].all():
                continue
            if kind == "flag":
                text, inside, phrase = _flag(x, best, attr, labels)
            else:
                text, inside, phrase = _numeric(x, best, attr, labels)
        hit = inside.to_numpy(bool)
        k_best, k_others = int(np.count_nonzero(hit & is_best)), int(np.count_nonzero(hit & is_other))
        share_best = k_best / n_best  # the mean of the 0/1 values, as Series.mean gives it
        share_others = k_others / n_others if n_others else np.nan
        low, high = share_difference_interval(k_best, n_best, k_others, n_others)
        importance_of = weight.get(attr) if weight is not None else None
        importance_of = None if importance_of is None or pd.isna(importance_of) else float(importance_of)
        why_not = brief_verdict(k_best, share_others, low, importance_of)
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
                "best_customers": n_best,
                "brief_line": (
                    f"{fmt_pct(share_best)} of our best customers {phrase}, "
                    f"vs {fmt_pct(share_others)} of other accounts."
                ),
                "label": labels.label(attr),
                "other_accounts": n_others,
                "difference_low": low,
                "difference_high": high,
                "in_brief": why_not is None,
                "not_in_brief": why_not,
            }
        )
    out = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
    out["rank"] = pd.to_numeric(out["rank"], errors="coerce").astype("Int64")
    out["other_accounts"] = out["other_accounts"].astype("int64")
    out["in_brief"] = out["in_brief"].astype(bool)
    out["not_in_brief"] = out["not_in_brief"].astype(object)
    return out
