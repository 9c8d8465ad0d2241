"""Disqualifiers and manual overrides on top of the model's tiers.

Order: disqualifier filters first (first matching disqualifier wins: tier `Disqualified`,
`disqualified_reason` = its reason), then overrides (manual decisions have the last word):
- include: tier = the override's tier (default Tier 1), `disqualified_reason` cleared;
- exclude: tier `Disqualified`, `disqualified_reason` = "excluded by <owner>: <reason>".
Overrides match `crm_account_id` (`account_id`, keyed as the warehouse keys it: a Salesforce
18-character case-safe id by its 15-character form, `lib/crm_ids.py`) or the normalised domain (`domain`, also tried
against `account_key`). `override_note` records the decision; an override that matches no account,
or an account matched by several overrides (the last wins), is reported in the returned warnings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.crm_ids import crm_account_key

from .definition import Disqualifier, Override
from .domains import normalize_domain, normalize_domains
from .filters import compile_filter, validate_filter


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


def _override_mask(targets: pd.DataFrame, override: Override, lookups: _Lookups) -> np.ndarray:
    if override.match.account_id is not None:
        if "crm_account_id" not in targets.columns:
            return np.zeros(len(targets), bool)
        wanted = crm_account_key(override.match.account_id)  # the 18-character form keys as the mart's 15
        if wanted is None:
            return np.zeros(len(targets), bool)
        return lookups.ids().eq(wanted).fillna(False).to_numpy(bool)
    wanted = normalize_domain(override.match.domain)
    return lookups.domain_matches(wanted) if wanted else np.zeros(len(targets), bool)


class _Lookups:
    """The targets' trimmed CRM ids (computed once, when an override needs them) and domain matches."""

    def __init__(self, targets: pd.DataFrame):
        self._targets = targets
        self._ids: pd.Series | None = None
        self._lowered: list[pd.Series] | None = None

    def ids(self) -> pd.Series:
        if self._ids is None:
            self._ids = self._targets["crm_account_id"].astype("string").str.strip()
        return self._ids

    def domain_matches(self, wanted: str) -> np.ndarray:
        """`_target_domains(targets) == wanted`, normalising only the targets that can match: a
        normalised domain is a piece of the lower-cased text, so `wanted` must occur in the
        lower-cased domain or account_key."""
        targets = self._targets
        if self._lowered is None:
            self._lowered = [
                targets[c].astype("string").str.lower()
                for c in ("account_key", "domain")
                if c in targets.columns
            ]
        candidates = np.zeros(len(targets), bool)
        for lowered in self._lowered:
            candidates |= lowered.str.contains(wanted, regex=False).fillna(False).to_numpy(bool)
        hit = np.zeros(len(targets), bool)
        rows = np.flatnonzero(candidates)
        if len(rows):
            hit[rows] = (_target_domains(targets.iloc[rows]) == wanted).to_numpy(bool)
        return hit


def apply_disqualifiers_and_overrides(
    targets: pd.DataFrame,
    features: pd.DataFrame,
    definition,
    columns=None,
) -> tuple[pd.DataFrame, list[str]]:
    """(targets with updated `tier`, `disqualified_reason`, `override_note`; warnings).

    `definition`: an `IcpDefinition` or any object with `disqualifiers` and `overrides` (e.g. the
    `IcpConfig`). Disqualifier filters run on `features` (joined to targets by `account_key`); a
    filter naming an unknown attribute raises `FilterError` (a disqualifier must never be skipped).
    `columns`: the mart's columns the filters' attributes resolve against, when `features` holds only
    some of them (default: the columns of `features`).
    """
    out = targets.copy()
    if "disqualified_reason" not in out.columns:
        out["disqualified_reason"] = None
    out["disqualified_reason"] = out["disqualified_reason"].astype(object)
    out["override_note"] = None
    out["override_note"] = out["override_note"].astype(object)
    tier = out["tier"].astype(object).to_numpy(copy=True)
    reason = out["disqualified_reason"].to_numpy(copy=True)
    notes, warnings = settle_tiers(out, features, definition, tier, reason, columns=columns)
    out["tier"] = tier
    out["disqualified_reason"] = reason
    out["override_note"] = notes
    return out, warnings


def settle_tiers(
    targets: pd.DataFrame,
    features: pd.DataFrame,
    definition,
    tier: np.ndarray,
    reason: np.ndarray,
    columns=None,
    feature_rows: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str]]:
    """`apply_disqualifiers_and_overrides` on arrays: updates `tier` and `reason` (object arrays, one
    per target) in place and returns (override notes, warnings).

    `targets` needs `account_key` (and `crm_account_id` / `domain` for overrides by them) only.
    `feature_rows`: each target's row in `features` when known (account keys unique), which saves
    joining them by key.
    """
    warnings: list[str] = []
    columns = [str(c) for c in (features.columns if columns is None else columns)]

    disqualifiers = _disqualifiers(definition)
    if disqualifiers:
        # Only the columns the filters use are joined to the targets (resolved against every column).
        used = list(dict.fromkeys(c for dq in disqualifiers for c in validate_filter(dq.filter, columns)))
        needed = list(dict.fromkeys(["account_key", *used]))
        if feature_rows is not None:  # filters run on the features' rows, then each target takes its row's
            rows, pick = features[needed], np.asarray(feature_rows)
            unmatched_keys = int(rows["account_key"].isna().to_numpy()[pick].sum())
        else:
            feats = features[needed].drop_duplicates("account_key").set_index("account_key", drop=False)
            rows, pick = feats.reindex(targets["account_key"].to_numpy()).reset_index(drop=True), slice(None)
            unmatched_keys = int(rows["account_key"].isna().sum())
        if unmatched_keys:
            warnings.append(
                f"{unmatched_keys} scored accounts have no feature row: disqualifiers not checked for them"
            )
        done = np.zeros(len(targets), bool)
        for dq in disqualifiers:
            hit = compile_filter(dq.filter, rows, columns=columns).to_numpy()[pick] & ~done
            tier[hit], reason[hit] = "Disqualified", dq.reason
            done |= hit

    lookups = _Lookups(targets)
    notes = np.full(len(targets), None, dtype=object)
    for i, ov in enumerate(_overrides(definition)):
        hit = _override_mask(targets, ov, lookups)
        if not hit.any():
            warnings.append(
                f"override {i + 1} ({ov.match.describe()}, {ov.action} by {ov.owner}) matched no scored account"
            )
            continue
        for j in np.flatnonzero(hit & pd.notna(notes)):
            warnings.append(
                f"account {targets['account_key'].iloc[j]}: {notes[j]} replaced by override {i + 1}"
            )
        if ov.action == "include":
            tier[hit], reason[hit] = ov.tier, None
        else:
            tier[hit], reason[hit] = "Disqualified", f"excluded by {ov.owner}: {ov.reason}"
        notes[hit] = override_note(ov)
    return notes, warnings


def _target_domains(targets: pd.DataFrame) -> pd.Series:
    """Normalised domain of each target: `domain`, else `account_key` when it is a domain."""
    key = normalize_domains(targets["account_key"]) if "account_key" in targets.columns else None
    if "domain" in targets.columns:
        dom = normalize_domains(targets["domain"])
        return dom.where(dom.notna(), key) if key is not None else dom
    return key if key is not None else pd.Series(None, index=targets.index, dtype=object)
