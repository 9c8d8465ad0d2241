{#-
    Company property history in Fivetran's `company_property_history` shape: Fivetran's table as it
    is, and Airbyte's hubspot/companies_property_history (companyId, `property` (else `name`),
    value, `timestamp` in epoch milliseconds; isDeleted rows as deleted).
-#}

{%- set fivetran_part -%}
select *, 'hubspot/company_property_history' as _landed_table
from {{ source('hubspot', 'company_property_history') }}
{%- endset -%}

{%- set airbyte_part -%}
select
    cast(companyid as {{ text_type() }}) as company_id,
    coalesce(nullif(trim(property), ''), name) as name,
    value,
    {{ epoch_ms_or_timestamp(adapter.quote('timestamp')) }} as {{ adapter.quote('timestamp') }},
    source,
    coalesce(isdeleted, false) as _fivetran_deleted,
    _source_file,
    'hubspot/companies_property_history' as _landed_table

from {{ source('airbyte_hubspot', 'companies_property_history') }}
{%- endset -%}

{{ union_all_by_name([fivetran_part, airbyte_part]) }}
