{#-
    account_key of every ERP customer: the key of its matched CRM account, else its own
    normalised domain, else 'erp:<erp_customer_id>'. No ERP customer is dropped.
-#}

with

erp_matches as (

    select * from {{ ref('int_erp_customers_matched') }}

),

crm_keys as (

    select * from {{ ref('int_crm_account_keys') }}

),

final as (

    select
        erp_matches.erp_customer_id,
        coalesce(
            crm_keys.account_key,
            erp_matches.domain,
            'erp:' || erp_matches.erp_customer_id
        ) as account_key,
        erp_matches.matched_crm_account_id,
        erp_matches.match_method,
        row_number() over (
            partition by coalesce(crm_keys.account_key, erp_matches.domain, 'erp:' || erp_matches.erp_customer_id)
            order by erp_matches.erp_customer_id
        ) = 1 as is_key_primary

    from erp_matches
    left join crm_keys
        on erp_matches.matched_crm_account_id = crm_keys.account_id

)

select * from final
