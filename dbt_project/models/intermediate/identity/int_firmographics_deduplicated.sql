{{ config(materialized='table') }}

{#-
    One firmographics row per normalised domain. When landed rows normalise to the same domain
    (`www.acme.com`, `acme.com`), the most complete row wins, then the first by file and name.
    Domains with one row are kept as they are; only the rows of repeated domains are ranked
    (the same rows as ranking every domain; at 1 M accounts half the CPU, nearly all domains
    being single).
-#}

with

firmographics as (

    select * from {{ ref('stg_enrichment__firmographics') }}
    where domain is not null

),

repeated_domains as (

    select domain
    from firmographics
    group by domain
    having count(*) > 1

),

single_domain_rows as (

    select * from firmographics
    where domain not in (select domain from repeated_domains)

),

repeated_domain_rows as (

    select * from firmographics
    where domain in (select domain from repeated_domains)

),

repeated_domain_winners as (

    {{ first_per_group(
        'repeated_domain_rows',
        partition_by='domain',
        order_by="(
                cast(company_name is not null as integer) + cast(industry is not null as integer)
                + cast(employee_count is not null as integer) + cast(annual_revenue is not null as integer)
                + cast(hq_country is not null as integer) + cast(founded_year is not null as integer)
            ) desc,
            source_file,
            company_name,
            domain_raw"
    ) }}

),

final as (

    select * from single_domain_rows
    union all
    select * from repeated_domain_winners

)

select * from final
