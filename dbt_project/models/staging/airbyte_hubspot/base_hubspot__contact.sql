{#-
    HubSpot contacts in Fivetran's `contact` shape: Fivetran's table as it is, and Airbyte's
    hubspot/contacts (properties_<name> as property_<name>, `archived` as is_deleted; the company
    is properties_associatedcompanyid, else the smallest id of the `companies` association array).
-#}

{%- set airbyte = source('airbyte_hubspot', 'contacts') -%}

{%- set fivetran_part -%}
select *, 'hubspot/contact' as _landed_table
from {{ source('hubspot', 'contact') }}
{%- endset -%}

{%- set airbyte_part -%}
select
    cast(id as {{ text_type() }}) as id,
    {{ airbyte_hubspot_properties(airbyte, ['properties_associatedcompanyid']) }},
    coalesce(
        nullif(trim(cast(properties_associatedcompanyid as {{ text_type() }})), ''),
        {{ array_min_item(json_id_list('companies')) }}
    ) as property_associatedcompanyid,
    coalesce(archived, false) as is_deleted,
    false as _fivetran_deleted,
    _source_file,
    'hubspot/contacts' as _landed_table

from {{ airbyte }}
{%- endset -%}

{{ union_all_by_name([fivetran_part, airbyte_part]) }}
