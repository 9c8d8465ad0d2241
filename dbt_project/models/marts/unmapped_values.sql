{#-
    Landed industry and country values the seeds do not recognise, with how many rows carry
    them: industries mapped to 'other' (add a pattern to seeds/industry_mapping.csv) and
    countries left null (add an alias to seeds/country_codes.csv).
-#}

with

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

firmographics as (

    select * from {{ ref('stg_enrichment__firmographics') }}

),

erp_customers as (

    select * from {{ ref('stg_erp__customers') }}

),

unmapped as (

    select 'industry' as field, 'crm/accounts' as source_table, industry_raw as raw_value, 'other' as mapped_to
    from crm_accounts
    where industry = 'other'

    union all

    select 'industry', 'enrichment/firmographics', industry_raw, 'other'
    from firmographics
    where industry = 'other'

    union all

    select 'country', 'crm/accounts', country_raw, null
    from crm_accounts
    where country_raw is not null and country is null

    union all

    select 'country', 'enrichment/firmographics', hq_country_raw, null
    from firmographics
    where hq_country_raw is not null and hq_country is null

    union all

    select 'country', 'erp/customers', country_raw, null
    from erp_customers
    where country_raw is not null and country is null

),

final as (

    select
        cast(field as {{ text_type() }}) as field,
        cast(source_table as {{ text_type() }}) as source_table,
        cast(raw_value as {{ text_type() }}) as raw_value,
        cast(mapped_to as {{ text_type() }}) as mapped_to,
        count(*) as row_count

    from unmapped
    group by field, source_table, raw_value, mapped_to

)

select * from final
