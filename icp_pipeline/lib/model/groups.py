"""Attribute groups: attributes that carry the same information are fitted, ranked and explained once.

Two attributes carrying the same bit split SHAP credit between them (a driving technology ranked 15th
beside its `tech__cat_*` count) and add nothing to the fit. Groups are formed by union of:

1. **derived-from** relations of `marts.attribute_catalog.derived_from` (declared in the dbt feature
   models' YAML): an attribute derived from one attribute of the design matrix joins its group (an
   employee band joins the employee count); one derived from several (a category count, the
   technology count) joins the source it agrees with most (|Spearman| on the sample).
2. **near-duplicates from the data**: numeric and 0/1 attributes whose rank correlation is
   |Spearman| >= `near_duplicate_spearman` (0.95; missing values count as disagreement, so two
   attributes only group when they are known for the same accounts), and categoricals that split
   the accounts into the same classes.

Each group is fitted on one representative: an attribute that is not derived, then the one known for
most accounts, then numeric before 0/1 before categorical, then by name. Correlations are computed on a
fixed sample of `group_sample_rows` accounts (cost O(attributes^2 x sample), independent of data size).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

GROUP_COLUMNS = ["attribute", "attribute_group", "is_representative", "group_reason"]
KIND_ORDER = {"numeric": 0, "binary": 1, "categorical": 2}


class _Union:
    def __init__(self, items: list[str]):
        self.parent = {i: i for i in items}

    def find(self, a: str) -> str:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def derived_sources(catalog: pd.DataFrame | None, columns: list[str]) -> dict[str, list[str]]:
    """{attribute: its sources among `columns`} from the catalog's comma-separated `derived_from`."""
    if catalog is None or "derived_from" not in catalog:
        return {}
    present = set(columns)
    out: dict[str, list[str]] = {}
    for attribute, sources in zip(catalog["attribute"], catalog["derived_from"], strict=True):
        if attribute not in present or not isinstance(sources, str) or not sources.strip():
            continue
        found = [s.strip() for s in sources.split(",") if s.strip() in present and s.strip() != attribute]
        if found:
            out[attribute] = found
    return out


def _rank_matrix(X: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Standardised ranks per column, missing as 0 (the mean): Pearson of these is Spearman on rows
    where both are known, attenuated by rows where only one is."""
    Z = np.zeros((len(X), len(cols)))
    for j, c in enumerate(cols):
        v = X[c].to_numpy(dtype=float)
        known = ~np.isnan(v)
        if known.sum() < 3:
            continue
        r = rankdata(v[known])
        sd = r.std()
        if sd > 0:
            Z[known, j] = (r - r.mean()) / sd
    return Z


def _correlations(Z: np.ndarray) -> np.ndarray:
    norms = np.sqrt((Z * Z).sum(axis=0))
    norms[norms == 0] = np.inf
    return (Z.T @ Z) / np.outer(norms, norms)


def _same_partition(a: pd.Series, b: pd.Series) -> bool:
    ca, cb = a.cat.codes.to_numpy(), b.cat.codes.to_numpy()
    if len(np.unique(ca)) != len(np.unique(cb)):
        return False
    pairs = np.unique(np.stack([ca, cb], axis=1), axis=0)
    return len(pairs) == len(np.unique(ca))


def attribute_groups(
    X: pd.DataFrame,
    kinds: dict[str, str],
    catalog: pd.DataFrame | None,
    threshold: float = 0.95,
    sample_rows: int = 20_000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per column of X: attribute, attribute_group (its representative), is_representative,
    group_reason (why it is in a group; null for a representative or a single attribute)."""
    cols = list(X.columns)
    if not cols:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    sample = X
    if len(X) > sample_rows:
        sample = X.iloc[np.sort(np.random.default_rng(seed).choice(len(X), sample_rows, replace=False))]
    uf = _Union(cols)
    reason: dict[str, str] = {}
    numeric = [c for c in cols if kinds.get(c) in ("numeric", "binary")]
    Z = _rank_matrix(sample, numeric)
    corr = _correlations(Z)
    pos = {c: j for j, c in enumerate(numeric)}

    derived = derived_sources(catalog, cols)
    for attribute, sources in derived.items():
        source = sources[0]
        if len(sources) > 1 and attribute in pos:
            scored = [(abs(corr[pos[attribute], pos[s]]) if s in pos else -1.0, s) for s in sources]
            source = max(scored, key=lambda t: (t[0], t[1] == sources[0]))[1]
        uf.union(attribute, source)
        many = (
            f" (one of its {len(sources)} sources, the one it agrees with most)" if len(sources) > 1 else ""
        )
        reason[attribute] = f"derived from {source}{many}"

    for i, a in enumerate(numeric):
        for j in range(i + 1, len(numeric)):
            rho = corr[i, j]
            if abs(rho) >= threshold:
                b = numeric[j]
                uf.union(a, b)
                reason.setdefault(b, f"|Spearman| {abs(rho):.2f} with {a}")
                reason.setdefault(a, f"|Spearman| {abs(rho):.2f} with {b}")
    cats = [c for c in cols if kinds.get(c) == "categorical"]
    for i, a in enumerate(cats):
        for b in cats[i + 1 :]:
            if _same_partition(sample[a], sample[b]):
                uf.union(a, b)
                reason.setdefault(b, f"the same classes as {a}")
                reason.setdefault(a, f"the same classes as {b}")

    known = sample.notna().sum()
    members: dict[str, list[str]] = {}
    for c in cols:
        members.setdefault(uf.find(c), []).append(c)
    rows = []
    for group in members.values():
        rep = min(
            group,
            key=lambda c: (c in derived, -int(known[c]), KIND_ORDER.get(kinds.get(c, "numeric"), 3), c),
        )
        for c in group:
            is_rep = c == rep
            why = None
            if not is_rep:
                why = reason.get(c, f"carries the same information as {rep}")
            rows.append(
                {"attribute": c, "attribute_group": rep, "is_representative": is_rep, "group_reason": why}
            )
    out = pd.DataFrame(rows, columns=GROUP_COLUMNS).set_index("attribute").loc[cols].reset_index()
    return out
