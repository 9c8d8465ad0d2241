{{ config(meta={'dagster': {'ref': {'name': 'account_features'}}}) }}
-- ERP customers are never dropped: each one's account_key is a row of account_features.

select
    customers.erp_customer_id,
    keys.account_key

from {{ ref('stg_erp__customers') }} as customers
left join {{ ref('int_erp_customer_keys') }} as keys
    on customers.erp_customer_id = keys.erp_customer_id
left join {{ ref('account_features') }} as features
    on keys.account_key = features.account_key
where features.account_key is null
