"""Segment profiles: k-means clusters of high-value customers on observable attributes.

- who: customers with a value in the top half by value;
- on what: the top `n_attributes` observable attributes of the importance table (recommended first);
  numeric and 0/1 flags with missing values imputed by the median, categoricals one-hot for their
  `top_levels` commonest levels; right-skewed non-negative numbers on log1p; every column
  standardised on the high-value customers and clipped to +-3;
- how many: `n_segments` clamped to 3..5, then to one segment per `min_per_segment` customers and to
  the number of distinct rows (at least 1; `note` says why when fewer);
- KMeans(n_init=10, random_state=seed): deterministic for a seed. Segments are numbered by share of
  value. Every account (customers and prospects) is assigned the nearest centroid, same preprocessing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from icp_pipeline.lib.model.families import human_name, is_single_technology, is_technology

from .attributes import attribute_kind, numbers, select_attributes, text_codes, texts
from .formatting import fmt_num, fmt_pct

SEGMENT_COLUMNS = [
    "segment_id",
    "segment_name",
    "customers",
    "median_value",
    "share_of_value",
    "top_attributes",
    "profile",
    "example_accounts",
    "note",
]
PROFILE_ATTRIBUTES = 5  # attributes (by importance) in the `profile` text
CLIP_Z = 3.0  # standardised values are clipped to +-3 so that single outliers cannot form a segment
SIZE_BANDS = [(200, "Small"), (1000, "Mid-size"), (5000, "Large"), (np.inf, "Enterprise")]


@dataclass
class _Column:
    attribute: str
    kind: str  # numeric | flag | level
    level: str | None
    fill: float
    mean: float
    std: float
    log: bool = False


def _skewed(x: pd.Series) -> bool:
    """Non-negative and right-skewed (skewness > 1): clustered on log1p so outliers do not own clusters."""
    known = x.dropna()
    return len(known) > 2 and known.min() >= 0 and float(known.skew()) > 1


class _Design:
    """Standardised numeric matrix of the clustering attributes, fitted on high-value customers."""

    def __init__(self, fit: pd.DataFrame, attributes: list[str], top_levels: int):
        self.columns: list[_Column] = []
        for attr in attributes:
            if attribute_kind(fit[attr]) == "categorical":
                keys = self._keys(fit[attr])
                for level in (
                    keys.dropna()
                    .value_counts()
                    .sort_index()
                    .sort_values(ascending=False, kind="stable")
                    .index[:top_levels]
                ):
                    self._add(_Column(attr, "level", level, 0.0, 0.0, 1.0), (keys == level).astype(float))
            else:
                kind = attribute_kind(fit[attr])
                x = numbers(fit[attr])
                log = kind == "numeric" and _skewed(x)
                x = np.log1p(x) if log else x
                fill = float(x.median()) if x.notna().any() else 0.0
                self._add(_Column(attr, kind, None, fill, 0.0, 1.0, log), x.fillna(fill))

    def _add(self, col: _Column, values: pd.Series) -> None:
        col.mean = float(values.mean())
        std = float(values.std(ddof=0))
        col.std = std if std > 1e-12 else 1.0
        self.columns.append(col)

    @staticmethod
    def _keys(col: pd.Series) -> pd.Series:
        return texts(col, casefold=True)

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        out = np.zeros((len(df), len(self.columns)))
        keys: dict[str, tuple[np.ndarray, dict[str, int]]] = {}
        for j, col in enumerate(self.columns):
            if col.kind == "level":
                if col.attribute not in keys:
                    keys[col.attribute] = text_codes(df[col.attribute], casefold=True)
                codes, code_of = keys[col.attribute]
                raw = (codes == code_of.get(col.level, -2)).astype(float)  # key == level
            else:
                x = numbers(df[col.attribute])
                x = np.log1p(x.clip(lower=0)) if col.log else x
                raw = x.fillna(col.fill).to_numpy()
            out[:, j] = (raw - col.mean) / col.std
        return np.clip(out, -CLIP_Z, CLIP_Z, out=out)


def high_value_customers(features: pd.DataFrame, value_col: str) -> pd.Series:
    """Mask of customers with a value at or above the customers' median value."""
    value = numbers(features[value_col]).where(features["is_customer"].fillna(False).astype(bool))
    if value.notna().sum() == 0:
        return pd.Series(False, index=features.index)
    return value >= value.median()


def build_segments(
    features: pd.DataFrame,
    importance: pd.DataFrame,
    value_col: str,
    n_segments: int = 4,
    seed: int = 42,
    *,
    n_attributes: int = 8,
    top_levels: int = 3,
    min_per_segment: int = 8,
) -> tuple[pd.DataFrame, pd.Series]:
    """(one row per segment, `SEGMENT_COLUMNS`; segment name of every account, index of `features`)."""
    high = high_value_customers(features, value_col)
    assignment = pd.Series(None, index=features.index, dtype=object, name="segment")
    if not high.any():
        empty = pd.DataFrame(columns=SEGMENT_COLUMNS)
        empty.attrs["note"] = "no customer with a value: no segments"
        return empty, assignment
    attrs = select_attributes(importance, features.columns, n_max=n_attributes, n_min=n_attributes)
    fit = features[high]
    design = _Design(fit, attrs, top_levels)
    z_fit, z_all = design.transform(fit), design.transform(features)

    wanted = int(np.clip(n_segments, 3, 5))
    distinct = len(np.unique(z_fit.round(9), axis=0)) if z_fit.shape[1] else 1
    n = max(1, min(wanted, len(fit) // min_per_segment, distinct))
    note = None
    if n < wanted:
        note = (
            f"{n} segment{'s' if n > 1 else ''} instead of {wanted}: {len(fit)} high-value customers"
            f" (at least {min_per_segment} per segment) and {distinct} distinct attribute profiles"
        )
    if n == 1:
        centers = z_fit.mean(axis=0, keepdims=True)
    else:
        centers = KMeans(n_clusters=n, n_init=10, random_state=seed).fit(z_fit).cluster_centers_

    value = numbers(features[value_col])
    all_labels = _nearest(z_all, centers)
    fit_labels = all_labels[high.to_numpy()]
    totals = np.array([value[high][fit_labels == k].sum() for k in range(n)])
    order = np.lexsort((np.arange(n), -totals))  # by value, ties by cluster index
    rank_of = {int(k): i for i, k in enumerate(order)}

    rows = []
    for k in order:
        members = fit[fit_labels == k]
        rows.append(_describe(members, fit, centers[k], design, value, value_col, rank_of[int(k)] + 1, note))
    segments = pd.DataFrame(rows)
    segments["share_of_value"] = segments["share_of_value"] / max(float(value[high].sum()), 1e-12)
    segments["segment_name"] = _unique_names(
        segments["segment_name"].tolist(), segments["_qualifier"].tolist()
    )
    segments = segments[SEGMENT_COLUMNS]
    names = np.empty(n, dtype=object)
    names[order] = segments["segment_name"].to_numpy(dtype=object)
    assignment[:] = names[all_labels]
    return segments, assignment


def _nearest(z: np.ndarray, centers: np.ndarray, block: int = 8192) -> np.ndarray:
    """Index of the nearest centre per row, in row blocks (the distances of a block at a time)."""
    out = np.empty(len(z), dtype=np.intp)
    for start in range(0, len(z), block):
        part = z[start : start + block]
        out[start : start + block] = (
            ((part[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        )
    return out


def _column_of(df: pd.DataFrame, *names: str) -> str | None:
    return next((n for n in names if n in df.columns), None)


def _size_band(members: pd.DataFrame) -> str | None:
    col = _column_of(members, "firmo__employee_count", "employee_count")
    if col is None or numbers(members[col]).notna().sum() == 0:
        return None
    median = float(numbers(members[col]).median())
    return next(label for bound, label in SIZE_BANDS if median < bound)


def _dominant(members: pd.DataFrame, *names: str, min_share: float = 0.5) -> str | None:
    col = _column_of(members, *names)
    if col is None:
        return None
    values = texts(members[col]).dropna()
    if values.empty:
        return None
    counts = values.value_counts().sort_index().sort_values(ascending=False, kind="stable")
    return str(counts.index[0]) if counts.iloc[0] / len(members) >= min_share else None


def _tech_phrase(members: pd.DataFrame, fit: pd.DataFrame, attrs: list[str]) -> str | None:
    best, best_gap = None, 0.15
    for attr in attrs:
        if not is_single_technology(attr) or attribute_kind(fit[attr]) != "flag":
            continue
        share, overall = (numbers(members[attr]) == 1).mean(), (numbers(fit[attr]) == 1).mean()
        tech = human_name(attr).title()
        if share >= 0.6 and share - overall >= best_gap:
            best, best_gap = f"on {tech}", share - overall
        elif share <= 0.3 and overall - share >= max(best_gap, 0.3):
            best, best_gap = f"without {tech}", overall - share
    return best


def _effects(center: np.ndarray, design: _Design) -> dict[str, float]:
    """Largest |standardised centroid coordinate| per attribute: how distinctive the segment is on it."""
    out: dict[str, float] = {}
    for coord, col in zip(center, design.columns, strict=True):
        if abs(coord) > abs(out.get(col.attribute, 0.0)):
            out[col.attribute] = float(coord)
    return out


def _typical(attr: str, members: pd.DataFrame, fit: pd.DataFrame, compare: bool) -> str:
    """'employee count median 800 (vs 300)', 'industry software 70 % (vs 25 %)', 'uses snowflake 95 % (vs 40 %)'."""
    kind = attribute_kind(fit[attr])
    name = human_name(attr)
    if kind == "categorical":
        seg, base = texts(members[attr]), texts(fit[attr])
        if seg.dropna().empty:
            return f"{name} unknown"
        level = seg.dropna().value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
        share, overall = (seg == level).mean(), (base == level).mean()
        vs = f" (vs {fmt_pct(overall)})" if compare else ""
        return f"{name} {level} {fmt_pct(share)}{vs}"
    seg, base = numbers(members[attr]), numbers(fit[attr])
    if kind == "flag":
        vs = f" (vs {fmt_pct((base == 1).mean())})" if compare else ""
        verb = "uses " if is_technology(attr) else ""
        return f"{verb}{name} {fmt_pct((seg == 1).mean())}{vs}"
    vs = f" (vs {fmt_num(float(base.median()))})" if compare else ""
    return f"{name} median {fmt_num(float(seg.median()))}{vs}"


def _describe(members, fit, center, design, value, value_col, segment_id, note) -> dict:
    attrs = list(dict.fromkeys(c.attribute for c in design.columns))
    effects = _effects(center, design)
    distinctive = sorted(attrs, key=lambda a: (-abs(effects.get(a, 0.0)), attrs.index(a)))[:3]
    size, industry = _size_band(members), _dominant(members, "firmo__industry", "industry")
    tech = _tech_phrase(members, fit, attrs)
    if size or industry or tech:
        name = f"{size or 'Accounts'} {industry or ('accounts' if size else '')}".strip()
        name = f"{name} {tech}" if tech else name
        name = name[0].upper() + name[1:]
    elif distinctive:
        attr = distinctive[0]
        name = f"{'High' if effects.get(attr, 0) >= 0 else 'Low'} {human_name(attr)}"
    else:
        name = "All high-value customers"
    v = value.loc[members.index]
    label = "account_name" if "account_name" in members.columns else "account_key"
    examples = members.assign(_v=v).sort_values(["_v", label], ascending=[False, True])[label].astype(str)
    typical = ", ".join(_typical(a, members, fit, compare=False) for a in attrs[:PROFILE_ATTRIBUTES])
    return {
        "segment_id": segment_id,
        "segment_name": name,
        "customers": len(members),
        "median_value": float(v.median()),
        "share_of_value": float(v.sum()),
        "top_attributes": "; ".join(_typical(a, members, fit, compare=True) for a in distinctive),
        "profile": (
            f"{len(members)} high-value customers with median {value_col.removeprefix('label_').replace('_', ' ')} "
            f"{fmt_num(float(v.median()))}; typically {typical}."
        ),
        "example_accounts": ", ".join(examples.head(3)),
        "note": note,
        "_qualifier": _qualifier(distinctive, center, design),
    }


def _qualifier(distinctive: list[str], center: np.ndarray, design: _Design) -> str | None:
    """'high company age years', 'funding stage public', 'uses salesforce': the most distinctive
    attribute, to tell apart equally named segments."""
    if not distinctive:
        return None
    j = max(
        (j for j, c in enumerate(design.columns) if c.attribute == distinctive[0]),
        key=lambda j: abs(center[j]),
    )
    col, coord = design.columns[j], center[j]
    name = human_name(col.attribute)
    if col.kind == "level":
        return f"{name} {col.level}" if coord >= 0 else f"{name} not {col.level}"
    if col.kind == "flag":
        verb = "uses" if is_technology(col.attribute) else "has"
        return f"{verb} {name}" if coord >= 0 else f"no {name}"
    return f"{'high' if coord >= 0 else 'low'} {name}"


def _unique_names(names: list[str], qualifiers: list[str | None]) -> list[str]:
    """Equal names get their qualifier ('Small software (high revenue)'), then a number if still equal."""
    counts = pd.Series(names).value_counts()
    named = [f"{n} ({q})" if counts[n] > 1 and q else n for n, q in zip(names, qualifiers, strict=True)]
    seen: dict[str, int] = {}
    out = []
    for name in named:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return out
