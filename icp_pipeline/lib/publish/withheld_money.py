"""Per-account money in the published tables only where the model card gives it evidence.

Rule (issue 14, "every published number earns its place"; the same as `tier_money`): when the model
card rates the value model `weak` or `none`, its per-account estimates are a weak model's point
estimates, not evidence of money. A BI tool reading `icp.target_accounts` or `icp.expansion_accounts`
directly must not see them as money, so these columns are published null (`WITHHELD_COLUMNS`) and each
row's `money_basis` states why (`tier_money.money_withheld_reason`), or what the money rests on when
shown. Nothing else changes: the rows keep the order and tiers the estimates gave them, and the
ordering stays readable from `icp_score` (target_accounts) and `expansion_rank` (expansion_accounts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.strength import ModelStrength
from icp_pipeline.lib.publish.tier_money import money_basis, money_withheld_reason

# Per published table, the columns that hold the value model's per-account money estimates.
WITHHELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "target_accounts": ("expected_value", "predicted_ltv"),
    "expansion_accounts": ("predicted_ltv", "headroom"),
}


def with_money_basis(frame: pd.DataFrame, table: str, strength: ModelStrength | None) -> pd.DataFrame:
    """`frame` (a published `table` of `WITHHELD_COLUMNS`) with `money_basis` on every row and, when
    the model card says weak or none, that table's money columns null. Rows and their order are kept;
    `frame` itself is not changed. Raises KeyError for a table without money columns."""
    columns = WITHHELD_COLUMNS[table]
    out = frame.copy(deep=False)
    if money_withheld_reason(strength) is not None:
        for column in columns:
            if column in out.columns:
                out[column] = np.nan
    out["money_basis"] = money_basis(strength)
    return out


def withhold_history_money(row: dict, strength: ModelStrength | None) -> dict:
    """This refresh's `icp.refresh_history` row (`refresh_history.history_row`) without the weak
    model's money when the model card says weak or none: `value_scale` and, when the tiers were cut
    on expected value, `tier1_cutoff` / `tier2_cutoff` null. The relative cut-offs (unit-free, the
    frozen unit) stay; an icp_score cut-off is a score, not money, and stays too."""
    if money_withheld_reason(strength) is None:
        return row
    out = dict(row, value_scale=np.nan)
    if out.get("tier_basis") == "expected value":
        out.update(tier1_cutoff=np.nan, tier2_cutoff=np.nan)
    return out
