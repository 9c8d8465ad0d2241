"""`deduplicate_on`: the rows of one key (invoice lines of one customer) combined into one entity.

The row kept is never chosen silently. Each column is combined by a rule, declared per column under
the mapping's `combine:` or else the default for its kind:

| rule | value | default for |
|---|---|---|
| `sum` | sum of the rows' values | money that adds up: invoice `amount`/`cost`, opportunity `amount`, contract `annual_value` (`SUMMED_MONEY`) |
| `most_frequent` | the value most rows have (ties: the earliest row's) | text, booleans, other numbers (an account's country, segment, employee count) |
| `earliest` / `latest` | smallest / largest value | dates and timestamps (`earliest`) |
| `first` / `last` | the value of the earliest / latest row (file order) | never (declare it) |

Attributes that belong together are taken from one row, never column by column: the columns of a
location (`LOCATION_COLUMNS`: country, region, subregion, state, city, postal code, as contract columns
or `x__` extras) that are combined by `most_frequent` take the values of the one row whose location
(all of them together) most rows have (ties: the earliest row's; rows without any location value never
win). Column by column, a customer could take its country from one line and its region from another
(country JP, region EMEA). The warning names the columns kept together.

Every merged row is counted (kind `merged_duplicate`), and every key whose rows disagree on a column
not summed is counted per column and logged in `raw._quarantine` (kind `dedup_conflict`: the key, the column,
its distinct values and the value kept), so "customers ordered from 15-29 countries" is visible.
Amounts are summed by default, so deduplicating never discards money unless a rule says so.
"""

from __future__ import annotations

import duckdb

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.files import LandingDataError
from icp_pipeline.lib.landing.mapping import TableMapping
from icp_pipeline.lib.landing.quarantine import QUARANTINE_COLUMNS, QUARANTINE_TABLE, LoadReport
from icp_pipeline.lib.landing.typecheck import typed_expr
from icp_pipeline.lib.warehouse.sql import quote_ident, sql_literal

SUMMED_MONEY = {
    ("erp/invoices", "amount"),
    ("erp/invoices", "cost"),
    ("crm/opportunities", "amount"),
    ("erp/contracts", "annual_value"),
}
_MAX_VALUES = 10  # distinct values listed per conflict in raw._quarantine
# Columns that describe one location: combined from one row together (name without any `x__` prefix).
LOCATION_COLUMNS = ("country", "region", "subregion", "state", "province", "city", "postal_code", "zip")
_GROUP_N = "__n__location"


def location_group(columns: list[str], rules: dict[str, str]) -> list[str]:
    """The columns of `columns` that form one location (`LOCATION_COLUMNS`, `x__` prefix ignored) and
    are combined by `most_frequent`; empty when fewer than two (nothing to keep together)."""
    group = [c for c in columns if c.removeprefix("x__") in LOCATION_COLUMNS and rules[c] == "most_frequent"]
    return group if len(group) >= 2 else []


def default_rule(table: Table, column: str) -> str:
    col = table.column(column)
    if (table.full_name, column) in SUMMED_MONEY:
        return "sum"
    if col is not None and col.type in ("date", "timestamp"):
        return "earliest"
    return "most_frequent"


def _aggregate(table: Table, column: str, rule: str) -> str:
    """SQL aggregate over `_dedup_in` giving the combined value as text."""
    q = quote_ident(column)
    col = table.column(column)
    value = typed_expr(col) if col is not None and col.type != "string" else q
    if rule == "sum":
        number = (
            value if col is not None and col.type in ("decimal", "integer") else f"try_cast({q} as double)"
        )
        return f"sum({number})::varchar"
    if rule in ("earliest", "latest"):
        fn = "arg_min" if rule == "earliest" else "arg_max"
        return f"{fn}({q}, {value}) filter (where {value} is not null)"
    if rule in ("first", "last"):
        fn = "arg_min" if rule == "first" else "arg_max"
        return f"{fn}({q}, __ord) filter (where {q} is not null)"
    n = quote_ident(f"__n__{column}")
    return f"arg_min({q}, [-{n}, __ord]) filter (where {q} is not null)"


def combine_duplicates(
    con: duckdb.DuckDBPyConnection, table: Table, mapping: TableMapping, report: LoadReport
) -> None:
    """Replace `_mapped` by one row per `mapping.deduplicate_on` key, counting merges and conflicts."""
    key = mapping.deduplicate_on
    assert key is not None
    columns = [
        r[0] for r in con.execute("describe _mapped").fetchall() if r[0] not in (key, "_source_file", "_line")
    ]
    unknown = sorted(set(mapping.combine) - set(columns))
    if unknown:
        raise LandingDataError(
            f"{table.full_name}: `combine` names column(s) {unknown} that the mapped table does not have; "
            f"columns: {sorted(columns)}"
        )
    rules = {c: mapping.combine.get(c) or default_rule(table, c) for c in columns}
    discarding = sorted(c for c, r in rules.items() if (table.full_name, c) in SUMMED_MONEY and r != "sum")
    if discarding:
        report.warnings.append(
            f"{table.full_name}: `combine` keeps one row's {discarding} per {key} instead of the sum: the "
            "other rows' amounts are discarded (counted as dedup_conflict where they differ)"
        )
    for c, rule in rules.items():
        col = table.column(c)
        if rule == "sum" and (col is None or col.type not in ("decimal", "integer")):
            q = quote_ident(c)
            bad = con.execute(
                f"select count(*), any_value({q}) from _mapped where {q} is not null and try_cast({q} as double) is null"
            ).fetchone()
            if bad[0]:
                raise LandingDataError(
                    f"{table.full_name}: `combine: {{{c}: sum}}`, but {bad[0]} value(s) of {c} are not numbers "
                    f"(e.g. {bad[1]!r}); a sum would drop them. Choose another rule for {c}."
                )
    k = quote_ident(key)
    group = location_group(columns, rules)
    counts = [
        f"count(*) over (partition by {k}, {quote_ident(c)}) as {quote_ident(f'__n__{c}')}"
        for c, rule in rules.items()
        if rule == "most_frequent" and c not in group
    ]
    if group:
        members = ", ".join(quote_ident(c) for c in group)
        counts.append(f"count(*) over (partition by {k}, {members}) as {quote_ident(_GROUP_N)}")
    con.execute(
        "create or replace temp table _dedup_in as select *, "
        + ", ".join([*counts, "row_number() over (order by _source_file, _line) as __ord"])
        + " from _mapped"
    )
    combined = [
        f"{_group_aggregate(c, group) if c in group else _aggregate(table, c, rule)} as {quote_ident(c)}"
        for c, rule in rules.items()
    ]
    distinct = [f"count(distinct {quote_ident(c)}) as {quote_ident(f'__d__{c}')}" for c in columns]
    con.execute(
        f"create or replace temp table _dedup as select {k}, {', '.join([*combined, *distinct])}, "
        f"arg_min(_source_file, __ord) as _source_file, arg_min(_line, __ord) as _line, count(*) as __rows "
        f"from _dedup_in group by {k}"
    )
    rows_before = con.execute("select count(*) from _dedup_in").fetchone()[0]
    entities = con.execute("select count(*) from _dedup").fetchone()[0]
    report.count("merged_duplicate", rows_before - entities)
    if rows_before > entities:
        report.warnings.append(
            f"{table.full_name}: {rows_before:,} rows combined into {entities:,} by {key} "
            f"({rows_before - entities:,} merged; rules: "
            + ", ".join(f"{c} {r}" for c, r in rules.items())
            + ")"
            + (f"; {', '.join(group)} kept together from one row (one location)" if group else "")
        )
    for c in columns:
        if rules[c] != "sum":  # summed values are meant to differ
            rule = f"{rules[c]} location ({', '.join(group)}) from one row" if c in group else rules[c]
            _log_conflicts(con, table, key, c, rule, report)
    con.execute(
        f"create or replace temp table _mapped as select {k}, {', '.join(map(quote_ident, columns))}, "
        "_source_file, _line from _dedup"
    )
    con.execute("drop table _dedup")
    con.execute("drop table _dedup_in")


def _group_aggregate(column: str, group: list[str]) -> str:
    """The value of `column` on the row whose `group` values together are the most frequent of its key
    (ties: the earliest row), among rows with any value in the group: every group column reads the
    same row."""
    any_value = " or ".join(f"{quote_ident(c)} is not null" for c in group)
    return f"arg_min({quote_ident(column)}, [-{quote_ident(_GROUP_N)}, __ord]) filter (where {any_value})"


def _log_conflicts(
    con: duckdb.DuckDBPyConnection, table: Table, key: str, column: str, rule: str, report: LoadReport
) -> None:
    d, q, k = quote_ident(f"__d__{column}"), quote_ident(column), quote_ident(key)
    n = con.execute(f"select count(*) from _dedup where {d} > 1").fetchone()[0]
    if not n:
        return
    report.count("dedup_conflict", n)
    spread = con.execute(f"select min({d}), max({d}) from _dedup where {d} > 1").fetchone()
    spread_text = f"{spread[0]}" if spread[0] == spread[1] else f"{spread[0]}-{spread[1]}"
    report.warnings.append(
        f"{table.full_name}: {n:,} {key} value(s) have rows that differ in {column} "
        f"({spread_text} distinct values); combined by {rule} (see raw._quarantine)"
    )
    reason = f"{column}: the rows of one {key} differ; combined by {rule}"
    con.execute(
        f"insert into {QUARANTINE_TABLE} ({QUARANTINE_COLUMNS}) "
        f"select ?, d._source_file, d._line, ?, json_object('key', d.{k}, 'column', {sql_literal(column)}, "
        f"'kept', d.{q}, 'rows', d.__rows, 'distinct_values', d.{d}, 'values', v.vals), 'dedup_conflict' "
        f"from _dedup d join (select {k}, list(distinct {q} order by {q})[1:{_MAX_VALUES}] as vals "
        f"from _dedup_in group by {k}) v on d.{k} = v.{k} where d.{d} > 1",
        [table.full_name, reason],
    )
