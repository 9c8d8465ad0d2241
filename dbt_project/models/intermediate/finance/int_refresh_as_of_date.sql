{{ config(materialized='table') }}

{#-
    The refresh's as-of date (one row): var as_of_date when set, else the latest date found in
    the time-stamped data (account creation, activities, opportunities, closed-opportunity close dates, invoices,
    contract starts, contacts, leads, events, technology first-seen dates, campaign sends),
    else today. Non-customers are described as of this date.
-#}

with

dated as (

    select max(cast(occurred_at as date)) as latest_date from {{ ref('stg_crm__activities') }}
    union all
    select max(cast(created_at as date)) from {{ ref('stg_crm__accounts') }}
    union all
    select max(created_date) from {{ ref('stg_crm__opportunities') }}
    union all
    select max(close_date) from {{ ref('stg_crm__opportunities') }} where is_closed
    union all
    select max(cast(created_at as date)) from {{ ref('stg_crm__contacts') }}
    union all
    select max(cast(created_at as date)) from {{ ref('stg_crm__leads') }}
    union all
    select max(invoice_date) from {{ ref('stg_erp__invoices') }}
    union all
    select max(start_date) from {{ ref('stg_erp__contracts') }}
    union all
    select max(event_date) from {{ ref('stg_enrichment__events') }}
    union all
    select max(first_seen) from {{ ref('stg_enrichment__technographics') }}
    union all
    select max(cast(sent_at as date)) from {{ ref('stg_marketing__campaign_members') }}

),

final as (

    select
        coalesce({{ as_of_date_var() }}, max(latest_date), current_date) as as_of_date,
        {{ as_of_date_var() }} is not null as is_from_var

    from dated

)

select * from final
