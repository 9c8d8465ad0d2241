"""Disqualifiers and manual overrides on top of the model's tiers.

Order: disqualifier filters first (first matching disqualifier wins: tier `Disqualified`,
`disqualified_reason` = its reason), then overrides (manual decisions have the last word):
- include: tier = the override's tier (default Tier 1), `disqualified_reason` cleared;
- exclude: tier `Disqualified`, `disqualified_reason` = "excluded by <owner>: <reason>".
Overrides match `crm_account_id` (`account_id`) or the normalised domain (`domain`, also tried
against `account_key`). `override_note` records the decision; an override that matches no account,
or an account matched by several overrides (the last wins), is reported in the returned warnings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .definition import Disqualifier, Override
from .domains import normalize_domain, normalize_domains
from .filters import compile_filter


def override_note(override: Override) -> str:
    """'override by <owner>: include as Tier 1 (<reason>)' / 'override by <owner>: exclude (<reason>)'."""
    action = f"include as {override.tier}" if override.action == "include" else "exclude"
    return f"override by {override.owner}: {action} ({override.reason})"


def _disqualifiers(definition) -> list[Disqualifier]:
    return [
        d if isinstance(d, Disqualifier) else Disqualifier.model_validate(d) for d in definition.disqualifiers
    ]


def _overrides(definition) -> list[Override]:
    return [o if isinstance(o, Override) else Override.model_validate(o) for o in definition.overrides]


def _override_mask(targets: pd.DataFrame, override: Override, domains: pd.Series) -> np.ndarray:
    if override.match.account_id is not None:
        if "crm_account_id" not in targets.columns:
            return np.zeros(len(targets), bool)
        ids = targets["crm_account_id"].astype("string").str.strip()
        return ids.eq(override.match.account_id.strip()).fillna(False).to_numpy(bool)
    wanted = normalize_domain(override.match.domain)
    return (domains == wanted).to_numpy(bool) if wanted else np.zeros(len(targets), bool)


def apply_disqualifiers_and_overrides(
    targets: pd.DataFrame,
    features: pd.DataFrame,
    definition,
) -> tuple[pd.DataFrame, list[str]]:
    """(targets with updated `tier`, `disqualified_reason`, `override_note`; warnings).

    `definition`: an `IcpDefinition` or any object with `disqualifiers` and `overrides` (e.g. the
    `IcpConfig`). Disqualifier filters run on `features` (joined to targets by `account_key`); a
    filter naming an unknown attribute raises `FilterError` (a disqualifier must never be skipped).
    """
    out = targets.copy()
    if "disqualified_reason" not in out.columns:
        out["disqualified_reason"] = None
    out["disqualified_reason"] = out["disqualified_reason"].astype(object)
    out["override_note"] = None
    out["override_note"] = out["override_note"].astype(object)
    tier = out["tier"].astype(object).to_numpy(copy=True)
    reason = out["disqualified_reason"].to_numpy(copy=True)
    warnings: list[str] = []

    disqualifiers = _disqualifiers(definition)
    if disqualifiers:
        feats = features.drop_duplicates("account_key").set_index("account_key", drop=False)
        rows = feats.reindex(out["account_key"].to_numpy())
        unmatched_keys = int(rows["account_key"].isna().sum())
        if unmatched_keys:
            warnings.append(
                f"{unmatched_keys} scored accounts have no feature row: disqualifiers not checked for them"
            )
        done = np.zeros(len(out), bool)
        for dq in disqualifiers:
            hit = compile_filter(dq.filter, rows.reset_index(drop=True)).to_numpy() & ~done
            tier[hit], reason[hit] = "Disqualified", dq.reason
            done |= hit

    domains = _target_domains(out)
    notes = np.full(len(out), None, dtype=object)
    for i, ov in enumerate(_overrides(definition)):
        hit = _override_mask(out, ov, domains)
        if not hit.any():
            warnings.append(
                f"override {i + 1} ({ov.match.describe()}, {ov.action} by {ov.owner}) matched no scored account"
            )
            continue
        for j in np.flatnonzero(hit & pd.notna(notes)):
            warnings.append(f"account {out['account_key'].iloc[j]}: {notes[j]} replaced by override {i + 1}")
        if ov.action == "include":
            tier[hit], reason[hit] = ov.tier, None
        else:
            tier[hit], reason[hit] = "Disqualified", f"excluded by {ov.owner}: {ov.reason}"
        notes[hit] = override_note(ov)

    out["tier"] = tier
    out["disqualified_reason"] = reason
    out["override_note"] = notes
    return out, warnings


def _target_domains(targets: pd.DataFrame) -> pd.Series:
    """Normalised domain of each target: `domain`, else `account_key` when it is a domain."""
    key = normalize_domains(targets["account_key"]) if "account_key" in targets.columns else None
    if "domain" in targets.columns:
        dom = normalize_domains(targets["domain"])
        return dom.where(dom.notna(), key) if key is not None else dom
    return key if key is not None else pd.Series(None, index=targets.index, dtype=object)
