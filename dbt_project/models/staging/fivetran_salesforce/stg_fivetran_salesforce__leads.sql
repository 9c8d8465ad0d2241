{#-
    Salesforce leads in the contract's crm/leads shape. Soft-deleted and merged-away leads are
    dropped (counted); a lead converted into a merged-away account points to the survivor.
-#}

with

leads as (

    select * from {{ source('salesforce', 'lead') }}
    where not {{ is_soft_deleted() }}
        and nullif(trim(master_record_id), '') is null

),

merges as (

    select * from {{ ref('stg_fivetran_salesforce__account_merges') }}

),

final as (

    select
        trim(leads.id) as lead_id,
        leads.company as company_name,
        leads.website,
        leads.created_date as created_at,
        leads.status,
        coalesce(merges.survivor_id, trim(leads.converted_account_id)) as converted_account_id

    from leads
    left join merges on trim(leads.converted_account_id) = merges.merged_id

)

select * from final
