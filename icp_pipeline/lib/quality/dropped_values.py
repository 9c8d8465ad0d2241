"""What the dbt models left out of the numbers, per landing table and reason (`marts.dropped_values`).

Read by `icp.data_coverage` (one sentence per landing table) and the `icp run` summary (every
non-zero count). Outcomes: dropped, nulled, merged, repaired, kept (see the mart's dbt docs).
"""

from __future__ import annotations

import duckdb

from icp_pipeline.lib.warehouse.connection import table_exists

# `kept` rows (an ERP customer or enrichment domain without CRM account kept as its own account)
# are not losses: counted in the mart, left out of the summary.
REPORTED_OUTCOMES = ("dropped", "nulled", "merged", "repaired")


def dropped_values(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int, str]]:
    """(source_table, reason, outcome, row_count, detail) of every reported outcome, largest first;
    [] when the mart does not exist (dbt has not run)."""
    if not table_exists(con, "marts", "dropped_values"):
        return []
    outcomes = ", ".join(f"'{o}'" for o in REPORTED_OUTCOMES)
    return con.execute(
        "select source_table, reason, outcome, row_count, detail from marts.dropped_values "
        f"where outcome in ({outcomes}) order by source_table, row_count desc, reason"
    ).fetchall()


def sentence_by_table(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per landing table, one sentence: `In the models: 3 rows unknown_account_id (dropped), ...`."""
    parts: dict[str, list[str]] = {}
    for table, reason, outcome, n, _ in dropped_values(con):
        parts.setdefault(table, []).append(f"{n:,} row{'' if n == 1 else 's'} {reason} ({outcome})")
    return {
        table: f"In the models: {', '.join(items)}; see marts.dropped_values."
        for table, items in parts.items()
    }
