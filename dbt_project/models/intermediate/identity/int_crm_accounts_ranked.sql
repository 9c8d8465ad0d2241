{{ config(materialized='table') }}

{#-
    CRM accounts with a deterministic primary per web domain. When several CRM accounts share a
    normalised domain, the earliest created one (then the smallest account_id) is the primary and
    the others are merged into it (reported in marts.identity_conflicts).
-#}

with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

ranked as (

    select
        account_id,
        account_name,
        company_name_key,
        domain,
        parent_account_id,
        created_at,
        row_number() over (
            partition by domain
            order by created_at nulls last, account_id
        ) as domain_rank,
        first_value(account_id) over (
            partition by domain
            order by created_at nulls last, account_id
        ) as first_account_id_for_domain,
        count(*) over (partition by domain) as accounts_sharing_domain

    from accounts

),

final as (

    select
        account_id,
        account_name,
        company_name_key,
        domain,
        parent_account_id,
        created_at,
        case
            when domain is null then account_id
            else first_account_id_for_domain
        end as primary_account_id,
        domain is null or domain_rank = 1 as is_primary,
        case when domain is null then 1 else accounts_sharing_domain end as accounts_sharing_domain

    from ranked

)

select * from final
