{#-
    Company property history in Fivetran's `company_property_history` shape: Fivetran's table as it
    is, and Airbyte's hubspot/companies_property_history (companyId, `property` (else `name`),
    value, `timestamp` in epoch milliseconds; isDeleted rows as deleted).
-#}

select *, 'hubspot/company_property_history' as _landed_table
from {{ source('hubspot', 'company_property_history') }}

union all by name

select
    cast(companyid as varchar) as company_id,
    coalesce(nullif(trim(property), ''), name) as name,
    value,
    {{ epoch_ms_or_timestamp('"timestamp"') }} as "timestamp",
    source,
    coalesce(isdeleted, false) as _fivetran_deleted,
    _source_file,
    'hubspot/companies_property_history' as _landed_table

from {{ source('airbyte_hubspot', 'companies_property_history') }}
