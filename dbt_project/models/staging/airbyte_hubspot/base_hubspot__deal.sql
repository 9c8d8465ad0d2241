{#-
    HubSpot deals in Fivetran's `deal` shape: Fivetran's hubspot/deal as it is, and Airbyte's
    hubspot/deals (id as deal_id, properties_pipeline / properties_dealstage as the pipeline and
    stage ids, properties_<name> as property_<name>, `archived` as is_deleted).
-#}

{%- set airbyte = source('airbyte_hubspot', 'deals') -%}

{%- set fivetran_part -%}
select *, 'hubspot/deal' as _landed_table
from {{ source('hubspot', 'deal') }}
{%- endset -%}

{%- set airbyte_part -%}
select
    cast(id as {{ text_type() }}) as deal_id,
    cast(properties_pipeline as {{ text_type() }}) as deal_pipeline_id,
    cast(properties_dealstage as {{ text_type() }}) as deal_pipeline_stage_id,
    {{ airbyte_hubspot_properties(airbyte, ['properties_pipeline', 'properties_dealstage']) }},
    coalesce(archived, false) as is_deleted,
    false as _fivetran_deleted,
    _source_file,
    'hubspot/deals' as _landed_table

from {{ airbyte }}
{%- endset -%}

{{ union_all_by_name([fivetran_part, airbyte_part]) }}
