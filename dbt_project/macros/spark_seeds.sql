{#-
    Seeds on Spark: dbt-spark's seed loader writes each value as a SQL string literal, and Spark reads
    a backslash in a literal as an escape character, so a seed value such as the industry pattern
    `\b(software|saas)\b` arrived as `b(software|saas)b` (every company then mapped to `other`).
    This copy of dbt-spark 1.11's `spark__load_csv_rows` doubles backslashes in text values first;
    everything else is unchanged.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}

  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}

  {% set statements = [] %}

  {% for chunk in agate_table.rows | batch(batch_size) %}
      {% set bindings = [] %}

      {% for row in chunk %}
          {%- for value in row %}
              {%- do bindings.append(value.replace("\\", "\\\\") if value is string else value) %}
          {%- endfor %}
      {% endfor %}

      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = column_override.get(col_name, inferred_type) -%}
                    cast({{ get_binding_char() }} as {{type}})
                  {%- if not loop.last%},{%- endif %}
              {%- endfor -%})
              {%- if not loop.last%},{%- endif %}
          {%- endfor %}
      {% endset %}

      {% do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) %}

      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}

  {# Return SQL so we can render it out into the compiled files #}
  {{ return(statements[0]) }}
{% endmacro %}
