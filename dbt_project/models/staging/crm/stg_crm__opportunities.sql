with

source as (

    {# a connector dialect's tables in this shape (docs/connectors/); empty unless landed #}
    {{ union_all_by_name([source('crm', 'opportunities'), ref('stg_fivetran_salesforce__opportunities'), ref('stg_fivetran_hubspot__opportunities')]) }}

),

renamed as (

    select
        ---------- ids
        trim(opportunity_id) as opportunity_id,
        {{ crm_account_id('account_id') }} as account_id,

        ---------- stage (won / lost spellings come from vars won_stages / lost_stages)
        trim(stage) as stage,
        coalesce({{ clean_enum('stage') }} in {{ stage_list('won_stages') }}, false) as is_won,
        coalesce({{ clean_enum('stage') }} in {{ stage_list('lost_stages') }}, false) as is_lost,

        ---------- money
        amount,
        coalesce(upper(nullif(trim(currency), '')), {{ reporting_currency() }}) as currency,

        ---------- text
        nullif(trim(product), '') as product,
        {{ clean_enum('lead_source') }} as lead_source,

        ---------- dates
        cast(created_at as date) as created_date,
        cast(close_date as date) as close_date

    from source

),

final as (

    select
        *,
        is_won or is_lost as is_closed

    from renamed

)

select * from final
