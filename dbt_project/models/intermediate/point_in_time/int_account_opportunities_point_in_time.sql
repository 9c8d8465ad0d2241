{#-
    Opportunities created on or before the account's as_of_date, with whether each was already
    lost before it. (For a customer the as_of_date is the first win, so later deals never count.)
-#}

with

opportunities as (

    select * from {{ ref('int_opportunities_classified') }}
    where account_key is not null

),

as_of_dates as (

    select * from {{ ref('int_account_as_of_dates') }}

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.account_key,
        opportunities.created_date,
        opportunities.lead_source,
        opportunities.is_lost and opportunities.close_date < as_of_dates.as_of_date as is_lost_before_as_of,
        as_of_dates.as_of_date

    from opportunities
    inner join as_of_dates
        on opportunities.account_key = as_of_dates.account_key
    where opportunities.created_date <= as_of_dates.as_of_date

)

select * from final
