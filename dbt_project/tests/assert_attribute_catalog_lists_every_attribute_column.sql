{{ config(meta={'dagster': {'ref': {'name': 'attribute_catalog'}}}) }}
-- The catalogue and account_features agree: every prefixed column is catalogued and vice versa.

{%- set features = ref('account_features') %}

with

feature_columns as (

    select lower(column_name) as attribute
    from information_schema.columns
    where table_schema = '{{ features.schema }}'
        and table_name = '{{ features.identifier }}'
        and (
            column_name like 'firmo\_\_%' escape '\'
            or column_name like 'tech\_\_%' escape '\'
            or column_name like 'sit\_\_%' escape '\'
            or column_name like 'beh\_\_%' escape '\'
            or column_name like 'x\_\_%' escape '\'
        )

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
