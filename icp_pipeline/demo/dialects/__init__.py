"""The demo world as connectors land it (`icp demo-data --format <dialect>`).

Each writer takes the contract-form demo tables (`generator.build_tables`) and writes the same
records in a connector's schema, adding what a real connector lands on top (History Mode versions,
soft-deleted rows, merged records, draft invoices) so that reading them back must undo it.
"""

from __future__ import annotations

from icp_pipeline.demo.dialects.airbyte_salesforce import write_airbyte_salesforce
from icp_pipeline.demo.dialects.fivetran_hubspot import write_fivetran_hubspot
from icp_pipeline.demo.dialects.fivetran_salesforce import write_fivetran_salesforce
from icp_pipeline.demo.dialects.fivetran_stripe import write_fivetran_stripe

# --format values: the contract form, and each dialect with the contract tables it replaces.
WRITERS = {
    "fivetran_salesforce": (write_fivetran_salesforce, "crm"),
    "fivetran_hubspot": (write_fivetran_hubspot, "crm"),
    "airbyte_salesforce": (write_airbyte_salesforce, "crm"),
    "fivetran_stripe": (write_fivetran_stripe, "erp"),
}
