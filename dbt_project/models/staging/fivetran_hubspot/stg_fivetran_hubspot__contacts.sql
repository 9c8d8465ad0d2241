{#-
    HubSpot contacts in the contract's crm/contacts shape: company = property_associatedcompanyid
    (a merged-away company re-pointed to the survivor), title = property_jobtitle, department and
    seniority from property_department / property_hs_role and property_seniority /
    property_hs_seniority when present. Soft-deleted contacts are left out (counted); contacts in
    an early lifecycle stage are leads (stg_fivetran_hubspot__leads). A contact without a company
    takes that of its deal (deal_contact, or the `contacts` arrays of Airbyte's deals; counted as
    company_from_deal); contacts in Airbyte's contacts_archived stream are left out.
-#}

{%- set contact = ref('base_hubspot__contact') -%}
{%- set department = column_or_null(contact, ['property_department', 'property_hs_role']) -%}
{%- set seniority = column_or_null(contact, ['property_seniority', 'property_hs_seniority']) -%}
{%- set stage = column_or_null(contact, ['property_lifecyclestage']) -%}

with

contacts as (

    select * from {{ contact }}
    where not {{ is_soft_deleted() }}
        and trim(id) not in (select id from {{ ref('base_hubspot__archived') }} where object_type = 'contact')
        and not {{ hubspot_is_lead(stage) }}  {# leads: stg_fivetran_hubspot__leads #}

),

merges as (

    select * from {{ ref('stg_fivetran_hubspot__company_merges') }}

),

via_deal as (  {# a contact without a company: the company of its deal (smallest company id) #}

    select deal_contact.contact_id, min(deals.company_id) as company_id
    from {{ ref('base_hubspot__deal_contact') }} as deal_contact
    inner join {{ ref('stg_fivetran_hubspot__deals') }} as deals on deal_contact.deal_id = deals.deal_id
    where not deal_contact._fivetran_deleted and deals.company_id is not null
    group by 1

),

final as (

    select
        trim(contacts.id) as contact_id,
        coalesce(
            merges.survivor_id, nullif(trim(contacts.property_associatedcompanyid), ''), via_deal.company_id
        ) as account_id,
        contacts.property_jobtitle as title,
        cast({{ department }} as {{ text_type() }}) as department,
        cast({{ seniority }} as {{ text_type() }}) as seniority,
        nullif(trim(contacts.property_email), '') is not null as has_email,  -- personal data stays in raw
        contacts.property_createdate as created_at

    from contacts
    left join merges on trim(contacts.property_associatedcompanyid) = merges.merged_id
    left join via_deal on trim(contacts.id) = via_deal.contact_id

)

select * from final
