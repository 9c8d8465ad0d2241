{{ config(materialized='table') }}

{#-
    Firmographic and business-situation values per account. Precedence: enrichment
    (firmographics of the account's domain) over CRM (the key's primary CRM account) over ERP
    (country only). A canonical industry of 'other' gives way to a specific one from the other
    source. Bands are derived after the precedence is applied.
-#}

with

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

erp_customers as (

    select * from {{ ref('stg_erp__customers') }}

),

firmographics as (

    select * from {{ ref('int_firmographics_deduplicated') }}

),

countries as (

    select distinct country_code, region from {{ ref('country_codes') }}

),

merged as (

    select
        accounts.account_key,
        coalesce(
            nullif(firmographics.industry, 'other'),
            nullif(crm_accounts.industry, 'other'),
            firmographics.industry,
            crm_accounts.industry
        ) as industry,
        firmographics.sub_industry,
        coalesce(firmographics.employee_count, crm_accounts.employee_count) as employee_count,
        coalesce(firmographics.annual_revenue, crm_accounts.annual_revenue) as annual_revenue,
        coalesce(firmographics.hq_country, crm_accounts.country, erp_customers.country) as country,
        firmographics.founded_year,
        firmographics.employee_growth_12m,
        firmographics.ownership,
        firmographics.funding_stage,
        firmographics.office_count

    from accounts
    left join crm_accounts
        on accounts.crm_account_id = crm_accounts.account_id
    left join erp_customers
        on accounts.erp_customer_id = erp_customers.erp_customer_id
    left join firmographics
        on accounts.account_key = firmographics.domain

),

final as (

    select
        merged.*,
        countries.region,
        {{ employee_band('merged.employee_count') }} as employee_band,
        {{ revenue_band('merged.annual_revenue') }} as revenue_band

    from merged
    left join countries
        on merged.country = countries.country_code

)

select * from final
