{#-
    Deal property history in Fivetran's `deal_property_history` shape: Fivetran's table, and Airbyte's
    hubspot/deals_property_history (dealId, `property`, value, `timestamp` in epoch milliseconds or
    ISO 8601). Only one of them is landed; `_landed_table` names it. Explicit columns (both tables
    always have their declared columns), so the union runs on every engine.
-#}

select
    cast(deal_id as {{ text_type() }}) as deal_id,
    cast(name as {{ text_type() }}) as name,
    cast(value as {{ text_type() }}) as value,
    cast({{ adapter.quote('timestamp') }} as {{ dbt.type_timestamp() }}) as {{ adapter.quote('timestamp') }},
    cast(source as {{ text_type() }}) as source,
    coalesce(_fivetran_deleted, false) as _fivetran_deleted,
    _source_file,
    'hubspot/deal_property_history' as _landed_table

from {{ source('hubspot', 'deal_property_history') }}

union all

select
    cast(dealid as {{ text_type() }}) as deal_id,
    cast(property as {{ text_type() }}) as name,
    cast(value as {{ text_type() }}) as value,
    {{ epoch_ms_or_timestamp(adapter.quote('timestamp')) }} as {{ adapter.quote('timestamp') }},
    cast(sourcetype as {{ text_type() }}) as source,
    false as _fivetran_deleted,
    _source_file,
    'hubspot/deals_property_history' as _landed_table

from {{ source('airbyte_hubspot', 'deals_property_history') }}
