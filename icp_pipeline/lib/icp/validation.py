"""Does the ICP work? Tier lift on held-out accounts, campaign lift against a control group, and
the share of recent leads that fall in the ICP tiers (Tier 1–2)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.stats import norm

from icp_pipeline.lib.publish.tiering import TIER_ORDER

from .attributes import truthy
from .domains import normalize_domains, normalized_text

ICP_TIERS = ("Tier 1", "Tier 2")
LEVEL = 0.90  # the level of every interval here (one level in every published table and the report)
Z = float(norm.ppf(1 - (1 - LEVEL) / 2))  # 1.645: the normal quantile of a two-sided 90 % interval
CAMPAIGN_COLUMNS = ["metric", "value", "ci_low", "ci_high", "n", "note"]
_OUTCOMES = ("realised_value", "value", "is_customer", "converted", "won")
_RESPONSES = ("responded", "response", "converted", "is_responder")


# --- (a) tier lift ----------------------------------------------------------------------------


def tier_lift(
    targets: pd.DataFrame,
    holdout_actuals: pd.DataFrame | None = None,
    *,
    outcome: str | None = None,
    key: str = "account_key",
) -> pd.DataFrame:
    """Lift and cumulative gain per tier on held-out accounts, plus an `All` row.

    `holdout_actuals` (joined on `key`, inner) or `targets` itself holds the outcome: a realised value
    (missing = 0) or a 0/1 flag (e.g. became a customer); default the first of `realised_value`,
    `value`, `is_customer`, `converted`, `won`. lift = outcome per account in the tier / overall;
    cumulative gain = share of all outcome in this tier and the better ones.
    """
    if holdout_actuals is not None:
        data, source = targets[[key, "tier"]].merge(holdout_actuals, on=key, how="inner"), holdout_actuals
    else:
        data = source = targets
    outcome = outcome or next((c for c in _OUTCOMES if c in source.columns and c != key), None)
    if outcome is None:
        raise ValueError(f"tier_lift needs an outcome column, one of {', '.join(_OUTCOMES)}")
    col = data[outcome]
    flag = pd.api.types.is_bool_dtype(col) or set(pd.to_numeric(col, errors="coerce").dropna().unique()) <= {
        0,
        1,
    }
    y = truthy(col).astype(float) if flag else pd.to_numeric(col, errors="coerce").fillna(0.0)
    present = set(data["tier"].unique())
    tiers = [t for t in TIER_ORDER if t in present] + sorted(
        set(data["tier"].dropna().unique()) - set(TIER_ORDER)
    )
    n_all, total = len(data), float(y.sum())
    overall_rate = total / n_all if n_all else np.nan
    rows, cum_n, cum_y = [], 0, 0.0
    for tier in tiers:
        in_tier = (data["tier"] == tier).to_numpy()
        n, s = int(in_tier.sum()), float(y[in_tier].sum())
        cum_n, cum_y = cum_n + n, cum_y + s
        rows.append(_lift_row(tier, n, s, n_all, total, overall_rate, cum_n, cum_y))
    rows.append(_lift_row("All", n_all, total, n_all, total, overall_rate, n_all, total))
    out = pd.DataFrame(rows)
    out.insert(1, "outcome", outcome)
    return out


def _lift_row(tier, n, s, n_all, total, overall_rate, cum_n, cum_y) -> dict:
    rate = s / n if n else np.nan
    cum_rate = cum_y / cum_n if cum_n else np.nan
    return {
        "tier": tier,
        "accounts": n,
        "outcome_total": s,
        "outcome_per_account": rate,
        "share_of_accounts": n / n_all if n_all else np.nan,
        "share_of_outcome": s / total if total else np.nan,
        "lift": rate / overall_rate if overall_rate else np.nan,
        "cumulative_share_of_accounts": cum_n / n_all if n_all else np.nan,
        "cumulative_gain": cum_y / total if total else np.nan,
        "cumulative_lift": cum_rate / overall_rate if overall_rate else np.nan,
    }


# --- (b) campaign lift ------------------------------------------------------------------------


def wilson_interval(k: int, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n (NaN for n = 0)."""
    if n == 0:
        return np.nan, np.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def _tier_lookup(keys: pd.Series, tiers: pd.Series, wanted: pd.Series) -> dict:
    """{key: tier} for the keys in `wanted` (the last target wins when a key repeats, as in a dict
    of every target); keys that nobody looks up are left out, which keeps the dict small."""
    looked_up = np.asarray(wanted.dropna().unique(), dtype=object)
    if isinstance(keys.dtype, pd.StringDtype) and keys.dtype.storage == "pyarrow":
        text = pa.array(keys.array)  # Arrow-backed text: look the keys up in Arrow
        keep = pc.is_in(text, value_set=pa.array(looked_up, type=text.type)).to_numpy(zero_copy_only=False)
    else:
        keep = pd.Series(keys.to_numpy(dtype=object), dtype=object).isin(looked_up).to_numpy(bool)
    keep = np.asarray(keep, bool) & keys.notna().to_numpy(bool)
    return dict(zip(keys[keep].to_numpy(dtype=object), tiers[keep].to_numpy(dtype=object), strict=True))


def _attach_tiers(members: pd.DataFrame, targets: pd.DataFrame) -> pd.Series:
    """Tier of each member by account_key, else crm_account_id, else normalised domain."""
    for col in ("account_key", "crm_account_id"):
        if col in members.columns and col in targets.columns:
            known = targets[col].notna().to_numpy(bool)
            wanted = members[col].astype("string").str.strip()
            keys = targets.loc[known, col].astype(str).str.strip()
            lookup = _tier_lookup(keys, targets.loc[known, "tier"], wanted)
            return wanted.map(lookup).astype(object)
    if "domain" in members.columns:
        t_dom = normalized_text(targets["domain"] if "domain" in targets.columns else targets["account_key"])
        m_dom = normalize_domains(members["domain"])
        return m_dom.map(_tier_lookup(t_dom, targets["tier"], m_dom))
    raise ValueError("campaign members need account_key, crm_account_id or domain to find their tier")


def _note_row(note: str, n: int = 0) -> pd.DataFrame:
    row = {
        "metric": "campaign_lift",
        "value": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "n": n,
        "note": note,
    }
    return pd.DataFrame([row], columns=CAMPAIGN_COLUMNS)


def campaign_lift(
    campaign_members: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    response_col: str | None = None,
) -> pd.DataFrame:
    """Response rate of ICP-tier (Tier 1–2) accounts vs the control group, with 90 % CIs.

    Control = members with `group` = 'control' (case-insensitive) when a `group` column exists, else
    members in other tiers. Rates: Wilson intervals; difference: Newcombe's hybrid score interval;
    ratio: log (Katz) interval, with 0.5 added to every cell when a count is zero.
    Returns rows (`CAMPAIGN_COLUMNS`); an empty or one-sided input gives one explanatory row.
    """
    if campaign_members is None or len(campaign_members) == 0:
        return _note_row("no campaign members: nothing to measure")
    response_col = response_col or next((c for c in _RESPONSES if c in campaign_members.columns), None)
    if response_col is None or response_col not in campaign_members.columns:
        note = f"campaign members have no response column ({', '.join(_RESPONSES)})"
        return _note_row(note, len(campaign_members))
    tier = _attach_tiers(campaign_members, targets)
    responded = truthy(campaign_members[response_col]).to_numpy()
    in_icp = tier.isin(ICP_TIERS).to_numpy()
    if "group" in campaign_members.columns:
        group = campaign_members["group"].astype("string").str.strip().str.lower()
        control = group.eq("control").fillna(False).to_numpy(bool)
        icp = in_icp & ~control
        control_label = "members with group = control"
    else:
        control = tier.notna().to_numpy() & ~in_icp
        icp = in_icp
        control_label = "members outside Tier 1–2"
    n1, n2 = int(icp.sum()), int(control.sum())
    if n1 == 0 or n2 == 0:
        missing = "ICP-tier (Tier 1–2) members" if n1 == 0 else f"control members ({control_label})"
        return _note_row(f"no {missing}: no comparison possible", len(campaign_members))
    k1, k2 = int(responded[icp].sum()), int(responded[control].sum())
    rows = _campaign_rows(k1, n1, k2, n2, control_label, int(tier.isna().sum()))
    return pd.DataFrame(rows, columns=CAMPAIGN_COLUMNS)


def _campaign_rows(k1: int, n1: int, k2: int, n2: int, control_label: str, unmatched: int) -> list[dict]:
    p1, p2 = k1 / n1, k2 / n2
    (l1, u1), (l2, u2) = wilson_interval(k1, n1), wilson_interval(k2, n2)
    diff = p1 - p2
    diff_lo = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    diff_hi = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    corrected = k1 == 0 or k2 == 0 or k1 == n1 or k2 == n2
    a, b = (k1 + 0.5, n1 + 1.0) if corrected else (k1, n1)
    c, d = (k2 + 0.5, n2 + 1.0) if corrected else (k2, n2)
    ratio = (a / b) / (c / d)
    se = np.sqrt(1 / a - 1 / b + 1 / c - 1 / d)
    ratio_note = "Katz log interval" + (" with 0.5 added to each cell (a zero count)" if corrected else "")
    return [
        {
            "metric": "icp_response_rate",
            "value": p1,
            "ci_low": l1,
            "ci_high": u1,
            "n": n1,
            "note": f"{k1} of {n1} Tier 1–2 members responded (Wilson interval)",
        },
        {
            "metric": "control_response_rate",
            "value": p2,
            "ci_low": l2,
            "ci_high": u2,
            "n": n2,
            "note": f"{k2} of {n2} {control_label} responded (Wilson interval)",
        },
        {
            "metric": "response_rate_difference",
            "value": diff,
            "ci_low": diff_lo,
            "ci_high": diff_hi,
            "n": n1 + n2,
            "note": "ICP minus control (Newcombe hybrid score interval)",
        },
        {
            "metric": "response_rate_ratio",
            "value": ratio,
            "ci_low": ratio * np.exp(-Z * se),
            "ci_high": ratio * np.exp(Z * se),
            "n": n1 + n2,
            "note": f"ICP / control ({ratio_note})",
        },
        {
            "metric": "unmatched_members",
            "value": float(unmatched),
            "ci_low": np.nan,
            "ci_high": np.nan,
            "n": unmatched,
            "note": "campaign members with no scored account (left out)",
        },
    ]


# --- (c) leads in the ICP ---------------------------------------------------------------------


def leads_in_icp(
    leads: pd.DataFrame,
    targets: pd.DataFrame,
    recent_days: int = 90,
    as_of: dt.date | str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row: share of leads created in the `recent_days` days up to and including `as_of` (default:
    the day of the newest lead) whose account is in Tier 1–2. A lead's account: `converted_account_id` = a target's
    `crm_account_id`, else its normalised `website` (or `domain`) = a target's normalised domain."""
    created = pd.to_datetime(leads["created_at"], errors="coerce", utc=True)
    if as_of is None:
        end = created.max().normalize() if created.notna().any() else pd.NaT
    else:
        end = pd.Timestamp(as_of)
        end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    if pd.notna(end) and end == end.normalize():
        end = end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)  # the whole as-of day
    if pd.notna(end):
        recent = (created <= end) & (created > end - pd.Timedelta(days=recent_days))
    else:
        recent = pd.Series(False, index=leads.index)
    tier = _lead_tiers(leads[recent.to_numpy()], targets)
    n, matched = len(tier), int(tier.notna().sum())
    icp = int(tier.isin(ICP_TIERS).sum())
    row = {
        "as_of": None if pd.isna(end) else end.date().isoformat(),
        "recent_days": recent_days,
        "recent_leads": n,
        "matched_leads": matched,
        "icp_leads": icp,
        "share_in_icp": icp / n if n else np.nan,
        "share_in_icp_of_matched": icp / matched if matched else np.nan,
    }
    for t in TIER_ORDER:
        row[f"leads_{t.lower().replace(' ', '_')}"] = int((tier == t).sum())
    row["leads_unmatched"] = n - matched
    row["note"] = None if n else f"no leads created in the {recent_days} days up to the as-of date"
    return pd.DataFrame([row])


def _lead_tiers(leads: pd.DataFrame, targets: pd.DataFrame) -> pd.Series:
    tier = pd.Series(np.nan, index=leads.index, dtype=object)
    if leads.empty:
        return tier
    if "converted_account_id" in leads.columns and "crm_account_id" in targets.columns:
        known = targets["crm_account_id"].notna().to_numpy(bool)
        ids = leads["converted_account_id"].astype("string").str.strip()
        keys = targets.loc[known, "crm_account_id"].astype(str).str.strip()
        by_id = _tier_lookup(keys, targets.loc[known, "tier"], ids)
        tier = ids.map(by_id).astype(object).where(ids.notna(), np.nan)
    web = next((c for c in ("website", "domain") if c in leads.columns), None)
    if web is not None:
        t_dom = normalized_text(targets["domain"] if "domain" in targets.columns else targets["account_key"])
        l_dom = normalize_domains(leads[web])
        tier = tier.where(tier.notna(), l_dom.map(_tier_lookup(t_dom, targets["tier"], l_dom)))
    return tier
