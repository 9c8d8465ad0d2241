"""Airbyte's HubSpot streams as landing `Table`s (schema `hubspot`, tables named after the streams).

Source of the names: Airbyte's `source-hubspot` stream schemas (`companies`, `contacts`, `deals`,
`deal_pipelines`, `engagements`, `companies_property_history`) and Airbyte's own Airbyte-to-Fivetran
interop catalog. CRM objects carry each HubSpot property as a top-level `properties_<name>` column
(Airbyte also lands the whole `properties` object, which is not read) and their associations as JSON
arrays of ids (`companies`, `contacts`); `archived` marks a deleted record. The legacy `engagements`
stream and `companies_property_history` give times in epoch milliseconds; `deal_pipelines` holds
its stages as a JSON array (`stageId`, `label`, `metadata.isClosed`, `metadata.probability`).

The dbt models under `dbt_project/models/staging/airbyte_hubspot/` reshape these tables into
Fivetran's HubSpot tables (`base_hubspot__<table>`), so both dialects share the
fivetran_hubspot staging models. Column names are declared lower-case (the loader matches names
case-insensitively: `createdAt` is read as `createdat`). Only the columns the models read are
declared; other columns are kept as text extras, custom company properties among them.
"""

from __future__ import annotations

from icp_pipeline.lib.landing.contract import Table
from icp_pipeline.lib.landing.contract import column as _c

# HubSpot's engagement types with a table each (Fivetran `engagement_<type>`, Airbyte `engagements_<type>s`).
HUBSPOT_ENGAGEMENT_TYPES = ("call", "email", "meeting", "note", "task")

AIRBYTE_HUBSPOT: tuple[Table, ...] = (
    Table(
        "hubspot",
        "companies",
        (
            _c("id", required=True),
            _c("archived", "boolean"),
            _c("createdat", "timestamp"),
            _c("properties_name"),
            _c("properties_domain"),
            _c("properties_website"),
            _c("properties_industry"),
            _c("properties_country"),
            _c("properties_numberofemployees", "decimal"),
            _c("properties_annualrevenue", "decimal"),
            _c("properties_createdate", "timestamp"),
            _c("properties_hs_parent_company_id"),
            _c("properties_hs_merged_object_ids"),
            _c("properties_hubspot_owner_id"),
        ),
        key="id",
        description="Airbyte HubSpot companies (current state); custom properties_<name> columns are "
        "candidate attributes.",
        extras_are_attributes=True,
    ),
    Table(
        "hubspot",
        "deals",
        (
            _c("id", required=True),
            _c("archived", "boolean"),
            _c("properties_dealname"),
            _c("properties_pipeline"),
            _c("properties_dealstage"),
            _c("properties_amount", "decimal"),
            _c("properties_deal_currency_code"),
            _c("properties_closedate", "timestamp"),
            _c("properties_createdate", "timestamp"),
            _c("properties_hs_merged_object_ids"),
            _c("companies"),
            _c("contacts"),
        ),
        key="id",
        description="Airbyte HubSpot deals; companies = JSON array of the associated company ids.",
    ),
    Table(
        "hubspot",
        "deal_pipelines",
        (
            _c("pipelineid", required=True),
            _c("label"),
            _c("active", "boolean"),
            _c("stages"),
        ),
        key="pipelineid",
        description="Airbyte HubSpot deal pipelines; stages = JSON array with metadata.isClosed and "
        "metadata.probability.",
    ),
    Table(
        "hubspot",
        "contacts",
        (
            _c("id", required=True),
            _c("archived", "boolean"),
            _c("properties_jobtitle"),
            _c("properties_email", pii=True),
            _c("properties_createdate", "timestamp"),
            _c("properties_associatedcompanyid"),
            _c("companies"),
        ),
        key="id",
        description="Airbyte HubSpot contacts (leads: contacts in an early lifecycle stage).",
    ),
    Table(
        "hubspot",
        "engagements",
        (
            _c("id", required=True),
            _c("type"),
            _c("timestamp"),
            _c("createdat"),
            _c("active", "boolean"),
            _c("associations"),
            _c("associations_companyids"),
            _c("associations_dealids"),
            _c("associations_contactids"),
        ),
        key="id",
        description="Airbyte HubSpot engagements (legacy stream): type, time in epoch milliseconds, "
        "associations.companyIds / dealIds / contactIds (or older versions' flattened "
        "associations_companyIds / _dealIds / _contactIds arrays).",
    ),
    *(
        Table(
            "hubspot",
            f"engagements_{kind}s",
            (
                _c("id", required=True),
                _c("archived", "boolean"),
                _c("createdat"),
                _c("properties_hs_timestamp"),
                _c("properties_hs_createdate"),
                _c("companies"),
                _c("deals"),
                _c("contacts"),
            ),
            key="id",
            description=f"Airbyte HubSpot {kind} engagements: properties_hs_timestamp = when it happened; "
            "companies / deals / contacts = JSON arrays of the associated ids.",
        )
        for kind in HUBSPOT_ENGAGEMENT_TYPES
    ),
    *(
        Table(
            "hubspot",
            f"{stream}_archived",
            (_c("id", required=True), _c("archived", "boolean")),
            key="id",
            description=f"Airbyte HubSpot archived {stream} (deleted in HubSpot): never read as live "
            "records; counted, and a record also in the live stream is left out.",
        )
        for stream in ("companies", "deals", "contacts")
    ),
    Table(
        "hubspot",
        "owners",
        (_c("id", required=True), _c("email", pii=True), _c("archived", "boolean"), _c("teams")),
        key="id",
        description="Airbyte HubSpot owners (users); teams = JSON array of {id, name, primary}: the "
        "company owner's primary team is a candidate attribute (`owner_team`).",
    ),
    Table(
        "hubspot",
        "companies_property_history",
        (
            _c("companyid", required=True),
            _c("property"),
            _c("name"),
            _c("value"),
            _c("timestamp", required=True),
            _c("source"),
            _c("isdeleted", "boolean"),
        ),
        description="Every value a company property has had, from `timestamp` (epoch milliseconds) on.",
    ),
    Table(
        "hubspot",
        "deals_property_history",
        (
            _c("dealid", required=True),
            _c("property", required=True),
            _c("value"),
            _c("timestamp", required=True),
            _c("sourcetype"),
        ),
        description="Every value a deal property has had, from `timestamp` (epoch milliseconds or ISO "
        "8601) on: a won deal's won date and its amount then.",
    ),
)
