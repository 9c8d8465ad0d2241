{#-
    Stripe subscriptions in the contract's erp/contracts shape (read by stg_erp__contracts).
    annual_value: sum over the subscription's items of quantity x price unit_amount (in major
    units, see stripe_minor_units) x periods per year of the price's recurring interval
    (day 365, week 52, month 12, year 1, divided by recurring_interval_count).
    status: active, trialing, past_due, unpaid -> active; canceled -> ended when it stopped at its
    scheduled end (cancel_at), else churned; incomplete and incomplete_expired subscriptions never
    started and are dropped (counted). end_date: ended_at, else the scheduled cancel_at.
-#}

with

subscriptions as (

    select * from {{ source('stripe', 'subscription') }}
    where not coalesce(_fivetran_deleted, false)
        and coalesce(lower(trim(status)), '') not in ('incomplete', 'incomplete_expired')

),

item_values as (

    select
        trim(items.subscription_id) as subscription_id,
        max(upper(prices.currency)) as currency,
        sum(
            coalesce(items.quantity, 1) * prices.unit_amount / {{ stripe_minor_units('prices.currency') }}
            * case lower(prices.recurring_interval)
                when 'day' then 365
                when 'week' then 52
                when 'month' then 12
                when 'year' then 1
            end / coalesce(nullif(prices.recurring_interval_count, 0), 1)
        ) as annual_value

    from {{ source('stripe', 'subscription_item') }} as items
    inner join {{ source('stripe', 'price') }} as prices
        on trim(coalesce(items.price_id, items.plan_id)) = trim(prices.id)
    where not coalesce(items._fivetran_deleted, false)
    group by 1

),

final as (

    select
        trim(subscriptions.id) as contract_id,
        trim(subscriptions.customer_id) as erp_customer_id,
        cast(coalesce(subscriptions.start_date, subscriptions.created) as date) as start_date,
        cast(coalesce(subscriptions.ended_at, subscriptions.cancel_at) as date) as end_date,
        item_values.annual_value,
        item_values.currency,
        case
            when lower(trim(subscriptions.status)) in ('active', 'trialing', 'past_due', 'unpaid') then 'active'
            when lower(trim(subscriptions.status)) = 'canceled'
                and subscriptions.cancel_at is not null
                and cast(coalesce(subscriptions.ended_at, subscriptions.canceled_at) as date)
                    >= cast(subscriptions.cancel_at as date)
                then 'ended'
            when lower(trim(subscriptions.status)) = 'canceled' then 'churned'
            else lower(trim(subscriptions.status))
        end as status

    from subscriptions
    left join item_values on trim(subscriptions.id) = item_values.subscription_id

)

select * from final
