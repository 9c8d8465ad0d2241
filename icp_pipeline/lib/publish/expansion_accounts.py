"""`icp.expansion_accounts`: existing customers ranked by what they are likely to add."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.icp.expansion import rank_expansion
from icp_pipeline.lib.publish.tables import PUBLISHED_TABLES

# the builder's columns; `withheld_money.with_money_basis` adds money_basis at publication
EXPANSION_COLUMNS = [c for c in PUBLISHED_TABLES["expansion_accounts"].columns if c != "money_basis"]
_DERIVED = ("realised_value", "headroom", "expansion_basis", "expansion_rank")


def build_expansion_accounts(
    targets: pd.DataFrame,
    features: pd.DataFrame,
    value_col: str,
    feature_row: np.ndarray | None = None,
    use_headroom: bool = True,
) -> pd.DataFrame:
    """The customers of `targets` ranked by `icp.expansion.rank_expansion` (headroom = predicted_ltv −
    realised value), with the published columns. `realised_value` is `features[value_col]` of the
    account; `feature_row`: each target's row in `features` (saves joining by account_key);
    `use_headroom` False (model weak or none): ranked by realised value, not the model's headroom."""
    kept = [
        c for c in targets.columns if (c in EXPANSION_COLUMNS or c == "expected_value") and c not in _DERIVED
    ]
    is_customer = targets["is_customer"].astype(bool).to_numpy()
    if feature_row is None:
        customers = targets.loc[is_customer, kept].merge(
            features[["account_key", value_col]].rename(columns={value_col: "realised_value"}),
            on="account_key",
        )
    else:  # the same rows as the merge: every target has its (one) feature row
        customers = targets.loc[is_customer, kept].reset_index(drop=True)
        customers["realised_value"] = features[value_col].iloc[feature_row[is_customer]].array
    return rank_expansion(customers, use_headroom)[EXPANSION_COLUMNS]
