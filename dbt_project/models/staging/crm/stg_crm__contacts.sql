with

source as (

    {# a connector dialect's tables in this shape (docs/connectors/); empty unless landed #}
    {{ union_all_by_name([source('crm', 'contacts'), ref('stg_fivetran_salesforce__contacts'), ref('stg_fivetran_hubspot__contacts')]) }}

),

renamed as (

    select
        ---------- ids
        trim(contact_id) as contact_id,
        {{ crm_account_id('account_id') }} as account_id,

        ---------- text
        nullif(trim(title), '') as title,
        {{ clean_enum('department') }} as department,
        {{ clean_enum('seniority') }} as seniority,

        ---------- personal data stays here: only whether an email exists goes on
        coalesce(has_email, nullif(trim(email), '') is not null) as has_email,

        ---------- timestamps
        created_at

    from source

)

select * from renamed
