{#-
    Contract constraints on Spark. dbt-spark declares a `not_null` constraint with
    `alter table ... change column ... set not null`, which only Delta tables accept; the project's
    Spark tables are plain Parquet (no Delta jars, docs/scale-out.md). So on Parquet each `not_null`
    constraint is checked after the build instead: the model fails naming the column and the number
    of null rows, as DuckDB's enforced constraint would. Delta tables keep dbt-spark's behaviour.
-#}
{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if not contract_config.enforced -%}
        {{ return('') }}
    {%- endif -%}
    {%- if config.get('file_format', 'delta') == 'delta' -%}
        {% do alter_table_add_constraints(relation, model.constraints) %}
        {% do alter_column_set_constraints(relation, model.columns) %}
        {{ return('') }}
    {%- endif -%}
    {%- for column_name, column in model.columns.items() -%}
        {%- for constraint in column['constraints'] if constraint.type == 'not_null' -%}
            {%- set result = run_query('select count(*) from ' ~ relation ~ ' where ' ~ adapter.quote(column_name) ~ ' is null') -%}
            {%- set nulls = result.columns[0].values()[0] -%}
            {%- if nulls > 0 -%}
                {{ exceptions.raise_compiler_error(
                    'Contract of ' ~ relation ~ ': column ' ~ column_name ~ ' has a not_null constraint but '
                    ~ nulls ~ ' rows are null') }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{% endmacro %}
