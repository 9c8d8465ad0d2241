{#- Extra columns of the landing file (those its source YAML does not declare) are candidate
    attributes: passed through as `x__<slug>` (macro extra_attributes). -#}
{%- set declared = contract_columns('crm', 'accounts') -%}
{%- set extra_columns = get_extra_columns(source('crm', 'accounts'), declared) -%}
{%- set seen = extra_columns | map(attribute='name') | map('lower') | list -%}
{%- for connector in ['stg_fivetran_salesforce__accounts', 'stg_fivetran_hubspot__accounts'] -%}
{%- for column in get_extra_columns(ref(connector), declared) -%}
    {%- if column.name | lower not in seen %}{% do extra_columns.append(column) %}{% do seen.append(column.name | lower) %}{% endif -%}
{%- endfor -%}
{%- endfor -%}

with

source as (

    {# a connector dialect's tables in this shape (docs/connectors/); empty unless landed #}
    {{ union_all_by_name([source('crm', 'accounts'), ref('stg_fivetran_salesforce__accounts'), ref('stg_fivetran_hubspot__accounts')]) }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

renamed as (

    select
        ---------- ids
        {{ crm_account_id('account_id') }} as account_id,
        trim(account_id) as account_id_landed,
        {{ crm_account_id('parent_account_id') }} as parent_account_id,

        ---------- text
        trim(account_name) as account_name,
        {{ normalize_company_name('account_name') }} as company_name_key,
        {{ mask_email_in_website('website') }} as website,
        {{ normalize_domain('website') }} as website_domain,
        nullif(trim(industry), '') as industry_raw,
        {{ canonical_industry('industry') }} as industry,
        nullif(trim(country), '') as country_raw,

        ---------- numerics
        employee_count,
        annual_revenue,

        ---------- timestamps
        created_at,

        ---------- extra attributes
        {{- extra_attributes(extra_columns) }}

        ---------- lineage
        _source_file as source_file

    from source

),

flagged as (

    select
        *,
        {{ is_shared_domain('website_domain') }} as is_shared_domain

    from renamed

),

final as (

    select
        flagged.*,
        {#- a shared domain (gmail.com, linkedin.com, ...) never keys an account -#}
        case when not flagged.is_shared_domain then flagged.website_domain end as domain,
        countries.country_code as country

    from flagged
    left join countries
        on {{ country_lookup_key('flagged.country_raw') }} = countries.alias

)

select * from final
