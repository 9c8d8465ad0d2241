{{ config(materialized='table') }}

{#-
    Subsidiary roll-up: group_account_key = the account_key of the top ancestor reached by
    following CRM parent_account_id. Self-references and unknown parents end the walk; a cycle
    (A -> B -> A) ends it too and the whole cycle is grouped under its smallest account_key.
    The walk stops after 50 levels.
-#}

with recursive

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

crm_accounts as (

    select * from {{ ref('int_crm_accounts_ranked') }}

),

crm_keys as (

    select * from {{ ref('int_crm_account_keys') }}

),

parent_links as (

    select distinct
        child_keys.account_key,
        parent_keys.account_key as parent_account_key

    from crm_keys as child_keys
    inner join crm_accounts
        on child_keys.account_id = crm_accounts.account_id
    inner join crm_keys as parent_keys
        on crm_accounts.parent_account_id = parent_keys.account_id
    where child_keys.is_key_primary
        and parent_keys.account_key != child_keys.account_key

),

walk as (

    select
        account_key,
        account_key as current_key,
        {{ array_of('account_key') }} as path,
        false as is_cycle,
        0 as depth

    from accounts

    union all

    select
        walk.account_key,
        parent_links.parent_account_key as current_key,
        {{ array_append_item('walk.path', 'parent_links.parent_account_key') }} as path,
        {{ array_has('walk.path', 'parent_links.parent_account_key') }} as is_cycle,
        walk.depth + 1 as depth

    from walk
    inner join parent_links
        on walk.current_key = parent_links.account_key
    where not walk.is_cycle
        and walk.depth < 50

),

walk_end as (

    {{ first_per_group(
        'walk',
        partition_by='account_key',
        order_by="depth desc"
    ) }}

),

final as (

    select
        walk_end.account_key,
        parent_links.parent_account_key,
        case
            when walk_end.is_cycle
                then {{ array_min_from('walk_end.path', 'walk_end.current_key') }}
            else walk_end.current_key
        end as group_account_key,
        walk_end.is_cycle as has_parent_cycle,
        case when walk_end.is_cycle then walk_end.depth - 1 else walk_end.depth end as hierarchy_depth

    from walk_end
    left join parent_links
        on walk_end.account_key = parent_links.account_key

)

select * from final
