{{ config(materialized='table') }}

{#-
    account_key of every ERP customer: the key of its matched CRM account, else its own
    normalised domain, else the domain of the firmographics row with the same unique company
    name, else 'erp:<erp_customer_id>'. No ERP customer is dropped.
-#}

with

erp_matches as (

    select * from {{ ref('int_erp_customers_matched') }}

),

crm_keys as (

    select * from {{ ref('int_crm_account_keys') }}

),

enrichment_name_matches as (

    select * from {{ ref('int_firmographics_name_matches') }}
    where source_system = 'erp'

),

keyed as (

    select
        erp_matches.erp_customer_id,
        coalesce(
            crm_keys.account_key,
            erp_matches.domain,
            enrichment_name_matches.domain,
            'erp:' || erp_matches.erp_customer_id
        ) as account_key,
        erp_matches.matched_crm_account_id,
        erp_matches.match_method

    from erp_matches
    left join crm_keys
        on erp_matches.matched_crm_account_id = crm_keys.account_id
    left join enrichment_name_matches
        on erp_matches.erp_customer_id = enrichment_name_matches.record_id

),

final as (

    select
        *,
        row_number() over (partition by account_key order by erp_customer_id) = 1 as is_key_primary

    from keyed

)

select * from final
