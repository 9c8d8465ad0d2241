{#-
    Domains and event types repeat across the rows, so each distinct text is normalised once and
    joined back (null-safe) instead of once per row: the same values (see
    stg_enrichment__technographics).
-#}

with

source as (

    select * from {{ source('enrichment', 'events') }}

),

event_types as (

    select
        event_type,
        {{ clean_enum('event_type') }} as event_type_clean,
        {{ slugify('event_type') }} as event_type_slug

    from (select distinct event_type from source) as distinct_event_types

),

domains as (

    select
        domain,
        {{ normalize_domain('domain') }} as domain_normalised

    from (select distinct domain from source) as distinct_domains

),

renamed as (

    select
        ---------- ids
        domains.domain_normalised as domain,
        nullif(trim(source.domain), '') as domain_raw,

        ---------- text
        event_types.event_type_clean as event_type,
        event_types.event_type_slug,

        ---------- dates
        source.event_date

    from source
    left join event_types
        on source.event_type is not distinct from event_types.event_type
    left join domains
        on source.domain is not distinct from domains.domain

)

select * from renamed
