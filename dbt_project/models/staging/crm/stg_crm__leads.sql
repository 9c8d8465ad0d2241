with

source as (

    {# a connector dialect's tables in this shape (docs/connectors/); empty unless landed #}
    {{ union_all_by_name([source('crm', 'leads'), ref('stg_fivetran_salesforce__leads'), ref('stg_fivetran_hubspot__leads')]) }}

),

renamed as (

    select
        ---------- ids
        trim(lead_id) as lead_id,
        {{ crm_account_id('converted_account_id') }} as converted_account_id,

        ---------- text
        nullif(trim(company_name), '') as company_name,
        {{ normalize_company_name('company_name') }} as company_name_key,
        {{ mask_email_in_website('website') }} as website,
        {{ normalize_domain('website') }} as website_domain,
        {{ clean_enum('status') }} as status,

        ---------- timestamps
        created_at

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
        *,
        {#- a shared domain (gmail.com, linkedin.com, ...) never identifies the lead's company -#}
        case when not is_shared_domain then website_domain end as domain

    from flagged

)

select * from final
