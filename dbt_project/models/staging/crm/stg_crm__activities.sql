with

source as (

    {# a connector dialect's tables in this shape (docs/connectors/); empty unless landed #}
    {{ union_all_by_name([source('crm', 'activities'), ref('stg_fivetran_salesforce__activities'), ref('stg_fivetran_hubspot__activities')]) }}

),

renamed as (

    select
        ---------- ids
        trim(activity_id) as activity_id,
        {{ crm_account_id('account_id') }} as account_id,

        ---------- text
        {{ clean_enum('activity_type') }} as activity_type,

        ---------- timestamps
        occurred_at

    from source

)

select * from renamed
