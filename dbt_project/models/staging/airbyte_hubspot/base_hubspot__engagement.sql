{#-
    HubSpot engagements in Fivetran's `engagement` shape: Fivetran's table as it is, and Airbyte's
    legacy hubspot/engagements stream (type; `timestamp` and `createdAt` in epoch milliseconds).
-#}

{%- set fivetran_part -%}
select *, 'hubspot/engagement' as _landed_table
from {{ source('hubspot', 'engagement') }}
{%- endset -%}

{%- set airbyte_part -%}
select
    cast(id as {{ text_type() }}) as id,
    type,
    {{ epoch_ms_or_timestamp(adapter.quote('timestamp')) }} as {{ adapter.quote('timestamp') }},
    {{ epoch_ms_or_timestamp('createdat') }} as created_at,
    false as _fivetran_deleted,
    _source_file,
    'hubspot/engagements' as _landed_table

from {{ source('airbyte_hubspot', 'engagements') }}
{%- endset -%}

{{ union_all_by_name([fivetran_part, airbyte_part]) }}
