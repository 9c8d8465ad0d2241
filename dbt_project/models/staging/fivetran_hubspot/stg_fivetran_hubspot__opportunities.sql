{#-
    HubSpot deals in the contract's crm/opportunities shape (read by stg_crm__opportunities). Won
    and closed come from the stage's flags (stg_fivetran_hubspot__deals), never from stage labels:
    `Closed Won` / `Closed Lost` for closed deals, else the label (`Open: <label>` when the label
    reads as won or lost). An open deal's close date is only expected: null.
-#}

{%- set deal = ref('base_hubspot__deal') -%}
{%- set product = column_or_null(deal, ['property_product', 'property_product_name']) -%}
{%- set lead_source = column_or_null(deal, ['property_lead_source', 'property_hs_analytics_source']) -%}

with

deals as (

    select * from {{ ref('stg_fivetran_hubspot__deals') }}

),

properties as (

    select trim(deal_id) as deal_id, {{ product }} as product, {{ lead_source }} as lead_source
    from {{ deal }}

),

final as (

    select
        deals.deal_id as opportunity_id,
        deals.company_id as account_id,
        case
            when deals.is_won then 'Closed Won'
            when deals.is_closed then 'Closed Lost'
            when {{ clean_enum('deals.stage_label') }} in {{ stage_list('won_stages') }}
                or {{ clean_enum('deals.stage_label') }} in {{ stage_list('lost_stages') }}
                then 'Open: ' || deals.stage_label
            else deals.stage_label
        end as stage,
        deals.amount,
        deals.currency,
        cast(deals.created_at as date) as created_at,
        case when deals.is_closed then cast(deals.close_date as date) end as close_date,
        cast(properties.product as {{ text_type() }}) as product,
        cast(properties.lead_source as {{ text_type() }}) as lead_source

    from deals
    left join properties on deals.deal_id = properties.deal_id

)

select * from final
