"""The expansion list: existing customers ranked by what they are likely to add, never by their losses.

`headroom` = predicted value − realised value, floored at 0: what an account like this is worth
(`predicted_ltv`) beyond what the customer already realises. A negative realised value (a
loss-making customer, e.g. a gross margin below zero) counts as 0, so a loss never raises headroom.
Order (`expansion_rank`, 1 = first):

1. customers with headroom, most headroom first;
2. customers without headroom (realised at or above their prediction), by realised value: the best
   customers lead this group instead of trailing the list;
3. loss-making customers last (realised value below 0), smallest loss first: their margin needs
   fixing before they are expanded.

Ties within a group go to the higher expected value, then the account key. `expansion_basis` names
each account's group.

When the model card rates the value model weak or none (`use_headroom` False), its headroom is no
evidence (its money is withheld, `publish.withheld_money`), so it does not order the list either: the
customers are ranked by realised value alone, high first (`BY_REALISED`), loss-making customers still
last. Before, a weak model's headroom still chose the first rows (Maven: a Tier 3 account ranked 1st).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HEADROOM = "headroom"
NO_HEADROOM = "no headroom: realised value at or above the prediction"
LOSS_MAKING = "loss-making: realised value below zero"
BY_REALISED = "by realised value: the model is rated weak or none, so its headroom does not order the list"


def rank_expansion(customers: pd.DataFrame, use_headroom: bool = True) -> pd.DataFrame:
    """`customers` (predicted_ltv, realised_value, expected_value, account_key) with `headroom`,
    `expansion_basis` and `expansion_rank`, in rank order. `use_headroom` False (model weak or none):
    ranked by realised value alone, losses last (`BY_REALISED`)."""
    out = customers.reset_index(drop=True).copy()
    predicted = pd.to_numeric(out["predicted_ltv"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    realised = pd.to_numeric(out["realised_value"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    known = np.nan_to_num(realised, nan=0.0)
    headroom = np.maximum(predicted - np.maximum(known, 0.0), 0.0)
    loss = known < 0
    group = np.where(loss, 2, np.where((headroom > 0) & use_headroom, 0, 1))
    # within a group: headroom (group 0) or realised value (groups 1, 2), high first
    within = np.where(group == 0, headroom, known)
    ev = pd.to_numeric(out.get("expected_value", pd.Series(np.nan, index=out.index)), errors="coerce")
    ev = ev.to_numpy(dtype=float, na_value=np.nan)
    keys = out["account_key"].astype(str).to_numpy()
    key_rank = np.argsort(np.argsort(keys, kind="stable"), kind="stable")
    order = np.lexsort((key_rank, np.nan_to_num(-ev, nan=np.inf), np.nan_to_num(-within, nan=np.inf), group))
    out["headroom"] = headroom
    no_headroom = NO_HEADROOM if use_headroom else BY_REALISED
    out["expansion_basis"] = np.select([group == 0, group == 1], [HEADROOM, no_headroom], LOSS_MAKING)
    out = out.iloc[order].reset_index(drop=True)
    out["expansion_rank"] = np.arange(1, len(out) + 1)
    return out
