"""`icp.icp_summary`: the ICP in words, the team's answers and the headline figures."""

from __future__ import annotations

import pandas as pd


def build_icp_summary(
    questions: dict[str, str | None], targets: pd.DataFrame, profile: pd.DataFrame
) -> pd.DataFrame:
    """Rows (section, item, value): one `question` row per answered qualitative question (icp.yaml
    `questions`, in their order), then the `headline` figures (accounts scored, customers, prospects in
    Tier 1, as text with thousands separators; customers in Tier 1 too when there is no prospect, as the
    tiers then rank the customers) and one `defining attribute <i>` row per line of the
    profile's `brief_line`."""
    rows = [("question", name, answer) for name, answer in questions.items() if answer]
    prospect_tiers = targets["tier"][~targets["is_customer"].astype(bool).to_numpy()]
    rows += [
        ("headline", "accounts scored", f"{len(targets):,}"),
        ("headline", "customers", f"{int(targets['is_customer'].sum()):,}"),
        ("headline", "prospects in Tier 1", f"{int((prospect_tiers == 'Tier 1').sum()):,}"),
    ]
    if not len(prospect_tiers):  # no prospects: the tiers rank the customers (an expansion list)
        n1 = int((targets["tier"] == "Tier 1").sum())
        rows.append(("headline", "customers in Tier 1 (no prospects: an expansion list)", f"{n1:,}"))
    rows += [
        ("headline", f"defining attribute {i + 1}", line)
        for i, line in enumerate(profile.loc[profile["in_brief"], "brief_line"])
    ]
    return pd.DataFrame(rows, columns=["section", "item", "value"])
