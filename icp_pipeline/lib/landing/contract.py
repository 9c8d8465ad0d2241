"""The landing-data contract (v1) as code: every table, its columns, types and keys.

One definition serves the extract assets, the demo-data generator, the raw-table schemas
and the generated documentation, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Logical types of the contract mapped to DuckDB types.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    description: str = ""
    personal_data: bool = False

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    source: str
    name: str
    columns: tuple[Column, ...]
    key: str | None = None
    description: str = ""
    required: bool = False
    # Extra columns of these tables are candidate model attributes (see the contract).
    extras_are_attributes: bool = False
    foreign_keys: dict[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def raw_table(self) -> str:
        """Name of the table in the warehouse's `raw` schema."""
        return f"{self.source}__{self.name}"

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def column(
    name: str, type_: str = "string", required: bool = False, description: str = "", pii: bool = False
) -> Column:
    """A `Column` by keywords: the one way every table declaration (contract and connectors) spells one."""
    return Column(name, type_, required, description, pii)


_c = column


TABLES: tuple[Table, ...] = (
    Table(
        "crm",
        "accounts",
        (
            _c("account_id", required=True, description="CRM key"),
            _c("account_name", required=True, description="Company name as typed in CRM"),
            _c("website", description="URL or bare domain in any casing"),
            _c("industry", description="CRM free-text industry"),
            _c("country", description="ISO-3166 alpha-2 or English name"),
            _c("employee_count", "integer"),
            _c("annual_revenue", "decimal", description="Reporting currency"),
            _c("parent_account_id", description="Another account_id (subsidiary roll-up)"),
            _c("created_at", "timestamp"),
        ),
        key="account_id",
        required=True,
        extras_are_attributes=True,
        description="CRM accounts: customers and prospects the sales team tracks.",
    ),
    Table(
        "crm",
        "opportunities",
        (
            _c("opportunity_id", required=True),
            _c("account_id", required=True, description="-> crm/accounts"),
            _c("stage", required=True, description="Sales stage; won/lost spellings are configurable"),
            _c("amount", "decimal"),
            _c("currency", description="ISO-4217, default the reporting currency"),
            _c("created_at", "date"),
            _c("close_date", "date", description="Null while open"),
            _c("product"),
            _c("lead_source"),
        ),
        key="opportunity_id",
        foreign_keys={"account_id": "crm/accounts"},
        description="CRM opportunities (deals).",
    ),
    Table(
        "crm",
        "contacts",
        (
            _c("contact_id", required=True),
            _c("account_id", required=True),
            _c("title"),
            _c("department"),
            _c("seniority"),
            _c("email", description="Personal data: never published", pii=True),
            _c("created_at", "timestamp"),
        ),
        key="contact_id",
        foreign_keys={"account_id": "crm/accounts"},
        description="CRM contacts at accounts.",
    ),
    Table(
        "crm",
        "activities",
        (
            _c("activity_id", required=True),
            _c("account_id", required=True),
            _c("activity_type", description="email, call, meeting, web_visit, event, ..."),
            _c("occurred_at", "timestamp", required=True),
        ),
        key="activity_id",
        foreign_keys={"account_id": "crm/accounts"},
        description="CRM activities logged against accounts.",
    ),
    Table(
        "crm",
        "leads",
        (
            _c("lead_id", required=True),
            _c("company_name"),
            _c("website"),
            _c("created_at", "timestamp", required=True),
            _c("status"),
            _c("converted_account_id"),
        ),
        key="lead_id",
        description="Inbound and outbound leads.",
    ),
    Table(
        "erp",
        "customers",
        (
            _c("erp_customer_id", required=True),
            _c("customer_name", required=True),
            _c("website"),
            _c("crm_account_id", description="May be null or stale"),
            _c("country"),
        ),
        key="erp_customer_id",
        description="ERP customer master.",
    ),
    Table(
        "erp",
        "invoices",
        (
            _c("invoice_id", required=True),
            _c("erp_customer_id", required=True),
            _c("invoice_date", "date", required=True),
            _c("amount", "decimal", required=True, description="Negative = credit note"),
            _c("cost", "decimal", description="Cost of goods, may be null"),
            _c("currency"),
            _c("status", description="paid, open, void"),
        ),
        key="invoice_id",
        foreign_keys={"erp_customer_id": "erp/customers"},
        description="ERP invoices and credit notes.",
    ),
    Table(
        "erp",
        "contracts",
        (
            _c("contract_id", required=True),
            _c("erp_customer_id", required=True),
            _c("start_date", "date", required=True),
            _c("end_date", "date", description="Null = active"),
            _c("annual_value", "decimal", required=True),
            _c("currency"),
            _c("status", description="active, ended, churned"),
        ),
        key="contract_id",
        foreign_keys={"erp_customer_id": "erp/customers"},
        description="ERP subscription contracts.",
    ),
    Table(
        "erp",
        "fx_rates",
        (
            _c("currency", required=True),
            _c("rate_to_reporting", "decimal", required=True),
            _c("valid_from", "date", description="Null = always"),
        ),
        description="Exchange rates to the reporting currency.",
    ),
    Table(
        "enrichment",
        "firmographics",
        (
            _c("domain", required=True),
            _c("company_name"),
            _c("industry"),
            _c("sub_industry"),
            _c("employee_count", "integer"),
            _c("employee_growth_12m", "decimal", description="Fraction"),
            _c("annual_revenue", "decimal"),
            _c("hq_country"),
            _c("founded_year", "integer"),
            _c("ownership", description="public, private, pe_backed, ..."),
            _c("funding_stage"),
            _c("office_count", "integer"),
        ),
        key="domain",
        extras_are_attributes=True,
        description="Third-party firmographics, one row per company domain.",
    ),
    Table(
        "enrichment",
        "technographics",
        (
            _c("domain", required=True),
            _c("technology", required=True),
            _c("category"),
            _c("first_seen", "date"),
            _c("last_seen", "date"),
        ),
        description="Technologies detected per company domain (long format).",
    ),
    Table(
        "enrichment",
        "events",
        (
            _c("domain", required=True),
            _c("event_type", required=True),
            _c("event_date", "date", required=True),
        ),
        description="Company events (funding, acquisitions, hiring surges, ...).",
    ),
    Table(
        "marketing",
        "campaign_members",
        (
            _c("campaign_id", required=True),
            _c("account_id", required=True),
            _c("sent_at", "timestamp", required=True),
            _c("responded", "boolean", required=True),
            _c("group", description="icp or control (optional)"),
        ),
        description="Campaign sends and responses, for ICP validation.",
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.full_name: t for t in TABLES}


def get_table(full_name: str) -> Table:
    try:
        return TABLES_BY_NAME[full_name]
    except KeyError:
        raise KeyError(f"Unknown landing table {full_name!r}; known: {sorted(TABLES_BY_NAME)}") from None
