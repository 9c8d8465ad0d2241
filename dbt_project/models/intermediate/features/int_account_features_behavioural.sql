{#-
    Behavioural attributes (beh__) per resolved account, from the CRM only (null without a CRM
    record): activities in the var activity_window_months before as_of_date, contacts,
    opportunities and the most common lead source, all dated on or before as_of_date. Not
    observable for prospects; totals are derived attributes (meta.derived_from).
-#}

{%- set activity_window = var('activity_window_months') | int -%}
{%- set max_columns = var('max_category_columns') | int -%}
{%- set activity_types = frequent_values(
    ref('stg_crm__activities'), "coalesce(" ~ slugify('activity_type') ~ ", 'unknown')", max_columns,
    group_columns=['activity_type']
) -%}
{%- set seniorities = frequent_values(
    ref('stg_crm__contacts'), "coalesce(" ~ slugify('seniority') ~ ", 'unknown')", max_columns,
    group_columns=['seniority']
) -%}
{%- set departments = frequent_values(
    ref('stg_crm__contacts'), "coalesce(" ~ slugify('department') ~ ", 'unknown')", max_columns,
    group_columns=['department']
) -%}

with

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

as_of_dates as (

    select * from {{ ref('int_account_as_of_dates') }}

),

activities as (

    select * from {{ ref('int_account_activities_point_in_time') }}

),

contacts as (

    select * from {{ ref('int_account_contacts_point_in_time') }}

),

opportunities as (

    select * from {{ ref('int_account_opportunities_point_in_time') }}

),

activity_features as (

    select
        account_key,
        count(case when is_in_window then 1 end) as activities_in_window,
        {%- for activity_type in activity_types %}
        count(case when is_in_window and activity_type_slug = '{{ activity_type }}' then 1 end)
            as activities_{{ activity_type }},
        {%- endfor %}
        count(*) as activities_total,
        max(occurred_date) as last_activity_date

    from activities
    group by account_key

),

contact_features as (

    select
        account_key,
        count(*) as contacts_total,
        count(case when is_senior then 1 end) as contacts_senior,
        {%- for seniority in seniorities %}
        count(case when seniority_slug = '{{ seniority }}' then 1 end) as contacts_seniority_{{ seniority }},
        {%- endfor %}
        {%- for department in departments %}
        count(case when department_slug = '{{ department }}' then 1 end) as contacts_dept_{{ department }},
        {%- endfor %}
        count(distinct department_slug) as contacts_department_count

    from contacts
    group by account_key

),

opportunity_features as (

    select
        account_key,
        count(*) as opportunities_total,
        count(case when is_lost_before_as_of then 1 end) as opportunities_lost

    from opportunities
    group by account_key

),

lead_source_counts as (

    select
        account_key,
        lead_source,
        count(*) as opportunity_count

    from opportunities
    where lead_source is not null
    group by account_key, lead_source

),

top_lead_sources as (

    {{ first_per_group(
        'lead_source_counts',
        partition_by='account_key',
        order_by="opportunity_count desc, lead_source"
    ) }}

),

final as (

    select
        accounts.account_key,
        case
            when accounts.has_crm_record then coalesce(activity_features.activities_in_window, 0)
        end as beh__activities_{{ activity_window }}m,
        {%- for activity_type in activity_types %}
        case
            when accounts.has_crm_record then coalesce(activity_features.activities_{{ activity_type }}, 0)
        end as beh__activities_{{ activity_type }}_{{ activity_window }}m,
        {%- endfor %}
        case
            when accounts.has_crm_record then coalesce(activity_features.activities_total, 0)
        end as beh__activities_total,
        cast(
            {{ dbt.datediff('activity_features.last_activity_date', 'as_of_dates.as_of_date', 'day') }} as double
        ) as beh__days_since_last_activity,
        case
            when accounts.has_crm_record then coalesce(contact_features.contacts_total, 0)
        end as beh__contacts_total,
        case
            when accounts.has_crm_record then coalesce(contact_features.contacts_senior, 0)
        end as beh__contacts_senior,
        {%- for seniority in seniorities %}
        case
            when accounts.has_crm_record then coalesce(contact_features.contacts_seniority_{{ seniority }}, 0)
        end as beh__contacts_seniority_{{ seniority }},
        {%- endfor %}
        {%- for department in departments %}
        case
            when accounts.has_crm_record then coalesce(contact_features.contacts_dept_{{ department }}, 0)
        end as beh__contacts_dept_{{ department }},
        {%- endfor %}
        case
            when accounts.has_crm_record then coalesce(contact_features.contacts_department_count, 0)
        end as beh__contacts_department_count,
        case
            when accounts.has_crm_record then coalesce(opportunity_features.opportunities_total, 0)
        end as beh__opportunities_total,
        case
            when accounts.has_crm_record then coalesce(opportunity_features.opportunities_lost, 0)
        end as beh__opportunities_lost,
        top_lead_sources.lead_source as beh__lead_source

    from accounts
    left join as_of_dates
        on accounts.account_key = as_of_dates.account_key
    left join activity_features
        on accounts.account_key = activity_features.account_key
    left join contact_features
        on accounts.account_key = contact_features.account_key
    left join opportunity_features
        on accounts.account_key = opportunity_features.account_key
    left join top_lead_sources
        on accounts.account_key = top_lead_sources.account_key

)

select * from final
