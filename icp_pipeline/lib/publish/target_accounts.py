"""`icp.target_accounts`: scored accounts → disqualifiers and overrides → tiers → segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icp_pipeline.lib.config.icp import IcpConfig
from icp_pipeline.lib.icp.overrides import settle_tiers
from icp_pipeline.lib.icp.rules import rules_icp_score
from icp_pipeline.lib.model.labels import readable_value
from icp_pipeline.lib.publish.tables import PUBLISHED_TABLES
from icp_pipeline.lib.publish.tier_baseline import Baseline, rules_tiers, tier_refresh

# Scored accounts in the published order: icp_score high to low, ties by expected value (high to low)
# and only then by account_key, missing scores last (as pandas sorts).
TARGET_SOURCE_SQL = """
    select
        f.account_key, f.crm_account_id, f.account_name, f.domain, f.industry, f.country,
        f.employee_count, f.is_customer,
        s.icp_score, s.expected_value, s.predicted_ltv, s.win_probability, s.top_reasons
    from model.account_scores as s
    inner join marts.account_features as f using (account_key)
    order by (s.icp_score is null or isnan(s.icp_score)), s.icp_score desc,
        s.expected_value desc nulls last, f.account_key asc nulls last
"""
# the builder's columns; `withheld_money.with_money_basis` and `.with_win_probability_basis` add
# money_basis and win_probability_basis at publication
TARGET_COLUMNS = [
    c
    for c in PUBLISHED_TABLES["target_accounts"].columns
    if c not in ("money_basis", "win_probability_basis")
]


def tier_target_accounts(
    scored: pd.DataFrame,
    features: pd.DataFrame,
    config: IcpConfig,
    plan: tuple[Baseline | None, str | None] = (None, None),
    columns: list[str] | None = None,
    rule_score: np.ndarray | None = None,
    rule_reasons: np.ndarray | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Scored accounts → disqualifiers and overrides → tiers; returns (targets, warnings).

    `scored`: the rows of `TARGET_SOURCE_SQL` (published order). `features`: the mart's rows ordered
    by account_key (unique, as the mart's tests ensure), only some of its columns when `columns` lists
    them all (filters resolve against every column). `plan`: `refresh_history.tier_plan`'s frozen
    baseline or the reason to rebaseline. `rule_score`: per row of `features`, the team's rule score
    when the model is too weak to rank (tiers then follow the rules, `tier_baseline.rules_tiers`);
    `rule_reasons` (per row of `features`, `icp.rules.rule_reasons`) then replace each `top_reasons`
    (reasons follow the source that set the tier, never the weak model's).

    Targets come in the published order, with `tier`, `disqualified_reason`, `override_note` and
    `_feature_row` (the account's row in `features`); `targets.attrs["tiering"]` is the `TierOutcome`.
    Raises ValueError when a scored account is not in `features`.
    """
    # the account's row in features, which is also the rank of its account_key
    feature_row = feature_positions(scored["account_key"], features["account_key"])
    scored["_feature_row"] = feature_row
    # Disqualified and overridden accounts are settled first, so they take no place in a tier's quota.
    keys = scored[[c for c in ("account_key", "crm_account_id", "domain") if c in scored.columns]]
    tier = np.full(len(scored), "Tier 3", dtype=object)
    reason = np.full(len(scored), None, dtype=object)
    notes, warnings = settle_tiers(
        keys, features, config, tier, reason, columns=columns, feature_rows=feature_row
    )
    free = ~((tier == "Disqualified") | pd.notna(notes))
    # The free accounts by expected value (high to low, missing last), ties by account_key: their
    # ranking for the quotas.
    # icp_score orders accounts of equal expected value (a coarse baseline's levels: see
    # docs/model-card.md, "Ties"), so quotas cut the list where the published order does.
    ev = scored["expected_value"].to_numpy(dtype=float, na_value=np.nan)
    score = np.nan_to_num(scored["icp_score"].to_numpy(dtype=float, na_value=np.nan), nan=-1.0)
    by_value = np.lexsort((feature_row, -score, -ev, np.isnan(ev)))
    order = (np.cumsum(free) - 1)[by_value[free[by_value]]]
    ranked = scored[["is_customer", "expected_value", "icp_score"]].iloc[np.flatnonzero(free)]
    if rule_score is not None:
        labels, outcome = rules_tiers(ranked, config.tiers, rule_score[feature_row][free], order=order)
    else:
        labels, outcome = tier_refresh(ranked, config.tiers, plan[0], plan[1], order=order)
    tier[free] = labels
    scored["tier"] = tier
    scored["disqualified_reason"] = reason
    scored["override_note"] = notes
    if rule_score is not None:  # icp_score is the score of the order the tiers follow: the rules'
        scored = in_rules_order(scored, rule_score[feature_row], feature_row)
        if rule_reasons is not None:  # reasons follow the source that set the tier: the rules alone
            # (the weak model's reasons would contradict them: "+ Rule: software" then
            # "− industry not software"), so the model's reasons are not appended.
            scored["top_reasons"] = rule_reasons[scored["_feature_row"].to_numpy()]
    scored.attrs["tiering"] = outcome
    return scored, [*warnings, *outcome.notes]


def build_target_accounts(
    tiered: pd.DataFrame, features: pd.DataFrame, assignment: pd.Series
) -> pd.DataFrame:
    """The published `icp.target_accounts` (its documented columns, in the published order) from
    `tier_target_accounts`' output and the segment of each feature row (`assignment`, positional over
    `features`, as `build_segments` returns it). `attrs["tiering"]` is kept."""
    feature_row = tiered["_feature_row"].to_numpy()
    tiered["segment"] = segments_of(tiered, features, assignment, feature_row)
    tiered["industry_label"] = industry_labels(tiered["industry"])
    outcome = tiered.attrs.get("tiering")
    targets = tiered[TARGET_COLUMNS]  # already in published order
    targets.attrs["tiering"] = outcome
    return targets


def industry_labels(industry: pd.Series) -> pd.Series:
    """Each industry code as people read it (`readable_value`: 'financial_services' -> 'Financial
    services'), worded once per distinct code; missing stays missing."""
    codes = industry.astype(object).where(industry.notna(), None)
    words = {code: readable_value(code) for code in pd.unique(codes.dropna())}
    return codes.map(words).astype(object).where(codes.notna(), None)


def in_rules_order(scored: pd.DataFrame, rules: np.ndarray, feature_row: np.ndarray) -> pd.DataFrame:
    """`scored` with icp_score = `rules_icp_score` (rules, then the model's score) and its rows in
    the published order of that score (high first, ties by expected value, then account_key)."""
    scored["icp_score"] = rules_icp_score(rules, scored["icp_score"].to_numpy(dtype=float, na_value=np.nan))
    ev = scored["expected_value"].to_numpy(dtype=float, na_value=np.nan)
    score = scored["icp_score"].to_numpy(dtype=float)
    published = np.lexsort(
        (feature_row, np.isnan(ev), -np.nan_to_num(ev), -np.nan_to_num(score), np.isnan(score))
    )
    return scored.iloc[published].reset_index(drop=True)


def feature_positions(keys: pd.Series, index: pd.Series) -> np.ndarray:
    """Row of each key in `index` (unique keys; every key is there: the target list joins the mart).
    Raises ValueError with the count of keys missing from `index`."""
    if all(isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow" for s in (keys, index)):
        found = pc.index_in(pa.array(keys.array), value_set=pa.array(index.array))  # in Arrow, no Python str
        positions = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    else:
        positions = pd.Index(index).get_indexer(keys)
    if (positions < 0).any():
        raise ValueError(
            f"{int((positions < 0).sum())} scored accounts are missing from marts.account_features"
        )
    return positions


def segments_of(
    targets: pd.DataFrame, features: pd.DataFrame, assignment: pd.Series, feature_row: np.ndarray
) -> pd.api.extensions.ExtensionArray | pd.Series:
    """Each target's segment: the one of its feature row, typed as mapping the text account_key
    through {account_key: segment} types it (text, missing as NaN)."""
    segments = assignment.to_numpy(dtype=object)[feature_row]
    if pd.notna(segments).any():
        return pd.array(segments, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    # no segment at all (no customer with a value): the map's own typing of missing values
    return targets["account_key"].map(
        pd.Series(assignment.to_numpy(), index=features["account_key"].to_numpy())
    )
