{#- Extra columns of the landing file are candidate attributes: passed through as `x__<slug>`. -#}
{%- set contract_columns = [
    'account_id', 'account_name', 'website', 'industry', 'country', 'employee_count',
    'annual_revenue', 'parent_account_id', 'created_at',
] -%}
{%- set extra_columns = get_extra_columns(source('crm', 'accounts'), contract_columns) -%}

with

source as (

    select * from {{ source('crm', 'accounts') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

renamed as (

    select
        ---------- ids
        trim(account_id) as account_id,
        nullif(trim(parent_account_id), '') as parent_account_id,

        ---------- text
        trim(account_name) as account_name,
        {{ normalize_company_name('account_name') }} as company_name_key,
        nullif(trim(website), '') as website,
        {{ normalize_domain('website') }} as domain,
        nullif(trim(industry), '') as industry_raw,
        {{ canonical_industry('industry') }} as industry,
        nullif(trim(country), '') as country_raw,

        ---------- numerics
        employee_count,
        annual_revenue,

        ---------- timestamps
        created_at,

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
        countries.country_code as country

    from renamed
    left join countries
        on {{ country_lookup_key('renamed.country_raw') }} = countries.alias

)

select * from final
