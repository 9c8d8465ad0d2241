{#-
    Stripe customers in the contract's erp/customers shape (read by stg_erp__customers).
    website: metadata `website` / `domain`, else the domain of the billing email (a shared mail
    domain such as gmail.com is then dropped by the identity rules, never keying an account);
    crm_account_id: metadata `salesforce_account_id` / `sfdc_account_id` / `crm_account_id`.
    Deleted customers (is_deleted, _fivetran_deleted) are dropped (counted).
-#}

with

customers as (

    select * from {{ source('stripe', 'customer') }}
    where not {{ is_soft_deleted() }}

),

final as (

    select
        trim(id) as erp_customer_id,
        coalesce(nullif(trim(name), ''), nullif(trim(description), '')) as customer_name,
        coalesce(
            {{ json_text_value('metadata', ['website', 'domain']) }},
            nullif(split_part(trim(email), '@', 2), '')
        ) as website,
        {{ json_text_value('metadata', ['salesforce_account_id', 'sfdc_account_id', 'crm_account_id']) }}
            as crm_account_id,
        address_country as country

    from customers

)

select * from final
