{#-
    HubSpot company merges: every id a live company lists in property_hs_merged_object_ids
    (semicolon-separated) was merged into it. Records still associated with a merged-away id are
    re-pointed to the survivor.
-#}

with

survivors as (

    select trim(id) as survivor_id, property_hs_merged_object_ids as merged_ids
    from {{ ref('base_hubspot__company') }}
    where not {{ is_soft_deleted() }}
        and nullif(trim(property_hs_merged_object_ids), '') is not null

),

final as (

    select distinct
        trim(merged.merged_id) as merged_id,
        survivors.survivor_id

    from {{ with_split_rows('survivors', 'survivors.merged_ids', ';', 'merged', 'merged_id') }}
    where nullif(trim(merged.merged_id), '') is not null
        and trim(merged.merged_id) <> survivors.survivor_id

)

select * from final
