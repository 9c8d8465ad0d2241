{#-
    Deal pipelines in Fivetran's `deal_pipeline` shape: Fivetran's table (pipeline_id, label, active,
    _fivetran_deleted), and Airbyte's hubspot/deal_pipelines (pipelineId, label, active). Read by
    stg_fivetran_hubspot__deals: deals of a deleted pipeline are left out, those of an inactive
    (archived) one kept; both counted.
-#}

select
    trim(cast(pipeline_id as {{ text_type() }})) as pipeline_id,
    cast(label as {{ text_type() }}) as label,
    coalesce(active, true) as is_active,
    coalesce(_fivetran_deleted, false) as is_deleted,
    'hubspot/deal_pipeline' as _landed_table

from {{ source('hubspot', 'deal_pipeline') }}

union all

select
    trim(cast(pipelineid as {{ text_type() }})) as pipeline_id,
    cast(label as {{ text_type() }}) as label,
    coalesce(active, true) as is_active,
    false as is_deleted,
    'hubspot/deal_pipelines' as _landed_table

from {{ source('airbyte_hubspot', 'deal_pipelines') }}
