"""`icp_report.html`: the ICP on one self-contained page for a sales leader (charts inline as PNG).

The executive page comes first (verdict, tiers and their play, the top 25 accounts, what changed,
data coverage), then the ICP in brief, segments, what drives value, whether the tiers work, the
team's beliefs tested and the caveats. Attributes read as their labels, numbers in their units."""

from __future__ import annotations

import duckdb
import pandas as pd

from . import charts
from .brief import brief_html
from .data import ReportData, load_report_data
from .executive import (
    ACCOUNTS_PER_REP,
    caution_html,
    changes_html,
    coverage_line,
    tier_table,
    top_accounts,
    verdict_html,
)
from .formatting import esc, format_money, humanize, in_words, pct, table
from .intervals import tier_intervals

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
.verdict-line{font-size:1.1rem;font-weight:600;padding:.7rem .9rem;border-radius:6px;background:#eef3f8}
.verdict-line.strong{background:#e6f4ea} .verdict-line.moderate{background:#fff8e1}
.verdict-line.weak,.verdict-line.none{background:#fdecea}
.caution{background:#fff4e5;border-left:4px solid #b26a00;padding:.6rem .8rem;font-weight:600}
.top td:not(:last-child),.tiers td:first-child{white-space:nowrap}
.executive{border:1px solid #d0d7e2;border-radius:10px;padding:0 1.2rem 1rem;margin-top:1rem}
"""


def _segment_cards(data: ReportData) -> str:
    segments = data.segments
    if segments.empty:
        return "<p class='muted'>No segments: too few high-value customers.</p>"
    cards = []
    for r in segments.itertuples():
        examples = getattr(r, "example_accounts", "") or ""
        cards.append(
            f'<div class="card"><h3>{esc(r.segment_name)}</h3>'
            f"<b>{int(r.customers):,}</b> high-value customers · {pct(r.share_of_value)} of their value · "
            f"median {esc(format_money(r.median_value, data.currency))}<br>"
            f"<span class='muted'>{esc(in_words(r.profile, data.labels))}</span><br>"
            f"<small>e.g. {esc(examples)}</small></div>"
        )
    return "<div class='cards'>" + "".join(cards) + "</div>"


def _verdict_class(verdict: object) -> str:
    text = str(verdict)
    return "untestable" if text.startswith("not testable") else esc(text)


def _hypotheses(results: pd.DataFrame, labels) -> str:
    if results.empty:
        return "<p class='muted'>No hypotheses in icp.yaml.</p>"
    rows = "".join(
        f"<tr><td>{esc(in_words(r.statement, labels))}</td><td><span class='verdict {_verdict_class(r.verdict)}'>"
        f"{esc(r.verdict)}</span></td><td>{esc(in_words(r.explanation, labels))}</td></tr>"
        for r in results.itertuples()
    )
    return f"<table><tr><th>Belief</th><th>Verdict</th><th>What the data says</th></tr>{rows}</table>"


def _drivers_table(data: ReportData) -> str:
    profile = data.profile
    if profile.empty:
        return ""
    frame = pd.DataFrame(
        {
            "Attribute": profile["attribute"].map(data.labels.label),
            "Best customers": profile["ideal_range"].map(lambda t: in_words(t, data.labels)),
            "In the brief": profile.get("in_brief", pd.Series(False, profile.index)).map(
                lambda v: "Yes" if v is True or v == 1 else "No"
            ),
        }
    )
    return table(frame)


def _exclusions(data: ReportData) -> str:
    imp = data.importance
    if imp.empty or "excluded_reason" not in imp:
        return ""
    excluded = imp[imp["excluded_reason"].notna()]
    if excluded.empty:
        return ""
    frame = pd.DataFrame(
        {
            "Attribute": excluded["attribute"].map(data.labels.label),
            "Why it was left out": excluded["excluded_reason"].map(lambda t: in_words(t, data.labels)),
        }
    )
    return "<p>Attributes left out of the model:</p>" + table(frame)


def _validation_table(data: ReportData) -> str:
    v = data.icp_validation
    if v.empty:
        return ""
    frame = pd.DataFrame(
        {
            "Check": v["check"],
            "What is measured": v["metric"].str.replace("_", " "),
            "Value": v["value"],
            "90 % interval": [
                "" if pd.isna(lo) or pd.isna(hi) else f"{lo:.2f} to {hi:.2f}"
                for lo, hi in zip(v["ci_low"], v["ci_high"], strict=True)
            ],
            "n": v["n"],
            "Note": v["note"].map(lambda t: in_words(t, data.labels)),
        }
    )
    return table(frame)


def _executive(data: ReportData, accounts_per_rep: int) -> str:
    who = "prospects" if data.has_prospects else "customers (no prospects in this data: an expansion list)"
    top_title = (
        "Top 25 prospects"
        if data.has_prospects
        else "Top 25 customers to expand (no prospects: the expansion list)"
    )
    return (
        "<section class='executive' id='executive'><h2>The list in two minutes</h2>"
        + verdict_html(data)
        + f"<h3>Tiers of the {esc(who)}</h3>"
        + table(tier_table(data, accounts_per_rep), css_class="tiers")
        + f"<h3>{esc(top_title)}</h3>"
        + table(top_accounts(data), css_class="top")
        + "<h3>What changed since the last refresh</h3>"
        + changes_html(data)
        + f"<p class='muted' id='coverage'><b>Data coverage:</b> {esc(coverage_line(data))}</p></section>"
    )


def _how_scores_rank(data: ReportData) -> str:
    """What orders the list, true to this refresh: the icp.yaml rules when the tiers followed them
    (model strength none), else expected value."""
    if data.rules_used:
        return (
            "Scores rank accounts by the team's rules in icp.yaml (accounts matching more of them first), "
            "ties by the model's score: the model showed no evidence that it ranks accounts."
        )
    return "Scores rank accounts by expected value = win probability × predicted value."


def render_report(con: duckdb.DuckDBPyConnection, accounts_per_rep: int = ACCOUNTS_PER_REP) -> str:
    """Build the report from the published `icp` tables (and `marts.attribute_catalog`'s labels);
    `accounts_per_rep` (icp.yaml `tiers.accounts_per_rep`) sizes the sales capacity a tier implies."""
    data = load_report_data(con)
    tiers = tier_intervals(data.validation, data.holdout) if not data.validation.empty else pd.DataFrame()
    questions = data.summary[data.summary["section"] == "question"] if len(data.summary) else data.summary
    parts = [
        f"<h1>Ideal Customer Profile</h1><p class='muted'>Refresh {esc(data.version)}, "
        f"published {data.published:%Y-%m-%d %H:%M} UTC.</p>",
        caution_html(data),
        _executive(data, accounts_per_rep),
        "<h2>The ICP in brief</h2>" + brief_html(data.profile, data.labels),
        (
            "<h3>What the team believes</h3>"
            + table(
                questions[["item", "value"]].assign(item=questions["item"].map(humanize)),
                {"item": "Question", "value": "Answer"},
            )
        )
        if len(questions)
        else "",
        "<h2>Segments</h2>" + _segment_cards(data),
        "<h2>What drives value</h2><div class='grid'><div>"
        + charts.driver_chart(data.importance, data.labels, data.currency)
        + "</div><div>"
        + _drivers_table(data)
        + "</div></div>",
        "<h2>Does it work?</h2><div class='grid'><div>"
        + charts.lift_chart(tiers)
        + "</div><div>"
        + charts.gain_chart(tiers)
        + "</div></div>"
        + _validation_table(data)
        if len(tiers)
        else "",
        "<h2>The team's beliefs, tested</h2>" + _hypotheses(data.hypotheses, data.labels),
        "<h2>Caveats</h2>" + _exclusions(data),
        f"<p class='muted'>{esc(_how_scores_rank(data))} "
        "Attribute effects are associations learned from your customers, not proof of cause.</p>",
    ]
    body = "\n".join(p for p in parts if p)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ideal Customer Profile</title>'
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )
