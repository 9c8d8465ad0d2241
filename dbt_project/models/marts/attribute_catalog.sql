{#-
    One row per attribute column of marts.account_features, generated from the columns the
    table has after it is built (so dynamic tech__, sit__events_, beh__ and x__ columns are
    included). The family comes from the name prefix; data_type is 'numeric' for number and
    boolean columns, else 'categorical'. Descriptions come from the account_features YAML,
    else from the naming pattern. label and unit: macros/attribute_labels.sql (YAML meta, else
    the naming pattern, else the name made readable). derived_from lists (comma separated) the attributes a derived
    attribute derives from, as the family models declare it in their YAML (column meta
    `derived_from`, model meta `derived_from_patterns`; see _features__models.yml).
-#}

{%- set feature_models = [
    'int_account_features_firmographic',
    'int_account_features_technographic',
    'int_account_features_business_situation',
    'int_account_features_behavioural',
    'int_account_features_extra',
] -%}

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
    {%- set documented_meta = {} -%}
    {%- set node = graph.nodes.get('model.icp.account_features') -%}
    {%- if node is not none -%}
        {%- for name, column in node.columns.items() -%}
            {%- do documented.update({name | lower: column.description}) -%}
            {%- do documented_meta.update({name | lower: (column.config.meta if column.config is defined and column.config.meta else column.meta)}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set mart_columns = adapter.get_columns_in_relation(ref('account_features')) -%}
    {%- set names = mart_columns | map(attribute='name') | map('lower') | list -%}
    {#- derived-from declarations of the family models -#}
    {%- set derived = {} -%}
    {%- set rules = [] -%}
    {%- for model_name in feature_models -%}
        {%- set model_node = graph.nodes.get('model.icp.' ~ model_name) -%}
        {%- if model_node is not none -%}
            {%- for cname, column in model_node.columns.items() -%}
                {%- set sources = (column.config.meta if column.config is defined and column.config.meta else column.meta).get('derived_from') -%}
                {%- if sources -%}
                    {%- do derived.update({cname | lower: sources | list}) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set model_meta = model_node.config.meta if model_node.config.meta else model_node.meta -%}
            {%- for rule in model_meta.get('derived_from_patterns', []) -%}
                {%- do rules.append(rule) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for rule in rules if rule.get('via') -%}
        {%- set attribute_sql = "'" ~ rule.attribute.replace('{', "' || ").replace('}', " || '") ~ "'" -%}
        {%- set source_sql = "'" ~ rule.sources.replace('{', "' || ").replace('}', " || '") ~ "'" -%}
        {%- set result = run_query(
            'select ' ~ attribute_sql ~ ' as attribute, ' ~ sorted_string_agg(source_sql, "','") ~ ' as sources from '
            ~ ref(rule.via) ~ ' where ' ~ rule.get('where', 'true') ~ ' group by 1'
        ) -%}
        {%- for row in result.rows if row[0] in names -%}
            {%- do derived.update({row[0]: row[1].split(',')}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set targets = [] -%}
    {%- for rule in rules if not rule.get('via') -%}
        {%- for name in names if modules.re.search(rule.attribute, name) -%}
            {%- do targets.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for rule in rules if not rule.get('via') -%}
        {%- for name in names if modules.re.search(rule.attribute, name) -%}
            {%- set sources = [] -%}
            {%- for other in names if other != name and other not in derived and other not in targets
                and modules.re.search(rule.sources, other) -%}
                {%- do sources.append(other) -%}
            {%- endfor -%}
            {%- if sources -%}
                {%- do derived.update({name: sources}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for column in mart_columns -%}
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
            {%- set label_unit = attribute_label(name, documented_meta.get(name)) -%}
            {%- do rows.append({
                'attribute': name,
                'label': label_unit[0],
                'unit': label_unit[1],
                'family': family,
                'observable': observable,
                'data_type': 'numeric' if is_numeric_type(column.dtype) else 'categorical',
                'description': description,
                'derived_from': (derived.get(name, []) | select('in', names) | join(', ')) or none,
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}

-- depends_on: {{ ref('account_features') }}
-- depends_on: {{ ref('int_technology_support') }} (the `via` relation of derived_from_patterns)

with

attributes as (

    {%- for row in rows %}
    select
        '{{ row.attribute }}' as attribute,
        '{{ row.family }}' as family,
        {{ row.observable }} as observable_for_prospects,
        '{{ row.data_type }}' as data_type,
        '{{ row.description | replace("'", "''") }}' as description,
        '{{ row.label | replace("'", "''") }}' as label,
        {% if row.unit %}'{{ row.unit | replace("'", "''") }}'{% else %}cast(null as {{ text_type() }}){% endif %} as unit,
        {% if row.derived_from %}'{{ row.derived_from }}'{% else %}cast(null as {{ text_type() }}){% endif %} as derived_from
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        cast(null as {{ text_type() }}) as attribute,
        cast(null as {{ text_type() }}) as family,
        cast(null as boolean) as observable_for_prospects,
        cast(null as {{ text_type() }}) as data_type,
        cast(null as {{ text_type() }}) as description,
        cast(null as {{ text_type() }}) as label,
        cast(null as {{ text_type() }}) as unit,
        cast(null as {{ text_type() }}) as derived_from
    where 1 = 0
    {%- endfor %}

),

final as (

    select
        cast(attribute as {{ text_type() }}) as attribute,
        cast(family as {{ text_type() }}) as family,
        cast(observable_for_prospects as boolean) as observable_for_prospects,
        cast(data_type as {{ text_type() }}) as data_type,
        cast(description as {{ text_type() }}) as description,
        cast(label as {{ text_type() }}) as label,
        cast(unit as {{ text_type() }}) as unit,
        cast(derived_from as {{ text_type() }}) as derived_from

    from attributes

)

select * from final
