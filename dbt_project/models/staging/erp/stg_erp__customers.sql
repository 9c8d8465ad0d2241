with

source as (

    {# a connector dialect's tables in this shape (docs/connectors/); empty unless landed #}
    {{ union_all_by_name([source('erp', 'customers'), ref('stg_fivetran_stripe__customers')]) }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

renamed as (

    select
        ---------- ids
        trim(erp_customer_id) as erp_customer_id,
        {{ crm_account_id('crm_account_id') }} as crm_account_id,

        ---------- text
        trim(customer_name) as customer_name,
        {{ normalize_company_name('customer_name') }} as company_name_key,
        {{ mask_email_in_website('website') }} as website,
        {{ normalize_domain('website') }} as website_domain,
        nullif(trim(country), '') as country_raw

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
