"""What the report reads: the published `icp` tables of the last refresh, the catalog's labels and the
held-out predictions behind the validation charts, in one object."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from icp_pipeline.lib.model.labels import Labels, read_labels, reporting_currency
from icp_pipeline.lib.model.strength import ModelStrength, read_model_strength, tiers_followed_rules
from icp_pipeline.lib.warehouse.connection import table_exists
from icp_pipeline.lib.warehouse.frames import is_text_column, read_frame

from .formatting import in_words_column

_TABLES = {
    "summary": ("icp_summary", ""),
    "importance": ("attribute_importance", "order by rank nulls last, attribute"),
    "profile": ("icp_profile", "order by rank nulls last"),
    "segments": ("segments", "order by segment_id"),
    "tiers": ("tier_summary", ""),
    "validation": ("tier_validation", ""),
    "icp_validation": ("icp_validation", ""),
    "hypotheses": ("hypothesis_results", ""),
    "coverage": ("data_coverage", ""),
    "expansion": ("expansion_accounts", "order by expansion_rank"),
    "card": ("model_card", ""),
}


@dataclass
class ReportData:
    version: str
    published: dt.datetime
    labels: Labels
    currency: str | None
    strength: ModelStrength | None
    rules_used: bool | None
    has_prospects: bool
    targets: pd.DataFrame  # the ranked list: prospects, or customers when there are none
    tables: dict[str, pd.DataFrame]
    holdout: pd.DataFrame  # model.holdout_predictions (empty when absent)
    first_refresh: bool = False  # no account has a previous tier: nothing to compare with

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def _query(con: duckdb.DuckDBPyConnection, table: str, where_order: str, present: set[str]) -> pd.DataFrame:
    """The published table without its stamps (empty when absent)."""
    if table not in present:
        return pd.DataFrame()
    columns = {r[0] for r in con.execute(f"describe icp.{table}").fetchall()}
    stamps = [c for c in ("icp_version", "published_at") if c in columns]
    exclude = f" exclude ({', '.join(stamps)})" if stamps else ""
    if "changed" not in columns:
        where_order = where_order.replace("where changed", "")
    return read_frame(con, f"select *{exclude} from icp.{table} {where_order}")


def _changes(con: duckdb.DuckDBPyConnection, present: set[str]) -> pd.DataFrame:
    """Accounts whose tier changed, with their names, moves into Tier 1 first."""
    if "tier_changes" not in present:
        return pd.DataFrame()
    return read_frame(
        con,
        "select c.account_key, t.account_name, c.previous_tier, c.new_tier, c.change_reason "
        "from icp.tier_changes c left join icp.target_accounts t using (account_key) where c.changed "
        "order by coalesce(c.new_tier, 'Z'), coalesce(c.previous_tier, 'Z') desc, c.account_key",
    )


def load_report_data(con: duckdb.DuckDBPyConnection, currency: str | None = None) -> ReportData:
    """Everything the report shows (`currency`: the reporting currency's code; default: the catalog's)."""
    version, published = con.execute(
        "select icp_version, published_at from icp.target_accounts limit 1"
    ).fetchone()
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'icp'"
        ).fetchall()
    }
    tables = {key: _query(con, name, order, present) for key, (name, order) in _TABLES.items()}
    tables["changes"] = _changes(con, present)
    labels = read_labels(con)
    for frame in tables.values():  # free text names attributes by their labels
        for column in frame.columns:
            if column != "attribute" and is_text_column(frame[column]):
                frame[column] = in_words_column(frame[column], labels)
    has_prospects = bool(
        con.execute("select bool_or(not is_customer) from icp.target_accounts").fetchone()[0]
    )
    if has_prospects or "expansion_accounts" not in present:
        targets = read_frame(
            con,
            "select account_key, account_name, domain, icp_score, expected_value, tier, top_reasons "
            "from icp.target_accounts where is_customer = ? and tier <> 'Disqualified' "
            "order by icp_score desc, expected_value desc nulls last, account_key limit 25",
            [not has_prospects],
        )
    else:  # an export of customers: the expansion list takes the prospects' place
        targets = read_frame(
            con,
            "select e.account_key, e.account_name, t.domain, e.icp_score, t.expected_value, t.tier, "
            "e.realised_value, e.headroom, e.top_reasons from icp.expansion_accounts e "
            "left join icp.target_accounts t using (account_key) order by e.expansion_rank limit 25",
        )
    holdout = (
        read_frame(con, "select target, predicted, actual from model.holdout_predictions")
        if table_exists(con, "model", "holdout_predictions")
        else pd.DataFrame(columns=["target", "predicted", "actual"])
    )
    return ReportData(
        version=str(version),
        published=published,
        labels=labels,
        currency=currency or reporting_currency(con, labels),
        strength=read_model_strength(con),
        rules_used=tiers_followed_rules(con),
        has_prospects=has_prospects,
        targets=targets,
        tables=tables,
        holdout=holdout,
        first_refresh="tier_changes" in present
        and not con.execute("select count(previous_tier) from icp.tier_changes").fetchone()[0],
    )
