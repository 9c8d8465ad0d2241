{{ config(materialized='table') }}

{#-
    One firmographics row per normalised domain. When landed rows normalise to the same domain
    (`www.acme.com`, `acme.com`), the most complete row wins, then the first by file and name.
-#}

with

firmographics as (

    select * from {{ ref('stg_enrichment__firmographics') }}

),

final as (

    {{ first_per_group(
        'firmographics',
        partition_by='domain',
        order_by="(
                cast(company_name is not null as integer) + cast(industry is not null as integer)
                + cast(employee_count is not null as integer) + cast(annual_revenue is not null as integer)
                + cast(hq_country is not null as integer) + cast(founded_year is not null as integer)
            ) desc,
            source_file,
            company_name,
            domain_raw",
        where='domain is not null'
    ) }}

)

select * from final
