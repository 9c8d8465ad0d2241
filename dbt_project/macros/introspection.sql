{#-
    Helpers that read the warehouse while models compile. Each returns an empty list while dbt
    parses (`execute` is false) or when the relation does not exist yet, so `dbt parse`,
    `dbt compile` and `dbt docs generate` work on an empty warehouse.
-#}

{#- Columns of `relation` not named in `known_columns` (and not `_source_file`): the extra columns. -#}
{% macro get_extra_columns(relation, known_columns) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set known = known_columns | map('lower') | list + ['_source_file'] -%}
    {%- set extras = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.name | lower not in known -%}
            {%- do extras.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(extras) }}
{%- endmacro %}

{#- Columns of `relation` whose name starts with `prefix`. -#}
{% macro get_columns_with_prefix(relation, prefix) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if (column.name | lower).startswith(prefix) -%}
            {%- do found.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- First column of a query's rows as a list; [] while parsing or when `relation` is missing. -#}
{% macro query_column_values(relation, sql) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if load_relation(relation) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query(sql) -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}

{#- True for DuckDB/ANSI numeric and boolean column types. -#}
{% macro is_numeric_type(data_type) -%}
    {%- set t = data_type | string | upper -%}
    {%- set numeric = ['TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT', 'HUGEINT', 'UTINYINT',
        'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'REAL', 'DOUBLE', 'BOOLEAN'] -%}
    {{ return(t in numeric or t.startswith('DECIMAL') or t.startswith('NUMERIC')) }}
{%- endmacro %}

{#-
    Distinct non-null values of `value_sql` in `relation`, most frequent first (at most `limit`),
    returned sorted so generated column lists are stable. Used for dynamic feature columns.
    `group_columns`: the relation's columns `value_sql` reads. When given, the rows are first
    counted per distinct combination of those columns and `value_sql` is evaluated once per
    combination (same values and counts; at 1 M accounts slugging the 7.6 M activities' types
    row by row took 9 of the 12.7 s of int_account_features_behavioural).
-#}
{% macro frequent_values(relation, value_sql, limit=none, where='1 = 1', group_columns=none) -%}
    {%- set sql -%}
        select value
        from (
            {%- if group_columns %}
            select {{ value_sql }} as value, sum(row_count) as row_count
            from (
                select {{ group_columns | join(', ') }}, count(*) as row_count
                from {{ relation }}
                where {{ where }}
                group by {{ group_columns | join(', ') }}
            ) as raw_counts
            group by 1
            {%- else %}
            select {{ value_sql }} as value, count(*) as row_count
            from {{ relation }}
            where {{ where }}
            group by 1
            {%- endif %}
        ) as counted
        where value is not null
        order by row_count desc, value
        {% if limit is not none %}limit {{ limit | int }}{% endif %}
    {%- endset -%}
    {{ return(query_column_values(relation, sql) | sort) }}
{%- endmacro %}
