{#-
    Records archived (deleted) in HubSpot as Airbyte lands them: its `companies`, `deals` and
    `contacts` streams hold live records only, the `*_archived` streams the archived ones. One row
    per archived id: object_type = company, deal or contact. The fivetran_hubspot staging models
    leave these ids out (a record archived after an earlier sync may still sit in the live stream),
    and int_connector_dropped_records counts them. Empty for Fivetran (its `is_deleted` flags say it).
-#}

{%- set streams = [('companies', 'company'), ('deals', 'deal'), ('contacts', 'contact')] -%}

{%- for stream, object in streams %}
select
    '{{ object }}' as object_type,
    trim(cast(id as {{ text_type() }})) as id,
    _source_file,
    'hubspot/{{ stream }}_archived' as _landed_table

from {{ source('airbyte_hubspot', stream ~ '_archived') }}
{{ 'union all' if not loop.last }}
{%- endfor %}
