with

source as (

    select * from {{ source('marketing', 'campaign_members') }}

),

renamed as (

    select
        ---------- ids
        trim(campaign_id) as campaign_id,
        {{ crm_account_id('account_id') }} as account_id,

        ---------- flags
        responded as has_responded,
        {{ clean_enum(adapter.quote('group')) }} as campaign_group,

        ---------- timestamps
        sent_at

    from source

)

select * from renamed
