with

source as (

    select * from {{ source('crm', 'leads') }}

),

renamed as (

    select
        ---------- ids
        trim(lead_id) as lead_id,
        nullif(trim(converted_account_id), '') as converted_account_id,

        ---------- text
        nullif(trim(company_name), '') as company_name,
        {{ normalize_company_name('company_name') }} as company_name_key,
        nullif(trim(website), '') as website,
        {{ normalize_domain('website') }} as domain,
        {{ clean_enum('status') }} as status,

        ---------- timestamps
        created_at

    from source

)

select * from renamed
