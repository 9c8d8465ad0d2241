"""Referential match rates (`marts.identity_match_rates`): which child tables fail their parent.

A child table (deals, contacts, activities, campaign members, leads, ERP customers, parents -> CRM
accounts; invoices, contracts -> ERP customers) whose rows with a key find their parent less often
than `min_child_match_rate` (icp.yaml `identity:`, dbt var `min_child_match_rate`) gives a wrong
feature mart with a green run: deals, contacts and revenue silently leave their accounts. The
blocking asset check `identity_child_parent_match_rates` stops the run with `failure_message`.
"""

from __future__ import annotations

import pandas as pd

# Warn (never block) below this rate for child tables and enrichment rows found by domain.
WARN_MATCH_RATE = 0.95

PARENT_KEYS = {"crm/accounts": "account_id", "erp/customers": "erp_customer_id"}


def failing_pairs(rates: pd.DataFrame) -> pd.DataFrame:
    """The child_to_parent rows of `marts.identity_match_rates` below their `min_match_rate`."""
    return rates[rates["is_below_min_match_rate"].astype(bool)]


def warning_pairs(rates: pd.DataFrame) -> pd.DataFrame:
    """Child and domain-lookup pairs with rows whose key matches less than `WARN_MATCH_RATE`."""
    referential = rates["relationship"].isin(["child_to_parent", "domain_lookup"])
    return rates[referential & rates["match_rate"].notna() & (rates["match_rate"] < WARN_MATCH_RATE)]


def describe_pair(row: pd.Series) -> str:
    """One sentence: both tables, the key, the rate, n and unmatched examples."""
    with_key = int(row["row_count"]) - int(row["blank_key_count"])
    target_key = PARENT_KEYS.get(row["target_table"], row["key_column"])
    text = (
        f"{row['source_table']}.{row['key_column']} -> {row['target_table']}.{target_key}: "
        f"{int(row['matched_count']):,} of {with_key:,} rows with a key match ({row['match_rate']:.1%})"
    )
    if pd.notna(row.get("min_match_rate")):
        text += f", below the minimum {row['min_match_rate']:.0%}"
    if int(row["blank_key_count"]):
        text += f"; {int(row['blank_key_count']):,} rows have no key and are not counted"
    if isinstance(row.get("unmatched_examples"), str) and row["unmatched_examples"]:
        text += f". Unmatched values: {row['unmatched_examples']}"
    return text + "."


def failure_message(failing: pd.DataFrame) -> str:
    """The error of a run whose child tables do not match their parents, with the fix."""
    lines = [describe_pair(row) for _, row in failing.iterrows()]
    return (
        f"{len(lines)} table(s) do not match the table they point at, so their rows would silently "
        "leave the accounts (see marts.identity_match_rates and marts.unmatched_records):\n"
        + "\n".join(f"  - {line}" for line in lines)
        + "\nFix: export the child and parent tables from the same system with the same id form "
        "(15- and 18-character Salesforce ids already match each other), or map the key column under "
        "mappings:. If only part of the children can match by design, lower identity: "
        "min_child_match_rate in the ICP config (0 turns the stop off)."
    )
