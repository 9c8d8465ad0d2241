{#-
    How well each source joins the resolved accounts: one row per source pair with the rows of
    the first source, how many found a match in the second, and the rate. Unmatched rows are
    listed in marts.unmatched_records.
-#}

with

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

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

erp_customers as (

    select * from {{ ref('stg_erp__customers') }}

),

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

firmographics as (

    select * from {{ ref('stg_enrichment__firmographics') }}

),

pairs as (

    select
        'erp/customers -> crm/accounts' as source_pair,
        count(*) as row_count,
        count(matched_crm_account_id) as matched_count
    from erp_matches

    union all

    select
        'crm/accounts -> erp/customers',
        count(*),
        count(case when has_erp_record then 1 end)
    from accounts
    where has_crm_record

    union all

    select
        'crm/accounts -> enrichment/firmographics',
        count(*),
        count(case when has_enrichment_record then 1 end)
    from accounts
    where has_crm_record

    union all

    select
        'enrichment/firmographics -> crm/accounts',
        count(*),
        count(case when accounts.has_crm_record then 1 end)
    from firmographics
    left join accounts
        on firmographics.domain = accounts.account_key

    union all

    select
        'enrichment/firmographics -> resolved accounts',
        count(*),
        count(accounts.account_key)
    from firmographics
    left join accounts
        on firmographics.domain = accounts.account_key

    {%- for table in ['opportunities', 'contacts', 'activities'] %}

    union all

    select
        'crm/{{ table }} -> crm/accounts',
        count(*),
        count(crm_keys.account_id)
    from {{ ref('stg_crm__' ~ table) }} as records
    left join crm_keys
        on records.account_id = crm_keys.account_id
    {%- endfor %}

    union all

    select
        'marketing/campaign_members -> crm/accounts',
        count(*),
        count(crm_keys.account_id)
    from {{ ref('stg_marketing__campaign_members') }} as records
    left join crm_keys
        on records.account_id = crm_keys.account_id

    {%- for table in ['invoices', 'contracts'] %}

    union all

    select
        'erp/{{ table }} -> erp/customers',
        count(*),
        count(erp_customers.erp_customer_id)
    from {{ ref('stg_erp__' ~ table) }} as records
    left join erp_customers
        on records.erp_customer_id = erp_customers.erp_customer_id
    {%- endfor %}

    {%- for table in ['technographics', 'events'] %}

    union all

    select
        'enrichment/{{ table }} -> resolved accounts',
        count(*),
        count(accounts.account_key)
    from {{ ref('stg_enrichment__' ~ table) }} as records
    left join accounts
        on records.domain = accounts.account_key
    {%- endfor %}

),

final as (

    select
        cast(source_pair as varchar) as source_pair,
        cast(split_part(source_pair, ' -> ', 1) as varchar) as source_table,
        cast(split_part(source_pair, ' -> ', 2) as varchar) as target_table,
        cast(row_count as bigint) as row_count,
        cast(matched_count as bigint) as matched_count,
        cast(row_count - matched_count as bigint) as unmatched_count,
        cast(case when row_count > 0 then matched_count * 1.0 / row_count end as double) as match_rate

    from pairs

)

select * from final
