"""What changed between two refreshes: per-account tier moves with a reason, and the churn rate."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    prev, new = _frame(previous), _frame(current)
    both = prev.join(new, how="outer", lsuffix="_prev", rsuffix="_new", sort=False)
    both = both.reindex(list(dict.fromkeys([*prev.index, *new.index])))
    in_prev = both["present_prev"].notna().to_numpy()
    in_new = both["present_new"].notna().to_numpy()
    changed = in_prev & in_new & (both["tier_prev"] != both["tier_new"]).to_numpy()
    reasons = np.full(len(both), None, dtype=object)
    fields = ["tier", "icp_score", "disqualified_reason", "override_note"]
    todo = np.flatnonzero(changed | ~in_prev | ~in_new)
    for i, row in zip(todo, both.iloc[todo].to_dict("records"), strict=True):
        p = {f: row[f"{f}_prev"] for f in fields} if in_prev[i] else None
        n = {f: row[f"{f}_new"] for f in fields} if in_new[i] else None
        reasons[i] = _reason(p, n)
    out = pd.DataFrame(
        {
            "account_key": both.index.to_numpy(dtype=object),
            "previous_tier": both["tier_prev"].to_numpy(dtype=object),
            "new_tier": both["tier_new"].to_numpy(dtype=object),
            "previous_score": pd.to_numeric(both["icp_score_prev"], errors="coerce").to_numpy(dtype=float),
            "new_score": pd.to_numeric(both["icp_score_new"], errors="coerce").to_numpy(dtype=float),
            "changed": changed,
            "change_reason": reasons,
        }
    )
    out["previous_tier"] = out["previous_tier"].where(in_prev, None)
    out["new_tier"] = out["new_tier"].where(in_new, None)
    return out[CHANGE_COLUMNS]


def tier_churn_rate(previous: pd.DataFrame, current: pd.DataFrame) -> float:
    """Share of accounts present in both refreshes whose tier changed (NaN when none is in both)."""
    both = _frame(previous)[["tier"]].join(_frame(current)[["tier"]], how="inner", rsuffix="_new")
    if both.empty:
        return float("nan")
    return float((both["tier"] != both["tier_new"]).mean())
