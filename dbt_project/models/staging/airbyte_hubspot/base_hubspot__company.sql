{#-
    HubSpot companies in Fivetran's `company` shape, whichever connector landed them: Fivetran's
    hubspot/company as it is, and Airbyte's hubspot/companies with properties_<name> renamed
    property_<name> and `archived` as is_deleted. `_landed_table` names the landed table (for
    the counts of int_connector_dropped_records). Read by the fivetran_hubspot staging models.
-#}

{%- set airbyte = source('airbyte_hubspot', 'companies') -%}

{%- set fivetran_part -%}
select *, 'hubspot/company' as _landed_table
from {{ source('hubspot', 'company') }}
{%- endset -%}

{%- set airbyte_part -%}
select
    cast(id as {{ text_type() }}) as id,
    {{ airbyte_hubspot_properties(airbyte) }},
    coalesce(archived, false) as is_deleted,
    false as _fivetran_deleted,
    _source_file,
    'hubspot/companies' as _landed_table

from {{ airbyte }}
{%- endset -%}

{{ union_all_by_name([fivetran_part, airbyte_part]) }}
