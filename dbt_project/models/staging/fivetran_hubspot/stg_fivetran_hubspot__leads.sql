{#-
    HubSpot has no lead object: a lead is a contact in an early lifecycle stage (subscriber, lead,
    marketingqualifiedlead, salesqualifiedlead). Those contacts, in the contract's crm/leads shape:
    company_name = property_company, website = property_website, status = property_hs_lead_status
    (else the lifecycle stage), converted_account_id = property_associatedcompanyid. They are not
    contacts (stg_fivetran_hubspot__contacts leaves them out).
-#}

{%- set contact = ref('base_hubspot__contact') -%}
{%- set stage = column_or_null(contact, ['property_lifecyclestage']) -%}
{%- set company = column_or_null(contact, ['property_company']) -%}
{%- set website = column_or_null(contact, ['property_website']) -%}
{%- set status = column_or_null(contact, ['property_hs_lead_status']) -%}

with

merges as (

    select * from {{ ref('stg_fivetran_hubspot__company_merges') }}

),

leads as (

    select * from {{ contact }}
    where not {{ is_soft_deleted() }}
        and trim(id) not in (select id from {{ ref('base_hubspot__archived') }} where object_type = 'contact')
        and {{ hubspot_is_lead(stage) }}

),

final as (

    select
        trim(leads.id) as lead_id,
        cast({{ company }} as {{ text_type() }}) as company_name,
        cast({{ website }} as {{ text_type() }}) as website,
        leads.property_createdate as created_at,
        coalesce(cast({{ status }} as {{ text_type() }}), cast({{ stage }} as {{ text_type() }})) as status,
        coalesce(merges.survivor_id, trim(leads.property_associatedcompanyid)) as converted_account_id

    from leads
    left join merges on trim(leads.property_associatedcompanyid) = merges.merged_id

)

select * from final
