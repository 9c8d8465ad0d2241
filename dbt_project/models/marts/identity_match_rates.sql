{#-
    How well each source joins what it points at: one row per source pair with the rows of the
    first source, how many carry no key at all (blank: not unmatched), how many matched, the rate
    among the rows with a key, and up to five unmatched key values. Unmatched rows are listed in
    marts.unmatched_records.

    relationship says what a low rate means:
      child_to_parent  every row with a key must find its parent (deals, contacts, activities,
                       campaign members, leads and ERP customers -> CRM accounts, parents ->
                       CRM accounts, invoices and contracts -> ERP customers). A rate below var
                       min_child_match_rate sets is_below_min_match_rate, and the blocking asset
                       check `identity_child_parent_match_rates` stops the run.
      domain_lookup    enrichment rows found by web domain (a vendor may cover more companies).
      identity_key     websites that give a usable web domain (invalid and shared domains do not).
      overlap          two sources that legitimately overlap in part.
-#}

{%- set min_rate = var('min_child_match_rate') | float -%}

with

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

erp_matches as (

    select * from {{ ref('int_erp_customers_matched') }}

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

{#- One row per source row that carries (or should carry) a key: key_value null = blank. -#}
links as (

    {%- set crm_children = [
        ('crm/opportunities', 'account_id', ref('stg_crm__opportunities'), 'account_id'),
        ('crm/contacts', 'account_id', ref('stg_crm__contacts'), 'account_id'),
        ('crm/activities', 'account_id', ref('stg_crm__activities'), 'account_id'),
        ('marketing/campaign_members', 'account_id', ref('stg_marketing__campaign_members'), 'account_id'),
        ('crm/accounts', 'parent_account_id', ref('stg_crm__accounts'), 'parent_account_id'),
        ('crm/leads', 'converted_account_id', ref('stg_crm__leads'), 'converted_account_id'),
        ('erp/customers', 'crm_account_id', ref('stg_erp__customers'), 'crm_account_id'),
    ] %}
    {%- for table, key_column, relation, column in crm_children %}

    select
        '{{ table }}{{ "" if key_column == "account_id" else "." ~ key_column }} -> crm/accounts' as source_pair,
        '{{ table }}' as source_table,
        'crm/accounts' as target_table,
        '{{ key_column }}' as key_column,
        'child_to_parent' as relationship,
        records.{{ column }} as key_value,
        parents.account_id is not null as is_matched
    from {{ relation }} as records
    left join crm_accounts as parents
        on records.{{ column }} = parents.account_id

    union all
    {%- endfor %}

    {%- for table in ['invoices', 'contracts'] %}

    select
        'erp/{{ table }} -> erp/customers',
        'erp/{{ table }}',
        'erp/customers',
        'erp_customer_id',
        'child_to_parent',
        records.erp_customer_id,
        erp_customers.erp_customer_id is not null
    from {{ ref('stg_erp__' ~ table) }} as records
    left join erp_customers
        on records.erp_customer_id = erp_customers.erp_customer_id

    union all
    {%- endfor %}

    {%- for table in ['technographics', 'events'] %}

    select
        'enrichment/{{ table }} -> resolved accounts',
        'enrichment/{{ table }}',
        'resolved accounts',
        'domain',
        'domain_lookup',
        coalesce(records.domain, records.domain_raw),
        accounts.account_key is not null
    from {{ ref('stg_enrichment__' ~ table) }} as records
    left join accounts
        on records.domain = accounts.account_key

    union all
    {%- endfor %}

    {%- for table, relation in [('crm/accounts', ref('stg_crm__accounts')), ('erp/customers', ref('stg_erp__customers'))] %}

    select
        '{{ table }}.website -> web domain',
        '{{ table }}',
        'web domain',
        'website',
        'identity_key',
        records.website,
        records.domain is not null
    from {{ relation }} as records

    union all
    {%- endfor %}

    select
        'erp/customers -> crm/accounts',
        'erp/customers',
        'crm/accounts',
        'erp_customer_id',
        'overlap',
        erp_customer_id,
        matched_crm_account_id is not null
    from erp_matches

    union all

    select
        'crm/accounts -> erp/customers',
        'crm/accounts',
        'erp/customers',
        'account_key',
        'overlap',
        account_key,
        has_erp_record
    from accounts
    where has_crm_record

    union all

    select
        'crm/accounts -> enrichment/firmographics',
        'crm/accounts',
        'enrichment/firmographics',
        'account_key',
        'overlap',
        account_key,
        has_enrichment_record
    from accounts
    where has_crm_record

    union all

    select
        'enrichment/firmographics -> crm/accounts',
        'enrichment/firmographics',
        'crm/accounts',
        'domain',
        'overlap',
        coalesce(firmographics.domain, firmographics.domain_raw),
        coalesce(accounts.has_crm_record, false)
    from firmographics
    left join accounts
        on firmographics.domain = accounts.account_key

    union all

    select
        'enrichment/firmographics -> resolved accounts',
        'enrichment/firmographics',
        'resolved accounts',
        'domain',
        'overlap',
        coalesce(firmographics.domain, firmographics.domain_raw),
        accounts.account_key is not null
    from firmographics
    left join accounts
        on firmographics.domain = accounts.account_key

),

pairs as (

    select
        source_pair,
        min(source_table) as source_table,
        min(target_table) as target_table,
        min(key_column) as key_column,
        min(relationship) as relationship,
        count(*) as row_count,
        count(*) - count(key_value) as blank_key_count,
        count(case when is_matched then 1 end) as matched_count

    from links
    group by source_pair

),

unmatched_values as (

    select
        source_pair,
        key_value,
        row_number() over (partition by source_pair order by key_value) as value_rank

    from links
    where key_value is not null
        and not is_matched
    group by source_pair, key_value

),

examples as (

    select
        source_pair,
        {#- the five smallest values in order (a plain, portable alternative to an ordered string_agg) -#}
        max(case when value_rank = 1 then key_value end)
        {%- for rank in range(2, 6) %}
            || coalesce(', ' || max(case when value_rank = {{ rank }} then key_value end), '')
        {%- endfor %} as unmatched_examples

    from unmatched_values
    where value_rank <= 5
    group by source_pair

),

final as (

    select
        cast(pairs.source_pair as {{ text_type() }}) as source_pair,
        cast(pairs.source_table as {{ text_type() }}) as source_table,
        cast(pairs.target_table as {{ text_type() }}) as target_table,
        cast(pairs.key_column as {{ text_type() }}) as key_column,
        cast(pairs.relationship as {{ text_type() }}) as relationship,
        cast(pairs.row_count as bigint) as row_count,
        cast(pairs.blank_key_count as bigint) as blank_key_count,
        cast(pairs.matched_count as bigint) as matched_count,
        cast(pairs.row_count - pairs.blank_key_count - pairs.matched_count as bigint) as unmatched_count,
        cast(
            case
                when pairs.row_count > pairs.blank_key_count
                    then pairs.matched_count * 1.0 / (pairs.row_count - pairs.blank_key_count)
            end as double
        ) as match_rate,
        cast(case when pairs.relationship = 'child_to_parent' then {{ min_rate }} end as double) as min_match_rate,
        coalesce(
            pairs.relationship = 'child_to_parent'
            and pairs.row_count > pairs.blank_key_count
            and pairs.matched_count * 1.0 / (pairs.row_count - pairs.blank_key_count) < {{ min_rate }},
            false
        ) as is_below_min_match_rate,
        cast(examples.unmatched_examples as {{ text_type() }}) as unmatched_examples

    from pairs
    left join examples
        on pairs.source_pair = examples.source_pair

)

select * from final
