{#-
    Enrichment rows matched by normalised company name, for CRM accounts and ERP customers that
    have no domain of their own (the contract's last matching rule). A match needs the name key
    to be unique among firmographics rows whose domain no CRM account already owns, and unique
    among the domainless records of the source, so common names never merge two companies.
-#}

with

firmographics as (

    select * from {{ ref('int_firmographics_deduplicated') }}

),

crm_accounts as (

    select * from {{ ref('int_crm_accounts_ranked') }}

),

erp_matches as (

    select * from {{ ref('int_erp_customers_matched') }}

),

unclaimed_firmographics as (

    {{ unclaimed_firmographic_names('firmographics', 'crm_accounts') }}

),

domainless_records as (

    select
        'erp' as source_system,
        erp_customer_id as record_id,
        company_name_key

    from erp_matches
    where domain is null
        and matched_crm_account_id is null

),

unique_records as (

    select
        *,
        count(*) over (partition by source_system, company_name_key) as records_with_name

    from domainless_records
    where company_name_key is not null

),

final as (

    {#- CRM accounts: the same rule, computed before ERP matching (int_crm_account_name_domains) -#}
    select
        'crm' as source_system,
        account_id as record_id,
        domain

    from {{ ref('int_crm_account_name_domains') }}

    union all

    select
        unique_records.source_system,
        unique_records.record_id,
        unclaimed_firmographics.domain

    from unique_records
    inner join unclaimed_firmographics
        on unique_records.company_name_key = unclaimed_firmographics.company_name_key
    where unique_records.records_with_name = 1
        and unclaimed_firmographics.domain_count = 1

)

select * from final
