{#- Helpers of the connector dialects (models/staging/fivetran_*). -#}

{#- The first of `candidates` that `relation` has (case-insensitive), quoted; else `null`. -#}
{% macro column_or_null(relation, candidates) -%}
    {%- if not execute -%}{{ return('null') }}{%- endif -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- for candidate in candidates -%}
        {%- if candidate | lower in names -%}{{ return(adapter.quote(candidate | lower)) }}{%- endif -%}
    {%- endfor -%}
    {{ return('null') }}
{%- endmacro %}

{#- A Salesforce custom field's name without its suffix: `tier_c` / `tier__c` -> `tier`. -#}
{% macro custom_field_name(name) -%}
    {%- set lowered = name | lower -%}
    {%- if lowered.endswith('__c') -%}{{ return(lowered[:-3]) }}
    {%- elif lowered.endswith('_c') -%}{{ return(lowered[:-2]) }}
    {%- else -%}{{ return(lowered) }}{%- endif -%}
{%- endmacro %}

{#- The row is deleted at the source (Fivetran's soft delete or Salesforce's recycle bin). -#}
{% macro is_soft_deleted(is_deleted='is_deleted') -%}
    (coalesce({{ is_deleted }}, false) or coalesce(_fivetran_deleted, false))
{%- endmacro %}

{#-
    Units per major unit of an ISO-4217 currency as Stripe counts amounts: 1 for Stripe's
    zero-decimal currencies, 1000 for its three-decimal ones, else 100
    (source: https://docs.stripe.com/currencies#zero-decimal).
-#}
{% macro stripe_minor_units(currency) -%}
    case
        when upper({{ currency }}) in (
            'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV',
            'XAF', 'XOF', 'XPF'
        ) then 1
        when upper({{ currency }}) in ('BHD', 'JOD', 'KWD', 'OMR', 'TND') then 1000
        else 100
    end
{%- endmacro %}

{#- A value of a JSON text column (Stripe `metadata`), null when the text is not JSON. -#}
{% macro json_text_value(column, keys) -%}
    {{ return(adapter.dispatch('json_text_value')(column, keys)) }}
{%- endmacro %}

{% macro spark__json_text_value(column, keys) -%}
    {#- get_json_object is null for text that is not JSON -#}
    case when get_json_object({{ column }}, '$') is not null then coalesce(
        {%- for key in keys %}
        nullif(trim(get_json_object({{ column }}, '$.{{ key }}')), ''){{ ',' if not loop.last }}
        {%- endfor %}
    ) end
{%- endmacro %}

{% macro default__json_text_value(column, keys) -%}
    case when json_valid({{ column }}) then coalesce(
        {%- for key in keys %}
        nullif(trim(json_extract_string({{ column }}, '$.{{ key }}')), ''){{ ',' if not loop.last }}
        {%- endfor %}
    ) end
{%- endmacro %}

{#- A HubSpot contact in an early lifecycle stage is a lead (HubSpot has no lead object). -#}
{% macro hubspot_is_lead(stage) -%}
    coalesce(lower(trim(cast({{ stage }} as {{ text_type() }}))) in (
        'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead'
    ), false)
{%- endmacro %}

{#-
    Airbyte HubSpot (docs/connectors/airbyte_hubspot.md): every `properties_<name>` column of
    `relation` as Fivetran names it, `property_<name>`, except the names in `skip`.
-#}
{% macro airbyte_hubspot_properties(relation, skip=[]) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set out = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- set name = column.name | lower -%}
        {%- if name.startswith('properties_') and name not in skip -%}
            {%- do out.append(adapter.quote(column.name) ~ ' as ' ~ adapter.quote('property_' ~ name[11:])) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(out | join(',\n        ')) }}
{%- endmacro %}

{#-
    A time Airbyte lands either as epoch milliseconds (HubSpot's legacy engagements and property
    history streams) or as ISO 8601 text; null when it is neither. Pass a keyword column quoted
    (`adapter.quote('timestamp')`).
-#}
{% macro epoch_ms_or_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_ms_or_timestamp')(column)) }}
{%- endmacro %}

{% macro default__epoch_ms_or_timestamp(column) -%}
    case
        when regexp_full_match(trim(cast({{ column }} as varchar)), '-?[0-9]+(\.[0-9]+)?')
            then epoch_ms(cast(cast({{ column }} as double) as bigint))
        else try_cast({{ column }} as timestamp)
    end
{%- endmacro %}

{% macro spark__epoch_ms_or_timestamp(column) -%}
    case
        when regexp_like(trim(cast({{ column }} as string)), '^-?[0-9]+(\\.[0-9]+)?$')
            then timestamp_millis(cast(cast({{ column }} as double) as bigint))
        else try_cast({{ column }} as timestamp)
    end
{%- endmacro %}

{#-
    The ids of a JSON array of ids (`[1, 2]`, `["1","2"]`) as an array of text: the whole value, or
    the array at `path` (`$.companyIds`); null for text that is not JSON. (Casts rather than `$[*]`
    paths, so the SQL transpiles to other warehouses; Spark: `from_json`, null for text that is
    not a JSON array.)
-#}
{% macro json_id_list(column, path=none) -%}
    {{ return(adapter.dispatch('json_id_list')(column, path)) }}
{%- endmacro %}

{% macro default__json_id_list(column, path) -%}
    case when json_valid({{ column }}) then
        {%- if path %} cast(json_extract({{ column }}, '{{ path }}') as varchar[])
        {%- else %} cast(cast({{ column }} as json) as varchar[]){% endif %}
    end
{%- endmacro %}

{% macro spark__json_id_list(column, path) -%}
    {%- if path %}from_json(get_json_object({{ column }}, '{{ path }}'), 'array<string>')
    {%- else %}from_json({{ column }}, 'array<string>'){% endif %}
{%- endmacro %}

{#- The elements of a JSON array text column as an array of JSON values (DuckDB `json[]`, Spark
    the elements' JSON text); null for text that is not JSON. Read them with `json_text`. -#}
{% macro json_array_items(column) -%}
    {{ return(adapter.dispatch('json_array_items')(column)) }}
{%- endmacro %}

{% macro default__json_array_items(column) -%}
    case when json_valid({{ column }}) then cast(cast({{ column }} as json) as json[]) end
{%- endmacro %}

{% macro spark__json_array_items(column) -%}
    from_json({{ column }}, 'array<string>')
{%- endmacro %}

{#- The text at `path` (`$.a.b`) of a JSON value (DuckDB `json_extract_string`, Spark `get_json_object`). -#}
{% macro json_text(value, path) -%}
    {{ return(adapter.dispatch('json_text')(value, path)) }}
{%- endmacro %}

{% macro default__json_text(value, path) -%} json_extract_string({{ value }}, '{{ path }}') {%- endmacro %}

{% macro spark__json_text(value, path) -%} get_json_object({{ value }}, '{{ path }}') {%- endmacro %}

{#- Whether `relation` holds a row (false at parse time): optional tables that add columns only when landed. -#}
{% macro relation_has_rows(relation) -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set result = run_query('select count(*) from ' ~ relation) -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}
