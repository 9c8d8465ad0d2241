{#-
    The date each live won Salesforce opportunity was won, from opportunity_history: the first day of
    its last uninterrupted run in its current stage (is_won says that stage is a won one, whatever
    its name). One row per won opportunity that the history shows entering its stage; reps edit
    close_date after the fact, the history keeps when the stage changed. Read by
    stg_fivetran_salesforce__opportunities (a won deal's close_date) and counted in
    int_connector_dropped_records (won_date_from_history) when it differs from close_date.
-#}

with

won as (

    select trim(id) as opportunity_id, stage_name, close_date
    from {{ source('salesforce', 'opportunity') }}
    where coalesce(is_won, false) and not {{ is_soft_deleted() }}

),

history as (

    select trim(opportunity_id) as opportunity_id, stage_name, cast(created_date as date) as changed_on
    from {{ source('salesforce', 'opportunity_history') }}
    where not {{ is_soft_deleted() }}

),

left_stage as (  {# the last day the deal was in another stage #}

    select history.opportunity_id, max(history.changed_on) as last_other_on
    from history
    inner join won on history.opportunity_id = won.opportunity_id
    where history.stage_name is distinct from won.stage_name
    group by 1

),

final as (

    select
        won.opportunity_id,
        min(history.changed_on) as won_date,
        max(won.close_date) as close_date

    from won
    inner join history
        on won.opportunity_id = history.opportunity_id and history.stage_name = won.stage_name
    left join left_stage on won.opportunity_id = left_stage.opportunity_id
    where left_stage.last_other_on is null or history.changed_on >= left_stage.last_other_on
    group by 1

)

select * from final
