{#-
    Rows of the connector tables (models/staging/fivetran_*) that staging drops, merges or re-points,
    per table and reason, in marts.dropped_values' columns (it unions them in). Zero counts are
    left out there.
-#}

{%- set sf_deletable = ['account', 'opportunity', 'contact', 'lead', 'task', 'event'] -%}
{%- set sf_mergeable = ['account', 'contact', 'lead'] -%}
{%- set sf_children = [('opportunity', 'account_id'), ('contact', 'account_id'), ('task', 'account_id'),
    ('event', 'account_id'), ('lead', 'converted_account_id')] -%}

with

merges as (

    select * from {{ ref('stg_fivetran_salesforce__account_merges') }}

),

hubspot_merges as (

    select * from {{ ref('stg_fivetran_hubspot__company_merges') }}

),

counted as (

    {%- for table in sf_deletable %}
    select
        'salesforce/{{ table }}' as source_table,
        'deleted_at_source' as reason,
        'dropped' as outcome,
        count(*) as row_count,
        'is_deleted or _fivetran_deleted: deleted in Salesforce; left out' as detail
    from {{ source('salesforce', table) }}
    where {{ is_soft_deleted() }}
        {%- if table in sf_mergeable %} and nullif(trim(master_record_id), '') is null{% endif %}
    union all
    {%- endfor %}

    {%- for table in sf_mergeable %}
    select
        'salesforce/{{ table }}',
        'merged_into_survivor',
        'merged',
        count(*),
        'master_record_id set: merged into another record in Salesforce; its records follow the survivor'
    from {{ source('salesforce', table) }}
    where nullif(trim(master_record_id), '') is not null
    union all
    {%- endfor %}

    {%- for table, key in sf_children %}
    select
        'salesforce/{{ table }}',
        'moved_to_merge_survivor',
        'repaired',
        count(*),
        '{{ key }} is a merged-away account; re-pointed to the surviving account'
    from {{ source('salesforce', table) }} as child
    inner join merges on trim(child.{{ key }}) = merges.merged_id
    where not {{ is_soft_deleted('child.is_deleted') }}
    union all
    {%- endfor %}

    select
        'salesforce/opportunity',
        'won_date_from_history',
        'repaired',
        count(*),
        'close_date of a won deal differs from the day opportunity_history shows it entering its won stage; the history''s date is used'
    from {{ ref('stg_fivetran_salesforce__opportunity_won_dates') }}
    where won_date is distinct from cast(close_date as date)

    union all

    {#- HubSpot: Fivetran's or Airbyte's tables (base_hubspot__*), counted per landed table #}
    select
        _landed_table,
        'won_date_from_history',
        'repaired',
        count(*),
        'closedate of a won deal differs from the day deal_stage (else the deal property history) shows it entering its closed-won stage; the history''s date is used'
    from {{ ref('stg_fivetran_hubspot__deals') }}
    where is_won and cast(close_date as date) is distinct from cast(close_date_landed as date)
    group by 1

    union all

    select
        _landed_table,
        'won_amount_from_history',
        'repaired',
        count(*),
        'amount of a won deal was edited after the win (deal property history); the amount at the win is used'
    from {{ ref('stg_fivetran_hubspot__deals') }}
    where is_won and (
        abs(cast(amount as double) - cast(amount_landed as double)) > 0.005
        or (amount is null) <> (amount_landed is null)
    )
    group by 1

    union all

    select
        _landed_table,
        'deleted_at_source',
        'dropped',
        count(*),
        '_fivetran_deleted: a deal history row deleted in HubSpot; not read'
    from (
        select _landed_table from {{ ref('base_hubspot__deal_property_history') }}
        where coalesce(_fivetran_deleted, false)
        union all
        select 'hubspot/deal_stage' from {{ source('hubspot', 'deal_stage') }}
        where coalesce(_fivetran_deleted, false)
    ) as deleted_history
    group by 1

    union all

    select
        source_table,
        'deleted_at_source',
        'dropped',
        count(*),
        '_fivetran_deleted: an owner''s team membership or a team deleted in HubSpot; not read'
    from (
        select 'hubspot/owner_team' as source_table from {{ source('hubspot', 'owner_team') }}
        where coalesce(_fivetran_deleted, false)
        union all
        select 'hubspot/team' from {{ source('hubspot', 'team') }}
        where coalesce(_fivetran_deleted, false)
    ) as deleted_teams
    group by 1

    union all

    select
        _landed_table,
        'deleted_at_source',
        'dropped',
        count(*),
        'is_deleted, archived or _fivetran_deleted: deleted in HubSpot; left out'
    from {{ ref('base_hubspot__company') }}
    where {{ is_soft_deleted() }}
        and trim(id) not in (select merged_id from hubspot_merges)
    group by 1

    union all

    select
        companies._landed_table,
        'merged_into_survivor',
        'merged',
        count(*),
        'listed in another company''s hs_merged_object_ids: merged into it; its records follow the survivor'
    from hubspot_merges
    inner join (
        select distinct trim(id) as id, _landed_table from {{ ref('base_hubspot__company') }}
        where nullif(trim(property_hs_merged_object_ids), '') is not null
    ) as companies on hubspot_merges.survivor_id = companies.id
    group by 1

    union all

    {%- for table, key in [('deal_company', 'company_id'), ('engagement_company', 'company_id'), ('contact', 'property_associatedcompanyid')] %}
    select
        child._landed_table,
        'moved_to_merge_survivor',
        'repaired',
        count(*),
        '{{ key }} is a merged-away company; re-pointed to the surviving company'
    from {{ ref('base_hubspot__' ~ table) }} as child
    inner join hubspot_merges on trim(child.{{ key }}) = hubspot_merges.merged_id
    group by 1
    union all
    {%- endfor %}

    select
        _landed_table,
        'deleted_at_source',
        'dropped',
        count(*),
        'is_deleted, archived or _fivetran_deleted: engagement deleted in HubSpot; left out'
    from {{ ref('stg_fivetran_hubspot__engagements') }}
    where is_deleted
    group by 1

    union all

    select
        link_table,
        'company_from_' || company_from,
        'repaired',
        count(*),
        'engagement without a company association: its company is that of the associated ' || company_from
    from {{ ref('stg_fivetran_hubspot__engagements') }}
    where not is_deleted and company_from in ('deal', 'contact')
    group by 1, 2, 5

    union all

    select
        links._landed_table,
        'moved_to_merge_survivor',
        'repaired',
        count(*),
        'company id is a merged-away company; re-pointed to the surviving company'
    from {{ ref('base_hubspot__engagement_link') }} as links
    inner join hubspot_merges on links.object_id = hubspot_merges.merged_id
    where links.object_type = 'company'
    group by 1

    union all

    select
        _landed_table,
        'deleted_at_source',
        'dropped',
        count(*),
        'in an Airbyte *_archived stream: archived (deleted) in HubSpot; never read as a live record'
    from {{ ref('base_hubspot__archived') }}
    group by 1

    union all

    {%- for table, key, object in [('company', 'id', 'company'), ('deal', 'deal_id', 'deal'), ('contact', 'id', 'contact')] %}
    select
        live._landed_table,
        'archived_since_landed',
        'dropped',
        count(*),
        'also in the {{ object }} *_archived stream: archived in HubSpot since it was landed; left out'
    from {{ ref('base_hubspot__' ~ table) }} as live
    inner join {{ ref('base_hubspot__archived') }} as archived
        on archived.object_type = '{{ object }}' and trim(live.{{ key }}) = archived.id
    where not {{ is_soft_deleted('live.is_deleted') }}
    group by 1
    union all
    {%- endfor %}

    select
        deals._landed_table,
        case when pipelines.is_deleted then 'pipeline_deleted' else 'pipeline_inactive' end,
        case when pipelines.is_deleted then 'dropped' else 'kept' end,
        count(*),
        case
            when pipelines.is_deleted then 'the deal''s pipeline is deleted in HubSpot; left out'
            else 'the deal''s pipeline is inactive (archived); kept: a win in an old pipeline is still a win'
        end
    from {{ ref('base_hubspot__deal') }} as deals
    inner join {{ ref('base_hubspot__deal_pipeline') }} as pipelines
        on trim(cast(deals.deal_pipeline_id as {{ text_type() }})) = pipelines.pipeline_id
    where not {{ is_soft_deleted('deals.is_deleted') }}
        and (pipelines.is_deleted or not pipelines.is_active)
        and trim(deals.deal_id) not in (select id from {{ ref('base_hubspot__archived') }} where object_type = 'deal')
    group by 1, 2, 3, 5

    union all

    select
        deal_contact._landed_table,
        'company_from_deal',
        'repaired',
        count(distinct deal_contact.contact_id),
        'contact without a company: its company is that of its deal'
    from {{ ref('base_hubspot__deal_contact') }} as deal_contact
    inner join {{ ref('stg_fivetran_hubspot__contacts') }} as contacts on deal_contact.contact_id = contacts.contact_id
    inner join {{ ref('base_hubspot__contact') }} as landed on trim(landed.id) = contacts.contact_id
    where nullif(trim(landed.property_associatedcompanyid), '') is null and contacts.account_id is not null
    group by 1

    union all

    {%- for table in ['deal', 'contact'] %}
    select
        _landed_table,
        'deleted_at_source',
        'dropped',
        count(*),
        'is_deleted, archived or _fivetran_deleted: deleted in HubSpot; left out'
    from {{ ref('base_hubspot__' ~ table) }}
    where {{ is_soft_deleted() }}
    group by 1
    union all
    {%- endfor %}

    select
        'stripe/customer',
        'deleted_at_source',
        'dropped',
        count(*),
        'is_deleted or _fivetran_deleted: deleted in Stripe; left out'
    from {{ source('stripe', 'customer') }}
    where {{ is_soft_deleted() }}

    union all

    select
        'stripe/invoice',
        'draft_invoice',
        'dropped',
        count(*),
        'draft invoice: not issued; left out'
    from {{ source('stripe', 'invoice') }}
    where lower(trim(status)) = 'draft' and not coalesce(_fivetran_deleted, false)

    {%- for table in ['invoice', 'credit_note', 'subscription', 'subscription_item'] %}
    union all
    select
        'stripe/{{ table }}',
        'deleted_at_source',
        'dropped',
        count(*),
        '_fivetran_deleted: deleted in Stripe; left out'
    from {{ source('stripe', table) }}
    where coalesce(_fivetran_deleted, false)
    {%- endfor %}

    union all

    select
        'stripe/subscription',
        'never_started',
        'dropped',
        count(*),
        'status incomplete or incomplete_expired: the first payment never succeeded; left out'
    from {{ source('stripe', 'subscription') }}
    where lower(trim(status)) in ('incomplete', 'incomplete_expired') and not coalesce(_fivetran_deleted, false)

),

final as (

    select
        source_table,
        reason,
        outcome,
        row_count,
        'stg_fivetran_*' as model,
        cast(null as {{ text_type() }}) as listed_in,
        detail

    from counted

)

select * from final
