"""Which connector dialect a landing folder holds: from `icp.yaml` (`source:`) or from its folders.

A dialect is recognised by its schema folder (`salesforce/`, `salesforce_history/`, `stripe/`) and
the spelling of its columns (Fivetran lands snake-case API names: `stage_name`; Airbyte keeps them:
`StageName`). Errors (`LandingDataError`) name the table concerned: a folder that mixes two CRM
forms (the contract's `crm/` and a connector, or two connectors), a dialect without its required
table, a configured dialect whose folder is missing, and dialects this version cannot read yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from icp_pipeline.lib.landing.connectors.tables import DIALECTS
from icp_pipeline.lib.landing.contract import TABLES, Table
from icp_pipeline.lib.landing.files import LandingDataError, find_table_files

# Connector folders this version recognises but cannot read yet, by dialect.
NOT_YET = {
    "airbyte_hubspot": (),
}
KNOWN = tuple(DIALECTS) + tuple(NOT_YET)
_CONTRACT_REPLACED = {
    "crm": ("crm/accounts", "crm/opportunities", "crm/contacts", "crm/activities", "crm/leads"),
    "erp": ("erp/customers", "erp/invoices", "erp/contracts"),
}


@dataclass
class Detection:
    """The dialect per kind (`crm`, `billing`; None = the contract's own tables) and how it was found."""

    crm: str | None = None
    billing: str | None = None
    how: dict[str, str] = field(default_factory=dict)

    @property
    def dialects(self) -> list[str]:
        return [d for d in (self.crm, self.billing) if d]

    def is_active(self, table: Table) -> bool:
        return any(table.full_name in {t.full_name for t in DIALECTS[d]["tables"]} for d in self.dialects)

    def replaces(self, table: Table) -> bool:
        """Whether a connector stands in for this contract table (it is then read as absent)."""
        return any(table.full_name in _CONTRACT_REPLACED[DIALECTS[d]["replaces"]] for d in self.dialects)

    def describe(self) -> str:
        if not self.dialects:
            return "landing contract form (crm/, erp/ folders)"
        return "; ".join(f"{d} ({self.how[d]})" for d in self.dialects)


def _folder(landing: Path, name: str) -> Path | None:
    if not landing.is_dir():
        return None
    return next((p for p in landing.iterdir() if p.is_dir() and p.name.lower() == name), None)


def _has_files(folder: Path | None) -> bool:
    return folder is not None and any(p.is_file() or p.is_dir() for p in folder.iterdir())


def _present(landing: Path, full_name: str) -> bool:
    table = next(t for d in DIALECTS.values() for t in d["tables"] if t.full_name == full_name)
    return find_table_files(landing, table).present


def _header(landing: Path, full_name: str) -> list[str]:
    table = next(t for d in DIALECTS.values() for t in d["tables"] if t.full_name == full_name)
    found = find_table_files(landing, table)
    if not found.present:
        return []
    first = found.files[0]
    if found.file_format == "csv":
        with open(first, encoding="utf-8", errors="replace") as handle:
            return [c.strip().strip('"') for c in handle.readline().split(",")]
    import pyarrow.parquet as pq

    return list(pq.read_schema(first).names)


def detect(
    landing_dir: Path, configured: dict[str, str | None] | None = None, connectors: Path | None = None
) -> Detection:
    """The connector dialects of `landing_dir`; `configured` = icp.yaml `source:` ({crm, billing});
    `connectors` = where the connector schemas are when not in `landing_dir` (`source_duckdb`)."""
    contract_dir = Path(landing_dir)
    landing = Path(connectors or landing_dir)
    configured = {k: v for k, v in (configured or {}).items() if v}
    found = Detection()
    for kind in ("crm", "billing"):
        name = configured.get(kind)
        if name:
            if name not in KNOWN or (name in DIALECTS and DIALECTS[name]["kind"] != kind):
                choices = [d for d, spec in DIALECTS.items() if spec["kind"] == kind]
                raise LandingDataError(f"icp.yaml source.{kind}: unknown dialect {name!r}; one of {choices}")
            setattr(found, kind, name)
            found.how[name] = "set in icp.yaml source." + kind
    # what the folder holds
    seen: dict[str, str] = {}
    if _has_files(_folder(landing, "salesforce")) or _has_files(_folder(landing, "salesforce_history")):
        header = [c for c in _header(landing, "salesforce/account")]
        camel = any(c[:1].isupper() for c in header) and "Id" in header
        seen["crm"] = "airbyte_salesforce" if camel else "fivetran_salesforce"
    if _has_files(_folder(landing, "hubspot")):
        if "crm" in seen:
            raise LandingDataError(
                f"{landing} mixes CRM connectors: salesforce/ and hubspot/ (table hubspot/company). "
                "Keep one CRM per landing folder."
            )
        header = _header(landing, "hubspot/company")
        seen["crm"] = (
            "airbyte_hubspot" if any(c.startswith("properties_") for c in header) else "fivetran_hubspot"
        )
    if _has_files(_folder(landing, "stripe")):
        seen["billing"] = "fivetran_stripe"
    for kind, name in seen.items():
        chosen = getattr(found, kind)
        if chosen and chosen != name:
            raise LandingDataError(
                f"icp.yaml source.{kind} is {chosen!r} but {landing} holds {name} tables; "
                f"set source.{kind}: {name} or land {chosen}'s tables."
            )
        if not chosen:
            setattr(found, kind, name)
            found.how[name] = "detected from the folder's table and column names"
    for name in found.dialects:
        if name in NOT_YET:
            raise LandingDataError(
                f"{name} is recognised but not read by this version; land the data in the landing "
                "contract's form (crm/ folder) or as fivetran_salesforce / fivetran_hubspot / airbyte_salesforce."
            )
        spec = DIALECTS[name]
        for required in spec["required"]:
            if not _present(landing, required):
                raise LandingDataError(
                    f"{name}: required table {required} not found in {landing} (expected "
                    f"{landing / required}.csv, .parquet or a folder of parts)."
                )
        mixed = [
            t.full_name
            for t in TABLES
            if t.full_name in _CONTRACT_REPLACED[spec["replaces"]]
            and find_table_files(contract_dir, t).present
        ]
        if mixed:
            raise LandingDataError(
                f"{contract_dir} mixes {name} with the contract's own {', '.join(mixed)}: both describe the same "
                f"records. Keep one form (remove {mixed[0]} or the {name} tables)."
            )
    return found


def record_detection(con: duckdb.DuckDBPyConnection, found: Detection) -> None:
    """Keep the refresh's dialects in `raw._source_dialects` (dialect, kind, how) for icp.data_coverage."""
    con.execute("create schema if not exists raw")
    con.execute("create or replace table raw._source_dialects (dialect varchar, kind varchar, how varchar)")
    for kind in ("crm", "billing"):
        name = getattr(found, kind)
        if name:
            con.execute("insert into raw._source_dialects values (?, ?, ?)", [name, kind, found.how[name]])
