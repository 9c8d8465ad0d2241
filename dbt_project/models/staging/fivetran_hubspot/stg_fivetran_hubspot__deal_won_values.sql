{#-
    What each live HubSpot deal looked like when it entered its current stage: the moment it last
    entered that stage (the start of its last uninterrupted run there; for a won deal, its last
    uninterrupted run in closed-won stages, so a move between two closed-won stages after the win,
    e.g. into another pipeline's won stage, does not move the won date) and the `amount` then (the
    last value set on or before that day, from the deal property history). For a won deal that
    moment is its won date: reps edit `closedate` and `amount` after the win (a later upsell typed
    into the deal), the history keeps both.
    Stage entries come from Fivetran's `deal_stage` (value = stage id, date_entered) for every deal
    it has rows for, else from the `dealstage` rows of the deal property history (Fivetran's
    deal_property_history or Airbyte's deals_property_history): deal_stage wins when both are
    landed. Deleted history rows (_fivetran_deleted) are not read (counted in
    int_connector_dropped_records). One row per deal whose history shows it entering its current
    stage (stage_source = the table it came from). Read by stg_fivetran_hubspot__deals (won deals
    only) and counted in int_connector_dropped_records (won_date_from_history,
    won_amount_from_history).
-#}

with

stage_classes as (  {# every closed-won stage is one class: moves between them keep the run #}

    select distinct
        trim(stage_id) as stage_id,
        case when coalesce(closed_won, false) then '(closed won)' else trim(stage_id) end as stage_class

    from {{ ref('base_hubspot__deal_pipeline_stage') }}
    where not coalesce(_fivetran_deleted, false)

),

deals as (

    select
        trim(deals.deal_id) as deal_id,
        trim(deals.deal_pipeline_stage_id) as stage_id,
        coalesce(max(stage_classes.stage_class), trim(deals.deal_pipeline_stage_id)) as stage_class

    from {{ ref('base_hubspot__deal') }} as deals
    left join stage_classes on trim(deals.deal_pipeline_stage_id) = stage_classes.stage_id
    where not {{ is_soft_deleted() }}
    group by 1, 2

),

history as (

    select
        trim(deal_id) as deal_id,
        lower(trim(name)) as property,
        trim(value) as value,
        {{ adapter.quote('timestamp') }} as set_at,
        _landed_table

    from {{ ref('base_hubspot__deal_property_history') }}
    where not coalesce(_fivetran_deleted, false) and {{ adapter.quote('timestamp') }} is not null

),

deal_stage as (

    select
        trim(cast(deal_id as {{ text_type() }})) as deal_id,
        trim(cast(value as {{ text_type() }})) as value,
        cast(date_entered as {{ dbt.type_timestamp() }}) as set_at,
        'hubspot/deal_stage' as _landed_table

    from {{ source('hubspot', 'deal_stage') }}
    where not coalesce(_fivetran_deleted, false) and date_entered is not null and deal_id is not null

),

stage_entries as (  {# deal_stage for the deals it has rows for, else the history's dealstage #}

    select deal_id, value, set_at, _landed_table from deal_stage

    union all

    select deal_id, value, set_at, _landed_table
    from history
    where property = 'dealstage' and deal_id not in (select deal_id from deal_stage)

),

classed as (

    select
        stage_entries.deal_id,
        stage_entries.set_at,
        stage_entries._landed_table,
        coalesce(stage_classes.stage_class, stage_entries.value) as stage_class

    from stage_entries
    left join stage_classes on stage_entries.value = stage_classes.stage_id

),

left_stage as (  {# the last time the deal moved to a stage of another class #}

    select classed.deal_id, max(classed.set_at) as last_other_at
    from classed
    inner join deals on classed.deal_id = deals.deal_id
    where classed.stage_class <> deals.stage_class
    group by 1

),

entered as (

    select
        deals.deal_id,
        min(classed.set_at) as entered_stage_at,
        min(classed._landed_table) as stage_source

    from deals
    inner join classed on deals.deal_id = classed.deal_id and classed.stage_class = deals.stage_class
    left join left_stage on deals.deal_id = left_stage.deal_id
    where left_stage.last_other_at is null or classed.set_at > left_stage.last_other_at
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
        entered.stage_source,
        amounts.amount as amount_then

    from entered
    left join amounts on entered.deal_id = amounts.deal_id and amounts.amount_rank = 1

)

select * from final
