{{ config(materialized='table') }}

{#-
    Each ERP customer matched to at most one (primary) CRM account, first rule that matches wins:
      1. domain: the normalised domains are equal (a CRM account without a domain of its own,
         e.g. a shared one such as gmail.com, uses the one enrichment gives it by company name,
         int_crm_account_name_domains);
      2. crm_account_id: the id typed in ERP exists in CRM and its domain does not contradict the
         ERP domain (a stale id pointing at another company's domain loses to the domain);
      3. company_name: equal normalised names (legal suffixes, case, punctuation ignored) with
         no contradicting domains; ties go to the smallest account_id.
    Unmatched customers keep match_method null and become accounts of their own.
-#}

with

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

name_domains as (

    select * from {{ ref('int_crm_account_name_domains') }}

),

crm_accounts as (

    {#- match_domain: the account's own domain, else the one enrichment gives it by name -#}
    select
        ranked.*,
        coalesce(ranked.domain, name_domains.domain) as match_domain

    from {{ ref('int_crm_accounts_ranked') }} as ranked
    left join name_domains
        on ranked.account_id = name_domains.account_id

),

primary_accounts as (

    select * from crm_accounts
    where is_primary

),

domain_matches as (

    select
        customers.erp_customer_id,
        primary_accounts.account_id as matched_crm_account_id,
        'domain' as match_method,
        1 as match_priority

    from customers
    inner join primary_accounts
        on customers.domain = primary_accounts.match_domain

),

id_matches as (

    select
        customers.erp_customer_id,
        crm_accounts.primary_account_id as matched_crm_account_id,
        'crm_account_id' as match_method,
        2 as match_priority

    from customers
    inner join crm_accounts
        on customers.crm_account_id = crm_accounts.account_id
    where customers.domain is null
        or crm_accounts.match_domain is null
        or customers.domain = crm_accounts.match_domain

),

name_matches as (

    select
        customers.erp_customer_id,
        primary_accounts.account_id as matched_crm_account_id,
        'company_name' as match_method,
        3 as match_priority

    from customers
    inner join primary_accounts
        on customers.company_name_key = primary_accounts.company_name_key
    where customers.domain is null
        or primary_accounts.match_domain is null
        or customers.domain = primary_accounts.match_domain

),

candidates as (

    select * from domain_matches
    union all
    select * from id_matches
    union all
    select * from name_matches

),

best_match as (

    {{ first_per_group(
        'candidates',
        partition_by='erp_customer_id',
        order_by='match_priority, matched_crm_account_id'
    ) }}

),

final as (

    select
        customers.erp_customer_id,
        customers.customer_name,
        customers.company_name_key,
        customers.domain,
        customers.country,
        customers.crm_account_id as crm_account_id_in_erp,
        best_match.matched_crm_account_id,
        best_match.match_method,
        customers.crm_account_id is not null
            and (
                referenced.account_id is null
                or best_match.matched_crm_account_id is null
                or referenced.primary_account_id != best_match.matched_crm_account_id
            ) as has_stale_crm_account_id

    from customers
    left join best_match
        on customers.erp_customer_id = best_match.erp_customer_id
    left join crm_accounts as referenced
        on customers.crm_account_id = referenced.account_id

)

select * from final
