{#-
    Technologies an account was seen using on or before its as_of_date (first_seen <= as_of_date).
    Undated detections (no first_seen) cannot be shown to predate a win and are left out.
    last_seen is not used: vendors set it to their crawl date.
-#}

with

technologies as (

    select * from {{ ref('stg_enrichment__technographics') }}
    where technology_slug is not null

),

as_of_dates as (

    select * from {{ ref('int_account_as_of_dates') }}

),

final as (

    select
        as_of_dates.account_key,
        technologies.technology_slug,
        min(technologies.category_slug) as category_slug,
        min(technologies.first_seen) as first_seen,
        min(as_of_dates.as_of_date) as as_of_date

    from technologies
    inner join as_of_dates
        on technologies.domain = as_of_dates.account_key
    where technologies.first_seen <= as_of_dates.as_of_date
    group by as_of_dates.account_key, technologies.technology_slug

)

select * from final
