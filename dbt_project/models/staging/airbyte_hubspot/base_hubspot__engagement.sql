{#-
    HubSpot engagements in Fivetran's `engagement` shape: Fivetran's table as it is, and Airbyte's
    legacy hubspot/engagements stream (type; `timestamp` and `createdAt` in epoch milliseconds).
-#}

select *, 'hubspot/engagement' as _landed_table
from {{ source('hubspot', 'engagement') }}

union all by name

select
    cast(id as varchar) as id,
    type,
    {{ epoch_ms_or_timestamp('"timestamp"') }} as "timestamp",
    {{ epoch_ms_or_timestamp('createdat') }} as created_at,
    false as _fivetran_deleted,
    _source_file,
    'hubspot/engagements' as _landed_table

from {{ source('airbyte_hubspot', 'engagements') }}
