{#-
    Contracts in the reporting currency (annual value converted at the start date), with their
    state on the refresh's as-of date:
      is_active: status active, or no status and no end date / an end date after the as-of date;
      is_ended: status ended or churned, or no status and an end date on or before the as-of date.
    effective_end_date caps the end at the as-of date (open-ended contracts run until it).
-#}

with

contracts as (

    select * from {{ ref('stg_erp__contracts') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates') }}

),

customer_keys as (

    select * from {{ ref('int_erp_customer_keys') }}

),

refresh as (

    select * from {{ ref('int_refresh_as_of_date') }}

),

final as (

    select
        contracts.contract_id,
        contracts.erp_customer_id,
        customer_keys.account_key,
        contracts.start_date,
        contracts.end_date,
        contracts.status,
        contracts.currency,
        contracts.annual_value,
        contracts.annual_value * fx_rates.rate_to_reporting as annual_value_reporting,
        fx_rates.rate_to_reporting is null as is_unknown_currency,
        coalesce(
            contracts.status = 'active',
            contracts.end_date is null or contracts.end_date > refresh.as_of_date
        ) as is_active,
        coalesce(
            contracts.status in ('ended', 'churned'),
            contracts.end_date <= refresh.as_of_date
        ) as is_ended,
        contracts.status = 'churned' as is_churned,
        least(coalesce(contracts.end_date, refresh.as_of_date), refresh.as_of_date) as effective_end_date

    from contracts
    cross join refresh
    left join fx_rates
        on contracts.currency = fx_rates.currency
        and contracts.start_date >= fx_rates.valid_from
        and contracts.start_date < fx_rates.valid_to
    left join customer_keys
        on contracts.erp_customer_id = customer_keys.erp_customer_id

)

select * from final
