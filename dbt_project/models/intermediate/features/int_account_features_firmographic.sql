{#-
    Firmographic attributes (firmo__) per resolved account: enrichment preferred over CRM, then
    ERP for the country (int_account_firmographics). Bands and region are derived attributes; the
    YAML declares what each derives from (meta.derived_from), which marts.attribute_catalog exposes.
-#}

with

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

firmographics as (

    select * from {{ ref('int_account_firmographics') }}

),

final as (

    select
        accounts.account_key,
        firmographics.industry as firmo__industry,
        firmographics.sub_industry as firmo__sub_industry,
        cast(firmographics.employee_count as double) as firmo__employee_count,
        firmographics.employee_band as firmo__employee_band,
        cast(firmographics.annual_revenue as double) as firmo__annual_revenue,
        firmographics.revenue_band as firmo__revenue_band,
        firmographics.country as firmo__country,
        firmographics.region as firmo__region

    from accounts
    left join firmographics
        on accounts.account_key = firmographics.account_key

)

select * from final
