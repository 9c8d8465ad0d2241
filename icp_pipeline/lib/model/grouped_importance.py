"""Attribute importance per group: the representative carries the group's rank; every other member
gets a row saying which group it is ranked with and why, summarised from the data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .explain import realised_direction
from .summaries import attribute_values, customers_with, summarise

GROUP_IMPORTANCE_COLUMNS = ["attribute_group", "group_members", "treatment"]


def with_groups(
    importance: pd.DataFrame,
    groups: pd.DataFrame,
    raw_train: pd.DataFrame,
    value_train: pd.Series,
    attributes: pd.DataFrame,
    treatments: dict[str, str],
) -> pd.DataFrame:
    """`importance` plus one unranked row per non-representative member and the columns
    attribute_group (the representative that was fitted), group_members (every member, comma
    separated, representative first) and treatment (how an identifier-like number was used)."""
    meta = attributes.set_index("attribute")
    members = groups[~groups["is_representative"]]
    by_group: dict[str, list[str]] = {}
    for g in groups.sort_values("is_representative", ascending=False, kind="stable").itertuples(index=False):
        by_group.setdefault(g.attribute_group, []).append(g.attribute)
    rows = []
    for m in members.itertuples(index=False):
        attr = m.attribute
        kind = str(meta.at[attr, "kind"]) if attr in meta.index else None
        has_raw = attr in raw_train.columns and kind in ("numeric", "binary", "categorical")
        vals = attribute_values(raw_train[attr], kind) if has_raw else None
        rows.append(
            {
                "attribute": attr,
                "family": meta.at[attr, "family"] if attr in meta.index else None,
                "rank": pd.NA,
                "importance": np.nan,
                "direction": realised_direction(vals, value_train, kind) if has_raw else "mixed",
                "summary": summarise(attr, vals, value_train, kind) if has_raw else "",
                "customers_with_attribute": customers_with(vals, kind) if has_raw else 0,
                "rank_low": pd.NA,
                "rank_high": pd.NA,
                "recommended": False,
                "observable_for_prospects": True,
                "used_in_model": False,
                "excluded_reason": f"grouped with {m.attribute_group} ({m.group_reason}): ranked, "
                "summarised and explained as that group",
            }
        )
    out = pd.concat([importance, pd.DataFrame(rows, columns=importance.columns)], ignore_index=True)
    group_of = dict(zip(groups["attribute"], groups["attribute_group"], strict=True))
    out["attribute_group"] = out["attribute"].map(group_of)
    out["group_members"] = out["attribute_group"].map(
        lambda g: ", ".join(by_group[g]) if g in by_group else None
    )
    out["treatment"] = out["attribute"].map(treatments)
    for c in ("rank", "rank_low", "rank_high"):
        out[c] = out[c].astype("Int64")
    out["recommended"] = out["recommended"].astype(bool)
    out["customers_with_attribute"] = out["customers_with_attribute"].astype("int64")
    out = out.sort_values(
        ["used_in_model", "rank", "attribute"], ascending=[False, True, True], na_position="last"
    )
    return out.reset_index(drop=True)
