{#-
    Cross-database helpers, dispatched per adapter so the same models run on DuckDB, Postgres,
    Snowflake, BigQuery or Spark (see docs/scale-out.md).
    `replace_all`: replace every match of a regular expression. DuckDB and Postgres replace only
    the first match unless given the 'g' flag; Snowflake, BigQuery and Spark replace all by default.
-#}
{% macro replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('replace_all', 'icp')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{% macro duckdb__replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro postgres__replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}
