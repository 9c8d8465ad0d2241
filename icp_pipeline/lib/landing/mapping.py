"""Column/value mappings that put a real export's files onto the landing contract.

A mapping lives in the ICP config (`mappings:` section). Per contract table it may name the file(s)
to read instead of `<source>/<table>.*`, and for each contract column where its value comes from:

    mappings:
      crm/accounts:
        path: accounts.csv              # file, folder or glob relative to the landing folder
        columns:
          account_id: account           # short form: the export's column (case-insensitive)
          annual_revenue: {column: revenue, multiply: 1000000}
          created_at: {column: Created, date_format: "%m/%d/%Y"}
          stage: {column: deal_stage, values: {Engaging: Open}}
          currency: {constant: USD}
          cost: {subtract: [Sales, Profit]}
        deduplicate_on: erp_customer_id   # one row per key (invoice lines → customers), see below
        combine: {country: most_frequent} # how the rows of one key are combined, per column
        extra_columns: [Segment, Region]  # keep only these unmapped columns (default: all of them)

`deduplicate_on` combines the rows of one key column by column (`lib/landing/dedup.py`): amounts
are summed, text and other numbers take the most frequent value, dates the earliest, unless
`combine:` declares another rule (`sum`, `most_frequent`, `earliest`, `latest`, `first`, `last`) for a
contract or extra column. Merged rows and disagreeing values are counted.

Unmapped columns of a file are kept as extra columns (candidate attributes of crm/accounts). When one
export feeds several tables (invoice lines deduplicated into accounts), `extra_columns` keeps just the
ones that describe the entity, so line-level values (an order's amount or date) do not become attributes.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, model_validator

from icp_pipeline.lib.config.strict import StrictModel
from icp_pipeline.lib.landing.contract import TABLES_BY_NAME

COMBINE_RULES = ("sum", "most_frequent", "earliest", "latest", "first", "last")
CombineRule = Literal["sum", "most_frequent", "earliest", "latest", "first", "last"]
_SAFE_FORMAT = re.compile(r"^[%A-Za-z0-9 /:.\-_,TZ]+$")


class ColumnSource(StrictModel):
    """Where one contract column's value comes from (exactly one of column/constant/subtract)."""

    column: str | None = None
    constant: str | float | int | bool | None = None
    subtract: list[str] | None = Field(default=None, min_length=2)
    date_format: str | None = None
    multiply: float | None = Field(default=None, allow_inf_nan=False)  # becomes a SQL number literal
    values: dict[str, str] | None = None

    @model_validator(mode="after")
    def _one_origin(self) -> ColumnSource:
        origins = [self.column is not None, self.constant is not None, self.subtract is not None]
        if sum(origins) != 1:
            raise ValueError("give exactly one of `column`, `constant` or `subtract`")
        if self.date_format is not None and not _SAFE_FORMAT.match(self.date_format):
            raise ValueError(f"date_format {self.date_format!r} has characters outside strftime codes")
        return self

    @property
    def source_columns(self) -> list[str]:
        if self.column is not None:
            return [self.column]
        return list(self.subtract or [])


class TableMapping(StrictModel):
    path: str | None = None
    columns: dict[str, ColumnSource] = Field(default_factory=dict)
    deduplicate_on: str | None = None
    combine: dict[str, CombineRule] = Field(default_factory=dict)
    extra_columns: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("columns"), dict):
            data = dict(data)
            data["columns"] = {
                k: {"column": v} if isinstance(v, str) else v for k, v in data["columns"].items()
            }
        return data


def _connector_table(full_name: str):
    """A connector table (docs/connectors/) by its `<schema>/<table>` name, else None."""
    from icp_pipeline.lib.landing.connectors.tables import CONNECTOR_TABLES

    return next((t for t in CONNECTOR_TABLES if t.full_name == full_name), None)


def parse_mappings(raw: dict[str, Any] | None) -> dict[str, TableMapping]:
    """Validate the `mappings:` section against the contract; errors name the table and column."""
    mappings: dict[str, TableMapping] = {}
    for table_name, spec in (raw or {}).items():
        table = TABLES_BY_NAME.get(table_name) or _connector_table(table_name)
        if table is None:
            raise ValueError(
                f"mappings: unknown table {table_name!r}; use one of {sorted(TABLES_BY_NAME)} or a "
                "connector table (docs/connectors/, e.g. salesforce/account)"
            )
        mapping = TableMapping.model_validate(spec or {})
        contract_cols = {c.name for c in table.columns}
        for col in mapping.columns:
            if col not in contract_cols:
                raise ValueError(
                    f"mappings.{table_name}.columns: {col!r} is not a contract column of {table_name}; "
                    f"expected one of {sorted(contract_cols)}"
                )
        if mapping.deduplicate_on and mapping.deduplicate_on not in contract_cols:
            raise ValueError(
                f"mappings.{table_name}.deduplicate_on: {mapping.deduplicate_on!r} is not a column"
            )
        if mapping.combine and not mapping.deduplicate_on:
            raise ValueError(
                f"mappings.{table_name}.combine: needs `deduplicate_on` (it says how rows combine)"
            )
        mappings[table_name] = mapping
    return mappings
