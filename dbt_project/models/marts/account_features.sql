{#-
    The feature mart: one row per resolved account (see docs/architecture.md).
    identity columns, `label_*` outcomes, then attribute columns named <family>__<name>:
      firmo__  firmographics (enrichment preferred over CRM, then ERP for the country)
      tech__   technographics: one 0/1 column per technology used by at least
               var min_technology_support accounts, `tech__cat_<category>` counts, `tech__count`
      sit__    business situation: company age, growth, ownership, funding, offices, and
               `sit__events_<type>_<n>m` counts in the var events_window_months before as_of_date
      beh__    behaviour in CRM: activities in the var activity_window_months before as_of_date,
               contacts, opportunities, most common lead source
      x__      extra columns of crm/accounts and enrichment/firmographics, passed through
    Every time-stamped attribute uses only records dated on or before the account's as_of_date
    (first win for customers, the refresh date otherwise). tech__ columns are null for accounts
    the technographics vendor does not cover; beh__ columns are null for accounts without a CRM
    record; sit__events_ columns are null for accounts without a domain.
    The column list is generated from the data, so this model has no enforced contract;
    marts.attribute_catalog describes every attribute column.
-#}

{%- set activity_window = var('activity_window_months') | int -%}
{%- set events_window = var('events_window_months') | int -%}
{%- set max_columns = var('max_category_columns') | int -%}

{%- set technologies = query_column_values(
    ref('int_technology_support'),
    'select technology_slug from ' ~ ref('int_technology_support') ~ ' where is_feature order by 1'
) -%}
{%- set categories = frequent_values(ref('int_technology_support'), 'category_slug') -%}
{%- set event_types = frequent_values(ref('stg_enrichment__events'), 'event_type_slug', max_columns) -%}
{%- set activity_types = frequent_values(
    ref('stg_crm__activities'), "coalesce(" ~ slugify('activity_type') ~ ", 'unknown')", max_columns
) -%}
{%- set seniorities = frequent_values(
    ref('stg_crm__contacts'), "coalesce(" ~ slugify('seniority') ~ ", 'unknown')", max_columns
) -%}
{%- set departments = frequent_values(
    ref('stg_crm__contacts'), "coalesce(" ~ slugify('department') ~ ", 'unknown')", max_columns
) -%}
{%- set crm_extras = get_columns_with_prefix(ref('stg_crm__accounts'), 'x__') -%}
{%- set firmo_extras = get_columns_with_prefix(ref('int_firmographics_deduplicated'), 'x__') -%}

with

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

groups as (

    select * from {{ ref('int_account_groups') }}

),

as_of_dates as (

    select * from {{ ref('int_account_as_of_dates') }}

),

labels as (

    select * from {{ ref('int_account_value_labels') }}

),

firmographics as (

    select * from {{ ref('int_account_firmographics') }}

),

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

enrichment as (

    select * from {{ ref('int_firmographics_deduplicated') }}

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

technologies as (

    select * from {{ ref('int_account_technologies_point_in_time') }}

),

events as (

    select * from {{ ref('int_account_events_point_in_time') }}

),

technographics_coverage as (

    select distinct domain from {{ ref('stg_enrichment__technographics') }}
    where domain is not null

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

    select * from lead_source_counts
    qualify row_number() over (
        partition by account_key
        order by opportunity_count desc, lead_source
    ) = 1

),

technology_features as (

    select
        account_key,
        {%- for technology in technologies %}
        max(case when technology_slug = '{{ technology }}' then 1 else 0 end) as tech_{{ technology }},
        {%- endfor %}
        {%- for category in categories %}
        count(case when category_slug = '{{ category }}' then 1 end) as cat_{{ category }},
        {%- endfor %}
        count(*) as technology_count

    from technologies
    group by account_key

),

event_features as (

    select
        account_key,
        {%- for event_type in event_types %}
        count(case when is_in_window and event_type_slug = '{{ event_type }}' then 1 end)
            as events_{{ event_type }},
        {%- endfor %}
        count(case when is_in_window then 1 end) as events_in_window

    from events
    group by account_key

),

final as (

    select
        ---------- identity
        accounts.account_key,
        groups.group_account_key,
        accounts.crm_account_id,
        accounts.erp_customer_id,
        accounts.account_name,
        accounts.domain,
        firmographics.industry,
        firmographics.country,
        firmographics.employee_count,
        as_of_dates.is_customer,
        as_of_dates.as_of_date,
        as_of_dates.first_won_date,

        ---------- labels
        labels.label_gross_margin_ltv,
        labels.label_annualised_value,
        labels.label_acv,
        labels.label_revenue,
        labels.label_tenure_months,
        labels.label_is_churned,
        labels.label_won_amount,
        labels.label_has_closed_opportunity,
        labels.label_has_won_opportunity,

        ---------- firmographic
        firmographics.industry as firmo__industry,
        firmographics.sub_industry as firmo__sub_industry,
        cast(firmographics.employee_count as double) as firmo__employee_count,
        firmographics.employee_band as firmo__employee_band,
        cast(firmographics.annual_revenue as double) as firmo__annual_revenue,
        firmographics.revenue_band as firmo__revenue_band,
        firmographics.country as firmo__country,
        firmographics.region as firmo__region,

        ---------- technographic (null when the vendor does not cover the domain)
        {%- for technology in technologies %}
        {%- set column_name = 'tech__' ~ ('t_' ~ technology if technology.startswith('cat_') or technology == 'count' else technology) %}
        case
            when technographics_coverage.domain is not null
                then cast(coalesce(technology_features.tech_{{ technology }}, 0) as integer)
        end as {{ column_name }},
        {%- endfor %}
        {%- for category in categories %}
        case
            when technographics_coverage.domain is not null
                then coalesce(technology_features.cat_{{ category }}, 0)
        end as tech__cat_{{ category }},
        {%- endfor %}
        case
            when technographics_coverage.domain is not null
                then coalesce(technology_features.technology_count, 0)
        end as tech__count,

        ---------- business situation
        cast(
            case
                when firmographics.founded_year between 1600 and extract(year from as_of_dates.as_of_date)
                    then extract(year from as_of_dates.as_of_date) - firmographics.founded_year
            end as double
        ) as sit__company_age_years,
        cast(firmographics.employee_growth_12m as double) as sit__employee_growth_12m,
        firmographics.ownership as sit__ownership,
        firmographics.funding_stage as sit__funding_stage,
        cast(firmographics.office_count as double) as sit__office_count,
        {%- for event_type in event_types %}
        case
            when accounts.domain is not null then coalesce(event_features.events_{{ event_type }}, 0)
        end as sit__events_{{ event_type }}_{{ events_window }}m,
        {%- endfor %}
        case
            when accounts.domain is not null then coalesce(event_features.events_in_window, 0)
        end as sit__events_total_{{ events_window }}m,

        ---------- behavioural (CRM only; null without a CRM record)
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
        top_lead_sources.lead_source as beh__lead_source,

        ---------- extra columns of crm/accounts and enrichment/firmographics
        {%- set firmo_extra_types = {} %}
        {%- for column in firmo_extras %}
        {%- do firmo_extra_types.update({column.name: column}) %}
        {%- endfor %}
        {%- for column in crm_extras %}
        {%- if column.name in firmo_extra_types %}
        {%- set other = firmo_extra_types[column.name] %}
        {%- if column.dtype == other.dtype %}
        coalesce(enrichment.{{ column.name }}, crm_accounts.{{ column.name }}) as {{ column.name }},
        {%- else %}
        coalesce(
            cast(enrichment.{{ column.name }} as varchar),
            cast(crm_accounts.{{ column.name }} as varchar)
        ) as {{ column.name }},
        {%- endif %}
        {%- else %}
        crm_accounts.{{ column.name }},
        {%- endif %}
        {%- endfor %}
        {%- set crm_extra_names = crm_extras | map(attribute='name') | list %}
        {%- for column in firmo_extras if column.name not in crm_extra_names %}
        enrichment.{{ column.name }},
        {%- endfor %}

        ---------- flags
        accounts.has_crm_record,
        accounts.has_erp_record,
        accounts.has_enrichment_record

    from accounts
    left join groups
        on accounts.account_key = groups.account_key
    left join as_of_dates
        on accounts.account_key = as_of_dates.account_key
    left join labels
        on accounts.account_key = labels.account_key
    left join firmographics
        on accounts.account_key = firmographics.account_key
    left join crm_accounts
        on accounts.crm_account_id = crm_accounts.account_id
    left join enrichment
        on accounts.account_key = enrichment.domain
    left join technographics_coverage
        on accounts.account_key = technographics_coverage.domain
    left join activity_features
        on accounts.account_key = activity_features.account_key
    left join contact_features
        on accounts.account_key = contact_features.account_key
    left join opportunity_features
        on accounts.account_key = opportunity_features.account_key
    left join top_lead_sources
        on accounts.account_key = top_lead_sources.account_key
    left join technology_features
        on accounts.account_key = technology_features.account_key
    left join event_features
        on accounts.account_key = event_features.account_key

)

select * from final
