"""Vocabularies of the columns that decide labels: an unknown spelling stops the load, never a wrong label.

Downstream, only `paid` invoices are revenue, `active`/`ended`/`churned` contracts decide churn, and
the `stages:` won/lost lists decide which deals are won or lost. A system that spells these its own
way (NetSuite's `Paid In Full`) would silently drop every such row from the labels, so here:

- **Invoice and contract status** (`VOCABULARIES`): the contract's values and the common ERP/billing
  spellings below are mapped to the contract's value (counted per spelling in the load report,
  kind `vocabulary_synonym`); any other value stops the load with the distinct values, their row
  counts and the `mappings:` lines of the ICP config that map them (a `values:` map, applied first).
- **Opportunity stage** (`check_stages`): open stages are free text, but a value that looks closed
  (`closed`, `won`, `lost`, `disqualified`, ...) and is in neither the won nor the lost list would
  count as an open deal; it stops the load with the `stages:` lines that would classify it.

Spellings are compared as dbt's `clean_enum` does (lower case, trimmed, inner whitespace as one
space), with `_` and `-` also read as a space. Sources of the built-in spellings:
- NetSuite invoice statuses Open, Paid In Full, Pending Approval, Rejected, Voided (NetSuite
  Help Center, "Invoice" record, Status field); subscription statuses Draft, Pending Activation,
  Active, Suspended, Closed, Terminated (SuiteBilling, "Subscription Statuses").
- QuickBooks Online invoice statuses Paid, Deposited, Open, Overdue, Partially paid, Voided
  (QuickBooks "Invoice status" help article).
- Xero invoice statuses DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED, DELETED (Xero Accounting API,
  "Types and Codes: Invoice Status Codes").
- SAP FI clearing status Open / Cleared (SAP S/4HANA "Manage Customer Line Items").
- Stripe invoice statuses draft, open, paid, uncollectible, void, and subscription statuses active,
  trialing, past_due, unpaid, canceled (Stripe API reference, "The Invoice object", "The
  Subscription object").
- Zoho Books invoice statuses draft, sent, viewed, overdue, unpaid, partially_paid, paid, void
  (Zoho Books API, "Invoices").
- HubSpot invoice statuses draft, open, paid, voided (HubSpot CRM API, "Invoices").
- Chargebee subscription statuses in_trial, active, non_renewing, cancelled (Chargebee API,
  "Subscriptions"); Zuora subscription statuses Active, Cancelled, Expired (Zuora "Subscription
  statuses"); Salesforce contract statuses Draft, In Approval Process, Activated, Expired,
  Terminated (Salesforce "Contract Fields", StatusCode).
Spellings whose meaning differs between systems (SAP Business One's `Closed`, Salesforce
Billing's `Posted`, draft or suspended subscriptions) are deliberately not built in: they stop
the load and the user maps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.files import LandingDataError
from icp_pipeline.lib.landing.mapping import TableMapping
from icp_pipeline.lib.landing.quarantine import LoadReport
from icp_pipeline.lib.warehouse.sql import quote_ident, sql_literal

_MAX_LISTED = 20


@dataclass(frozen=True)
class Vocabulary:
    values: tuple[str, ...]  # the contract's values
    synonyms: dict[str, str] = field(default_factory=dict)  # normalised spelling -> contract value
    meaning: str = ""


VOCABULARIES: dict[tuple[str, str], Vocabulary] = {
    ("erp/invoices", "status"): Vocabulary(
        ("paid", "open", "void"),
        {
            "paid in full": "paid",  # NetSuite
            "fully paid": "paid",
            "deposited": "paid",  # QuickBooks Online
            "cleared": "paid",  # SAP FI
            "pending approval": "open",  # NetSuite
            "overdue": "open",  # QuickBooks, Zoho Books
            "partially paid": "open",  # QuickBooks, Zoho Books (the invoice is not paid in full)
            "unpaid": "open",  # Zoho Books
            "sent": "open",  # Zoho Books
            "viewed": "open",  # Zoho Books
            "authorised": "open",  # Xero (approved, awaiting payment)
            "authorized": "open",
            "submitted": "open",  # Xero (awaiting approval)
            "draft": "open",  # Xero, Stripe, Zoho Books, HubSpot: not paid, so never revenue
            "voided": "void",  # NetSuite, QuickBooks, Xero, HubSpot
            "rejected": "void",  # NetSuite
            "deleted": "void",  # Xero
            "uncollectible": "void",  # Stripe (written off: never paid)
            "cancelled": "void",
            "canceled": "void",
        },
        "which invoices count as revenue (only `paid`)",
    ),
    ("erp/contracts", "status"): Vocabulary(
        ("active", "ended", "churned"),
        {
            "activated": "active",  # Salesforce
            "in trial": "active",  # Chargebee
            "trialing": "active",  # Stripe
            "past due": "active",  # Stripe
            "non renewing": "active",  # Chargebee (still running, ends at term)
            "expired": "ended",  # Salesforce, Zuora
            "closed": "ended",  # NetSuite SuiteBilling
            "terminated": "churned",  # Salesforce, NetSuite
            "cancelled": "churned",  # Chargebee, Zuora
            "canceled": "churned",  # Stripe
        },
        "which contracts are active, ended or churned (churn labels and ACV)",
    ),
}


def normalise(value: str) -> str:
    """Lower case, trimmed, `_`/`-`/whitespace runs as one space (dbt `clean_enum`, plus `_`/`-`)."""
    return re.sub(r"[\s_\-]+", " ", value.strip().lower()).strip()


def clean_enum(value: str) -> str:
    """dbt's `clean_enum`: lower case, trimmed, whitespace runs as one space."""
    return re.sub(r"\s+", " ", value.strip().lower())


def needs_vocabulary(table: Table) -> list[tuple[str, Vocabulary]]:
    return [(col, v) for (name, col), v in VOCABULARIES.items() if name == table.full_name]


def clean_path_flags(table: Table) -> list[str]:
    """SQL conditions true for a row the general path would rewrite or refuse (not a contract value)."""
    flags = []
    for col, vocab in needs_vocabulary(table):
        allowed = ", ".join(sql_literal(v) for v in vocab.values)
        flags.append(
            f"({quote_ident(col)} is not null and lower(trim({quote_ident(col)})) not in ({allowed}))"
        )
    return flags


def apply_vocabularies(
    con: duckdb.DuckDBPyConnection, table: Table, mapping: TableMapping, report: LoadReport
) -> None:
    """Rewrite known spellings in `_mapped` to the contract's values; stop on any unknown one."""
    for col, vocab in needs_vocabulary(table):
        q = quote_ident(col)
        found = con.execute(
            f"select {q}, count(*) from _mapped where {q} is not null group by 1 order by 2 desc, 1"
        ).fetchall()
        rewrite: dict[str, str] = {}
        unknown: list[tuple[str, int]] = []
        for value, n in found:
            key = normalise(value)
            target = key if key in vocab.values else vocab.synonyms.get(key)
            if target is None:
                unknown.append((value, n))
            elif value != target:
                rewrite[value] = target
                if clean_enum(value) != target:
                    report.count("vocabulary_synonym", n)
        if unknown:
            raise LandingDataError(_unknown_message(table, col, vocab, mapping, unknown))
        if rewrite:
            cases = " ".join(f"when {sql_literal(k)} then {sql_literal(v)}" for k, v in rewrite.items())
            con.execute(
                f"update _mapped set {q} = case {q} {cases} else {q} end where {q} in "
                f"({', '.join(sql_literal(k) for k in rewrite)})"
            )
            spelled = sorted((k, v) for k, v in rewrite.items() if clean_enum(k) != v)
            if spelled:
                report.warnings.append(
                    f"{table.full_name}: {col} spellings read as contract values: "
                    + ", ".join(f"{k!r} -> {v}" for k, v in spelled)
                )


def _unknown_message(
    table: Table, col: str, vocab: Vocabulary, mapping: TableMapping, unknown: list[tuple[str, int]]
) -> str:
    listed = ", ".join(f"{v!r} ({n:,} row(s))" for v, n in unknown[:_MAX_LISTED])
    more = f" and {len(unknown) - _MAX_LISTED} more" if len(unknown) > _MAX_LISTED else ""
    source = mapping.columns.get(col)
    existing = dict(source.values or {}) if source is not None else {}
    origin = source.column if source is not None and source.column is not None else col
    values = {**existing, **{v: "<" + "|".join(vocab.values) + ">" for v, _ in unknown}}
    inline = ", ".join(f"{_yaml(k)}: {v}" for k, v in values.items())
    return (
        f"{table.full_name}: column {col!r} decides {vocab.meaning}; its values must be one of "
        f"{list(vocab.values)} or a known ERP spelling, but {len(unknown)} value(s) are neither: {listed}{more}. "
        "Left as they are, these rows would silently drop out of the labels. Map each value to one of "
        f"{list(vocab.values)} in the ICP config (`mappings:` section), e.g.:\n"
        f"mappings:\n  {table.full_name}:\n    columns:\n      {col}: {{column: {_yaml(origin)}, values: {{{inline}}}}}"
    )


def _yaml(text: str) -> str:
    """A YAML flow-style scalar: quoted unless plain letters, digits and spaces."""
    return text if re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", text) else '"' + text.replace('"', '\\"') + '"'


_CLOSED = re.compile(r"closed|\bwon\b|\bwin\b|\blost\b|\bloss\b|disqualif")
_WON = re.compile(r"won|\bwin\b")
_LOST = re.compile(r"lost|loss|\blose\b|disqualif")


def default_stages() -> tuple[list[str], list[str]]:
    """The won and lost spellings of the ICP config's defaults (`StageConfig`)."""
    from icp_pipeline.lib.config.icp import DEFAULT_LOST_STAGES, DEFAULT_WON_STAGES

    return list(DEFAULT_WON_STAGES), list(DEFAULT_LOST_STAGES)


def stage_flag(table: Table, stages: tuple[list[str], list[str]]) -> list[str]:
    """SQL condition for the clean path: a stage that looks closed and is in neither list."""
    if table.full_name != "crm/opportunities":
        return []
    known = ", ".join(sql_literal(clean_enum(s)) for s in [*stages[0], *stages[1]]) or "''"
    return [
        "(stage is not null and lower(regexp_replace(trim(stage), '\\s+', ' ', 'g')) not in "
        f"({known}) and regexp_matches(regexp_replace(lower(stage), '[\\s_\\-]+', ' ', 'g'), "
        f"{sql_literal(_CLOSED.pattern)}))"
    ]


def check_stages(con: duckdb.DuckDBPyConnection, table: Table, stages: tuple[list[str], list[str]]) -> None:
    """Stop when a stage value looks closed but is in neither the won nor the lost list."""
    if table.full_name != "crm/opportunities":
        return
    won, lost = stages
    known = {clean_enum(s) for s in [*won, *lost]}
    found = con.execute(
        "select stage, count(*) from _mapped where stage is not null group by 1 order by 2 desc, 1"
    ).fetchall()
    suspicious = [(v, n) for v, n in found if clean_enum(v) not in known and _CLOSED.search(normalise(v))]
    if not suspicious:
        return
    new_won = [v for v, _ in suspicious if _WON.search(normalise(v)) and not _LOST.search(normalise(v))]
    new_lost = [v for v, _ in suspicious if v not in new_won]
    listed = ", ".join(f"{v!r} ({n:,} row(s))" for v, n in suspicious[:_MAX_LISTED])

    def line(name: str, current: list[str], added: list[str]) -> str:
        return f"  {name}: [{', '.join(_yaml(s) for s in [*current, *(clean_enum(a) for a in added)])}]"

    raise LandingDataError(
        f"{table.full_name}: stage value(s) look closed but are in neither the won nor the lost list: {listed}. "
        "Left as they are, these deals would count as open and the win model would not learn from them. "
        "Add each to `won` or `lost` in the ICP config (a value listed under won below that is really "
        "lost belongs under lost), e.g.:\n"
        f"stages:\n{line('won', won, new_won)}\n{line('lost', lost, new_lost)}"
    )
