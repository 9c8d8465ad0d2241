{{ config(meta={'dagster': {'ref': {'name': 'account_features'}}}) }}
-- CRM accounts are never dropped: each one's account_key is a row of account_features.

select
    accounts.account_id,
    keys.account_key

from {{ ref('stg_crm__accounts') }} as accounts
left join {{ ref('int_crm_account_keys') }} as keys
    on accounts.account_id = keys.account_id
left join {{ ref('account_features') }} as features
    on keys.account_key = features.account_key
where features.account_key is null
