{#-
    Company events dated on or before the account's as_of_date, flagged when within var
    events_window_months before it.
-#}

with

events as (

    select * from {{ ref('stg_enrichment__events') }}
    where event_type_slug is not null

),

as_of_dates as (

    select * from {{ ref('int_account_as_of_dates') }}

),

final as (

    select
        as_of_dates.account_key,
        events.event_type_slug,
        events.event_date,
        as_of_dates.as_of_date,
        events.event_date
            > {{ dbt.dateadd('month', -1 * var('events_window_months') | int, 'as_of_dates.as_of_date') }}
            as is_in_window

    from events
    inner join as_of_dates
        on events.domain = as_of_dates.account_key
    where events.event_date <= as_of_dates.as_of_date

)

select * from final
