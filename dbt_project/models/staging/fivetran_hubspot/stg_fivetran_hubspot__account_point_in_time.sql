{#-
    Company property values at each live HubSpot company's as-of date (the close date of its first
    won deal, else var as_of_date), from company_property_history: one row per (company, property)
    the history holds, with the last value set on or before the as-of date (null when the property
    was only set later). Companies without an as-of date get no rows (their current values are
    used). Read by stg_fivetran_hubspot__accounts and icp.data_coverage.
-#}

with

companies as (

    select trim(id) as company_id
    from {{ ref('base_hubspot__company') }}
    where not {{ is_soft_deleted() }}
        and trim(id) not in (select id from {{ ref('base_hubspot__archived') }} where object_type = 'company')

),

first_wins as (

    select company_id, min(cast(close_date as date)) as first_won_date
    from {{ ref('stg_fivetran_hubspot__deals') }}
    where is_won
    group by 1

),

as_of as (

    select
        companies.company_id,
        first_wins.first_won_date,
        coalesce(first_wins.first_won_date, {{ as_of_date_var() }}) as as_of_date

    from companies
    left join first_wins on companies.company_id = first_wins.company_id

),

history as (

    select
        trim(company_id) as company_id,
        lower(trim(name)) as property,
        value,
        {{ adapter.quote('timestamp') }} as set_at

    from {{ ref('base_hubspot__company_property_history') }}
    where not coalesce(_fivetran_deleted, false)

),

ranked as (

    select
        as_of.company_id,
        as_of.first_won_date,
        as_of.as_of_date,
        history.property,
        case when cast(history.set_at as date) <= as_of.as_of_date then history.value end as value,
        row_number() over (
            partition by as_of.company_id, history.property
            order by cast(history.set_at as date) <= as_of.as_of_date desc, history.set_at desc
        ) as value_rank

    from as_of
    inner join history on as_of.company_id = history.company_id
    where as_of.as_of_date is not null

),

final as (

    select company_id, first_won_date, as_of_date, property, value
    from ranked
    where value_rank = 1

)

select * from final
