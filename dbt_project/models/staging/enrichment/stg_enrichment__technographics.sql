with

source as (

    select * from {{ source('enrichment', 'technographics') }}

),

renamed as (

    select
        ---------- ids
        {{ normalize_domain('domain') }} as domain,
        nullif(trim(domain), '') as domain_raw,

        ---------- text
        trim(technology) as technology,
        {{ slugify('technology') }} as technology_slug,
        nullif(trim(category), '') as category,
        coalesce({{ slugify('category') }}, 'uncategorised') as category_slug,

        ---------- dates
        first_seen,
        last_seen

    from source

)

select * from renamed
