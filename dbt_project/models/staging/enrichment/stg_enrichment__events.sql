with

source as (

    select * from {{ source('enrichment', 'events') }}

),

renamed as (

    select
        ---------- ids
        {{ normalize_domain('domain') }} as domain,
        nullif(trim(domain), '') as domain_raw,

        ---------- text
        {{ clean_enum('event_type') }} as event_type,
        {{ slugify('event_type') }} as event_type_slug,

        ---------- dates
        event_date

    from source

)

select * from renamed
