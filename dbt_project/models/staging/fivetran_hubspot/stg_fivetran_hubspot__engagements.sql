{#-
    One row per HubSpot engagement (Fivetran's engagement + engagement_<type> tables, or Airbyte's
    legacy engagements + engagements_<type>s streams, matched by id) with its company:
    - type: the per-type table's, else the engagement's; occurred_at: the per-type table's
      hs_timestamp (when it happened), else the engagement's timestamp, else the creation times;
    - deleted when any of its rows is (is_deleted / _fivetran_deleted / archived);
    - company: a company association (engagement_company, or the companies array; the smallest id,
      merged-away companies re-pointed to the survivor), else the company of an associated deal
      (engagement_deal / deals array: the deal's company as stg_fivetran_hubspot__deals has it), else
      that of an associated live contact (engagement_contact / contacts array); company_from says
      which, and link_table the association table that gave it.
    Read by stg_fivetran_hubspot__activities (live engagements) and counted in
    int_connector_dropped_records (deleted_at_source, company_from_deal, company_from_contact).
-#}

with

merges as (

    select * from {{ ref('stg_fivetran_hubspot__company_merges') }}

),

legacy as (

    select
        trim(id) as engagement_id,
        upper(trim(type)) as type,
        {{ adapter.quote('timestamp') }} as occurred_at,
        created_at,
        coalesce(_fivetran_deleted, false) as is_deleted,
        _landed_table

    from {{ ref('base_hubspot__engagement') }}

),

typed as (

    select * from {{ ref('base_hubspot__engagement_typed') }}

),

engagements as (

    select
        coalesce(typed.engagement_id, legacy.engagement_id) as engagement_id,
        coalesce(typed.type, legacy.type) as type,
        coalesce(typed.occurred_at, legacy.occurred_at, typed.created_at, legacy.created_at) as occurred_at,
        coalesce(typed.is_deleted, false) or coalesce(legacy.is_deleted, false) as is_deleted,
        case
            when coalesce(typed.is_deleted, false) then typed._landed_table
            when coalesce(legacy.is_deleted, false) then legacy._landed_table
            else coalesce(typed._landed_table, legacy._landed_table)
        end as _landed_table

    from typed
    full outer join legacy on typed.engagement_id = legacy.engagement_id

),

links as (

    select engagement_id, object_type, object_id, _landed_table
    from {{ ref('base_hubspot__engagement_link') }}
    where not is_deleted

    union all

    select trim(engagement_id), 'company', trim(company_id), _landed_table
    from {{ ref('base_hubspot__engagement_company') }}
    where not coalesce(_fivetran_deleted, false)

),

direct as (

    select
        links.engagement_id,
        min(coalesce(merges.survivor_id, links.object_id)) as company_id,
        min(links._landed_table) as link_table

    from links
    left join merges on links.object_id = merges.merged_id
    where links.object_type = 'company'
    group by 1

),

via_deal as (

    select links.engagement_id, min(deals.company_id) as company_id, min(links._landed_table) as link_table
    from links
    inner join {{ ref('stg_fivetran_hubspot__deals') }} as deals on links.object_id = deals.deal_id
    where links.object_type = 'deal' and deals.company_id is not null
    group by 1

),

via_contact as (

    select
        links.engagement_id,
        min(coalesce(merges.survivor_id, trim(contacts.property_associatedcompanyid))) as company_id,
        min(links._landed_table) as link_table

    from links
    inner join {{ ref('base_hubspot__contact') }} as contacts on links.object_id = trim(contacts.id)
    left join merges on trim(contacts.property_associatedcompanyid) = merges.merged_id
    where links.object_type = 'contact'
        and not {{ is_soft_deleted('contacts.is_deleted') }}
        and nullif(trim(contacts.property_associatedcompanyid), '') is not null
    group by 1

),

final as (

    select
        engagements.engagement_id,
        engagements.type,
        engagements.occurred_at,
        engagements.is_deleted,
        engagements._landed_table,
        coalesce(direct.company_id, via_deal.company_id, via_contact.company_id) as company_id,
        case
            when direct.company_id is not null then 'company'
            when via_deal.company_id is not null then 'deal'
            when via_contact.company_id is not null then 'contact'
        end as company_from,
        coalesce(direct.link_table, via_deal.link_table, via_contact.link_table) as link_table

    from engagements
    left join direct on engagements.engagement_id = direct.engagement_id
    left join via_deal on engagements.engagement_id = via_deal.engagement_id
    left join via_contact on engagements.engagement_id = via_contact.engagement_id

)

select * from final
