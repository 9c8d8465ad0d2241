{#-
    One row per closed (won or lost) opportunity of a known account: training data for the win
    model. Amounts are in the reporting currency (null when the currency has no rate).
-#}

with

opportunities as (

    select * from {{ ref('int_opportunities_classified') }}

),

final as (

    select
        opportunity_id,
        account_key,
        is_won,
        amount_reporting,
        close_date,
        created_date

    from opportunities
    where is_closed
        and account_key is not null

)

select * from final
