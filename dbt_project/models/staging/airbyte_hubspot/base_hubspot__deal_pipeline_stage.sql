{#-
    Deal pipeline stages in Fivetran's `deal_pipeline_stage` shape: Fivetran's table as it is, and
    one row per element of each Airbyte pipeline's `stages` JSON array: stage_id = stageId,
    is_closed = metadata.isClosed, probability = metadata.probability, closed_won = closed with a
    probability of 1 (HubSpot's definition of a closed-won stage).
-#}

{%- set fivetran_part -%}
select *, 'hubspot/deal_pipeline_stage' as _landed_table
from {{ source('hubspot', 'deal_pipeline_stage') }}
{%- endset -%}

{%- set airbyte_part -%}
with

airbyte as (

    select
        cast(pipelines.pipelineid as {{ text_type() }}) as pipeline_id,
        stage.value as stage,
        pipelines._source_file

    from {{ with_array_rows(source('airbyte_hubspot', 'deal_pipelines') ~ ' as pipelines', json_array_items('pipelines.stages'), 'stage', 'value') }}

),

reshaped as (

    select
        {{ json_text('stage', '$.stageId') }} as stage_id,
        pipeline_id,
        {{ json_text('stage', '$.label') }} as label,
        try_cast({{ json_text('stage', '$.metadata.isClosed') }} as boolean) as is_closed,
        try_cast({{ json_text('stage', '$.metadata.probability') }} as double) as probability,
        _source_file

    from airbyte

)

select
    stage_id,
    pipeline_id,
    label,
    coalesce(is_closed, false) and coalesce(probability >= 1, false) as closed_won,
    is_closed,
    probability,
    false as _fivetran_deleted,
    _source_file,
    'hubspot/deal_pipelines' as _landed_table

from reshaped
{%- endset -%}

{{ union_all_by_name([fivetran_part, airbyte_part]) }}
