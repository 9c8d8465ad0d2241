{#-
    Opportunities with their account_key, won/lost flags (vars won_stages / lost_stages) and
    amount in the reporting currency, converted at the close date (the created date while open).
    Opportunities of an unknown CRM account keep a null account_key.
-#}

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates') }}

),

crm_keys as (

    select * from {{ ref('int_crm_account_keys') }}

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        crm_keys.account_key,
        opportunities.stage,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.is_closed,
        opportunities.amount,
        opportunities.currency,
        opportunities.amount * fx_rates.rate_to_reporting as amount_reporting,
        fx_rates.rate_to_reporting is null as is_unknown_currency,
        opportunities.created_date,
        opportunities.close_date,
        coalesce(opportunities.close_date, opportunities.created_date) as conversion_date,
        opportunities.lead_source,
        opportunities.product

    from opportunities
    left join crm_keys
        on opportunities.account_id = crm_keys.account_id
    left join fx_rates
        on opportunities.currency = fx_rates.currency
        and coalesce(opportunities.close_date, opportunities.created_date, cast('9999-12-30' as date)) >= fx_rates.valid_from
        and coalesce(opportunities.close_date, opportunities.created_date, cast('9999-12-30' as date)) < fx_rates.valid_to

)

select * from final
