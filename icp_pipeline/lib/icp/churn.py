"""What changed between two refreshes: per-account tier moves with a reason, and the churn rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icp_pipeline.lib.tiering import TIER_ORDER

CHANGE_COLUMNS = [
    "account_key",
    "previous_tier",
    "new_tier",
    "previous_score",
    "new_score",
    "changed",
    "change_reason",
]
_RANK = {t: i for i, t in enumerate(TIER_ORDER)}  # lower = better


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    cols = ["account_key", "tier", "icp_score", "disqualified_reason", "override_note"]
    out = df.drop_duplicates("account_key").copy()
    for col in cols:
        if col not in out.columns:
            out[col] = None
    out["present"] = True
    return out[[*cols, "present"]].set_index("account_key")


def _score(x) -> str:
    return "n/a" if x is None or pd.isna(x) else f"{float(x):.0f}"


def _reason(prev: dict | None, new: dict | None) -> str | None:
    if prev is None:
        return "new account"
    if new is None:
        return "dropped from data"
    if prev["tier"] == new["tier"]:
        return None
    if pd.notna(new["override_note"]) and new["override_note"] != prev["override_note"]:
        return str(new["override_note"])
    if new["tier"] == "Disqualified":
        why = new["disqualified_reason"] if pd.notna(new["disqualified_reason"]) else "no reason given"
        return f"newly disqualified: {why}"
    if pd.notna(prev["override_note"]) and pd.isna(new["override_note"]):
        return f"override removed (was: {prev['override_note']})"
    if prev["tier"] == "Disqualified":
        was = prev["disqualified_reason"] if pd.notna(prev["disqualified_reason"]) else "no reason given"
        return f"no longer disqualified (was: {was})"
    scores = f"score {_score(prev['icp_score'])}→{_score(new['icp_score'])}"
    up = _RANK.get(new["tier"], 99) < _RANK.get(prev["tier"], 99)
    if pd.isna(prev["icp_score"]) or pd.isna(new["icp_score"]):
        return f"moved from {prev['tier']} to {new['tier']}"
    rose = float(new["icp_score"]) > float(prev["icp_score"])
    fell = float(new["icp_score"]) < float(prev["icp_score"])
    if up and rose:
        return f"{scores} crossed the {new['tier']} cut-off"
    if not up and fell:
        return f"{scores} fell below the {prev['tier']} cut-off"
    moved = new["tier"] if up else prev["tier"]
    return f"the {moved} cut-off moved ({scores})"


def tier_changes(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """One row per account in either refresh (`CHANGE_COLUMNS`); `change_reason` is null when unchanged.

    Reasons: 'new account', 'dropped from data', the override note ('override by <owner>: …'),
    'newly disqualified: <reason>', 'no longer disqualified (was: …)', 'override removed (was: …)',
    'score 78→92 crossed the Tier 1 cut-off', 'score 92→78 fell below the Tier 1 cut-off', or
    'the Tier 1 cut-off moved (score 85→85)' when the tier moved against the score.
    """
    return tier_changes_and_churn(previous, current)[0]


def tier_changes_and_churn(previous: pd.DataFrame, current: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """(`tier_changes`, `tier_churn_rate`) of two refreshes, joining them once."""
    prev, new = _frame(previous), _frame(current)
    # Accounts of the previous refresh in its order, then the new ones in this refresh's order.
    keys = prev.index.append(new.index[~_isin(new.index, prev.index)]) if len(prev) else new.index
    fields = ["tier", "icp_score", "disqualified_reason", "override_note"]
    p, in_prev = _aligned(prev, keys, fields)
    n, in_new = _aligned(new, keys, fields)
    in_both = in_prev & in_new
    changed = in_both & (p["tier"] != n["tier"]).to_numpy()
    churn = float(changed[in_both].mean()) if in_both.any() else float("nan")
    reasons = np.full(len(keys), None, dtype=object)
    reasons[~in_prev] = "new account"
    reasons[in_prev & ~in_new] = "dropped from data"
    todo = np.flatnonzero(changed)
    if len(todo):
        cols_p = [p[f].to_numpy(dtype=object)[todo] for f in fields]
        cols_n = [n[f].to_numpy(dtype=object)[todo] for f in fields]
        reasons[todo] = [
            _reason(dict(zip(fields, a, strict=True)), dict(zip(fields, b, strict=True)))
            for a, b in zip(zip(*cols_p, strict=True), zip(*cols_n, strict=True), strict=True)
        ]
    out = pd.DataFrame(
        {
            "account_key": _as_objects(keys),
            "previous_tier": _as_objects(p["tier"]),
            "new_tier": _as_objects(n["tier"]),
            "previous_score": pd.to_numeric(p["icp_score"], errors="coerce").to_numpy(dtype=float),
            "new_score": pd.to_numeric(n["icp_score"], errors="coerce").to_numpy(dtype=float),
            "changed": changed,
            "change_reason": reasons,
        }
    )
    out["previous_tier"] = out["previous_tier"].where(in_prev, None)
    out["new_tier"] = out["new_tier"].where(in_new, None)
    return out[CHANGE_COLUMNS], churn


def _aligned(
    frame: pd.DataFrame, keys: pd.Index, fields: list[str]
) -> tuple[dict[str, pd.Series], np.ndarray]:
    """`frame[field].reindex(keys)` per field (one key lookup for all) and whether each key is in `frame`."""
    if frame.index.equals(keys):
        return {f: frame[f] for f in fields}, np.ones(len(keys), bool)
    pos = frame.index.get_indexer(keys) if len(frame) else np.full(len(keys), -1, dtype=np.intp)
    # positions into a RangeIndex: missing (-1) rows come out as NaN like a reindex by key
    return {f: frame[f].reset_index(drop=True).reindex(pos).set_axis(keys) for f in fields}, pos >= 0


def _isin(values: pd.Index, other: pd.Index) -> np.ndarray:
    """`values.isin(other)`; Arrow-backed text is looked up in Arrow (pandas would make a Python list)."""
    if all(isinstance(i.dtype, pd.StringDtype) and i.dtype.storage == "pyarrow" for i in (values, other)):
        found = pc.is_in(pa.array(values.array), value_set=pa.array(other.array))
        return found.to_numpy(zero_copy_only=False).astype(bool)
    return values.isin(other)


def _as_objects(values: pd.Index | pd.Series):
    """`values.to_numpy(dtype=object)` as the frame constructor would type it; text stays Arrow-backed
    (no Python string per value) when it is `str` already."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.na_value is np.nan and values.notna().any():
        return values.array
    return values.to_numpy(dtype=object)


def tier_churn_rate(previous: pd.DataFrame, current: pd.DataFrame) -> float:
    """Share of accounts present in both refreshes whose tier changed (NaN when none is in both)."""
    return tier_changes_and_churn(previous, current)[1]
