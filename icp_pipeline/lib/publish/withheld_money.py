"""Per-account money in the published tables only where the model card gives it evidence.

Rule (issue 14, "every published number earns its place"; the same as `tier_money`): when the model
card rates the value model `weak` or `none`, its per-account estimates are a weak model's point
estimates, not evidence of money. A BI tool reading `icp.target_accounts` or `icp.expansion_accounts`
directly must not see them as money, so these columns are published null (`WITHHELD_COLUMNS`) and each
row's `money_basis` states why (`tier_money.money_withheld_reason`), or what the money rests on when
shown. Nothing else changes: the rows keep the order and tiers the estimates gave them, and the
ordering stays readable from `icp_score` (target_accounts) and `expansion_rank` (expansion_accounts).

The same rule for the win probability (issue 14: "a win probability that is constant or unlearnt is
reported as 'not learnt'"): when the model card's `win_model_status` is `not_learnt`, every row's
`win_probability` is a constant prior, no figure about the account, so `icp.target_accounts` publishes
it null (as `icp.tier_summary.avg_win_probability`) and `win_probability_basis` says why on every row
(`with_win_probability_basis`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
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


@dataclass(frozen=True)
class WinBasis:
    """The model card's word on the win model: `learnt` False when `win_model_status` is
    `not_learnt`; `reason` its `win_model_reason` (one sentence)."""

    learnt: bool = True
    reason: str | None = None


def read_win_basis(con: duckdb.DuckDBPyConnection) -> WinBasis:
    """The latest `model.model_card` row's win model status and reason (learnt when there is no card
    or no `win_model_status` column); the one reader of it (tier summary and target accounts)."""
    from icp_pipeline.lib.warehouse.connection import table_exists

    if not table_exists(con, "model", "model_card"):
        return WinBasis()
    columns = {r[0] for r in con.execute("describe model.model_card").fetchall()}
    if "win_model_status" not in columns:
        return WinBasis()
    reason_sql = "win_model_reason" if "win_model_reason" in columns else "null"
    row = con.execute(
        f"select win_model_status, {reason_sql} from model.model_card order by rowid desc limit 1"
    ).fetchone()
    if not row:
        return WinBasis()
    return WinBasis(learnt=row[0] != "not_learnt", reason=None if row[1] is None else str(row[1]))


def win_probability_basis(win: WinBasis) -> str:
    """What `win_probability` rests on ('win model learnt (icp.model_card.win_auc)'), or why it is
    withheld ('withheld: the win model was not learnt (<reason>); expected_value is predicted_ltv
    alone')."""
    if win.learnt:
        return "win model learnt (out-of-fold AUC in icp.model_card.win_auc)"
    why = f" ({win.reason.rstrip('.')})" if win.reason else ""
    return (
        f"withheld: the win model was not learnt{why}; a constant prior is no figure about the account, "
        "and expected_value is predicted_ltv alone"
    )


def with_win_probability_basis(frame: pd.DataFrame, win: WinBasis) -> pd.DataFrame:
    """`frame` (icp.target_accounts) with `win_probability_basis` on every row and, when the win model
    was not learnt, `win_probability` null. Rows and their order are kept; `frame` is not changed."""
    out = frame.copy(deep=False)
    if not win.learnt and "win_probability" in out.columns:
        out["win_probability"] = np.nan
    out["win_probability_basis"] = win_probability_basis(win)
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
