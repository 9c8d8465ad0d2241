{#-
    Deal-to-contact associations in Fivetran's `deal_contact` shape: Fivetran's table, and one row per
    id of the `contacts` JSON array of each Airbyte deal (read as text: brackets, quotes and spaces
    removed, split on commas, so the model runs on every engine). Read by
    stg_fivetran_hubspot__contacts: a contact without a company takes that of its deal.
-#}

select
    trim(cast(deal_id as {{ text_type() }})) as deal_id,
    trim(cast(contact_id as {{ text_type() }})) as contact_id,
    coalesce(_fivetran_deleted, false) as _fivetran_deleted,
    'hubspot/deal_contact' as _landed_table

from {{ source('hubspot', 'deal_contact') }}

union all

select
    trim(cast(deals.id as {{ text_type() }})) as deal_id,
    trim(ids.contact_id) as contact_id,
    false as _fivetran_deleted,
    'hubspot/deals' as _landed_table

from {{ with_split_rows(
    source('airbyte_hubspot', 'deals') ~ ' as deals',
    replace_all('cast(deals.contacts as ' ~ text_type() ~ ')', "'[^0-9A-Za-z_,-]'", "''"), ',', 'ids', 'contact_id'
) }}
where nullif(trim(ids.contact_id), '') is not null
