"""Build every published table of a refresh from the marts and model outputs, as frames."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icp_pipeline.defs.publish.model_card import model_card_frame
from icp_pipeline.defs.publish.tables import PUBLISHED_TABLES
from icp_pipeline.lib.coverage import data_coverage, model_value_label
from icp_pipeline.lib.icp import (
    FilterError,
    build_profile,
    build_segments,
    campaign_lift,
    leads_in_icp,
    test_hypotheses,
    tier_lift,
    validate_filter,
)
from icp_pipeline.lib.icp.attributes import select_attributes
from icp_pipeline.lib.icp.churn import ChangeContext, tier_changes_and_churn
from icp_pipeline.lib.icp.expansion import rank_expansion
from icp_pipeline.lib.icp.overrides import settle_tiers
from icp_pipeline.lib.icp.rules import rule_scores, rules_icp_score
from icp_pipeline.lib.icp_config import IcpConfig
from icp_pipeline.lib.model_strength import read_model_strength
from icp_pipeline.lib.publish_io import arrow_text, read_frame
from icp_pipeline.lib.sql import quote_ident
from icp_pipeline.lib.tier_baseline import (
    Baseline,
    TierOutcome,
    baseline_from_history,
    history_columns,
    rules_tiers,
    tier_refresh,
)
from icp_pipeline.lib.tiering import assign_tiers, tier_summary
from icp_pipeline.lib.warehouse import table_exists

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
# Columns of marts.account_features that publishing reads besides the attributes it profiles,
# segments on and filters by (names the ICP functions look for; absent ones are skipped).
FEATURE_BASE_COLUMNS = [
    "account_key", "crm_account_id", "account_name", "domain", "is_customer",
    "label_has_closed_opportunity", "label_has_won_opportunity", "has_enrichment_record",
    "firmo__employee_count", "employee_count", "firmo__industry", "industry",
]  # fmt: skip
SEGMENT_ATTRIBUTES = 8  # build_segments' n_attributes
PROFILE_ATTRIBUTES = (10, 12)  # build_profile's min_rows, max_rows
CHANGE_SOURCE_COLUMNS = [
    "account_key", "tier", "icp_score", "disqualified_reason", "override_note", "expected_value",
]  # fmt: skip


def _previous(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str] | None = None
) -> pd.DataFrame | None:
    """The previously published table (only `columns`, those of them it has), or None."""
    if not table_exists(con, "icp", table):
        return None
    if columns is None:
        return con.execute(f"select * from icp.{table}").df()
    have = {r[0] for r in con.execute(f"describe icp.{table}").fetchall()}
    select = ", ".join(quote_ident(c) for c in columns if c in have)
    return read_frame(con, f"select {select} from icp.{table}")


def feature_columns_needed(
    columns: list[str], importance: pd.DataFrame, config: IcpConfig, value_col: str
) -> list[str]:
    """The columns of marts.account_features (of `columns`, in their order) that publishing reads:
    the base columns, the value label, the attributes the profile and segments select and every
    column a hypothesis or disqualifier filter names (filters that do not resolve read none)."""
    wanted = {*FEATURE_BASE_COLUMNS, value_col}
    wanted.update(select_attributes(importance, columns, n_max=SEGMENT_ATTRIBUTES, n_min=SEGMENT_ATTRIBUTES))
    wanted.update(
        select_attributes(importance, columns, n_max=PROFILE_ATTRIBUTES[1], n_min=PROFILE_ATTRIBUTES[0])
    )
    for item in [*config.hypotheses, *config.disqualifiers]:
        text = item["filter"] if isinstance(item, dict) else item.filter
        with contextlib.suppress(FilterError):  # reported where it always was (check or inconclusive)
            wanted.update(validate_filter(text, columns))
    return [c for c in columns if c in wanted]


def _technographic_columns_with_data(con: duckdb.DuckDBPyConnection) -> int:
    """How many `tech__*` columns of the mart hold at least one value (NaN counts as missing, as in pandas)."""
    types = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = 'marts' and table_name = 'account_features' and starts_with(column_name, 'tech__') "
        "order by column_index"
    ).fetchall()
    if not types:
        return 0
    known = [
        f"count({quote_ident(c)}) filter (where not isnan({quote_ident(c)})) > 0"
        if t in ("DOUBLE", "FLOAT")
        else f"count({quote_ident(c)}) > 0"
        for c, t in types
    ]
    return sum(
        bool(v) for v in con.execute(f"select {', '.join(known)} from marts.account_features").fetchone()
    )


def last_refresh(history: pd.DataFrame | None) -> pd.Series | None:
    """The latest row of `icp.refresh_history` (None when there is none)."""
    if history is None or history.empty:
        return None
    return history.sort_values("refreshed_at").iloc[-1]


def tier_plan(
    history: pd.DataFrame | None, config: IcpConfig, rebaseline: bool
) -> tuple[Baseline | None, str | None]:
    """(the frozen baseline to keep, or None with the reason to rebaseline); see `tier_baseline`."""
    if rebaseline:
        return None, "a rebaseline was requested (publish config rebaseline: true)"
    return baseline_from_history(last_refresh(history), config.tiers.model_dump_json())


def change_context(last: pd.Series | None, outcome: TierOutcome) -> ChangeContext:
    """How the previous refresh (its history row) and this one tiered, for `tier_changes` reasons."""

    def num(row, name):
        value = row.get(name) if row is not None else None
        return None if value is None or pd.isna(value) else float(value)

    previous_basis = last.get("tier_basis") if last is not None else None
    if not isinstance(previous_basis, str):
        previous_basis = None
    if previous_basis == "icp_score":
        previous_cuts = (num(last, "tier1_cutoff"), num(last, "tier2_cutoff"))
    elif last is not None:
        previous_cuts = (num(last, "tier1_cutoff_relative"), num(last, "tier2_cutoff_relative"))
    else:
        previous_cuts = None
    return ChangeContext(
        previous_basis=previous_basis if previous_basis is not None else outcome.basis,
        basis=outcome.basis,
        previous_cutoffs=previous_cuts,
        cutoffs=outcome.relative_cutoffs if outcome.basis == "expected value" else outcome.cutoffs,
        previous_scale=num(last, "value_scale"),
        scale=outcome.value_scale,
        frozen=outcome.frozen,
        rebaseline_reason=outcome.rebaseline_reason,
    )


def build_targets(
    con: duckdb.DuckDBPyConnection,
    features: pd.DataFrame,
    config: IcpConfig,
    plan: tuple[Baseline | None, str | None] = (None, None),
    columns: list[str] | None = None,
    scored: pd.DataFrame | None = None,
    rule_score: np.ndarray | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Scored accounts → tiers → disqualifiers and overrides; returns (targets, warnings).

    `plan`: `tier_plan`'s frozen baseline or the reason to rebaseline. `rule_score`: per row of
    `features`, the team's rule score when the model is too weak to rank (tiers then follow the
    rules, `tier_baseline.rules_tiers`). `targets.attrs["tiering"]` is the `TierOutcome`.

    `features`: the mart's rows ordered by account_key (unique, as the mart's tests ensure), only
    some of its columns when `columns` lists them all (filters resolve against every column).
    `scored`: the rows of `TARGET_SOURCE_SQL` when already read (they are read otherwise).
    Targets come in the published order, with `_feature_row`: the account's row in `features`.
    """
    if scored is None:
        scored = read_frame(con, TARGET_SOURCE_SQL)
    # the account's row in features, which is also the rank of its account_key
    feature_row = _positions(scored["account_key"], features["account_key"])
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
        scored = _in_rules_order(scored, rule_score[feature_row], feature_row)
    scored.attrs["tiering"] = outcome
    return scored, warnings


def _in_rules_order(scored: pd.DataFrame, rules: np.ndarray, feature_row: np.ndarray) -> pd.DataFrame:
    """`scored` with icp_score = `rules_icp_score` (rules, then the model's score) and its rows in
    the published order of that score (high first, ties by expected value, then account_key)."""
    scored["icp_score"] = rules_icp_score(rules, scored["icp_score"].to_numpy(dtype=float, na_value=np.nan))
    ev = scored["expected_value"].to_numpy(dtype=float, na_value=np.nan)
    score = scored["icp_score"].to_numpy(dtype=float)
    published = np.lexsort(
        (feature_row, np.isnan(ev), -np.nan_to_num(ev), -np.nan_to_num(score), np.isnan(score))
    )
    return scored.iloc[published].reset_index(drop=True)


def _positions(keys: pd.Series, index: pd.Series) -> np.ndarray:
    """Row of each key in `index` (unique keys; every key is there: the target list joins the mart)."""
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


def _segments_of(
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


def _expansion(
    targets: pd.DataFrame, features: pd.DataFrame, value_col: str, feature_row: np.ndarray | None = None
) -> pd.DataFrame:
    """Customers by what they are likely to add (`icp.expansion.rank_expansion`); `feature_row`: each
    target's row in `features` (saves joining by key)."""
    columns = list(PUBLISHED_TABLES["expansion_accounts"].columns)
    derived = ("realised_value", "headroom", "expansion_basis", "expansion_rank")
    kept = [c for c in targets.columns if (c in columns or c == "expected_value") and c not in derived]
    is_customer = targets["is_customer"].astype(bool).to_numpy()
    if feature_row is None:
        customers = targets.loc[is_customer, kept].merge(
            features[["account_key", value_col]].rename(columns={value_col: "realised_value"}),
            on="account_key",
        )
    else:  # the same rows as the merge: every target has its (one) feature row
        customers = targets.loc[is_customer, kept].reset_index(drop=True)
        customers["realised_value"] = features[value_col].iloc[feature_row[is_customer]].array
    return rank_expansion(customers)[columns]


def _tier_validation(con: duckdb.DuckDBPyConnection, config: IcpConfig) -> pd.DataFrame:
    """Held-out accounts tiered by their out-of-fold prediction with the policy's shares."""
    holdout = read_frame(con, "select * from model.holdout_predictions")
    frames = []
    for target, part in holdout.groupby("target", sort=True):
        part = part.rename(columns={"predicted": "expected_value"}).assign(is_customer=False)
        tiered = assign_tiers(part, config.tiers.model_copy(update={"policy": "quantile"}))
        lift = tier_lift(tiered[["account_key", "tier", "actual"]], outcome="actual")
        frames.append(lift.assign(outcome="won" if target == "win" else "actual"))
    columns = list(PUBLISHED_TABLES["tier_validation"].columns)
    return pd.concat(frames)[columns] if frames else pd.DataFrame(columns=columns)


def _icp_validation(con: duckdb.DuckDBPyConnection, targets: pd.DataFrame, config: IcpConfig) -> pd.DataFrame:
    members = read_frame(
        con,
        "select campaign_id, account_id as crm_account_id, has_responded as responded, campaign_group as group, "
        "sent_at "
        "from staging.stg_marketing__campaign_members",
    )
    # only the columns the lookups read: tiers by CRM id, else by domain
    targets = targets[
        [c for c in ("account_key", "crm_account_id", "domain", "tier") if c in targets.columns]
    ]
    campaign = campaign_lift(members, targets).assign(check="campaign")
    leads = read_frame(con, "select * from staging.stg_crm__leads")
    lead_row = leads_in_icp(leads, targets, recent_days=config.validation.leads_recent_days).iloc[0]
    leads_frame = pd.DataFrame(
        [
            {
                "check": "leads",
                "metric": f"share of leads in the last {config.validation.leads_recent_days} days in Tier 1–2",
                "value": lead_row["share_in_icp"],
                "ci_low": np.nan,
                "ci_high": np.nan,
                "n": lead_row["recent_leads"],
                "note": lead_row["note"],
            }
        ]
    )
    return pd.concat([campaign, leads_frame])[list(PUBLISHED_TABLES["icp_validation"].columns)]


def _summary(config: IcpConfig, targets: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    rows = [("question", name, answer) for name, answer in config.questions.model_dump().items() if answer]
    prospect_tiers = targets["tier"][~targets["is_customer"].astype(bool).to_numpy()]
    rows += [
        ("headline", "accounts scored", f"{len(targets):,}"),
        ("headline", "customers", f"{int(targets['is_customer'].sum()):,}"),
        ("headline", "prospects in Tier 1", f"{int((prospect_tiers == 'Tier 1').sum()):,}"),
    ]
    rows += [
        ("headline", f"defining attribute {i + 1}", line) for i, line in enumerate(profile["brief_line"])
    ]
    return pd.DataFrame(rows, columns=["section", "item", "value"])


def _history_row(
    con: duckdb.DuckDBPyConnection,
    refresh_id: str,
    refreshed_at: dt.datetime,
    config: IcpConfig,
    targets: pd.DataFrame,
    metrics: pd.DataFrame,
    changes: pd.DataFrame,
    churn: float,
) -> dict:
    tables = con.execute(
        "select table_name, estimated_size from duckdb_tables() where schema_name = 'raw' order by table_name"
    ).fetchall()
    prospect_tiers = targets["tier"][~targets["is_customer"].astype(bool).to_numpy()]

    def metric(name: str) -> float:
        hit = metrics[
            (metrics["metric"] == name) & (metrics["model"] == "lightgbm") & (metrics["split"] == "cv")
        ]
        return float(hit["value"].iloc[0]) if len(hit) else np.nan

    outcome: TierOutcome = targets.attrs["tiering"]
    tiering = history_columns(outcome)
    if tiering["baseline_refresh_id"] is None and outcome.basis == "expected value":
        tiering["baseline_refresh_id"] = refresh_id  # this refresh set the cut-offs
    return {
        "refresh_id": refresh_id,
        "refreshed_at": refreshed_at,
        "landing_tables": json.dumps({name: int(n) for name, n in tables if not name.startswith("_")}),
        "accounts": len(targets),
        "customers": int(targets["is_customer"].sum()),
        "tier_policy": config.tiers.model_dump_json(),
        **tiering,
        "tier_counts": json.dumps(
            {str(k): int(v) for k, v in prospect_tiers.value_counts().sort_index().items()}
        ),
        "cv_spearman": metric("spearman"),
        "win_auc": metric("win_auc"),
        "tier_churn": churn,
        "accounts_changed_tier": int(changes["changed"].sum()) if len(changes) else 0,
    }


def _rules_if_model_is_none(
    con: duckdb.DuckDBPyConnection,
    features: pd.DataFrame,
    config: IcpConfig,
    hypotheses: pd.DataFrame,
    columns: list[str],
) -> tuple[np.ndarray | None, list[str]]:
    """The icp.yaml rule score per feature row when the model card says strength `none` (else
    None), and what to tell the user; see `icp_pipeline.lib.icp.rules`."""
    strength = read_model_strength(con, schemas=("model",))
    if strength is None or strength.strength != "none":
        return None, []
    score, used = rule_scores(features, config.hypotheses, hypotheses, columns=columns)
    if not used:
        return None, [
            "The model's strength is none, but icp.yaml has no hypothesis that is testable on this data "
            "and not contradicted, so the tiers still follow the scores."
        ]
    return score, [
        f"The model's strength is none: tiers follow the icp.yaml rules ({', '.join(used)}), "
        "accounts matching more of them first, then by the model's score; icp_score ranks in that order."
    ]


def build_published_frames(
    con: duckdb.DuckDBPyConnection,
    config: IcpConfig,
    refresh_id: str,
    refreshed_at: dt.datetime,
    rebaseline: bool = False,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every published table of this refresh (publication order) and warnings to show the user.

    Only the mart's columns publishing reads are loaded (`feature_columns_needed`), text stays in
    Arrow (`read_frame`), DuckDB joins and orders the target list, and the 1 M-row frames are never
    sorted, merged or copied whole in pandas: accounts are matched to their feature rows by position.
    """
    value_col = model_value_label(con, config.value_label)
    columns = [r[0] for r in con.execute("describe marts.account_features").fetchall()]
    importance = con.execute("select * from model.attribute_importance order by rank").df()
    needed = feature_columns_needed(columns, importance, config, value_col)
    features = read_frame(
        con,
        f"select {', '.join(quote_ident(c) for c in needed)} from marts.account_features "
        "order by account_key asc nulls last",
    )
    metrics = con.execute("select metric, model, split, value from model.model_metrics").df()
    history = _previous(con, "refresh_history")
    plan = tier_plan(history, config, rebaseline)
    # DuckDB reads the target list (outside the GIL) while pandas works on the features.
    with ThreadPoolExecutor(max_workers=1) as pool, con.cursor() as reader:
        scored = pool.submit(read_frame, reader, TARGET_SOURCE_SQL)
        segments, assignment = build_segments(
            features, importance, value_col, n_segments=config.segments.count
        )
        profile = build_profile(
            features, importance, value_col, min_rows=PROFILE_ATTRIBUTES[0], max_rows=PROFILE_ATTRIBUTES[1]
        )
        hypotheses = test_hypotheses(features, config.hypotheses, value_col, columns=columns)
        rules, rule_warnings = _rules_if_model_is_none(con, features, config, hypotheses, columns)
        targets, warnings = build_targets(
            con, features, config, plan, columns=columns, scored=scored.result(), rule_score=rules
        )
        warnings = [*rule_warnings, *warnings]

    feature_row = targets["_feature_row"].to_numpy()
    targets["segment"] = _segments_of(targets, features, assignment, feature_row)
    outcome = targets.attrs.get("tiering")
    targets = targets[list(PUBLISHED_TABLES["target_accounts"].columns)]  # already in published order
    targets.attrs["tiering"] = outcome

    previous = _previous(con, "target_accounts", CHANGE_SOURCE_COLUMNS)
    changes, churn = tier_changes_and_churn(
        previous if previous is not None else targets.iloc[0:0],
        targets[CHANGE_SOURCE_COLUMNS],
        change_context(last_refresh(history), outcome),
    )
    churn = churn if previous is not None else 0.0
    del previous
    history_row = _history_row(con, refresh_id, refreshed_at, config, targets, metrics, changes, churn)
    targets.attrs.pop("tiering", None)  # not a table property: kept out of the published frame
    new_history = pd.DataFrame([history_row])
    history = (
        new_history
        if history is None
        else pd.concat([history.drop(columns=["icp_version", "published_at"], errors="ignore"), new_history])
    )
    frames = {
        "target_accounts": targets,
        "attribute_importance": importance,
        "model_metrics": metrics,
        "model_card": model_card_frame(con),
        "tier_summary": tier_summary(targets),
        "icp_summary": _summary(config, targets, profile),
        "icp_profile": profile,
        "segments": segments,
        "hypothesis_results": hypotheses,
        "expansion_accounts": _expansion(targets, features, value_col, feature_row),
        "tier_validation": _tier_validation(con, config),
        "icp_validation": _icp_validation(con, targets, config),
        "tier_changes": changes,
        "refresh_history": history.reset_index(drop=True),
        "data_coverage": data_coverage(
            con, targets, features, technographic_columns=_technographic_columns_with_data(con)
        ),
    }
    return {name: arrow_text(frame) for name, frame in frames.items()}, warnings
