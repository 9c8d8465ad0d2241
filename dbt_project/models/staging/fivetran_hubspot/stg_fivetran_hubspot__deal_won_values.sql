{#-
    What each live HubSpot deal looked like when it entered its current stage, from the deal property
    history (Fivetran's deal_property_history or Airbyte's deals_property_history): the moment its
    `dealstage` last changed to the current stage (the start of its last uninterrupted run there)
    and the `amount` then (the last value set on or before that day). For a won deal that moment is
    its won date: reps edit `closedate` and `amount` after the win (a later upsell typed into the
    deal), the history keeps both. One row per deal whose history shows it entering its current
    stage. Read by stg_fivetran_hubspot__deals (won deals only) and counted in
    int_connector_dropped_records (won_date_from_history, won_amount_from_history).
-#}

with

deals as (

    select trim(deal_id) as deal_id, trim(deal_pipeline_stage_id) as stage_id
    from {{ ref('base_hubspot__deal') }}
    where not {{ is_soft_deleted() }}

),

history as (

    select
        trim(deal_id) as deal_id,
        lower(trim(name)) as property,
        trim(value) as value,
        {{ adapter.quote('timestamp') }} as set_at

    from {{ ref('base_hubspot__deal_property_history') }}
    where not coalesce(_fivetran_deleted, false) and {{ adapter.quote('timestamp') }} is not null

),

left_stage as (  {# the last time the deal moved to another stage #}

    select history.deal_id, max(history.set_at) as last_other_at
    from history
    inner join deals on history.deal_id = deals.deal_id
    where history.property = 'dealstage' and history.value <> deals.stage_id
    group by 1

),

entered as (

    select deals.deal_id, min(history.set_at) as entered_stage_at
    from deals
    inner join history
        on deals.deal_id = history.deal_id and history.property = 'dealstage' and history.value = deals.stage_id
    left join left_stage on deals.deal_id = left_stage.deal_id
    where left_stage.last_other_at is null or history.set_at > left_stage.last_other_at
    group by 1

),

amounts as (

    select
        entered.deal_id,
        try_cast(history.value as double) as amount,
        row_number() over (partition by entered.deal_id order by history.set_at desc) as amount_rank

    from entered
    inner join history
        on entered.deal_id = history.deal_id
        and history.property = 'amount'
        and cast(history.set_at as date) <= cast(entered.entered_stage_at as date)

),

final as (

    select
        entered.deal_id,
        entered.entered_stage_at,
        amounts.amount as amount_then

    from entered
    left join amounts on entered.deal_id = amounts.deal_id and amounts.amount_rank = 1

)

select * from final
