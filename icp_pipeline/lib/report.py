"""`icp_report.html`: the ICP on one self-contained page for a sales leader (charts inline as PNG)."""

from __future__ import annotations

import base64
import html
import io

import duckdb
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from icp_pipeline.lib.model_strength import (  # noqa: E402
    caution_sentence,
    read_model_strength,
    tiers_followed_rules,
)
from icp_pipeline.lib.warehouse import table_exists  # noqa: E402

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2733;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #e3e8ef;padding-bottom:.3rem;margin-top:2.2rem}
table{border-collapse:collapse;width:100%;font-size:.88rem} th,td{padding:.35rem .6rem;text-align:left;
border-bottom:1px solid #e3e8ef;vertical-align:top} th{background:#f5f7fa}
.muted{color:#667085} img{max-width:100%} .grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}
.cards{display:flex;gap:1rem;flex-wrap:wrap} .card{flex:1 1 240px;border:1px solid #e3e8ef;border-radius:8px;
padding:1rem;background:#fbfcfe} .card h3{margin:.1rem 0 .4rem;font-size:1rem}
.verdict{font-weight:600;padding:.1rem .45rem;border-radius:4px}
.supported{background:#e6f4ea;color:#1e7b34} .contradicted{background:#fdecea;color:#b3261e}
.inconclusive,.untestable{background:#f1f3f4;color:#5f6368}
.caution{background:#fff4e5;border-left:4px solid #b26a00;padding:.6rem .8rem;font-weight:600}
"""

_TIER_COLORS = {"Tier 1": "#1e7b34", "Tier 2": "#5e9c6b", "Tier 3": "#b0bec5", "All": "#607d8b"}


def _esc(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else html.escape(str(value))


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, na_rep="", float_format=lambda v: f"{v:,.2f}", escape=True)


def _png(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="chart" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _query(
    con: duckdb.DuckDBPyConnection, table: str, order: str = "", tables: set[str] | None = None
) -> pd.DataFrame:
    """The published table without its stamps (empty when it does not exist; `tables`: the
    names of the tables in `icp` when already listed)."""
    if not (table in tables if tables is not None else table_exists(con, "icp", table)):
        return pd.DataFrame()
    return con.execute(f"select * exclude (icp_version, published_at) from icp.{table} {order}").df()


def _importance_chart(importance: pd.DataFrame) -> str:
    top = importance.dropna(subset=["rank"]).sort_values("rank").head(12).iloc[::-1]
    if top.empty:
        return ""
    fig, ax = plt.subplots(figsize=(6.5, 0.34 * len(top) + 1))
    colors = top["direction"].map({"+": "#1e7b34", "-": "#b3261e"}).fillna("#607d8b")
    ax.barh(top["attribute"], top["importance"], color=colors)
    ax.set_xlabel("mean |SHAP| (value units)")
    ax.set_title("What drives customer value (green raises, red lowers)")
    return _png(fig)


def _lift_chart(validation: pd.DataFrame) -> str:
    data = validation[validation["tier"] != "All"]
    if data.empty:
        return ""
    fig, axes = plt.subplots(1, data["outcome"].nunique(), figsize=(6.5, 3), squeeze=False)
    for ax, (outcome, part) in zip(axes[0], data.groupby("outcome"), strict=False):
        ax.bar(part["tier"], part["lift"], color=[_TIER_COLORS.get(t, "#607d8b") for t in part["tier"]])
        ax.axhline(1, color="#333", lw=0.8, ls="--")
        ax.set_title(f"Lift on held-out accounts ({outcome})", fontsize=9)
    return _png(fig)


def _segment_cards(segments: pd.DataFrame) -> str:
    return "".join(
        f'<div class="card"><h3>{_esc(r.segment_name)}</h3>'
        f"<b>{int(r.customers)}</b> high-value customers, median value {r.median_value:,.0f} "
        f"({r.share_of_value:.0%} of value)<br><span class='muted'>{_esc(r.profile)}</span><br>"
        f"<small>e.g. {_esc(r.example_accounts)}</small></div>"
        for r in segments.itertuples()
    )


def _verdict_class(verdict: object) -> str:
    text = str(verdict)
    return "untestable" if text.startswith("not testable") else _esc(text)


def _hypotheses(results: pd.DataFrame) -> str:
    if results.empty:
        return "<p class='muted'>No hypotheses in icp.yaml.</p>"
    rows = "".join(
        f"<tr><td>{_esc(r.statement)}</td><td><span class='verdict {_verdict_class(r.verdict)}'>{_esc(r.verdict)}</span></td>"
        f"<td>{_esc(r.explanation)}</td></tr>"
        for r in results.itertuples()
    )
    return f"<table><tr><th>Belief</th><th>Verdict</th><th>What the data says</th></tr>{rows}</table>"


def render_report(con: duckdb.DuckDBPyConnection) -> str:
    """Build the report from the published `icp` tables."""
    version, published = con.execute(
        "select icp_version, published_at from icp.target_accounts limit 1"
    ).fetchone()
    icp_tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'icp'"
        ).fetchall()
    }
    summary = _query(con, "icp_summary", tables=icp_tables)
    importance = _query(con, "attribute_importance", "order by rank", tables=icp_tables)
    profile = _query(con, "icp_profile", "order by rank", tables=icp_tables)
    segments = _query(con, "segments", "order by segment_id", tables=icp_tables)
    tiers = _query(con, "tier_summary", tables=icp_tables)
    validation = _query(con, "tier_validation", tables=icp_tables)
    icp_validation = _query(con, "icp_validation", tables=icp_tables)
    hypotheses = _query(con, "hypothesis_results", tables=icp_tables)
    coverage = _query(con, "data_coverage", tables=icp_tables)
    exclusions = (
        importance[importance["excluded_reason"].notna()]
        if "excluded_reason" in importance
        else importance[:0]
    )
    # the top prospects; with no prospects at all (an export of customers) the expansion list's top
    has_prospects = con.execute("select bool_or(not is_customer) from icp.target_accounts").fetchone()[0]
    top = con.execute(
        "select account_name, domain, industry, country, icp_score, tier, segment, top_reasons "
        "from icp.target_accounts where is_customer = ? and tier <> 'Disqualified' "
        "order by icp_score desc, expected_value desc nulls last, account_key limit 25",
        [not has_prospects],
    ).df()
    caution = caution_sentence(read_model_strength(con), tiers_followed_rules(con))
    questions = summary[summary["section"] == "question"] if len(summary) else summary
    headlines = summary[summary["section"] == "headline"] if len(summary) else summary
    parts = [
        f"<h1>Ideal Customer Profile</h1><p class='muted'>Refresh {_esc(version)}, "
        f"published {published:%Y-%m-%d %H:%M} UTC.</p>",
        f"<p class='caution'>{_esc(caution)}</p>" if caution else "",
        "<h2>The ICP in brief</h2>",
        "<ul>" + "".join(f"<li>{_esc(v)}</li>" for v in profile.get("brief_line", [])) + "</ul>",
        ("<h3>What the team believes</h3>" + _table(questions[["item", "value"]])) if len(questions) else "",
        ("<h3>Headline figures</h3>" + _table(headlines[["item", "value"]].head(3)))
        if len(headlines)
        else "",
        "<h2>Segments</h2><div class='cards'>" + _segment_cards(segments) + "</div>",
        "<h2>What drives value</h2><div class='grid'><div>"
        + _importance_chart(importance)
        + "</div><div>"
        + _table(profile[["attribute", "ideal_range"]])
        + "</div></div>"
        if len(profile)
        else "",
        "<h2>Tiers</h2>" + _table(tiers),
        "<h2>Does it work?</h2>" + _lift_chart(validation) if len(validation) else "",
        _table(icp_validation[["check", "metric", "value", "ci_low", "ci_high", "n", "note"]])
        if len(icp_validation)
        else "",
        "<h2>The team's beliefs, tested</h2>" + _hypotheses(hypotheses),
        ("<h2>Top 25 prospects</h2>" if has_prospects else "<h2>Top 25 customers (no prospects)</h2>")
        + _table(top),
        ("<h2>Data coverage and caveats</h2>" + _table(coverage)) if len(coverage) else "<h2>Caveats</h2>",
        ("<p>Attributes left out of the model:</p>" + _table(exclusions[["attribute", "excluded_reason"]]))
        if len(exclusions)
        else "",
        "<p class='muted'>Scores rank accounts by expected value = win probability × predicted value. "
        "Attribute effects are associations learned from your customers, not proof of cause.</p>",
    ]
    body = "\n".join(p for p in parts if p)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ideal Customer Profile</title>'
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )
