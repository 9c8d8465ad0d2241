{#-
    HubSpot engagements in the contract's crm/activities shape: live engagements of
    stg_fivetran_hubspot__engagements (company from a company association, else from an associated
    deal or contact), activity_type = lower(type), occurred_at = when it happened.
-#}

with

final as (

    select
        engagement_id as activity_id,
        company_id as account_id,
        lower(trim(type)) as activity_type,
        occurred_at

    from {{ ref('stg_fivetran_hubspot__engagements') }}
    where not is_deleted

)

select * from final
