"""PNG charts (matplotlib Agg, no pyplot state): importance, lift/gain, calibration."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .metrics import gain_curve

COLOURS = {"+": "#2a9d8f", "-": "#e76f51", "mixed": "#8d99ae"}
MODEL_COLOURS = {"lightgbm": "#264653", "linear_baseline": "#e9c46a", "rules_baseline": "#f4a261"}


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _empty(title: str, message: str) -> bytes:
    fig = Figure(figsize=(6, 3))
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center")
    return _png(fig)


def importance_chart(importance: pd.DataFrame, top: int = 15) -> bytes:
    """Horizontal bars of the top attributes by importance, coloured by direction."""
    title = "What drives customer value (mean |SHAP|, value units)"
    df = importance[importance["rank"].notna()].sort_values("rank").head(top)
    if df.empty:
        return _empty(title, "no attributes in the model")
    df = df.iloc[::-1]
    fig = Figure(figsize=(8, 0.35 * len(df) + 1.5))
    ax = fig.subplots()
    ax.barh(
        df["attribute"], df["importance"], color=[COLOURS.get(d, COLOURS["mixed"]) for d in df["direction"]]
    )
    ax.set_xlabel("importance (value units)")
    ax.set_title(title)
    handles = [Patch(color=c, label=f"direction {d}") for d, c in COLOURS.items()]
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    return _png(fig)


def lift_gain_chart(value_oof: pd.DataFrame) -> bytes:
    """Cumulative gain of out-of-fold predictions per model, and the LightGBM lift by decile."""
    title = "Cumulative gain (cross-validated)"
    models = [m for m in MODEL_COLOURS if m in value_oof]
    if value_oof.empty or not models:
        return _empty(title, "validation not available")
    actual = value_oof["actual"].to_numpy(dtype=float)
    fig = Figure(figsize=(11, 4.2))
    ax1, ax2 = fig.subplots(1, 2)
    for m in models:
        g = gain_curve(actual, value_oof[m].to_numpy(dtype=float))
        ax1.plot(g["share_of_accounts"], g["share_of_value"], label=m, color=MODEL_COLOURS[m])
    ax1.plot([0, 1], [0, 1], ls="--", color="grey", label="random")
    ax1.set_xlabel("share of customers (best predicted first)")
    ax1.set_ylabel("share of realised value")
    ax1.set_title(title)
    ax1.legend(fontsize=8)
    order = np.lexsort((np.arange(len(actual)), -value_oof["lightgbm"].to_numpy(dtype=float)))
    deciles = np.array_split(actual[order], min(10, len(actual)))
    lift = [d.mean() / actual.mean() if actual.mean() else np.nan for d in deciles]
    ax2.bar(np.arange(1, len(lift) + 1), lift, color=MODEL_COLOURS["lightgbm"])
    ax2.axhline(1.0, ls="--", color="grey")
    ax2.set_xlabel("decile of predicted value (1 = best)")
    ax2.set_ylabel("lift (mean value / overall mean)")
    ax2.set_title("Lift by decile (LightGBM)")
    return _png(fig)


def calibration_chart(calibration: pd.DataFrame) -> bytes:
    """Reliability diagram of out-of-fold win probabilities."""
    title = "Win probability calibration (cross-validated)"
    if calibration is None or calibration.empty:
        return _empty(title, "win model not trained")
    fig = Figure(figsize=(5, 5))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], ls="--", color="grey", label="perfect")
    sizes = 20 + 180 * calibration["n"] / calibration["n"].max()
    ax.scatter(
        calibration["mean_predicted"], calibration["observed_rate"], s=sizes, color="#264653", zorder=3
    )
    ax.plot(calibration["mean_predicted"], calibration["observed_rate"], color="#264653", label="LightGBM")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean predicted win probability")
    ax.set_ylabel("observed win rate")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return _png(fig)
