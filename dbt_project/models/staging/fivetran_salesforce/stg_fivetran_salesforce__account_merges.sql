{#-
    Salesforce account merges: each merged-away account (master_record_id set) and the survivor it
    was folded into, following chains (A -> B -> C) up to three steps. Child records (opportunities,
    contacts, activities, leads) of a merged-away account are re-pointed to the survivor.
-#}

with

merged as (

    select trim(id) as merged_id, trim(master_record_id) as master_id
    from {{ source('salesforce', 'account') }}
    where nullif(trim(master_record_id), '') is not null

),

final as (

    select
        m1.merged_id,
        coalesce(m3.master_id, m2.master_id, m1.master_id) as survivor_id

    from merged as m1
    left join merged as m2 on m1.master_id = m2.merged_id
    left join merged as m3 on m2.master_id = m3.merged_id

)

select * from final
