{#-
    Salesforce contacts in the contract's crm/contacts shape. Soft-deleted and merged-away contacts
    (master_record_id) are dropped (counted); contacts of merged-away accounts move to the survivor.
    Seniority is no standard Salesforce field: a custom field seniority_c is used when present.
-#}

{%- set seniority = column_or_null(source('salesforce', 'contact'), ['seniority_c', 'seniority__c']) -%}

with

contacts as (

    select * from {{ source('salesforce', 'contact') }}
    where not {{ is_soft_deleted() }}
        and nullif(trim(master_record_id), '') is null

),

merges as (

    select * from {{ ref('stg_fivetran_salesforce__account_merges') }}

),

final as (

    select
        trim(contacts.id) as contact_id,
        coalesce(merges.survivor_id, trim(contacts.account_id)) as account_id,
        contacts.title,
        contacts.department,
        cast({{ seniority }} as {{ text_type() }}) as seniority,
        nullif(trim(contacts.email), '') is not null as has_email,  -- personal data stays in raw
        contacts.created_date as created_at

    from contacts
    left join merges on trim(contacts.account_id) = merges.merged_id

)

select * from final
