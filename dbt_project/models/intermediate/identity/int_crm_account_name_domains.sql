{{ config(materialized='table') }}

{#-
    The domain a CRM account without one of its own (no website, an invalid one, or a shared
    domain such as gmail.com) gets from enrichment: the firmographics row with the same normalised
    company name. A match needs the name key to be unique among firmographics rows whose domain no
    CRM account already owns, and unique among the domainless primary CRM accounts, so common names
    never merge two companies. ERP matching (int_erp_customers_matched) reads it as the account's
    domain, so an ERP customer's domain can confirm or contradict its crm_account_id.
-#}

with

firmographics as (

    select * from {{ ref('int_firmographics_deduplicated') }}

),

crm_accounts as (

    select * from {{ ref('int_crm_accounts_ranked') }}

),

unclaimed_firmographics as (

    {{ unclaimed_firmographic_names('firmographics', 'crm_accounts') }}

),

domainless_accounts as (

    select
        account_id,
        company_name_key,
        count(*) over (partition by company_name_key) as accounts_with_name

    from crm_accounts
    where domain is null
        and is_primary
        and company_name_key is not null

),

final as (

    select
        domainless_accounts.account_id,
        unclaimed_firmographics.domain

    from domainless_accounts
    inner join unclaimed_firmographics
        on domainless_accounts.company_name_key = unclaimed_firmographics.company_name_key
    where domainless_accounts.accounts_with_name = 1
        and unclaimed_firmographics.domain_count = 1

)

select * from final
