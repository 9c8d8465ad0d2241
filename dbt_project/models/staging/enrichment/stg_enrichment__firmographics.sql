{#- Extra columns of the landing file (those its source YAML does not declare) are candidate
    attributes: passed through as `x__<slug>` (macro extra_attributes). -#}
{%- set declared = contract_columns('enrichment', 'firmographics') -%}
{%- set extra_columns = get_extra_columns(source('enrichment', 'firmographics'), declared) -%}

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
        {{- extra_attributes(extra_columns) }}

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
