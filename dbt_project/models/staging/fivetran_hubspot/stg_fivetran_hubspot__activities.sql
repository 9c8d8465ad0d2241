{#-
    HubSpot engagements in the contract's crm/activities shape: company from engagement_company
    (the smallest company id when several; merged-away companies re-pointed to the survivor),
    activity_type = lower(type), occurred_at = timestamp, else created_at.
-#}

with

merges as (

    select * from {{ ref('stg_fivetran_hubspot__company_merges') }}

),

links as (

    select
        trim(links.engagement_id) as engagement_id,
        min(coalesce(merges.survivor_id, trim(links.company_id))) as company_id

    from {{ ref('base_hubspot__engagement_company') }} as links
    left join merges on trim(links.company_id) = merges.merged_id
    where not coalesce(links._fivetran_deleted, false)
    group by 1

),

final as (

    select
        trim(engagements.id) as activity_id,
        links.company_id as account_id,
        lower(trim(engagements.type)) as activity_type,
        coalesce(engagements.{{ adapter.quote('timestamp') }}, engagements.created_at) as occurred_at

    from {{ ref('base_hubspot__engagement') }} as engagements
    left join links on trim(engagements.id) = links.engagement_id
    where not coalesce(engagements._fivetran_deleted, false)

)

select * from final
