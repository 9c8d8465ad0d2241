"""Connector tables as landing-contract `Table`s (column names as the connectors land them).

Fivetran's HubSpot connector lands `property_<name>` columns and association tables.
Only the columns the dbt staging models read are declared (all optional except each table's key):
other columns are kept as extras, and a Salesforce account's custom fields (`<name>_c`, `<name>__c`)
become candidate attributes like the contract's extra columns. Sources of the names: Fivetran's
Salesforce connector (snake-case API names, History Mode columns `_fivetran_start`, `_fivetran_end`,
`_fivetran_active`) and Fivetran's Stripe connector (amounts in minor units), as documented by
Fivetran's `dbt_salesforce_source` / `dbt_stripe_source` packages.
"""

from __future__ import annotations

from icp_pipeline.lib.landing.connectors.airbyte_hubspot import AIRBYTE_HUBSPOT, HUBSPOT_ENGAGEMENT_TYPES
from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.contract import column as _c

_FIVETRAN = (_c("_fivetran_deleted", "boolean"), _c("_fivetran_synced", "timestamp"))
_SF_DELETED = (_c("is_deleted", "boolean"),)

_SF_ACCOUNT_COLUMNS = (
    _c("name"),
    _c("website"),
    _c("industry"),
    _c("billing_country"),
    _c("number_of_employees", "integer"),
    _c("annual_revenue", "decimal"),
    _c("parent_id"),
    _c("owner_id"),
    _c("created_date", "timestamp"),
    _c("master_record_id"),
    *_SF_DELETED,
)

SALESFORCE: tuple[Table, ...] = (
    Table(
        "salesforce",
        "account",
        (_c("id", required=True), *_SF_ACCOUNT_COLUMNS, *_FIVETRAN),
        key="id",
        description="Fivetran Salesforce accounts (current state). Custom fields are candidate attributes.",
        extras_are_attributes=True,
    ),
    Table(
        "salesforce",
        "opportunity",
        (
            _c("id", required=True),
            _c("account_id"),
            _c("stage_name"),
            _c("is_won", "boolean"),
            _c("is_closed", "boolean"),
            _c("amount", "decimal"),
            _c("currency_iso_code"),
            _c("close_date", "date"),
            _c("created_date", "timestamp"),
            _c("lead_source"),
            *_SF_DELETED,
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Salesforce opportunities; won/closed from is_won / is_closed.",
    ),
    Table(
        "salesforce",
        "opportunity_history",
        (
            _c("id", required=True),
            _c("opportunity_id", required=True),
            _c("stage_name"),
            _c("created_date", "timestamp", required=True),
            _c("close_date", "date"),
            _c("amount", "decimal"),
            *_SF_DELETED,
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Salesforce opportunity stage history: one row per stage change, from "
        "created_date on. Gives a won deal's won date.",
    ),
    Table(
        "salesforce",
        "contact",
        (
            _c("id", required=True),
            _c("account_id"),
            _c("title"),
            _c("department"),
            _c("email", pii=True),
            _c("created_date", "timestamp"),
            _c("master_record_id"),
            *_SF_DELETED,
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Salesforce contacts.",
    ),
    Table(
        "salesforce",
        "lead",
        (
            _c("id", required=True),
            _c("company"),
            _c("website"),
            _c("status"),
            _c("created_date", "timestamp"),
            _c("converted_account_id"),
            _c("master_record_id"),
            *_SF_DELETED,
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Salesforce leads.",
    ),
    Table(
        "salesforce",
        "task",
        (
            _c("id", required=True),
            _c("account_id"),
            _c("type"),
            _c("task_subtype"),
            _c("activity_date", "date"),
            _c("created_date", "timestamp"),
            *_SF_DELETED,
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Salesforce tasks (calls, emails, ...): activities.",
    ),
    Table(
        "salesforce",
        "event",
        (
            _c("id", required=True),
            _c("account_id"),
            _c("type"),
            _c("activity_date_time", "timestamp"),
            _c("created_date", "timestamp"),
            *_SF_DELETED,
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Salesforce events (meetings): activities.",
    ),
    Table(
        "salesforce",
        "user",
        (
            _c("id", required=True),
            _c("department"),
            _c("division"),
            _c("title"),
            _c("user_role_id"),
            _c("is_active", "boolean"),
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Salesforce users: the account owner's department, title and role "
        "(names are not read).",
    ),
    Table(
        "salesforce",
        "user_role",
        (_c("id", required=True), _c("name"), *_FIVETRAN),
        key="id",
        description="Fivetran Salesforce user roles: the role name of a user_role_id.",
    ),
    Table(
        "salesforce_history",
        "account",
        (
            _c("id", required=True),
            _c("_fivetran_start", "timestamp", required=True),
            _c("_fivetran_end", "timestamp"),
            _c("_fivetran_active", "boolean"),
            *_SF_ACCOUNT_COLUMNS,
            *_FIVETRAN,
        ),
        key=None,
        description="Fivetran History Mode: one row per version of an account, valid from "
        "_fivetran_start to _fivetran_end.",
        extras_are_attributes=True,
    ),
)

STRIPE: tuple[Table, ...] = (
    Table(
        "stripe",
        "customer",
        (
            _c("id", required=True),
            _c("name"),
            _c("description"),
            _c("email", pii=True),
            _c("address_country"),
            _c("metadata"),
            _c("created", "timestamp"),
            _c("is_deleted", "boolean"),
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Stripe customers: the billing (ERP) customers.",
    ),
    Table(
        "stripe",
        "invoice",
        (
            _c("id", required=True),
            _c("customer_id"),
            _c("status"),
            _c("currency"),
            _c("total", "decimal"),
            _c("created", "timestamp"),
            _c("subscription_id"),
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Stripe invoices; amounts in the currency's minor unit.",
    ),
    Table(
        "stripe",
        "credit_note",
        (
            _c("id", required=True),
            _c("customer_id"),
            _c("invoice_id"),
            _c("status"),
            _c("currency"),
            _c("total", "decimal"),
            _c("created", "timestamp"),
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Stripe credit notes: negative invoices.",
    ),
    Table(
        "stripe",
        "subscription",
        (
            _c("id", required=True),
            _c("customer_id"),
            _c("status"),
            _c("start_date", "timestamp"),
            _c("created", "timestamp"),
            _c("cancel_at", "timestamp"),
            _c("canceled_at", "timestamp"),
            _c("ended_at", "timestamp"),
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Stripe subscriptions: the contracts.",
    ),
    Table(
        "stripe",
        "subscription_item",
        (
            _c("id", required=True),
            _c("subscription_id"),
            _c("price_id"),
            _c("plan_id"),
            _c("quantity", "integer"),
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Stripe subscription items: price x quantity per subscription.",
    ),
    Table(
        "stripe",
        "price",
        (
            _c("id", required=True),
            _c("currency"),
            _c("unit_amount", "decimal"),
            _c("recurring_interval"),
            _c("recurring_interval_count", "integer"),
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran Stripe prices; unit_amount in the currency's minor unit.",
    ),
)

_HS_COMPANY_PROPERTIES = (
    _c("property_name"),
    _c("property_domain"),
    _c("property_website"),
    _c("property_industry"),
    _c("property_country"),
    _c("property_numberofemployees", "decimal"),
    _c("property_annualrevenue", "decimal"),
    _c("property_createdate", "timestamp"),
    _c("property_hs_parent_company_id"),
    _c("property_hs_merged_object_ids"),
    _c("property_hubspot_owner_id"),
)

HUBSPOT: tuple[Table, ...] = (
    Table(
        "hubspot",
        "company",
        (_c("id", required=True), *_HS_COMPANY_PROPERTIES, _c("is_deleted", "boolean"), *_FIVETRAN),
        key="id",
        description="Fivetran HubSpot companies (current state); property_<name> columns, custom ones "
        "are candidate attributes.",
        extras_are_attributes=True,
    ),
    Table(
        "hubspot",
        "deal",
        (
            _c("deal_id", required=True),
            _c("deal_pipeline_id"),
            _c("deal_pipeline_stage_id"),
            _c("property_dealname"),
            _c("property_amount", "decimal"),
            _c("property_deal_currency_code"),
            _c("property_closedate", "timestamp"),
            _c("property_createdate", "timestamp"),
            _c("property_hs_merged_object_ids"),
            _c("is_deleted", "boolean"),
            *_FIVETRAN,
        ),
        key="deal_id",
        description="Fivetran HubSpot deals; won/closed from their pipeline stage's flags.",
    ),
    Table(
        "hubspot",
        "deal_company",
        (_c("deal_id", required=True), _c("company_id", required=True), _c("type_id"), *_FIVETRAN),
        description="Association of deals to companies.",
    ),
    Table(
        "hubspot",
        "deal_contact",
        (_c("deal_id", required=True), _c("contact_id", required=True), _c("type_id"), *_FIVETRAN),
        description="Association of deals to contacts: a contact without a company takes its deal's.",
    ),
    Table(
        "hubspot",
        "deal_pipeline",
        (
            _c("pipeline_id", required=True),
            _c("label"),
            _c("active", "boolean"),
            _c("display_order", "integer"),
            *_FIVETRAN,
        ),
        key="pipeline_id",
        description="Deal pipelines: deals of a deleted pipeline are left out, those of an inactive "
        "(archived) one kept; both counted.",
    ),
    Table(
        "hubspot",
        "deal_pipeline_stage",
        (
            _c("stage_id", required=True),
            _c("pipeline_id"),
            _c("label"),
            _c("closed_won", "boolean"),
            _c("is_closed", "boolean"),
            _c("probability", "decimal"),
            *_FIVETRAN,
        ),
        description="Deal pipeline stages: closed_won / is_closed say won and closed.",
    ),
    Table(
        "hubspot",
        "contact",
        (
            _c("id", required=True),
            _c("property_jobtitle"),
            _c("property_email", pii=True),
            _c("property_createdate", "timestamp"),
            _c("property_associatedcompanyid"),
            _c("is_deleted", "boolean"),
            *_FIVETRAN,
        ),
        key="id",
        description="Fivetran HubSpot contacts.",
    ),
    Table(
        "hubspot",
        "engagement",
        (
            _c("id", required=True),
            _c("type"),
            _c("timestamp", "timestamp"),
            _c("created_at", "timestamp"),
            *_FIVETRAN,
        ),
        key="id",
        description="Engagements (emails, calls, meetings, ...): activities.",
    ),
    Table(
        "hubspot",
        "engagement_company",
        (_c("engagement_id", required=True), _c("company_id", required=True), *_FIVETRAN),
        description="Association of engagements to companies.",
    ),
    *(
        Table(
            "hubspot",
            f"engagement_{kind}",
            (
                _c("engagement_id", required=True),
                _c("type"),
                _c("property_hs_timestamp", "timestamp"),
                _c("property_hs_createdate", "timestamp"),
                *_FIVETRAN,
            ),
            key="engagement_id",
            description=f"Engagement details of type {kind.upper()}: property_hs_timestamp = when it "
            "happened (else the engagement's timestamp).",
        )
        for kind in HUBSPOT_ENGAGEMENT_TYPES
    ),
    Table(
        "hubspot",
        "engagement_deal",
        (_c("engagement_id", required=True), _c("deal_id", required=True), *_FIVETRAN),
        description="Association of engagements to deals: the deal's company when the engagement has "
        "no company association.",
    ),
    Table(
        "hubspot",
        "engagement_contact",
        (_c("engagement_id", required=True), _c("contact_id", required=True), *_FIVETRAN),
        description="Association of engagements to contacts: the contact's company when the engagement "
        "has neither a company nor a deal association.",
    ),
    Table(
        "hubspot",
        "company_property_history",
        (
            _c("company_id", required=True),
            _c("name", required=True),
            _c("value"),
            _c("timestamp", "timestamp", required=True),
            _c("source"),
            *_FIVETRAN,
        ),
        description="Every value a company property has had, from `timestamp` on.",
    ),
    Table(
        "hubspot",
        "deal_property_history",
        (
            _c("deal_id", required=True),
            _c("name", required=True),
            _c("value"),
            _c("timestamp", "timestamp", required=True),
            _c("source"),
            *_FIVETRAN,
        ),
        description="Every value a deal property has had, from `timestamp` on: a won deal's won date "
        "(when `dealstage` entered its won stage) and its amount then.",
    ),
    Table(
        "hubspot",
        "deal_stage",
        (
            _c("deal_id", required=True),
            _c("value", required=True),
            _c("date_entered", "timestamp", required=True),
            _c("source"),
            _c("source_id"),
            _c("_fivetran_start", "timestamp"),
            _c("_fivetran_end", "timestamp"),
            _c("_fivetran_active", "boolean"),
            *_FIVETRAN,
        ),
        description="Every stage a deal has entered (`value` = the stage id, `date_entered`): a won "
        "deal's won date (when it entered its closed-won stage); before deal_property_history's "
        "`dealstage`.",
    ),
    Table(
        "hubspot",
        "owner_team",
        (
            _c("owner_id", required=True),
            _c("team_id", required=True),
            _c("is_team_primary", "boolean"),
            *_FIVETRAN,
        ),
        description="Teams of each HubSpot owner (user): the company owner's primary team is a candidate "
        "attribute (`owner_team`).",
    ),
    Table(
        "hubspot",
        "team",
        (_c("id", required=True), _c("name"), *_FIVETRAN),
        key="id",
        description="HubSpot teams (names).",
    ),
)

# Per dialect: its tables, the ones it cannot do without, and the contract tables it replaces.
DIALECTS: dict[str, dict] = {
    "fivetran_salesforce": {
        "kind": "crm",
        "tables": SALESFORCE,
        "required": ("salesforce/account",),
        "replaces": "crm",
    },
    # Airbyte's Salesforce objects in API names: the same tables, read through a column mapping
    # (connectors/airbyte.py); no History Mode.
    "airbyte_salesforce": {
        "kind": "crm",
        "tables": SALESFORCE,
        "required": ("salesforce/account",),
        "replaces": "crm",
    },
    "fivetran_hubspot": {
        "kind": "crm",
        "tables": HUBSPOT,
        "required": ("hubspot/company",),
        "replaces": "crm",
    },
    # Airbyte's HubSpot streams (connectors/airbyte_hubspot.py), reshaped by dbt into Fivetran's tables.
    "airbyte_hubspot": {
        "kind": "crm",
        "tables": AIRBYTE_HUBSPOT,
        "required": ("hubspot/companies",),
        "replaces": "crm",
    },
    "fivetran_stripe": {
        "kind": "billing",
        "tables": STRIPE,
        "required": ("stripe/customer", "stripe/invoice"),
        "replaces": "erp",
    },
}

CONNECTOR_TABLES: tuple[Table, ...] = SALESFORCE + HUBSPOT + AIRBYTE_HUBSPOT + STRIPE
