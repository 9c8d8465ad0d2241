"""Segment profiles: k-means clusters of high-value customers on observable attributes.

- who: customers with a value in the top half by value;
- on what: the top `n_attributes` observable attributes of the importance table (recommended first);
  numeric and 0/1 flags with missing values imputed by the median, categoricals one-hot for their
  `top_levels` commonest levels; right-skewed non-negative numbers on log1p; every column
  standardised on the high-value customers and clipped to +-3;
- how many: `n_segments` clamped to 3..5, then to one segment per `min_per_segment` customers and to
  the number of distinct rows (at least 1; `note` says why when fewer);
- KMeans(n_init=10, random_state=seed): deterministic for a seed;
- named by their defining traits (issue 15): per cluster, the traits (a level set of at most two
  levels, a yes/no flag, a numeric range from the 20th to the 80th percentile rounded outward) shared
  by >= 60 % of its members and by >= 20 points fewer of the other high-value customers, the most
  distinctive first, a second one while >= 60 % of the members share both; the name states them
  ("Software · Uses Snowflake") in the catalog's labels;
- membership follows the name: every account (customers and prospects) goes to the nearest centroid
  among the segments whose traits it satisfies, so every member satisfies its segment's name; the
  ones satisfying none are in "Other profiles" (counted in `note`). Segments are numbered by share
  of value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from icp_pipeline.lib.model.labels import Labels, readable_value

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
OTHER_SEGMENT = "Other profiles"  # high-value customers (and accounts) that fit no segment's traits
TRAIT_COVERAGE = 0.6  # a candidate trait is shared by at least 60 % of a cluster's members
MIN_DISTINCTION = 0.2  # ... by at least 20 points more of them than of the other high-value customers
MAX_TRAITS = 2  # traits in a segment's name


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
    labels: Labels | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """(one row per segment, `SEGMENT_COLUMNS`; segment name of every account, index of `features`)."""
    high = high_value_customers(features, value_col)
    assignment = pd.Series(None, index=features.index, dtype=object, name="segment")
    if not high.any():
        empty = pd.DataFrame(columns=SEGMENT_COLUMNS)
        empty.attrs["note"] = "no customer with a value: no segments"
        return empty, assignment
    attrs = select_attributes(importance, features.columns, n_max=n_attributes, n_min=n_attributes)
    # the rows of high-value customers and of each segment are taken of the columns read below only
    name_columns = [c for c in ("account_name", "account_key") if c in features.columns]
    rows_of = features[list(dict.fromkeys([*attrs, *name_columns]))]
    fit = rows_of[high]
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
    labels = labels or Labels()
    fit_labels = _nearest(z_fit, centers)
    rules = [_defining_traits(fit[fit_labels == k], fit[fit_labels != k], attrs, labels) for k in range(n)]
    # one segment per distinct rule (two clusters defined alike are one segment)
    keep = [k for k in range(n) if rules[k] and rules[k] not in rules[:k]]
    satisfied = np.column_stack([_satisfies(features, rules[k]) for k in keep]) if keep else None
    all_labels = _nearest_satisfied(z_all, centers[keep], satisfied) if keep else np.full(len(features), -1)
    is_high = high.to_numpy()
    names = [_rule_name(rules[k], labels) for k in keep]
    members_of = [np.flatnonzero(is_high & (all_labels == i)) for i in range(len(keep))]
    rest = np.flatnonzero(is_high & (all_labels < 0))
    groups = [
        (names[i], members_of[i], centers[keep[i]], rules[keep[i]])
        for i in range(len(keep))
        if len(members_of[i])
    ]
    if len(rest):
        groups.append((OTHER_SEGMENT, rest, z_all[rest].mean(axis=0), []))
    unfit = int(len(rest))
    if unfit:
        extra = f"{unfit} high-value customers fit no segment's defining traits: segment '{OTHER_SEGMENT}'"
        note = f"{note}; {extra}" if note else extra
    totals = np.array([value.iloc[m].sum() for _, m, _, _ in groups])
    order = np.lexsort((np.arange(len(groups)), -totals))
    rows = []
    for rank, g in enumerate(order):
        name, idx, center, rule = groups[g]
        members = rows_of.iloc[idx]
        rows.append(_describe(members, fit, center, design, value, value_col, rank + 1, note, name, labels))
    segments = pd.DataFrame(rows)
    segments["share_of_value"] = segments["share_of_value"] / max(float(value[high].sum()), 1e-12)
    segments = segments[SEGMENT_COLUMNS]
    named = np.array([*names, OTHER_SEGMENT], dtype=object)
    assignment[:] = named[np.where(all_labels < 0, len(names), all_labels)]
    # a name of a segment no high-value customer is left in is not published: its accounts are 'other'
    assignment[~assignment.isin(segments["segment_name"])] = OTHER_SEGMENT
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


def _nearest_satisfied(
    z: np.ndarray, centers: np.ndarray, satisfied: np.ndarray, block: int = 8192
) -> np.ndarray:
    """Index of the nearest centre among the segments whose defining traits the row satisfies
    (`satisfied`: rows x segments); -1 when it satisfies none."""
    out = np.empty(len(z), dtype=np.intp)
    for start in range(0, len(z), block):
        part = z[start : start + block]
        dist = ((part[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        dist[~satisfied[start : start + block]] = np.inf
        best = dist.argmin(axis=1)
        best[~np.isfinite(dist.min(axis=1))] = -1
        out[start : start + block] = best
    return out


@dataclass(frozen=True)
class Trait:
    """One defining trait: `attribute` in `levels` (categorical), == `flag` (0/1), or within
    [`low`, `high`] (numeric). Missing values never satisfy a trait."""

    attribute: str
    kind: str
    levels: tuple[str, ...] = ()  # case-folded keys
    shown: tuple[str, ...] = ()  # the levels as the data spell them most often
    flag: float | None = None
    low: float | None = None
    high: float | None = None

    def mask(self, df: pd.DataFrame) -> np.ndarray:
        col = df[self.attribute]
        if self.kind == "categorical":
            return texts(col, casefold=True).isin(self.levels).to_numpy()
        x = numbers(col)
        if self.kind == "flag":
            return (x == self.flag).to_numpy()
        return ((x >= self.low) & (x <= self.high)).to_numpy()


def _satisfies(df: pd.DataFrame, rule: list[Trait]) -> np.ndarray:
    ok = np.ones(len(df), dtype=bool)
    for trait in rule:
        ok &= trait.mask(df)
    return ok


def _outward(x: float, up: bool) -> float:
    """`x` rounded outward to two significant digits (a range that keeps what it held)."""
    if not np.isfinite(x) or x == 0:
        return x
    step = 10 ** (int(np.floor(np.log10(abs(x)))) - 1)
    return float((np.ceil if up else np.floor)(x / step) * step)


def _candidates(members: pd.DataFrame, attrs: list[str]) -> list[Trait]:
    """One candidate trait per attribute that `TRAIT_COVERAGE` of the cluster's members share."""
    out = []
    for attr in attrs:
        kind = attribute_kind(members[attr])
        if kind == "categorical":
            keys = texts(members[attr], casefold=True)
            counts = keys.dropna().value_counts().sort_index().sort_values(ascending=False, kind="stable")
            levels, covered = [], 0
            for level, count in counts.items():
                levels.append(level)
                covered += count
                if covered >= TRAIT_COVERAGE * len(members) or len(levels) == 2:
                    break
            if levels and covered >= TRAIT_COVERAGE * len(members):
                spelt = texts(members[attr])
                shown = tuple(str(spelt[keys == level].mode().iloc[0]) for level in levels)
                out.append(Trait(attr, kind, levels=tuple(levels), shown=shown))
            continue
        x = numbers(members[attr])
        if kind == "flag":
            for v in (1.0, 0.0):
                if (x == v).mean() >= TRAIT_COVERAGE:
                    out.append(Trait(attr, kind, flag=v))
            continue
        known = x.dropna()
        if len(known) >= TRAIT_COVERAGE * len(members) and len(known):
            tail = (1 - TRAIT_COVERAGE) / 2
            lo, hi = known.quantile([tail, 1 - tail])
            out.append(Trait(attr, kind, low=_outward(float(lo), False), high=_outward(float(hi), True)))
    return out


def _defining_traits(
    members: pd.DataFrame, others: pd.DataFrame, attrs: list[str], labels: Labels
) -> list[Trait]:
    """Up to `MAX_TRAITS` traits most members share and fewest other high-value customers do
    (coverage among members minus coverage among the others, at least `MIN_DISTINCTION`), together
    shared by at least `TRAIT_COVERAGE` of the members."""
    if members.empty:
        return []
    scored = []
    for trait in _candidates(members, attrs):
        inside = trait.mask(members).mean()
        outside = trait.mask(others).mean() if len(others) else 0.0
        if inside - outside >= MIN_DISTINCTION:
            scored.append((inside - outside, attrs.index(trait.attribute), trait))
    scored.sort(key=lambda t: (-t[0], t[1]))
    chosen: list[Trait] = []
    for _, _, trait in scored:  # a further trait only while most members still share them all
        if len(chosen) == MAX_TRAITS:
            break
        if _satisfies(members, [*chosen, trait]).mean() >= TRAIT_COVERAGE:
            chosen.append(trait)
    return sorted(chosen, key=lambda t: attrs.index(t.attribute))


def trait_phrase(trait: Trait, labels: Labels) -> str:
    """'Industry: Software or Retail', 'Country: US', 'Uses Snowflake', 'Employee count 200 to 1,000'."""
    label = labels.label(trait.attribute)
    name = labels.name(trait.attribute)
    if trait.kind == "categorical":
        # always named: a value alone ('US', 'Retail') does not say which attribute it is a level of
        shown = " or ".join(readable_value(v) for v in (trait.shown or trait.levels))
        return f"{name}: {shown}"
    if trait.kind == "flag":
        if label.startswith("Uses "):
            return label if trait.flag == 1 else "Does not use " + label[len("Uses ") :]
        return f"{label}: {'yes' if trait.flag == 1 else 'no'}"
    return f"{name} {labels.value(trait.attribute, trait.low)} to {labels.value(trait.attribute, trait.high)}"


def _money(x: float, labels: Labels) -> str:
    """A customer value with its currency when the catalog knows it ('140,134 USD'), else the number."""
    text = fmt_num(x)
    currency = getattr(labels, "currency", None)
    return f"{text} {currency}" if currency else text


def _rule_name(rule: list[Trait], labels: Labels) -> str:
    return " · ".join(trait_phrase(t, labels) for t in rule)


def _effects(center: np.ndarray, design: _Design) -> dict[str, float]:
    """Largest |standardised centroid coordinate| per attribute: how distinctive the segment is on it."""
    out: dict[str, float] = {}
    for coord, col in zip(center, design.columns, strict=True):
        if abs(coord) > abs(out.get(col.attribute, 0.0)):
            out[col.attribute] = float(coord)
    return out


def _typical(attr: str, members: pd.DataFrame, fit: pd.DataFrame, compare: bool, labels: Labels) -> str:
    """'Employee count median 800 (vs 300)', 'Industry Software 70 % (vs 25 %)', 'Uses Snowflake 95 % (vs 40 %)'."""
    kind = attribute_kind(fit[attr])
    name = labels.name(attr)
    if kind == "categorical":
        seg, base = texts(members[attr]), texts(fit[attr])
        if seg.dropna().empty:
            return f"{name} unknown"
        level = seg.dropna().value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
        share, overall = (seg == level).mean(), (base == level).mean()
        vs = f" (vs {fmt_pct(overall)})" if compare else ""
        return f"{name} {readable_value(level)} {fmt_pct(share)}{vs}"
    seg, base = numbers(members[attr]), numbers(fit[attr])
    if kind == "flag":
        vs = f" (vs {fmt_pct((base == 1).mean())})" if compare else ""
        return f"{labels.label(attr)} {fmt_pct((seg == 1).mean())}{vs}"
    vs = f" (vs {labels.value(attr, float(base.median()))})" if compare else ""
    return f"{name} median {labels.value(attr, float(seg.median()))}{vs}"


def _describe(members, fit, center, design, value, value_col, segment_id, note, name, labels) -> dict:
    attrs = list(dict.fromkeys(c.attribute for c in design.columns))
    effects = _effects(center, design)
    distinctive = sorted(attrs, key=lambda a: (-abs(effects.get(a, 0.0)), attrs.index(a)))[:3]
    v = value.loc[members.index]
    label = "account_name" if "account_name" in members.columns else "account_key"
    examples = members.assign(_v=v).sort_values(["_v", label], ascending=[False, True])[label].astype(str)
    typical = ", ".join(_typical(a, members, fit, False, labels) for a in attrs[:PROFILE_ATTRIBUTES])
    what = value_col.removeprefix("label_").replace("_", " ")
    return {
        "segment_id": segment_id,
        "segment_name": name,
        "customers": len(members),
        "median_value": float(v.median()),
        "share_of_value": float(v.sum()),
        "top_attributes": "; ".join(_typical(a, members, fit, True, labels) for a in distinctive),
        "profile": (
            f"{len(members)} high-value customers with median {what} {_money(float(v.median()), labels)}; "
            f"typically {typical}."
        ),
        "example_accounts": ", ".join(examples.head(3)),
        "note": note,
    }
