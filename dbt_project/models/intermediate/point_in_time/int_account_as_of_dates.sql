{{ config(materialized='table') }}

{#-
    The point-in-time date every account is described at: a customer's first_won_date (so no
    record from after the win can leak into its attributes), the refresh's as-of date for
    everybody else.
-#}

with

labels as (

    select * from {{ ref('int_account_value_labels') }}

),

final as (

    select
        account_key,
        is_customer,
        first_won_date,
        refresh_as_of_date,
        case
            when is_customer then coalesce(first_won_date, refresh_as_of_date)
            else refresh_as_of_date
        end as as_of_date

    from labels

)

select * from final
