{#-
    ICP_ENGINE=spark: Parquet folders registered as Spark tables (docs/scale-out.md).

    `tables` maps a schema to {table name: absolute folder of Parquet files}. The pipeline writes the
    loader's checked `raw.*` tables (before `dbt build`, through the `on-run-start` hook and the var
    `spark_parquet_tables`) and the published `icp.*` tables (`dbt run-operation
    register_parquet_tables`) as Parquet with DuckDB's types, and this macro (re)creates each as
    `<schema>.<table> using parquet location '<folder>'`. Other targets: nothing.
-#}
{% macro register_parquet_tables(tables) %}
    {%- if target.type != 'spark' -%}
        {{ return('') }}
    {%- endif -%}
    {#- Opens the metastore once, in one thread, before dbt's threads query it side by side. -#}
    {%- do run_query('show databases') -%}
    {%- if not tables -%}
        {{ return('') }}
    {%- endif -%}
    {%- for schema, by_name in tables.items() -%}
        {%- do run_query('create database if not exists ' ~ adapter.quote(schema)) -%}
        {%- for name, folder in by_name.items() -%}
            {%- set relation = adapter.quote(schema) ~ '.' ~ adapter.quote(name) -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query('create table ' ~ relation ~ " using parquet location '" ~ folder ~ "'") -%}
        {%- endfor -%}
        {{ log('registered ' ~ (by_name | length) ~ ' Parquet tables in Spark schema ' ~ schema, info=True) }}
    {%- endfor -%}
{% endmacro %}
