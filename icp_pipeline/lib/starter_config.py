"""`icp init --landing DIR`: a starter `icp.yaml` written from what a landing folder holds.

The folder is read as the landing contract lays it out (`<source>/<table>.csv|.parquet`). Its
attribute catalog, the attributes the pipeline would build from it, is listed in the file, and the
starter hypotheses only name attributes that are there, with values taken from the data:

- `industry in [<the most common industry>]` when accounts or firmographics carry an industry;
- `employee_count >= <the median>` when they carry an employee count;
- `uses <the most common technology>` when technographics landed;
- `event <the most common event type> within 12 months` when events landed.

The value label is `label_annualised_value` when ERP invoices landed, else `label_won_amount` (CRM
deals only); the reporting currency is the most common currency of the invoices or deals (USD when
none is given). Everything else keeps the defaults of `IcpConfig`. The file is checked by loading it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from icp_pipeline.lib.icp_config import load_icp_config
from icp_pipeline.lib.landing.contract import TABLES_BY_NAME
from icp_pipeline.lib.landing.files import find_table_files
from icp_pipeline.lib.sql import quote_ident, sql_literal

# Contract columns of crm/accounts and enrichment/firmographics that are keys or names, not attributes.
_NOT_ATTRIBUTES = {
    "account_id", "account_name", "domain", "website", "owner_id", "owner_email", "parent_account_id",
    "created_at", "updated_at", "company_name", "phone", "email", "billing_street", "name",
}  # fmt: skip


class StarterConfigError(ValueError):
    """The landing folder cannot seed a config (no crm/accounts), or the target file exists."""


def _relation(con: duckdb.DuckDBPyConnection, landing: Path, table: str) -> str | None:
    """A DuckDB relation over the table's files (all text), or None when it did not land."""
    found = find_table_files(landing, TABLES_BY_NAME[table])
    if not found.present:
        return None
    files = "[" + ", ".join(sql_literal(str(p)) for p in found.files) + "]"
    if found.file_format == "parquet":
        return f"read_parquet({files}, union_by_name = true)"
    return f"read_csv({files}, union_by_name = true, all_varchar = true, header = true)"


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """{lower-case column name: the name in the file}."""
    return {r[0].lower(): r[0] for r in con.execute(f"describe select * from {relation}").fetchall()}


def _most_common(con, relation: str, column: str) -> str | None:
    row = con.execute(
        f"select trim({quote_ident(column)}::varchar) as v, count(*) as n from {relation} "
        f"where nullif(trim({quote_ident(column)}::varchar), '') is not null group by v order by n desc, v limit 1"
    ).fetchone()
    return row[0] if row else None


def _median(con, relation: str, column: str) -> float | None:
    row = con.execute(
        f"select median(try_cast({quote_ident(column)} as double)) from {relation} "
        f"where try_cast({quote_ident(column)} as double) > 0"
    ).fetchone()
    return float(row[0]) if row and row[0] is not None else None


def catalog_of_landing(landing: Path) -> dict:
    """What the folder offers: attribute names per family and the values the hypotheses use."""
    landing = Path(landing)
    with duckdb.connect() as con:
        accounts = _relation(con, landing, "crm/accounts")
        if accounts is None:
            raise StarterConfigError(
                f"{landing}: no crm/accounts file (crm/accounts.csv or .parquet); it is the one required "
                "landing table (docs/landing-contract.md). Exports in other names need `mappings:` instead: "
                "copy mappings/maven_crm.yaml or mappings/aws_saas_sales.yaml."
            )
        out: dict = {"firmographic": [], "technologies": [], "events": [], "tables": []}
        for name in TABLES_BY_NAME:
            if find_table_files(landing, TABLES_BY_NAME[name]).present:
                out["tables"].append(name)
        for table in ("crm/accounts", "enrichment/firmographics"):
            relation = _relation(con, landing, table)
            if relation is None:
                continue
            cols = _columns(con, relation)
            out["firmographic"] += [
                c for c in cols if c not in _NOT_ATTRIBUTES and c not in out["firmographic"]
            ]
            for key in ("industry", "employee_count"):
                if key in cols and key not in out:
                    value = (
                        _most_common(con, relation, cols[key])
                        if key == "industry"
                        else _median(con, relation, cols[key])
                    )
                    if value is not None:
                        out[key] = value
        for table, column, key in (
            ("enrichment/technographics", "technology", "technologies"),
            ("enrichment/events", "event_type", "events"),
        ):
            relation = _relation(con, landing, table)
            if relation is not None and column in (cols := _columns(con, relation)):
                out[key] = [
                    r[0]
                    for r in con.execute(
                        f"select trim({quote_ident(cols[column])}) as v from {relation} "
                        "where nullif(trim(v), '') is not null group by v order by count(*) desc, v limit 10"
                    ).fetchall()
                ]
        for table in ("erp/invoices", "crm/opportunities"):
            relation = _relation(con, landing, table)
            if relation is not None and "currency" in (cols := _columns(con, relation)):
                currency = _most_common(con, relation, cols["currency"])
                if currency and len(currency) == 3 and currency.isalpha():
                    out.setdefault("currency", currency.upper())
    return out


def starter_config_text(landing: Path) -> str:
    """The starter `icp.yaml` for `landing` (see the module doc)."""
    cat = catalog_of_landing(landing)
    hypotheses = []
    if "industry" in cat:
        hypotheses.append(
            {
                "id": "top_industry",
                "statement": f"Companies in {cat['industry']} (our most common industry) are worth more.",
                "filter": f"industry in ['{cat['industry']}']",
                "owner": "Head of Sales",
            }
        )
    if "employee_count" in cat:
        median = round(cat["employee_count"])
        hypotheses.append(
            {
                "id": "larger_companies",
                "statement": f"Companies with {median:,} employees or more (the median) are worth more.",
                "filter": f"employee_count >= {median}",
                "owner": "Marketing",
            }
        )
    if cat["technologies"]:
        tech = cat["technologies"][0]
        hypotheses.append(
            {
                "id": "uses_top_technology",
                "statement": f"Companies that use {tech} are worth more.",
                "filter": f"uses '{tech}'",
                "owner": "Head of Sales",
            }
        )
    if cat["events"]:
        event = cat["events"][0]
        hypotheses.append(
            {
                "id": "recent_event",
                "statement": f"A {event} event in the last 12 months makes an account more valuable.",
                "filter": f"event '{event}' within 12 months",
                "owner": "Customer Success",
            }
        )
    body = {
        "hypotheses": hypotheses,
        "reporting_currency": cat.get("currency", "USD"),
        "value_label": "label_annualised_value" if "erp/invoices" in cat["tables"] else "label_won_amount",
        "tiers": {"policy": "quantile", "tier1_share": 0.10, "tier2_share": 0.20},
    }
    lines = [
        f"# Starter ICP definition written by `icp init --landing {landing}`.",
        "# Replace the hypotheses with your team's beliefs; add `questions`, `disqualifiers` and",
        "# `overrides` as in the project's example icp.yaml. Every key is documented in README.md.",
        "#",
        f"# Landing tables found: {', '.join(cat['tables'])}",
        f"# Account attributes (crm/accounts, enrichment/firmographics): {', '.join(cat['firmographic']) or 'none'}",
        f"# Technologies (most common first): {', '.join(cat['technologies']) or 'none landed'}",
        f"# Event types (most common first): {', '.join(cat['events']) or 'none landed'}",
        "",
    ]
    return "\n".join(lines) + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def write_starter_config(landing: Path, out: Path, force: bool = False) -> Path:
    """Write the starter config to `out` (refusing to overwrite unless `force`) and check it loads."""
    out = Path(out)
    if out.exists() and not force:
        raise StarterConfigError(f"{out} exists; pass --force to overwrite it or --out to write elsewhere")
    text = starter_config_text(landing)
    out.write_text(text, encoding="utf-8")
    load_icp_config(out)  # the file must be valid as written
    return out
