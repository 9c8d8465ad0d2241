{#-
    HubSpot deals with their company (deal_company; the primary association, type_id 5, else the
    smallest company id; merged-away companies re-pointed to the survivor) and their stage's flags
    (deal_pipeline_stage: closed_won; closed = is_closed, else closed_won or a probability of 0 or 1).
    Soft-deleted deals are left out (counted in int_connector_dropped_records). A won deal's close
    date and amount are those of the moment it entered its won stage when the deal property history
    shows it (stg_fivetran_hubspot__deal_won_values): reps edit both after the win.
    Pipelines (deal_pipeline / deal_pipelines): deals of a deleted pipeline are left out, those of an
    inactive (archived) one kept (a win in an old pipeline is still a win); deals in Airbyte's
    deals_archived stream are left out; all counted in int_connector_dropped_records.
-#}

{%- set stages = ref('base_hubspot__deal_pipeline_stage') -%}
{%- set is_closed = column_or_null(stages, ['is_closed']) -%}

with

deals as (

    select * from {{ ref('base_hubspot__deal') }}
    where not {{ is_soft_deleted() }}
        and trim(deal_id) not in (select id from {{ ref('base_hubspot__archived') }} where object_type = 'deal')

),

merges as (

    select * from {{ ref('stg_fivetran_hubspot__company_merges') }}

),

companies as (

    select
        trim(deal_company.deal_id) as deal_id,
        coalesce(merges.survivor_id, trim(deal_company.company_id)) as company_id,
        row_number() over (
            partition by trim(deal_company.deal_id)
            order by coalesce(trim(cast(deal_company.type_id as {{ text_type() }})) = '5', false) desc, trim(deal_company.company_id)
        ) as company_rank

    from {{ ref('base_hubspot__deal_company') }} as deal_company
    left join merges on trim(deal_company.company_id) = merges.merged_id
    where not coalesce(deal_company._fivetran_deleted, false)

),

stages as (

    select
        trim(stage_id) as stage_id,
        trim(cast(pipeline_id as {{ text_type() }})) as pipeline_id,
        label,
        coalesce(closed_won, false) as is_won,
        coalesce(
            cast({{ is_closed }} as boolean), closed_won or probability in (0, 1), false
        ) as is_closed

    from {{ stages }}
    where not coalesce(_fivetran_deleted, false)

),

pipelines as (

    select pipeline_id, min(label) as label, bool_and(is_active) as is_active, bool_or(is_deleted) as is_deleted
    from {{ ref('base_hubspot__deal_pipeline') }}
    group by 1

),

final as (

    select
        trim(deals.deal_id) as deal_id,
        companies.company_id,
        stages.label as stage_label,
        coalesce(stages.is_won, false) as is_won,
        coalesce(stages.is_closed, false) or coalesce(stages.is_won, false) as is_closed,
        case
            when coalesce(stages.is_won, false) and won_values.amount_then is not null
                then won_values.amount_then
            else deals.property_amount
        end as amount,
        deals.property_deal_currency_code as currency,
        deals.property_createdate as created_at,
        case
            when coalesce(stages.is_won, false) and won_values.entered_stage_at is not null
                then won_values.entered_stage_at
            else deals.property_closedate
        end as close_date,
        deals.property_closedate as close_date_landed,
        deals.property_amount as amount_landed,
        pipelines.label as pipeline_label,
        coalesce(pipelines.is_active, true) as pipeline_is_active,
        deals._landed_table

    from deals
    left join companies on trim(deals.deal_id) = companies.deal_id and companies.company_rank = 1
    left join stages on trim(deals.deal_pipeline_stage_id) = stages.stage_id
    left join {{ ref('stg_fivetran_hubspot__deal_won_values') }} as won_values
        on trim(deals.deal_id) = won_values.deal_id
    left join pipelines
        on coalesce(nullif(trim(cast(deals.deal_pipeline_id as {{ text_type() }})), ''), stages.pipeline_id)
            = pipelines.pipeline_id
    where not coalesce(pipelines.is_deleted, false)

)

select * from final
