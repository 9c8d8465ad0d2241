{#-
    HubSpot engagements from the per-type tables, whichever connector landed them: Fivetran's
    hubspot/engagement_<type> (engagement_id, type, property_hs_timestamp, property_hs_createdate,
    _fivetran_deleted) and Airbyte's hubspot/engagements_<type>s streams (id, archived,
    properties_hs_timestamp, properties_hs_createdate else createdAt; the stream names the type).
    One row per engagement and table; occurred_at = hs_timestamp (when the call, email, meeting,
    note or task happened). Explicit columns (every raw table has its declared columns), so the
    union runs on every engine. Read by stg_fivetran_hubspot__engagements.
-#}

{%- set kinds = ['call', 'email', 'meeting', 'note', 'task'] -%}

{%- for kind in kinds %}
select
    trim(cast(engagement_id as {{ text_type() }})) as engagement_id,
    upper(coalesce(nullif(trim(cast(type as {{ text_type() }})), ''), '{{ kind | upper }}')) as type,
    cast(property_hs_timestamp as {{ dbt.type_timestamp() }}) as occurred_at,
    cast(property_hs_createdate as {{ dbt.type_timestamp() }}) as created_at,
    coalesce(_fivetran_deleted, false) as is_deleted,
    _source_file,
    'hubspot/engagement_{{ kind }}' as _landed_table

from {{ source('hubspot', 'engagement_' ~ kind) }}

union all

select
    trim(cast(id as {{ text_type() }})) as engagement_id,
    '{{ kind | upper }}' as type,
    {{ epoch_ms_or_timestamp('properties_hs_timestamp') }} as occurred_at,
    {{ epoch_ms_or_timestamp('coalesce(properties_hs_createdate, createdat)') }} as created_at,
    coalesce(archived, false) as is_deleted,
    _source_file,
    'hubspot/engagements_{{ kind }}s' as _landed_table

from {{ source('airbyte_hubspot', 'engagements_' ~ kind ~ 's') }}
{{ 'union all' if not loop.last }}
{%- endfor %}
