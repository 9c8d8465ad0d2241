with

source as (

    select * from {{ source('erp', 'customers') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

renamed as (

    select
        ---------- ids
        trim(erp_customer_id) as erp_customer_id,
        nullif(trim(crm_account_id), '') as crm_account_id,

        ---------- text
        trim(customer_name) as customer_name,
        {{ normalize_company_name('customer_name') }} as company_name_key,
        nullif(trim(website), '') as website,
        {{ normalize_domain('website') }} as domain,
        nullif(trim(country), '') as country_raw

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
