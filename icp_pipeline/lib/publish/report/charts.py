"""The report's charts as inline PNG: what drives value (in labels and value units), and lift and
gain on held-out accounts with n per bar and 90 % intervals."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .formatting import Labels, format_number  # noqa: E402
from .intervals import TIERS  # noqa: E402

TIER_COLORS = {"Tier 1": "#1e7b34", "Tier 2": "#5e9c6b", "Tier 3": "#b0bec5"}
_OUTCOME_WORDS = {
    "won": ("Win rate", "accounts with a closed deal"),
    "actual": ("Value per account", "held-out customers"),
}


def png(fig: plt.Figure, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="{alt}" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _interval_bars(ax, x: np.ndarray, low: np.ndarray, high: np.ndarray, color: str, width: float) -> None:
    """The interval [low, high] at each x as a vertical line with caps (none where it is unknown);
    drawn as it is, also when a bootstrap interval does not contain the point estimate."""
    ok = np.isfinite(low) & np.isfinite(high)
    if not ok.any():
        return
    x, low, high = np.asarray(x, float)[ok], low[ok], high[ok]
    ax.vlines(x, low, high, color=color, lw=1.2)
    ax.hlines(np.r_[low, high], np.r_[x, x] - width, np.r_[x, x] + width, color=color, lw=1.2)


def driver_chart(importance: pd.DataFrame, labels: Labels, currency: str | None, n: int = 12) -> str:
    """The strongest attributes by their average effect on an account's predicted value."""
    if importance.empty or "rank" not in importance:
        return ""
    top = importance.dropna(subset=["rank"]).sort_values("rank").head(n).iloc[::-1]
    top = top[top["importance"] > 0]
    if top.empty:
        return ""
    fig, ax = plt.subplots(figsize=(6.8, 0.36 * len(top) + 1.2))
    colors = top["direction"].map({"+": "#1e7b34", "-": "#b3261e"}).fillna("#8a96a3")
    names = [labels.label(a) for a in top["attribute"]]
    bars = ax.barh(names, top["importance"], color=colors)
    for bar, value in zip(bars, top["importance"], strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {format_number(value)}",
            va="center",
            fontsize=8,
        )
    unit = f"{currency} per account" if currency else "value units per account"
    ax.set_xlabel(f"Average effect on predicted value ({unit})")
    ax.set_title(
        "What drives customer value\ngreen: more of it raises value · red: lowers it · grey: depends",
        fontsize=10,
    )
    ax.margins(x=0.15)
    return png(fig, "What drives customer value")


def lift_chart(tiers: pd.DataFrame) -> str:
    """Lift per tier and outcome with its 90 % interval and n per bar (`tiers`: intervals.tier_intervals)."""
    if tiers.empty:
        return ""
    outcomes = list(dict.fromkeys(tiers["outcome"]))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.6 * len(outcomes) + 0.6, 3.4), squeeze=False)
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        part = tiers[tiers["outcome"] == outcome].set_index("tier").reindex(TIERS).dropna(subset=["lift"])
        lift = part["lift"].to_numpy(float)
        x = np.arange(len(part))
        ax.bar(x, lift, color=[TIER_COLORS[t] for t in part.index])
        _interval_bars(
            ax, x, part["lift_low"].to_numpy(float), part["lift_high"].to_numpy(float), "#333", 0.1
        )
        ax.axhline(1, color="#333", lw=0.8, ls="--")
        ax.set_xticks(x, [f"{t}\nn = {int(n):,}" for t, n in zip(part.index, part["accounts"], strict=True)])
        what, who = _OUTCOME_WORDS.get(str(outcome), (str(outcome), "held-out accounts"))
        ax.set_ylabel(f"{what}, × the average")
        ax.set_title(f"{what} by tier ({who})", fontsize=9)
    fig.suptitle("Lift on accounts the model did not see (bars: 90 % interval; dashed: average)", fontsize=9)
    fig.tight_layout()
    return png(fig, "Lift by tier on held-out accounts")


def gain_chart(tiers: pd.DataFrame) -> str:
    """Cumulative share of the outcome captured by the best tiers, with 90 % intervals."""
    if tiers.empty or "cumulative_gain" not in tiers:
        return ""
    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    for i, (outcome, part) in enumerate(tiers.groupby("outcome", sort=False)):
        part = part.set_index("tier").reindex(TIERS).dropna(subset=["cumulative_gain"])
        x = np.r_[0, part["cumulative_share_of_accounts"].to_numpy(float)] * 100
        y = np.r_[0, part["cumulative_gain"].to_numpy(float)] * 100
        what = _OUTCOME_WORDS.get(str(outcome), (str(outcome), ""))[0]
        line = ax.plot(x, y, marker="o", label=what.lower().replace("value per account", "value"))[0]
        lo = part["gain_low"].to_numpy(float) * 100
        hi = part["gain_high"].to_numpy(float) * 100
        _interval_bars(ax, x[1:], lo, hi, line.get_color(), 1.5)
        for xi, yi, n in zip(x[1:-1], y[1:-1], part["accounts"].iloc[:-1], strict=True):
            ax.annotate(
                f"n = {int(n):,}",
                (xi, yi),
                textcoords="offset points",
                xytext=(6, -12 if i else 4),
                fontsize=7,
                color=line.get_color(),
            )
    ax.plot([0, 100], [0, 100], color="#999", lw=0.8, ls="--", label="random order")
    ax.set_xlabel("Held-out accounts, best tiers first (%; n per tier beside each point)")
    ax.set_ylabel("Share of the outcome captured (%)")
    ax.set_title("Gain: how much the top tiers capture (90 % intervals)", fontsize=9)
    ax.legend(fontsize=8)
    return png(fig, "Cumulative gain by tier on held-out accounts")
