{{ config(meta={'dagster': {'ref': {'name': 'account_features'}}}) }}
-- Point in time: every record feeding an attribute is dated on or before its account's as_of_date.
-- depends_on: {{ ref('account_features') }}
-- (the test checks account_features' inputs: the dependency makes it a Dagster asset check of
-- account_features instead of a test dagster-dbt runs by dbt's indirect selection and only observes)

with

violations as (

    select 'activities' as source, account_key, cast(occurred_date as date) as record_date, as_of_date
    from {{ ref('int_account_activities_point_in_time') }}

    union all

    select 'contacts', account_key, created_date, as_of_date
    from {{ ref('int_account_contacts_point_in_time') }}

    union all

    select 'opportunities', account_key, created_date, as_of_date
    from {{ ref('int_account_opportunities_point_in_time') }}

    union all

    select 'technologies', account_key, first_seen, as_of_date
    from {{ ref('int_account_technologies_point_in_time') }}

    union all

    select 'events', account_key, event_date, as_of_date
    from {{ ref('int_account_events_point_in_time') }}

)

select *
from violations
where record_date is null
    or record_date > as_of_date
