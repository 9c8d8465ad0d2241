"""Per-account reason codes from the account's own SHAP row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.labels import Labels, readable_value

PLUS, MINUS = "+", "\u2212"  # '+' and the typographic minus
NO_REASON = "no single attribute stands out"
_CHUNK_ROWS = 50_000


def score_contributions(
    value_shap: np.ndarray, win_shap: np.ndarray | None, win_probability: np.ndarray | None
) -> np.ndarray:
    """Approximate contributions to log(expected value) = log value + log p (n x features, both
    matrices in the same column order).

    Value SHAP is already in log1p space; win SHAP (log-odds) is scaled by (1 - p), the derivative
    of log p with respect to the logit, to bring it to log p. Computed in place in `win_shap`
    (accounts x attributes is 0.8 GB at 1 M accounts), which is returned.
    """
    if win_shap is None or win_probability is None:
        return value_shap
    win_shap *= (1.0 - np.asarray(win_probability, dtype=float))[:, None]
    win_shap += value_shap
    return win_shap


def reason_codes(
    contributions: pd.DataFrame | np.ndarray,
    X: pd.DataFrame,
    kinds: dict[str, str],
    reference: pd.DataFrame | None = None,
    n_reasons: int = 3,
    labels: Labels | None = None,
) -> pd.Series:
    """Top `n_reasons` contributions by |SHAP| per row, '+ Uses Snowflake; − Employee count: 12 (low)'.

    '+' when the attribute raises the account's score, '−' when it lowers it. Attributes read as
    their `labels` (marts.attribute_catalog; the naming rule when None), values in their unit.
    Numeric values are labelled high / low against the 75th / 25th percentile of `reference`
    (the training customers; defaults to X). An ndarray `contributions` has X's columns in order.
    """
    labels = labels or Labels()
    reference = X if reference is None else reference
    if isinstance(contributions, pd.DataFrame):
        C = contributions[X.columns].to_numpy(dtype=float)
    else:
        C = contributions
    n, p = C.shape
    if n == 0 or p == 0 or n_reasons <= 0:
        return pd.Series(NO_REASON, index=X.index, dtype=object)
    k = min(n_reasons, p)
    top = np.empty((n, k), dtype=np.intp)
    for start in range(0, n, _CHUNK_ROWS):  # in row blocks: a full argsort matrix is n x p integers
        top[start : start + _CHUNK_ROWS] = top_by_magnitude(C[start : start + _CHUNK_ROWS], k)
    parts = []
    for r in range(k):
        idx = top[:, r]
        texts = np.full(n, None, dtype=object)
        for j in np.unique(idx):
            rows = np.flatnonzero(idx == j)
            contrib = C[rows, j]
            keep = np.abs(contrib) > 1e-9
            if not keep.any():
                continue
            rows, contrib = rows[keep], contrib[keep]
            col = X.columns[j]
            worded, codes = _worded(col, X[col].iloc[rows], kinds.get(col, "numeric"), reference[col], labels)
            # each distinct (sign, value) worded once, then picked per row
            signed = np.array(
                [[f"{PLUS} {w}" for w in worded], [f"{MINUS} {w}" for w in worded]], dtype=object
            )
            texts[rows] = signed[(contrib <= 0).astype(np.intp), codes]
        parts.append(texts)
    return pd.Series(_joined(parts), index=X.index, dtype=object)


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """Per row, its reasons (None = none at that rank) joined by '; ', NO_REASON when it has none:
    object-array additions over all rows, not a Python join per row."""
    out = parts[0].copy()
    for part in parts[1:]:
        has = part != None  # noqa: E711 (elementwise on an object array)
        both = has & (out != None)  # noqa: E711
        out[both] = out[both] + "; " + part[both]
        only = has & ~both
        out[only] = part[only]
    out[out == None] = NO_REASON  # noqa: E711
    return out


def top_by_magnitude(C: np.ndarray, k: int) -> np.ndarray:
    """Column positions (rows x k) of each row's k largest |C|, largest first, ties to the lower
    column: the first k of a stable argsort of -|C|. Found as k passes of `argmin` (first
    occurrence wins, as in the stable sort; picked entries set to +inf), not a full sort of every
    row: at 1 M accounts x 55 attributes the sort took most of the reason codes' time. A block
    with NaN (which the sort puts last) is sorted as before."""
    block = -np.abs(C)
    if np.isnan(block).any() or k > block.shape[1]:
        return np.argsort(block, axis=1, kind="stable")[:, :k]
    rows = np.arange(block.shape[0])
    top = np.empty((block.shape[0], k), dtype=np.intp)
    for r in range(k):
        top[:, r] = np.argmin(block, axis=1)
        block[rows, top[:, r]] = np.inf  # no other entry is +inf: -|x| <= 0 or -inf
    return top


def describe(
    attribute: str, values: pd.Series, kind: str, reference: pd.Series, labels: Labels | None = None
) -> list[str]:
    """Human-readable state of one attribute for the given rows (each distinct value worded once;
    -0.0 reads as 0)."""
    texts, codes = _worded(attribute, values, kind, reference, labels)
    return texts[codes].tolist()


def _worded(
    attribute: str, values: pd.Series, kind: str, reference: pd.Series, labels: Labels | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(the wording of each distinct value, then '<name> unknown' last; the position of each row's
    wording in it): `describe` without the per-row list."""
    labels = labels or Labels()
    if kind != "categorical":
        values = values.astype(float) + 0.0  # -0.0 + 0.0 == +0.0
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    worded = _describe_known(attribute, pd.Series(uniques), kind, reference, labels)
    texts = np.array([*worded, f"{labels.name(attribute)} unknown"], dtype=object)
    return texts, codes  # code -1 (missing) picks the last entry


def flag_words(label: str) -> tuple[str, str]:
    """(yes, no) wording of a flag's label: 'Uses Snowflake' -> ('Uses Snowflake', 'Does not use
    Snowflake'); any other label -> ('<label>: yes', '<label>: no')."""
    if label.startswith("Uses "):
        return label, "Does not use " + label[len("Uses ") :]
    return f"{label}: yes", f"{label}: no"


def _describe_known(
    attribute: str, values: pd.Series, kind: str, reference: pd.Series, labels: Labels
) -> list[str]:
    name = labels.name(attribute)
    if kind == "categorical":
        return [f"{name}: {readable_value(v)}" for v in values.astype(object)]
    if kind == "binary":
        yes, no = flag_words(labels.label(attribute))
        return [yes if o else no for o in values.to_numpy(dtype=float) == 1]
    ref = reference.astype(float).dropna()
    lo, hi = (ref.quantile(0.25), ref.quantile(0.75)) if len(ref) else (np.nan, np.nan)
    v = values.to_numpy(dtype=float)
    level = np.where(v >= hi, "high", np.where(v <= lo, "low", "typical"))
    return [f"{name}: {labels.value(attribute, x)} ({lv})" for x, lv in zip(v, level, strict=True)]
