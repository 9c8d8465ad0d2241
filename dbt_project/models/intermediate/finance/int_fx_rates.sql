{#-
    Exchange rates as validity ranges: a rate applies from valid_from (null = from the beginning
    of time) until the next valid_from of the same currency. So a date uses the latest rate whose
    valid_from is on or before it, and an undated rate only before the first dated one.
    The reporting currency always has rate 1 (landed rows for it are ignored). Non-positive
    rates are ignored; duplicate (currency, valid_from) keep the smallest rate.
-#}

with

rates as (

    select * from {{ ref('stg_erp__fx_rates') }}

),

landed_rates as (

    select
        currency,
        coalesce(valid_from, cast('0001-01-01' as date)) as valid_from,
        rate_to_reporting

    from rates
    where currency is not null
        and rate_to_reporting > 0
        and currency != {{ reporting_currency() }}

),

landed as (

    {{ first_per_group('landed_rates', partition_by='currency, valid_from', order_by='rate_to_reporting') }}

),

reporting as (

    select
        {{ reporting_currency() }} as currency,
        cast('0001-01-01' as date) as valid_from,
        cast(1.0 as double) as rate_to_reporting

),

unioned as (

    select * from landed
    union all
    select * from reporting

),

final as (

    select
        currency,
        rate_to_reporting,
        valid_from,
        coalesce(
            lead(valid_from) over (partition by currency order by valid_from),
            cast('9999-12-31' as date)
        ) as valid_to

    from unioned

)

select * from final
