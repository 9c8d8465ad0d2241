{{ config(meta={'dagster': {'ref': {'name': 'account_features'}}}) }}
-- A customer has a first_won_date and is described as of it; a non-customer as of the refresh date.

with

refresh as (

    select as_of_date from {{ ref('int_refresh_as_of_date') }}

)

select features.*
from {{ ref('account_features') }} as features
cross join refresh
where (features.is_customer and (features.first_won_date is null or features.as_of_date != features.first_won_date))
    or (not features.is_customer and features.as_of_date != refresh.as_of_date)
