{#- Extra columns of the landing file are candidate attributes: passed through as `x__<slug>`. -#}
{%- set contract_columns = [
    'domain', 'company_name', 'industry', 'sub_industry', 'employee_count', 'employee_growth_12m',
    'annual_revenue', 'hq_country', 'founded_year', 'ownership', 'funding_stage', 'office_count',
] -%}
{%- set extra_columns = get_extra_columns(source('enrichment', 'firmographics'), contract_columns) -%}

with

source as (

    select * from {{ source('enrichment', 'firmographics') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

renamed as (

    select
        ---------- ids
        {{ normalize_domain('domain') }} as domain,
        nullif(trim(domain), '') as domain_raw,

        ---------- text
        nullif(trim(company_name), '') as company_name,
        {{ normalize_company_name('company_name') }} as company_name_key,
        nullif(trim(industry), '') as industry_raw,
        {{ canonical_industry('industry') }} as industry,
        {{ clean_enum('sub_industry') }} as sub_industry,
        nullif(trim(hq_country), '') as hq_country_raw,
        {{ clean_enum('ownership') }} as ownership,
        {{ clean_enum('funding_stage') }} as funding_stage,

        ---------- numerics
        employee_count,
        employee_growth_12m,
        annual_revenue,
        founded_year,
        office_count,

        ---------- extra attributes
        {%- set used = [] %}
        {%- for column in extra_columns %}
        {%- set name = slug(column.name) %}
        {%- set name = name ~ '_' ~ loop.index if name in used else name %}
        {%- do used.append(name) %}
        {{ adapter.quote(column.name) }} as x__{{ name }},
        {%- endfor %}

        ---------- lineage
        _source_file as source_file

    from source

),

final as (

    select
        renamed.*,
        countries.country_code as hq_country

    from renamed
    left join countries
        on {{ country_lookup_key('renamed.hq_country_raw') }} = countries.alias

)

select * from final
