{#-
    HubSpot engagement associations besides Fivetran's engagement_company (base_hubspot__engagement_company):
    Fivetran's engagement_deal and engagement_contact, the `companies`, `deals` and `contacts` JSON
    arrays of Airbyte's per-type engagement streams, and associations.dealIds / contactIds of
    Airbyte's legacy engagements stream (the `associations` JSON object, or the flattened top-level
    `associations_dealIds` / `associations_contactIds` JSON arrays older source-hubspot versions
    emit; the object first). One row per (engagement, object): object_type = company,
    deal or contact. Arrays are read as text (brackets, quotes and spaces removed, split on commas),
    so the model runs on every engine.
-#}

{%- set kinds = ['call', 'email', 'meeting', 'note', 'task'] -%}
{%- set objects = [('companies', 'company'), ('deals', 'deal'), ('contacts', 'contact')] -%}

{%- set not_an_id = "'[^0-9A-Za-z_,-]'" -%}  {# JSON array text -> comma-separated ids #}

{%- for object in ['deal', 'contact'] %}
{%- if not loop.first %}

union all
{% endif %}

select
    trim(cast(engagement_id as {{ text_type() }})) as engagement_id,
    '{{ object }}' as object_type,
    trim(cast({{ object }}_id as {{ text_type() }})) as object_id,
    coalesce(_fivetran_deleted, false) as is_deleted,
    'hubspot/engagement_{{ object }}' as _landed_table

from {{ source('hubspot', 'engagement_' ~ object) }}
{%- endfor %}

{%- for key, object in [('dealIds', 'deal'), ('contactIds', 'contact')] %}

union all

select
    trim(cast(engagements.id as {{ text_type() }})) as engagement_id,
    '{{ object }}' as object_type,
    trim(ids.object_id) as object_id,
    false as is_deleted,
    'hubspot/engagements' as _landed_table

from {{ with_split_rows(
    source('airbyte_hubspot', 'engagements') ~ ' as engagements',
    replace_all(
        'coalesce(' ~ json_text_value('engagements.associations', [key]) ~ ', cast(engagements.associations_'
        ~ key | lower ~ ' as ' ~ text_type() ~ '))', not_an_id, "''"
    ), ',', 'ids', 'object_id'
) }}
where nullif(trim(ids.object_id), '') is not null
{%- endfor %}

{%- for kind in kinds %}
{%- for column, object in objects %}

union all

select
    trim(cast(engagements.id as {{ text_type() }})) as engagement_id,
    '{{ object }}' as object_type,
    trim(ids.object_id) as object_id,
    false as is_deleted,
    'hubspot/engagements_{{ kind }}s' as _landed_table

from {{ with_split_rows(
    source('airbyte_hubspot', 'engagements_' ~ kind ~ 's') ~ ' as engagements',
    replace_all('cast(engagements.' ~ column ~ ' as ' ~ text_type() ~ ')', not_an_id, "''"), ',', 'ids', 'object_id'
) }}
where nullif(trim(ids.object_id), '') is not null
{%- endfor %}
{%- endfor %}
