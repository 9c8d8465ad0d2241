{#-
    Identity decisions worth a look: CRM accounts merged into another one with the same domain,
    ERP crm_account_id values that were stale (overruled by the domain or pointing nowhere),
    parent_account_id values that are unknown, point at the account itself or form a cycle.
-#}

with

crm_accounts as (

    select * from {{ ref('int_crm_accounts_ranked') }}

),

crm_keys as (

    select * from {{ ref('int_crm_account_keys') }}

),

erp_matches as (

    select * from {{ ref('int_erp_customers_matched') }}

),

erp_keys as (

    select * from {{ ref('int_erp_customer_keys') }}

),

groups as (

    select * from {{ ref('int_account_groups') }}

),

conflicts as (

    select
        'duplicate_crm_domain' as conflict_type,
        crm_keys.account_key,
        'crm/accounts' as source_table,
        crm_accounts.account_id as record_id,
        'shares domain ' || crm_accounts.domain || ' with ' || crm_accounts.primary_account_id
            || ' (the primary); merged into it' as detail
    from crm_accounts
    inner join crm_keys
        on crm_accounts.account_id = crm_keys.account_id
    where not crm_accounts.is_primary

    union all

    select
        'stale_crm_account_id',
        erp_keys.account_key,
        'erp/customers',
        erp_matches.erp_customer_id,
        'crm_account_id ' || erp_matches.crm_account_id_in_erp || ' overruled: '
            || coalesce('matched ' || erp_matches.matched_crm_account_id || ' by ' || erp_matches.match_method, 'no CRM match')
    from erp_matches
    inner join erp_keys
        on erp_matches.erp_customer_id = erp_keys.erp_customer_id
    where erp_matches.has_stale_crm_account_id

    union all

    select
        case
            when crm_accounts.parent_account_id = crm_accounts.account_id then 'self_parent'
            else 'unknown_parent'
        end,
        crm_keys.account_key,
        'crm/accounts',
        crm_accounts.account_id,
        'parent_account_id ' || crm_accounts.parent_account_id || ' ignored'
    from crm_accounts
    inner join crm_keys
        on crm_accounts.account_id = crm_keys.account_id
    left join crm_accounts as parents
        on crm_accounts.parent_account_id = parents.account_id
    where crm_accounts.parent_account_id is not null
        and (parents.account_id is null or crm_accounts.parent_account_id = crm_accounts.account_id)

    union all

    select
        'parent_cycle',
        account_key,
        'crm/accounts',
        account_key,
        'parent chain loops; grouped under ' || group_account_key
    from groups
    where has_parent_cycle

),

final as (

    select
        cast(conflict_type as {{ text_type() }}) as conflict_type,
        cast(account_key as {{ text_type() }}) as account_key,
        cast(source_table as {{ text_type() }}) as source_table,
        cast(record_id as {{ text_type() }}) as record_id,
        cast(detail as {{ text_type() }}) as detail

    from conflicts

)

select * from final
