{#-
    One row per attribute column of marts.account_features, generated from the columns the
    table has after it is built (so dynamic tech__, sit__events_, beh__ and x__ columns are
    included). The family comes from the name prefix; data_type is 'numeric' for number and
    boolean columns, else 'categorical'. Descriptions come from the account_features YAML,
    else from the naming pattern.
-#}

{%- set families = [
    ('firmo__', 'firmographic', true),
    ('tech__', 'technographic', true),
    ('sit__', 'business_situation', true),
    ('beh__', 'behavioural', false),
    ('x__', 'extra', true),
] -%}

{%- set rows = [] -%}
{%- if execute -%}
    {%- set documented = {} -%}
    {%- set node = graph.nodes.get('model.icp.account_features') -%}
    {%- if node is not none -%}
        {%- for name, column in node.columns.items() -%}
            {%- do documented.update({name | lower: column.description}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for column in adapter.get_columns_in_relation(ref('account_features')) -%}
        {%- set name = column.name | lower -%}
        {%- for prefix, family, observable in families if name.startswith(prefix) -%}
            {%- set attribute = name[prefix | length:] -%}
            {%- if name in documented and documented[name] -%}
                {%- set description = documented[name] -%}
            {%- elif prefix == 'tech__' and attribute.startswith('cat_') -%}
                {%- set description = 'Number of technologies of category ' ~ attribute[4:] ~ ' the account was seen using on or before as_of_date (null when the vendor does not cover the domain).' -%}
            {%- elif prefix == 'tech__' -%}
                {%- set description = '1 when the account was seen using technology ' ~ attribute ~ ' on or before as_of_date, else 0 (null when the vendor does not cover the domain).' -%}
            {%- elif prefix == 'sit__' and attribute.startswith('events_') -%}
                {%- set window = modules.re.search('_(\\d+)m$', attribute) -%}
                {%- set description = 'Number of ' ~ modules.re.sub('_\\d+m$', '', attribute[7:]) ~ ' events in the '
                    ~ (window.group(1) if window else '') ~ ' months up to as_of_date (null without a domain).' -%}
            {%- elif prefix == 'beh__' and attribute.startswith('activities_') -%}
                {%- set window = modules.re.search('_(\\d+)m$', attribute) -%}
                {%- set description = 'CRM activities of type ' ~ modules.re.sub('_\\d+m$', '', attribute[11:]) ~ ' in the '
                    ~ (window.group(1) if window else '') ~ ' months up to as_of_date (null without a CRM record).' -%}
            {%- elif prefix == 'beh__' and attribute.startswith('contacts_seniority_') -%}
                {%- set description = 'CRM contacts with seniority ' ~ attribute[19:] ~ ' created on or before as_of_date.' -%}
            {%- elif prefix == 'beh__' and attribute.startswith('contacts_dept_') -%}
                {%- set description = 'CRM contacts in department ' ~ attribute[14:] ~ ' created on or before as_of_date.' -%}
            {%- elif prefix == 'x__' -%}
                {%- set description = 'Extra column ' ~ attribute ~ ' landed in crm/accounts or enrichment/firmographics, passed through (enrichment wins when both have it).' -%}
            {%- else -%}
                {%- set description = family ~ ' attribute ' ~ attribute ~ '.' -%}
            {%- endif -%}
            {%- do rows.append({
                'attribute': name,
                'family': family,
                'observable': observable,
                'data_type': 'numeric' if is_numeric_type(column.dtype) else 'categorical',
                'description': description,
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}

-- depends_on: {{ ref('account_features') }}

with

attributes as (

    {%- for row in rows %}
    select
        '{{ row.attribute }}' as attribute,
        '{{ row.family }}' as family,
        {{ row.observable }} as observable_for_prospects,
        '{{ row.data_type }}' as data_type,
        '{{ row.description | replace("'", "''") }}' as description
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        cast(null as varchar) as attribute,
        cast(null as varchar) as family,
        cast(null as boolean) as observable_for_prospects,
        cast(null as varchar) as data_type,
        cast(null as varchar) as description
    where 1 = 0
    {%- endfor %}

),

final as (

    select
        cast(attribute as varchar) as attribute,
        cast(family as varchar) as family,
        cast(observable_for_prospects as boolean) as observable_for_prospects,
        cast(data_type as varchar) as data_type,
        cast(description as varchar) as description

    from attributes

)

select * from final
