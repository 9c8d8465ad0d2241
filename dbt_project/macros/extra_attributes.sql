{#- The contract columns of a landing table: the columns its source YAML declares
    (models/staging/<source>/_<source>__sources.yml). [] while parsing (the graph is not built). -#}
{% macro contract_columns(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- for node in graph.sources.values() if node.source_name == source_name and node.name == table_name -%}
        {{ return(node.columns.keys() | list) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("source " ~ source_name ~ "." ~ table_name ~ " is not declared") }}
{%- endmacro %}

{#- Select lines passing every extra (non-contract) landing column through as a candidate attribute
    `x__<slug>`; a slug already taken gets `_<position>` appended. Used by the staging models of tables
    whose extra columns become attributes (stg_crm__accounts, stg_enrichment__firmographics). -#}
{% macro extra_attributes(extra_columns) -%}
    {%- set used = [] %}
    {%- for column in extra_columns %}
    {%- set name = slug(column.name) %}
    {%- set name = name ~ '_' ~ loop.index if name in used else name %}
    {%- do used.append(name) %}
        {{ adapter.quote(column.name) }} as x__{{ name }},
    {%- endfor %}
{%- endmacro %}
