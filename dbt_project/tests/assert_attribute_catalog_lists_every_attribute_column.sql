{{ config(meta={'dagster': {'ref': {'name': 'attribute_catalog'}}}) }}
-- The catalogue and account_features agree: every prefixed column is catalogued and vice versa.

{%- set features = ref('account_features') %}
{#- The columns as the adapter lists them (information_schema is not on every engine, e.g. Spark). -#}
{%- set attributes = [] %}
{%- if execute %}
    {%- for column in adapter.get_columns_in_relation(features) %}
        {%- for prefix in ['firmo__', 'tech__', 'sit__', 'beh__', 'x__'] if (column.name | lower).startswith(prefix) %}
            {%- do attributes.append(column.name | lower) %}
        {%- endfor %}
    {%- endfor %}
{%- endif %}

with

feature_columns as (

    {%- for attribute in attributes %}
    select '{{ attribute }}' as attribute
    {%- if not loop.last %} union all{% endif %}
    {%- else %}
    select cast(null as {{ text_type() }}) as attribute where 1 = 0
    {%- endfor %}

),

catalogued as (

    select attribute from {{ ref('attribute_catalog') }}

)

select coalesce(feature_columns.attribute, catalogued.attribute) as attribute
from feature_columns
full outer join catalogued
    on feature_columns.attribute = catalogued.attribute
where feature_columns.attribute is null
    or catalogued.attribute is null
