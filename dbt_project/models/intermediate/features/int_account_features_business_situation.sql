{#-
    Business-situation attributes (sit__) per resolved account: company age at as_of_date,
    growth, ownership, funding, offices, and `sit__events_<type>_<n>m` counts in the
    var events_window_months before as_of_date (null without a domain). sit__events_total_<n>m
    is derived from the per-type counts (meta.derived_from).
-#}

{%- set events_window = var('events_window_months') | int -%}
{%- set max_columns = var('max_category_columns') | int -%}
{%- set event_types = frequent_values(ref('stg_enrichment__events'), 'event_type_slug', max_columns) -%}

with

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

as_of_dates as (

    select * from {{ ref('int_account_as_of_dates') }}

),

firmographics as (

    select * from {{ ref('int_account_firmographics') }}

),

events as (

    select * from {{ ref('int_account_events_point_in_time') }}

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
        accounts.account_key,
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
        end as sit__events_total_{{ events_window }}m

    from accounts
    left join as_of_dates
        on accounts.account_key = as_of_dates.account_key
    left join firmographics
        on accounts.account_key = firmographics.account_key
    left join event_features
        on accounts.account_key = event_features.account_key

)

select * from final
