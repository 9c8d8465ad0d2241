{{ config(materialized='table') }}

{#-
    account_key of every CRM account: its normalised domain; for an account without a domain,
    the domain of an ERP customer matched to it by crm_account_id or name, else the domain of the
    firmographics row with the same unique company name; else 'crm:<account_id>'.
    Accounts sharing a domain share the key; `is_key_primary` marks the one CRM account whose
    fields (name, parent, extras) represent the key.
-#}

with

crm_accounts as (

    select * from {{ ref('int_crm_accounts_ranked') }}

),

erp_matches as (

    select * from {{ ref('int_erp_customers_matched') }}

),

enrichment_name_matches as (

    select * from {{ ref('int_firmographics_name_matches') }}
    where source_system = 'crm'

),

inherited_domains as (

    select
        matched_crm_account_id as account_id,
        min(domain) as inherited_domain

    from erp_matches
    where match_method in ('crm_account_id', 'company_name')
        and domain is not null
    group by matched_crm_account_id

),

primary_keys as (

    select
        crm_accounts.account_id,
        coalesce(
            crm_accounts.domain,
            inherited_domains.inherited_domain,
            enrichment_name_matches.domain,
            'crm:' || crm_accounts.account_id
        ) as account_key

    from crm_accounts
    left join inherited_domains
        on crm_accounts.account_id = inherited_domains.account_id
    left join enrichment_name_matches
        on crm_accounts.account_id = enrichment_name_matches.record_id
    where crm_accounts.is_primary

),

keyed as (

    select
        crm_accounts.account_id,
        crm_accounts.primary_account_id,
        primary_keys.account_key,
        crm_accounts.is_primary,
        crm_accounts.created_at

    from crm_accounts
    inner join primary_keys
        on crm_accounts.primary_account_id = primary_keys.account_id

),

final as (

    select
        account_id,
        primary_account_id,
        account_key,
        is_primary as is_domain_primary,
        row_number() over (
            partition by account_key
            order by is_primary desc, created_at nulls last, account_id
        ) = 1 as is_key_primary

    from keyed

)

select * from final
