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

{#-
    `regex_matches`: true when `expression` contains a match of the regular expression `pattern`
    (DuckDB `regexp_matches`, Spark/Databricks `regexp_like`, Postgres `~`).
-#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'icp')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro duckdb__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regex_matches(expression, pattern) -%}
    ({{ expression }} ~ {{ pattern }})
{%- endmacro %}

{#-
    `strip_accents`: the text without diacritics. DuckDB has `strip_accents` (every combining mark);
    elsewhere `translate` maps the accented Latin letters of ISO-8859-1/Latin Extended-A that company
    names use to their base letter (a letter outside that table keeps its accent, so its lookup key
    differs from DuckDB's: docs/scale-out.md).
-#}
{% macro strip_accents(expression) -%}
    {{ return(adapter.dispatch('strip_accents', 'icp')(expression)) }}
{%- endmacro %}

{% macro default__strip_accents(expression) -%}
    translate({{ expression }},
        'ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčĎďÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥÌÍÎÏìíîïĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŁłÑñŃńŅņŇňÒÓÔÕÖØòóôõöøŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųŴŵÝýÿŶŷŸŹźŻżŽž',
        'AAAAAAaaaaaaAaAaAaCcCcCcCcCcDdEEEEeeeeEeEeEeEeEeGgGgGgGgHhIIIIiiiiIiIiIiIiIJjKkLlLlLlLlNnNnNnNnOOOOOOooooooOoOoOoRrRrRrSsSsSsSsTtTtUUUUuuuuUuUuUuUuUuUuWwYyyYyYZzZzZz')
{%- endmacro %}

{% macro duckdb__strip_accents(expression) -%}
    strip_accents({{ expression }})
{%- endmacro %}

{#- `trim_chars`: remove the characters of `characters` from both ends (DuckDB `trim(x, c)`;
    Spark's two-argument trim takes its arguments the other way round, so Spark/Postgres use `btrim`). -#}
{% macro trim_chars(expression, characters) -%}
    {{ return(adapter.dispatch('trim_chars', 'icp')(expression, characters)) }}
{%- endmacro %}

{% macro default__trim_chars(expression, characters) -%}
    btrim({{ expression }}, {{ characters }})
{%- endmacro %}

{% macro duckdb__trim_chars(expression, characters) -%}
    trim({{ expression }}, {{ characters }})
{%- endmacro %}

{#-
    `first_per_group`: the rows of `relation` (a CTE name or subquery, filtered by `where`) that come
    first in their `partition_by` group by `order_by`. DuckDB (and Snowflake, Databricks) write it with
    `qualify`; open-source Spark and Postgres have no `qualify`, so there it is a filtered subquery.
-#}
{% macro first_per_group(relation, partition_by, order_by, where='1 = 1') -%}
    {{ return(adapter.dispatch('first_per_group', 'icp')(relation, partition_by, order_by, where)) }}
{%- endmacro %}

{% macro default__first_per_group(relation, partition_by, order_by, where) -%}
    select * except (_first_per_group_rank)
    from (
        select *, row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _first_per_group_rank
        from {{ relation }}
        where {{ where }}
    ) as ranked
    where _first_per_group_rank = 1
{%- endmacro %}

{% macro duckdb__first_per_group(relation, partition_by, order_by, where) -%}
    select * from {{ relation }}
    where {{ where }}
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}

{#- Arrays (the parent walk of int_account_groups): DuckDB list functions, Spark array functions. -#}
{% macro array_of(expression) -%}
    {{ return(adapter.dispatch('array_of', 'icp')(expression)) }}
{%- endmacro %}
{% macro default__array_of(expression) -%} array({{ expression }}) {%- endmacro %}
{% macro duckdb__array_of(expression) -%} [{{ expression }}] {%- endmacro %}

{% macro array_append_item(array, item) -%}
    {{ return(adapter.dispatch('array_append_item', 'icp')(array, item)) }}
{%- endmacro %}
{% macro default__array_append_item(array, item) -%} array_append({{ array }}, {{ item }}) {%- endmacro %}
{% macro duckdb__array_append_item(array, item) -%} list_append({{ array }}, {{ item }}) {%- endmacro %}

{% macro array_has(array, item) -%}
    {{ return(adapter.dispatch('array_has', 'icp')(array, item)) }}
{%- endmacro %}
{% macro default__array_has(array, item) -%} array_contains({{ array }}, {{ item }}) {%- endmacro %}
{% macro duckdb__array_has(array, item) -%} list_contains({{ array }}, {{ item }}) {%- endmacro %}

{#- Smallest element of `array` from the first occurrence of `item` to the end (1-based positions). -#}
{% macro array_min_from(array, item) -%}
    {{ return(adapter.dispatch('array_min_from', 'icp')(array, item)) }}
{%- endmacro %}
{% macro default__array_min_from(array, item) -%}
    array_min(slice({{ array }}, array_position({{ array }}, {{ item }}), size({{ array }})))
{%- endmacro %}
{% macro duckdb__array_min_from(array, item) -%}
    list_min(list_slice({{ array }}, list_position({{ array }}, {{ item }}), len({{ array }})))
{%- endmacro %}

{#-
    Spark SQL string literals treat a backslash as an escape character (DuckDB, Postgres and
    Snowflake's standard strings do not), so a regular expression written as a literal ('\s+') has its
    backslashes doubled before Spark reads it. Column references pass unchanged.
-#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal', 'icp')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
    {{ return(pattern) }}
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    {%- if pattern is string and pattern.strip().startswith("'") -%}
        {{ return(pattern.replace('\\', '\\\\')) }}
    {%- endif -%}
    {{ return(pattern) }}
{%- endmacro %}

{% macro spark__replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ replacement }})
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    regexp_like({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}

{#- The text type for casts and seeds: `varchar` (DuckDB, Postgres); Spark needs `string`. -#}
{% macro text_type() -%}
    {{ return(adapter.dispatch('text_type', 'icp')()) }}
{%- endmacro %}
{% macro default__text_type() -%} varchar {%- endmacro %}
{% macro spark__text_type() -%} string {%- endmacro %}

{#- Every column of `relation_alias` but `columns` (DuckDB `* exclude (...)`, Spark/Databricks `* except (...)`). -#}
{% macro star_except(relation_alias, columns) -%}
    {{ return(adapter.dispatch('star_except', 'icp')(relation_alias, columns)) }}
{%- endmacro %}
{% macro default__star_except(relation_alias, columns) -%} {{ relation_alias }}.* except ({{ columns | join(', ') }}) {%- endmacro %}
{% macro duckdb__star_except(relation_alias, columns) -%} {{ relation_alias }}.* exclude ({{ columns | join(', ') }}) {%- endmacro %}

{#- The values of `expression` joined by `separator` in ascending order (DuckDB/Postgres `string_agg
    ... order by`, Spark/Databricks/Snowflake `listagg ... within group`). -#}
{% macro sorted_string_agg(expression, separator) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'icp')(expression, separator)) }}
{%- endmacro %}
{% macro default__sorted_string_agg(expression, separator) -%}
    listagg({{ expression }}, {{ separator }}) within group (order by {{ expression }})
{%- endmacro %}
{% macro duckdb__sorted_string_agg(expression, separator) -%}
    string_agg({{ expression }}, {{ separator }} order by {{ expression }})
{%- endmacro %}
{% macro postgres__sorted_string_agg(expression, separator) -%}
    string_agg({{ expression }}, {{ separator }} order by {{ expression }})
{%- endmacro %}

{#- `select * from a union all by name select * from b ...`: rows matched by column name, a column
    missing from a part is null. Each part is a relation (`source()`, `ref()`) or the text of a
    select (a `{% set %}` block; it may start with `with`), read as a subquery. DuckDB (and
    Postgres-like engines through the default) use the SQL form; Spark SQL has no `by name`, so
    the columns are listed (relations from the adapter, selects from `describe query`) and the
    missing ones cast from null to the type of the first part that has them. -#}
{% macro union_all_by_name(relations) -%}
    {{ return(adapter.dispatch('union_all_by_name')(relations)) }}
{%- endmacro %}
{% macro union_part_is_query(part) -%}
    {{ return(part is string and (part | trim | lower).startswith(('select', 'with', '('))) }}
{%- endmacro %}
{% macro union_part_from(part, index) -%}
    {%- if union_part_is_query(part) -%}
    (
{{ part | trim }}
    ) as _union_part_{{ index }}
    {%- else -%}{{ part }}{%- endif -%}
{%- endmacro %}
{% macro default__union_all_by_name(relations) -%}
    {%- for relation in relations %}
    select * from {{ union_part_from(relation, loop.index) }}{{ '\n    union all by name' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
{% macro union_part_columns(part) -%}
    {#- [(name, type)] of a relation (adapter) or of a select's result (`describe query`) -#}
    {%- set out = [] -%}
    {%- if union_part_is_query(part) -%}
        {%- for row in run_query('describe query ' ~ (part | trim)) -%}
            {%- if row[0] and not row[0].startswith('#') -%}{%- do out.append((row[0], row[1])) -%}{%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {%- for column in adapter.get_columns_in_relation(part) -%}
            {%- do out.append((column.name, column.data_type)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(out) }}
{%- endmacro %}
{% macro spark__union_all_by_name(relations) -%}
    {%- if not execute -%}
    select * from {{ union_part_from(relations[0], 1) }}
    {%- else -%}
    {%- set names, types, present = [], {}, [] -%}
    {%- for relation in relations -%}
        {%- set here = [] -%}
        {%- for name, data_type in union_part_columns(relation) -%}
            {%- do here.append(name | lower) -%}
            {%- if name | lower not in types -%}
                {%- do names.append(name) -%}{%- do types.update({name | lower: data_type}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do present.append(here) -%}
    {%- endfor -%}
    {%- for relation in relations -%}
        {%- set outer = loop %}
    select
        {%- for name in names %}
        {% if name | lower in present[outer.index0] %}{{ adapter.quote(name) }}{% else %}cast(null as {{ types[name | lower] }}) as {{ adapter.quote(name) }}{% endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ union_part_from(relation, outer.index) }}{{ '\n    union all' if not loop.last }}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- `from <relation> , <one row per element of the array expression>` as `<alias>(<column>)`
    (DuckDB `unnest`, Spark `lateral view explode`; a null array gives no row on both). -#}
{% macro with_array_rows(relation, expression, alias, column) -%}
    {{ return(adapter.dispatch('with_array_rows')(relation, expression, alias, column)) }}
{%- endmacro %}
{% macro default__with_array_rows(relation, expression, alias, column) -%}
    {{ relation }}, unnest({{ expression }}) as {{ alias }}({{ column }})
{%- endmacro %}
{% macro spark__with_array_rows(relation, expression, alias, column) -%}
    {{ relation }} lateral view explode({{ expression }}) {{ alias }} as {{ column }}
{%- endmacro %}

{#- The smallest element of an array (DuckDB `list_min`, Spark `array_min`). -#}
{% macro array_min_item(array) -%}
    {{ return(adapter.dispatch('array_min_item')(array)) }}
{%- endmacro %}
{% macro default__array_min_item(array) -%} list_min({{ array }}) {%- endmacro %}
{% macro spark__array_min_item(array) -%} array_min({{ array }}) {%- endmacro %}

{#- `from <relation> , <one row per part of expression split at separator>` as `<alias>(<column>)`.
    DuckDB: unnest(string_split(...)); Spark: lateral view explode(split(...)) (its separator is a
    regular expression: pass a character without regex meaning, such as `;`). -#}
{% macro with_split_rows(relation, expression, separator, alias, column) -%}
    {{ return(adapter.dispatch('with_split_rows')(relation, expression, separator, alias, column)) }}
{%- endmacro %}
{% macro default__with_split_rows(relation, expression, separator, alias, column) -%}
    {{ relation }}, unnest(string_split({{ expression }}, '{{ separator }}')) as {{ alias }}({{ column }})
{%- endmacro %}
{% macro spark__with_split_rows(relation, expression, separator, alias, column) -%}
    {{ relation }} lateral view explode(split({{ expression }}, '{{ separator }}')) {{ alias }} as {{ column }}
{%- endmacro %}
