"""What changed between two refreshes: per-account tier moves with a reason, and the churn rate.

Every reason states facts of the two refreshes: the account's score and value in both, and the
cut-off that decided its tier, named frozen only when it was carried over (`ChangeContext`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icp_pipeline.lib.publish.tiering import TIER_ORDER

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


@dataclass(frozen=True)
class ChangeContext:
    """How each refresh tiered (from `icp.refresh_history`), so reasons can name the true cause.

    `basis`: 'expected value', 'icp_score' or 'icp.yaml rules'; `cutoffs`: Tier 1 and Tier 2
    cut-offs in relative value (expected value / `scale`) for 'expected value', in icp_score for
    'icp_score'; `frozen`: this refresh kept the previous cut-offs; `rebaseline_reason`: why not.
    """

    previous_basis: str | None = None
    basis: str | None = None
    previous_cutoffs: tuple[float, float] | None = None
    cutoffs: tuple[float, float] | None = None
    previous_scale: float | None = None
    scale: float | None = None
    frozen: bool = False
    rebaseline_reason: str | None = None


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    cols = ["account_key", "tier", "icp_score", "disqualified_reason", "override_note", "expected_value"]
    out = df.drop_duplicates("account_key").copy()
    for col in cols:
        if col not in out.columns:
            out[col] = None
    out["present"] = True
    return out[[*cols, "present"]].set_index("account_key")


def _score(x) -> str:
    return "n/a" if x is None or pd.isna(x) else f"{float(x):.0f}"


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _relative(ev, scale) -> str:
    """'1.85×' (expected value / the pool's median) or the amount when the scale is unknown."""
    ev, scale = _num(ev), _num(scale)
    if ev is None:
        return "n/a"
    return f"{ev / scale:.2f}×" if scale else f"{ev:,.0f}"


def _cut(cutoffs: tuple[float, float] | None, tier: str) -> float | None:
    if cutoffs is None or tier not in ("Tier 1", "Tier 2"):
        return None
    return _num(cutoffs[0 if tier == "Tier 1" else 1])


def _moved(prev: dict, new: dict, up: bool, scores: str, ctx: ChangeContext) -> str:
    """The reason of a tier move decided by the scores (no override or disqualifier involved)."""
    tier = new["tier"] if up else prev["tier"]  # the tier whose cut-off the account crossed
    if ctx.basis != ctx.previous_basis and ctx.previous_basis is not None:
        return f"tiers now follow {ctx.basis} (previous refresh: {ctx.previous_basis}); {scores}"
    if ctx.basis == "icp.yaml rules":
        return f"re-ranked by the icp.yaml rules (the model is too weak to rank); {scores}"
    if ctx.basis == "icp_score":
        before, now = _cut(ctx.previous_cutoffs, tier), _cut(ctx.cutoffs, tier)
        if before is not None and now is not None and before != now:
            return f"the {tier} cut-off changed from score {before:g} to {now:g} ({scores})"
        return f"{scores} {'rose above' if up else 'fell below'} the {tier} cut-off" + (
            f" ({now:g})" if now is not None else ""
        )
    ev_prev, ev_new = _num(prev.get("expected_value")), _num(new.get("expected_value"))
    m_prev = ev_prev / ctx.previous_scale if ev_prev is not None and ctx.previous_scale else None
    m_new = ev_new / ctx.scale if ev_new is not None and ctx.scale else None
    # the previous refresh published no expected value (withheld: its model was weak or none)
    before_text = "withheld last refresh" if ev_prev is None else _relative(ev_prev, ctx.previous_scale)
    value = f"expected value {before_text}→{_relative(ev_new, ctx.scale)} the median ranked account"
    now = _cut(ctx.cutoffs, tier)
    shown = f" ({now:.2f}×)" if now is not None else ""
    if ctx.frozen:
        if m_prev is not None and m_new is not None and (m_new > m_prev if up else m_new < m_prev):
            return (
                f"{value} {'rose above' if up else 'fell below'} the frozen {tier} cut-off{shown}; {scores}"
            )
        if m_prev is None and m_new is not None and now is not None and (m_new >= now if up else m_new < now):
            # the move cannot be traced from a withheld value; where the account now stands is known
            return f"{value}, {'at or above' if up else 'below'} the frozen {tier} cut-off{shown}; {scores}"
        return f"{value}, at the frozen {tier} cut-off{shown}; {scores}"
    before = _cut(ctx.previous_cutoffs, tier)
    was = f" (was {before:.2f}×)" if before is not None else ""
    why = f" ({ctx.rebaseline_reason})" if ctx.rebaseline_reason else ""
    now_text = f"{now:.2f}×" if now is not None else "new"
    return f"cut-offs rebaselined{why}: the {tier} cut-off is {now_text}{was}; {value}; {scores}"


def _reason(prev: dict | None, new: dict | None, ctx: ChangeContext | None = None) -> str | None:
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
    if ctx is not None:
        return _moved(prev, new, up, scores, ctx)
    if pd.isna(prev["icp_score"]) or pd.isna(new["icp_score"]):
        return f"moved from {prev['tier']} to {new['tier']}"
    rose = float(new["icp_score"]) > float(prev["icp_score"])
    fell = float(new["icp_score"]) < float(prev["icp_score"])
    if up and rose:
        return f"{scores} crossed the {new['tier']} cut-off"
    if not up and fell:
        return f"{scores} fell below the {prev['tier']} cut-off"
    return f"moved from {prev['tier']} to {new['tier']} ({scores}; how the cut-offs were set is not recorded)"


def tier_changes(
    previous: pd.DataFrame, current: pd.DataFrame, context: ChangeContext | None = None
) -> pd.DataFrame:
    """One row per account in either refresh (`CHANGE_COLUMNS`); `change_reason` is null when unchanged.

    Reasons: 'new account', 'dropped from data', the override note ('override by <owner>: …'),
    'newly disqualified: <reason>', 'no longer disqualified (was: …)', 'override removed (was: …)',
    and, for a move decided by the scores, with `context`: 'expected value 1.20×→2.40× the median
    ranked account rose above the frozen Tier 1 cut-off (2.00×); score 80→92', 'cut-offs
    rebaselined (<why>): the Tier 1 cut-off is 1.90× (was 2.00×); …', 'the Tier 1 cut-off changed
    from score 90 to 85 (…)' or 'tiers now follow icp.yaml rules (…)'. Without `context` (how the
    cut-offs were set unknown): 'score 78→92 crossed the Tier 1 cut-off', 'score 92→78 fell below
    the Tier 1 cut-off', else 'moved from Tier 2 to Tier 1 (score 85→80; how the cut-offs were set
    is not recorded)'.
    """
    return tier_changes_and_churn(previous, current, context)[0]


def tier_changes_and_churn(
    previous: pd.DataFrame, current: pd.DataFrame, context: ChangeContext | None = None
) -> tuple[pd.DataFrame, float]:
    """(`tier_changes`, `tier_churn_rate`) of two refreshes, joining them once."""
    prev, new = _frame(previous), _frame(current)
    # Accounts of the previous refresh in its order, then the new ones in this refresh's order.
    keys = prev.index.append(new.index[~_isin(new.index, prev.index)]) if len(prev) else new.index
    fields = ["tier", "icp_score", "disqualified_reason", "override_note", "expected_value"]
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
            _reason(dict(zip(fields, a, strict=True)), dict(zip(fields, b, strict=True)), context)
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
