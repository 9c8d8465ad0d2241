"""`icp_report.html`: the ICP on one self-contained page for a sales leader."""

from __future__ import annotations

import base64
import html
import io

import duckdb
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2733}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #e3e8ef;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{padding:.35rem .6rem;text-align:left;
border-bottom:1px solid #e3e8ef} th{background:#f5f7fa} .muted{color:#667085} img{max-width:100%}
.cards{display:flex;gap:1rem;flex-wrap:wrap} .card{flex:1 1 220px;border:1px solid #e3e8ef;border-radius:8px;
padding:1rem;background:#fbfcfe}
"""


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, na_rep="", float_format=lambda v: f"{v:,.2f}")


def _png(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="chart" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _importance_chart(importance: pd.DataFrame) -> str:
    top = importance.sort_values("rank").head(12).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(top) + 1))
    colors = top["direction"].map({"+": "#2e7d32", "-": "#c62828"}).fillna("#607d8b")
    ax.barh(top["attribute"], top["importance"], color=colors)
    ax.set_xlabel("mean |SHAP| (value units)")
    ax.set_title("What drives customer value (green raises, red lowers)")
    return _png(fig)


def render_report(con: duckdb.DuckDBPyConnection) -> str:
    """Build the report from the published `icp` tables."""
    tiers = con.execute("select * exclude (icp_version, published_at) from icp.tier_summary").df()
    importance = con.execute(
        "select * exclude (icp_version, published_at) from icp.attribute_importance"
    ).df()
    top = con.execute(
        "select account_name, domain, industry, country, icp_score, tier, top_reasons from icp.target_accounts "
        "where not is_customer order by icp_score desc, account_key limit 25"
    ).df()
    version, published = con.execute(
        "select icp_version, published_at from icp.target_accounts limit 1"
    ).fetchone()
    top_attrs = importance.sort_values("rank").head(12)
    cards = "".join(
        f'<div class="card"><b>{html.escape(str(r.attribute))}</b> ({html.escape(str(r.direction))})<br>'
        f'<span class="muted">{html.escape(str(r.summary))}</span></div>'
        for r in top_attrs.head(6).itertuples()
    )
    importance_cols = [
        c for c in ("rank", "attribute", "family", "direction", "importance", "summary") if c in importance
    ]
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Ideal Customer Profile</title><style>{_STYLE}</style></head><body>
<h1>Ideal Customer Profile</h1>
<p class="muted">Refresh {html.escape(str(version))}, published {published:%Y-%m-%d %H:%M} UTC.</p>
<h2>The ICP in brief</h2><div class="cards">{cards}</div>
<h2>What drives value</h2>{_importance_chart(importance) if len(importance) else ""}
{_table(top_attrs[importance_cols])}
<h2>Tiers</h2>{_table(tiers)}
<h2>Top 25 prospects</h2>{_table(top)}
</body></html>"""
