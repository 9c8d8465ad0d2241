"""Implausible values (a date in the future, a negative size, an absurd amount) and their repair.

In a required column the row is quarantined; in an optional column the value is set to null and the
row kept; either way the row is logged in `raw._quarantine` with the reason and counted.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from icp_pipeline.lib.landing.contract import Column, Table
from icp_pipeline.lib.landing.quarantine import QUARANTINE_COLUMNS, QUARANTINE_TABLE, LoadReport
from icp_pipeline.lib.landing.typecheck import typed_expr
from icp_pipeline.lib.warehouse.sql import quote_ident, sql_literal

# Amounts at or beyond this size (in any currency) are typos or unit mix-ups, never real deals.
ABSURD_AMOUNT = 1e12


# Columns that can never be negative (a negative invoice amount or cost is a credit note: allowed).
NON_NEGATIVE = {
    ("crm/accounts", "employee_count"),
    ("crm/accounts", "annual_revenue"),
    ("crm/opportunities", "amount"),
    ("erp/contracts", "annual_value"),
    ("enrichment/firmographics", "employee_count"),
    ("enrichment/firmographics", "annual_revenue"),
    ("enrichment/firmographics", "office_count"),
}


MONEY_COLUMNS = {"amount", "annual_value", "cost", "annual_revenue"}


# Dates that may lie in the future: contract terms and the validity of an exchange rate.
FUTURE_DATES_ALLOWED = {
    ("erp/contracts", "start_date"),
    ("erp/contracts", "end_date"),
    ("erp/fx_rates", "valid_from"),
}


def plausibility_rules(table: Table, today: dt.date) -> list[tuple[Column, str, str]]:
    """(column, SQL condition on the typed value, what is wrong) for every implausible-value rule."""
    rules = []
    horizon = sql_literal((today + dt.timedelta(days=1)).isoformat())  # one day of grace for time zones
    for col in table.columns:
        value = typed_expr(col)
        key = (table.full_name, col.name)
        if col.type in ("date", "timestamp") and key not in FUTURE_DATES_ALLOWED:
            rules.append(
                (col, f"cast({value} as date) > cast({horizon} as date)", f"is in the future (after {today})")
            )
        if col.name == "founded_year":
            rules.append((col, f"{value} > {today.year}", f"is in the future (after {today.year})"))
        if key in NON_NEGATIVE:
            rules.append((col, f"{value} < 0", "is negative"))
        if key == ("erp/fx_rates", "rate_to_reporting"):
            rules.append((col, f"{value} <= 0", "is not a positive exchange rate"))
        if col.type == "decimal" and col.name in MONEY_COLUMNS:
            rules.append(
                (
                    col,
                    f"abs({value}) >= {ABSURD_AMOUNT!r}",
                    f"is absurd (|amount| of {ABSURD_AMOUNT:.0e} or more)",
                )
            )
    return rules


def repair_implausible(
    con: duckdb.DuckDBPyConnection, table: Table, today: dt.date, report: LoadReport
) -> None:
    """Required column: row to raw._quarantine. Optional column: value set to null, row kept and logged."""
    rules = plausibility_rules(table, today)
    if not rules:
        return
    # One scan counts every rule's hits; the common case (nothing implausible) ends here.
    counts = con.execute(
        "select " + ", ".join(f"count(*) filter (where {cond})" for _, cond, _ in rules) + " from _mapped"
    ).fetchone()
    for (col, condition, problem), counted in zip(rules, counts, strict=True):
        if not counted:
            continue
        name = quote_ident(col.name)
        action = "row quarantined" if col.required else "value set to null, row kept"
        reason = f"{sql_literal(col.name + ' ')} || {name} || {sql_literal(f' {problem}: {action}')}"
        # recount: an earlier rule may have quarantined some of these rows
        n = con.execute(f"select count(*) from _mapped where {condition}").fetchone()[0]
        if not n:
            continue
        con.execute(
            f"insert into {QUARANTINE_TABLE} ({QUARANTINE_COLUMNS}) select ?, _source_file, _line, "
            f"{reason}, to_json(t), 'implausible' from _mapped t where {condition}",
            [table.full_name],
        )
        if col.required:
            con.execute(f"delete from _mapped where {condition}")
            report.quarantined += int(n)
            report.count("implausible", n)
        else:
            con.execute(f"update _mapped set {name} = null where {condition}")
            report.repaired += int(n)
            report.count("implausible", n)
        report.warnings.append(
            f"{table.full_name}: {n} value(s) of {col.name} {problem}: {action} (see raw._quarantine)"
        )
