"""LightGBM's SHAP values (`pred_contrib`) for many rows, computed once per distinct split pattern.

LightGBM's TreeSHAP costs O(leaves x depth^2) per tree and row, about 0.7 ms a row for the 300-tree
models of this project: 1 M accounts would take over ten minutes per model. But the SHAP values of
one tree for a row depend only on the direction the row takes at each of the tree's splits (a tree
with 14 splits), and the rows of a data set show few distinct direction patterns per tree (hundreds,
not millions). So, per tree: evaluate every split for all rows with numpy (LightGBM's decision
rules), pack the directions into one integer per row, ask LightGBM for the SHAP values of one
representative row per distinct pattern (`pred_contrib` of that tree alone) and scatter them to every
row with that pattern. The result equals LightGBM's own `pred_contrib` up to float rounding (sums
are taken tree by tree). A self-check on sample rows compares it with LightGBM's `pred_contrib` and
falls back to LightGBM on any difference (an unsupported model or another LightGBM version).
"""

from __future__ import annotations

import logging

import lightgbm as lgb
import numpy as np
import pandas as pd

from .lgb_threads import SHAP_THREADS

log = logging.getLogger(__name__)

MIN_ROWS = 2_000  # below this LightGBM's pred_contrib is quick enough and is used as is
_CHECK_ROWS = 256
_MAX_SPLITS = 62  # split directions of a tree are packed into one int64


def lightgbm_matrix_t(booster: lgb.Booster, X: pd.DataFrame) -> np.ndarray:
    """X as LightGBM sees it in `predict`, transposed (features x rows, C order, so each feature's
    values are contiguous): float64, pandas categoricals as codes of the training categories
    (unknown or missing -> NaN). Filled row by row: no second n x p copy."""
    categories = iter(booster.pandas_categorical or [])
    MT = np.empty((X.shape[1], len(X)), dtype=np.float64)
    for j, name in enumerate(X.columns):
        col = X[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = pd.Categorical(col, categories=next(categories)).codes
            MT[j] = codes
            MT[j, codes < 0] = np.nan
        else:
            MT[j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
    return MT


def _splits(node: dict, out: list[dict]) -> None:
    if "split_index" in node:
        out.append(node)
        _splits(node["left_child"], out)
        _splits(node["right_child"], out)


class _Columns:
    """Per-feature arrays shared by every split on that feature (NaN masks, category codes)."""

    def __init__(self, MT: np.ndarray):
        self.MT = MT
        self._nan: dict[int, np.ndarray] = {}
        self._codes: dict[int, np.ndarray] = {}

    def nan(self, f: int) -> np.ndarray:
        if f not in self._nan:
            self._nan[f] = np.isnan(self.MT[f])
        return self._nan[f]

    def codes(self, f: int) -> np.ndarray:
        """Integer category per row, -1 for missing or negative (LightGBM sends those right)."""
        if f not in self._codes:
            x = self.MT[f]
            self._codes[f] = np.where(np.isnan(x) | (x < 0), -1, np.trunc(np.nan_to_num(x))).astype(np.int64)
        return self._codes[f]


def _goes_left(node: dict, cols: _Columns) -> np.ndarray:
    """LightGBM's `NumericalDecision` / `CategoricalDecision` for every row."""
    f = int(node["split_feature"])
    if node["decision_type"] == "==":
        cats = np.array([int(c) for c in str(node["threshold"]).split("||")], dtype=np.int64)
        codes = cols.codes(f)
        table = np.zeros(max(int(cats.max()), int(codes.max(initial=0))) + 2, dtype=bool)
        table[cats + 1] = True  # index 0 is code -1: never left
        return table[codes + 1]
    x = cols.MT[f]
    thr = float(node["threshold"])
    missing = node.get("missing_type", "None")
    default_left = bool(node.get("default_left", False))
    left = x <= thr  # False for NaN
    if missing == "NaN":
        return left | cols.nan(f) if default_left else left
    if missing == "Zero":  # NaN counts as 0, and 0 is missing
        zero = cols.nan(f) | (np.abs(x) <= 1e-35)
        return np.where(zero, default_left, left)
    # "None": NaN is read as 0
    return left | cols.nan(f) if thr >= 0.0 else left


def _pattern_ids(codes: np.ndarray, n_splits: int) -> tuple[np.ndarray, np.ndarray]:
    """(id per row in 0..k-1, one representative row per id)."""
    if n_splits <= 20:
        seen = np.zeros(1 << n_splits, dtype=bool)
        seen[codes] = True
        present = np.flatnonzero(seen)
        lookup = np.empty(1 << n_splits, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        ids = lookup[codes]
        k = len(present)
    else:
        ids, uniques = pd.factorize(codes)
        k = len(uniques)
    rep = np.empty(k, dtype=np.int64)
    rep[ids] = np.arange(len(codes))
    return ids, rep


def _supported(booster: lgb.Booster, model: dict) -> bool:
    """One tree per iteration (regression, binary), constant leaves, at most 62 splits per tree."""
    return (
        model.get("num_tree_per_iteration", 1) == 1
        and not booster.params.get("linear_tree", False)
        and all(t.get("num_leaves", 1) - 1 <= _MAX_SPLITS for t in model["tree_info"])
    )


class PatternCache:
    """SHAP values of split patterns already computed, per tree, kept across the blocks of rows of
    one booster (`pred_contrib(..., cache=)`): a pattern's SHAP values depend on the pattern only (the
    row's direction at each split; LightGBM's TreeSHAP reads nothing else of the row), so a pattern
    met in an earlier block is not asked of LightGBM again. At 1 M accounts in blocks of 250 k, a
    win-model tree met ~2,900 patterns per block but ~3,300 in 500 k rows: most are repeats.

    Per tree: a lookup from pattern code to table column (-1 = not yet computed), the table of the
    SHAP values of the tree's split features (features x patterns) and the tree's expected value.
    Trees of more than `_CACHED_SPLITS` splits are not cached (their lookup would be too large).
    Memory: about patterns x (split features + 1) doubles per tree (~100 MB for 230 trees of 14 splits)."""

    def __init__(self, booster: lgb.Booster, model: dict | None = None):
        self.booster = booster
        self.model = booster.dump_model() if model is None else model
        self.lookup: dict[int, np.ndarray] = {}
        self.tables: dict[int, np.ndarray] = {}
        self.bias: dict[int, float] = {}


_CACHED_SPLITS = 20


def _pattern_contrib(
    booster: lgb.Booster, model: dict, MT: np.ndarray, cache: PatternCache | None = None
) -> np.ndarray:
    """SHAP values (n x (p + 1)) of the rows whose transposed LightGBM matrix is `MT` (p x n).
    `cache`: patterns of earlier blocks of the same booster (see `PatternCache`); the same values."""
    p, n = MT.shape
    cols = _Columns(MT)
    out = np.zeros((p + 1, n))
    for t, tree in enumerate(model["tree_info"]):
        splits: list[dict] = []
        _splits(tree["tree_structure"], splits)
        # the narrowest integer that holds the split directions (the loop's memory traffic)
        width = np.uint16 if len(splits) <= 16 else np.int32 if len(splits) <= 31 else np.int64
        codes = np.zeros(n, dtype=width)
        for bit, node in enumerate(splits):
            codes |= np.left_shift(_goes_left(node, cols).view(np.uint8), bit, dtype=codes.dtype)
        features = sorted({int(sp["split_feature"]) for sp in splits})
        if cache is not None and len(splits) <= _CACHED_SPLITS:
            ids, table = _cached_patterns(booster, cache, t, codes, len(splits), MT, features, p)
            out[p] += cache.bias[t]
            for i, f in enumerate(features):
                out[f] += table[i][ids]
            continue
        ids, rep = _pattern_ids(codes, len(splits))
        table = _tree_contrib(booster, MT, rep, t)
        out[p] += table[0, p]  # the tree's expected value, the same for every row
        by_feature = np.ascontiguousarray(table.T)  # one feature's values contiguous for the gathers
        for f in features:
            out[f] += by_feature[f][ids]
    return out.T


def _tree_contrib(booster: lgb.Booster, MT: np.ndarray, rep: np.ndarray, t: int) -> np.ndarray:
    """LightGBM's `pred_contrib` of tree `t` alone for the rows `rep` of `MT` (len(rep) x (p + 1))."""
    rows = np.ascontiguousarray(MT[:, rep].T)
    # one thread: each call is small, and OpenMP start-up per call would cost more than the work
    # (every SHAP call uses SHAP_THREADS, and never runs beside training: see lgb_threads)
    return booster.predict(
        rows, pred_contrib=True, start_iteration=t, num_iteration=1, num_threads=SHAP_THREADS
    )


def _cached_patterns(
    booster: lgb.Booster,
    cache: PatternCache,
    t: int,
    codes: np.ndarray,
    n_splits: int,
    MT: np.ndarray,
    features: list[int],
    p: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(table column per row, the tree's table: split features x patterns), computing only the
    patterns this block meets for the first time."""
    lookup = cache.lookup.get(t)
    if lookup is None:
        lookup = cache.lookup[t] = np.full(1 << n_splits, -1, dtype=np.int64)
    rep_of = np.full(1 << n_splits, -1, dtype=np.int64)
    rep_of[codes] = np.arange(len(codes))  # one row per pattern present (the last)
    present = np.flatnonzero(rep_of >= 0)
    new = present[lookup[present] < 0]
    if len(new):
        table = _tree_contrib(booster, MT, rep_of[new], t)
        cache.bias.setdefault(t, float(table[0, p]))
        part = np.ascontiguousarray(table[:, features].T)
        old = cache.tables.get(t)
        lookup[new] = np.arange(len(new)) + (0 if old is None else old.shape[1])
        cache.tables[t] = part if old is None else np.hstack([old, part])
    return lookup[codes], cache.tables[t]


def pred_contrib(
    booster: lgb.Booster,
    X: pd.DataFrame,
    num_threads: int = SHAP_THREADS,
    min_rows: int = MIN_ROWS,
    cache: PatternCache | None = None,
) -> np.ndarray:
    """`booster.predict(X, pred_contrib=True)`: n x (features + 1), the last column the bias.
    `num_threads`: LightGBM's threads for the calls on many rows (SHAP_THREADS: see `lgb_threads`).
    `cache`: a `PatternCache` of this booster shared by the calls on successive blocks of rows."""
    if len(X) < max(min_rows, 1) or booster.num_trees() == 0:
        return np.asarray(booster.predict(X, pred_contrib=True, num_threads=num_threads))
    model = booster.dump_model() if cache is None else cache.model
    if not _supported(booster, model):
        return np.asarray(booster.predict(X, pred_contrib=True, num_threads=num_threads))
    MT = lightgbm_matrix_t(booster, X)
    rng = np.random.default_rng(0)
    missing = np.isnan(MT)
    check = np.unique(
        np.concatenate(
            [
                rng.choice(len(X), size=min(_CHECK_ROWS, len(X)), replace=False),
                # rows with a missing value in each column, so the missing-value rules are checked too
                [int(np.argmax(missing[j])) for j in range(MT.shape[0]) if missing[j].any()],
            ]
        ).astype(np.int64)
    )
    del missing
    expected = np.asarray(booster.predict(X.iloc[check], pred_contrib=True, num_threads=num_threads))
    got = _pattern_contrib(booster, model, np.ascontiguousarray(MT[:, check]))
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-9, atol=1e-9 * scale):
        log.warning("fast SHAP differs from LightGBM's pred_contrib on sample rows; using LightGBM's")
        return np.asarray(booster.predict(X, pred_contrib=True, num_threads=num_threads))
    return _pattern_contrib(booster, model, MT, cache)
