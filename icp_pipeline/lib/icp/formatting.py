"""Numbers as a sales leader reads them (attribute names: `lib/model/families.py`)."""

from __future__ import annotations

import numpy as np

from icp_pipeline.lib.model.summaries import fmt_num

__all__ = ["fmt_num", "fmt_pct", "fmt_ratio"]


def fmt_ratio(x: float) -> str:
    """1.94 -> '1.9'; 0.456 -> '0.46'; non-finite -> 'n/a'."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:.1f}" if abs(x) >= 1 else f"{x:.2f}"


def fmt_pct(share: float) -> str:
    """0.812 -> '81 %'."""
    if share is None or not np.isfinite(share):
        return "n/a"
    return f"{share * 100:.0f} %"
