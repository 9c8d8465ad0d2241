"""Every published table of a refresh: reads the marts and model outputs and calls each table's
builder (`lib/publish/<table>.py`, plain functions on frames)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pandas as pd

from icp_pipeline.lib.config.icp import IcpConfig
from icp_pipeline.lib.icp import FilterError, build_profile, build_segments, test_hypotheses, validate_filter
from icp_pipeline.lib.icp.attributes import select_attributes
from icp_pipeline.lib.icp.rules import rule_reasons, rule_scores
from icp_pipeline.lib.model.labels import read_labels, reporting_currency
from icp_pipeline.lib.model.strength import read_model_strength
from icp_pipeline.lib.publish.coverage import data_coverage, model_value_label
from icp_pipeline.lib.publish.expansion_accounts import build_expansion_accounts
from icp_pipeline.lib.publish.icp_summary import build_icp_summary
from icp_pipeline.lib.publish.icp_validation import CAMPAIGN_MEMBERS_SQL, LEADS_SQL, build_icp_validation
from icp_pipeline.lib.publish.model_card import model_card_frame
from icp_pipeline.lib.publish.publish_io import arrow_text
from icp_pipeline.lib.publish.refresh_history import (
    build_refresh_history,
    history_row,
    last_refresh,
    tier_plan,
)
from icp_pipeline.lib.publish.target_accounts import (
    TARGET_SOURCE_SQL,
    build_target_accounts,
    tier_target_accounts,
)
from icp_pipeline.lib.publish.tier_changes import CHANGE_SOURCE_COLUMNS, build_tier_changes
from icp_pipeline.lib.publish.tier_money import (
    money_withheld_reason,
    observed_value_by_tier,
    with_tier_money,
)
from icp_pipeline.lib.publish.tier_validation import build_tier_validation
from icp_pipeline.lib.publish.tiering import tier_summary
from icp_pipeline.lib.publish.withheld_money import (
    read_win_basis,
    with_money_basis,
    with_win_probability_basis,
    withhold_history_money,
)
from icp_pipeline.lib.warehouse.connection import table_exists
from icp_pipeline.lib.warehouse.frames import read_frame
from icp_pipeline.lib.warehouse.sql import quote_ident

# Columns of marts.account_features that publishing reads besides the attributes it profiles,
# segments on and filters by (names the ICP functions look for; absent ones are skipped).
FEATURE_BASE_COLUMNS = [
    "account_key", "crm_account_id", "account_name", "domain", "is_customer",
    "label_has_closed_opportunity", "label_has_won_opportunity", "has_enrichment_record",
    "firmo__employee_count", "employee_count", "firmo__industry", "industry",
]  # fmt: skip
SEGMENT_ATTRIBUTES = 8  # build_segments' n_attributes
PROFILE_ATTRIBUTES = (10, 12)  # build_profile's min_rows, max_rows


def _previous(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str] | None = None
) -> pd.DataFrame | None:
    """The previously published table (only `columns`, those of them it has), or None."""
    if not table_exists(con, "icp", table):
        return None
    if columns is None:
        return read_frame(con, f"select * from icp.{table}")
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


def _landing_tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Raw table -> estimated rows, by name."""
    rows = con.execute(
        "select table_name, estimated_size from duckdb_tables() where schema_name = 'raw' order by table_name"
    ).fetchall()
    return {name: int(n) for name, n in rows}


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


def _tier_summary(
    con: duckdb.DuckDBPyConnection,
    targets: pd.DataFrame,
    features: pd.DataFrame,
    value_col: str,
    feature_row: np.ndarray,
) -> pd.DataFrame:
    """`tiering.tier_summary` with each tier's observed customer value, and the model's expected
    value withheld when the model card says weak or none (`tier_money`)."""
    value = (
        pd.to_numeric(features[value_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)[
            feature_row
        ]
        if value_col in features
        else np.full(len(targets), np.nan)
    )
    observed = observed_value_by_tier(
        targets["tier"].to_numpy(dtype=object), targets["is_customer"].to_numpy(dtype=bool), value
    )
    strength = read_model_strength(con, schemas=("model",))
    return with_tier_money(tier_summary(targets), observed, strength, win_learnt=read_win_basis(con).learnt)


def importance_in_words(importance: pd.DataFrame, labels) -> pd.DataFrame:
    """model.attribute_importance as people read it: a `label` per attribute (its catalog label) and
    every attribute column name in `summary` and `excluded_reason` replaced by its label
    (`report.formatting.in_words_column`, as the report words them); `attribute` keeps the name."""
    from icp_pipeline.lib.publish.report.formatting import in_words_column

    out = importance.copy()
    out["label"] = [labels.label(a) for a in out["attribute"].astype(str)]
    for column in ("summary", "excluded_reason"):
        if column in out.columns:
            out[column] = in_words_column(out[column].astype(object), labels)
    return out


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
    importance = read_frame(con, "select * from model.attribute_importance order by rank")
    needed = feature_columns_needed(columns, importance, config, value_col)
    features = read_frame(
        con,
        f"select {', '.join(quote_ident(c) for c in needed)} from marts.account_features "
        "order by account_key asc nulls last",
    )
    metrics = read_frame(con, "select metric, model, split, value from model.model_metrics")
    history = _previous(con, "refresh_history")
    plan = tier_plan(history, config, rebaseline)
    # DuckDB reads the target list (outside the GIL) while pandas works on the features.
    with ThreadPoolExecutor(max_workers=1) as pool, con.cursor() as reader:
        scored = pool.submit(read_frame, reader, TARGET_SOURCE_SQL)
        labels = read_labels(con)
        labels = dataclasses.replace(labels, currency=reporting_currency(con, labels))  # money in words
        segments, assignment = build_segments(
            features, importance, value_col, n_segments=config.segments.count, labels=labels
        )
        profile = build_profile(
            features,
            importance,
            value_col,
            min_rows=PROFILE_ATTRIBUTES[0],
            max_rows=PROFILE_ATTRIBUTES[1],
            labels=labels,
        )
        hypotheses = test_hypotheses(features, config.hypotheses, value_col, columns=columns)
        rules, rule_warnings = _rules_if_model_is_none(con, features, config, hypotheses, columns)
        reasons = (
            None if rules is None else rule_reasons(features, config.hypotheses, hypotheses, columns=columns)
        )
        tiered, warnings = tier_target_accounts(
            scored.result(), features, config, plan, columns=columns, rule_score=rules, rule_reasons=reasons
        )
        warnings = [*rule_warnings, *warnings]

    feature_row = tiered["_feature_row"].to_numpy()
    targets = build_target_accounts(tiered, features, assignment)
    del tiered
    previous = _previous(con, "target_accounts", CHANGE_SOURCE_COLUMNS)
    changes, churn = build_tier_changes(previous, targets, last_refresh(history))
    del previous
    row = history_row(
        refresh_id,
        refreshed_at,
        config,
        targets,
        metrics,
        changes,
        churn,
        landing_tables=_landing_tables(con),
    )
    targets.attrs.pop("tiering", None)  # not a table property: kept out of the published frame
    strength = read_model_strength(con, schemas=("model",))
    row = withhold_history_money(row, strength)  # after tier_changes read this refresh's scale
    frames = {
        # money columns null when the model card says weak or none (every builder below has read them)
        # win_probability null when the win model was not learnt (a constant prior), with its basis
        "target_accounts": with_win_probability_basis(
            with_money_basis(targets, "target_accounts", strength), read_win_basis(con)
        ),
        "attribute_importance": importance_in_words(importance, labels),
        "model_metrics": metrics,
        "model_card": model_card_frame(con),
        "tier_summary": _tier_summary(con, targets, features, value_col, feature_row),
        "icp_summary": build_icp_summary(config.questions.model_dump(), targets, profile),
        "icp_profile": profile,
        "segments": segments,
        "hypothesis_results": hypotheses,
        "expansion_accounts": with_money_basis(
            build_expansion_accounts(
                # a weak or none model's headroom is withheld and does not order the list either
                targets,
                features,
                value_col,
                feature_row,
                use_headroom=money_withheld_reason(strength) is None,
            ),
            "expansion_accounts",
            strength,
        ),
        "tier_validation": build_tier_validation(
            read_frame(con, "select * from model.holdout_predictions"),
            config.tiers,
            None if rules is None else pd.Series(rules, index=features["account_key"].to_numpy()),
        ),
        "icp_validation": build_icp_validation(
            read_frame(con, CAMPAIGN_MEMBERS_SQL),
            read_frame(con, LEADS_SQL),
            targets,
            config.validation.leads_recent_days,
        ),
        "tier_changes": changes,
        "refresh_history": build_refresh_history(history, row),
        "data_coverage": data_coverage(
            con, targets, features, technographic_columns=_technographic_columns_with_data(con)
        ),
    }
    return {name: arrow_text(frame) for name, frame in frames.items()}, warnings
