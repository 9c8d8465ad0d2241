{#-
    CRM contacts created on or before the account's as_of_date. Contacts without created_at
    cannot be shown to predate a win and are left out.
-#}
{%- set senior_text %}coalesce(contacts.seniority, '') || ' ' || coalesce(lower(contacts.title), ''){% endset -%}
{%- set senior_pattern %}'\b(c[ -]?level|c[ -]?suite|chief|ceo|cfo|cto|cio|coo|cmo|vp|vice president|svp|evp|head|director|executive|founder|owner|president|partner)\b'{% endset -%}

with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

crm_keys as (

    select * from {{ ref('int_crm_account_keys') }}

),

as_of_dates as (

    select * from {{ ref('int_account_as_of_dates') }}

),

final as (

    select
        contacts.contact_id,
        crm_keys.account_key,
        coalesce({{ slugify('contacts.seniority') }}, 'unknown') as seniority_slug,
        coalesce({{ slugify('contacts.department') }}, 'unknown') as department_slug,
        coalesce(
            {{ regex_matches(senior_text, senior_pattern) }},
            false
        ) as is_senior,
        cast(contacts.created_at as date) as created_date,
        as_of_dates.as_of_date

    from contacts
    inner join crm_keys
        on contacts.account_id = crm_keys.account_id
    inner join as_of_dates
        on crm_keys.account_key = as_of_dates.account_key
    where cast(contacts.created_at as date) <= as_of_dates.as_of_date

)

select * from final
