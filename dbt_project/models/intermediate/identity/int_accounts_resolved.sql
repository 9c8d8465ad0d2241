{{ config(materialized='table') }}

{#-
    The account spine: one row per resolved account = CRM accounts (merged by domain)
    + ERP customers that match no CRM account + enrichment-only domains (prospects).
    Name precedence: CRM, then enrichment, then ERP.
-#}

with

crm_keys as (

    select * from {{ ref('int_crm_account_keys') }}
    where is_key_primary

),

erp_keys as (

    select * from {{ ref('int_erp_customer_keys') }}

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

all_keys as (

    select account_key from crm_keys
    union
    select account_key from erp_keys
    union
    select domain as account_key from firmographics

),

erp_per_key as (

    select
        account_key,
        min(erp_customer_id) as erp_customer_id,
        count(*) as erp_customer_count

    from erp_keys
    group by account_key

),

final as (

    select
        all_keys.account_key,
        crm_keys.account_id as crm_account_id,
        erp_per_key.erp_customer_id,
        case when all_keys.account_key not like '%:%' then all_keys.account_key end as domain,
        coalesce(
            crm_accounts.account_name,
            firmographics.company_name,
            erp_customers.customer_name
        ) as account_name,
        crm_keys.account_id is not null as has_crm_record,
        erp_per_key.erp_customer_id is not null as has_erp_record,
        firmographics.domain is not null as has_enrichment_record,
        coalesce(erp_per_key.erp_customer_count, 0) as erp_customer_count

    from all_keys
    left join crm_keys
        on all_keys.account_key = crm_keys.account_key
    left join crm_accounts
        on crm_keys.account_id = crm_accounts.account_id
    left join erp_per_key
        on all_keys.account_key = erp_per_key.account_key
    left join erp_customers
        on erp_per_key.erp_customer_id = erp_customers.erp_customer_id
    left join firmographics
        on all_keys.account_key = firmographics.domain

)

select * from final
