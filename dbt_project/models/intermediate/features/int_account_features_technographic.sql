{#-
    Technographic attributes (tech__) per resolved account, from technologies seen on or before
    the account's as_of_date: one 0/1 column per technology used by at least
    var min_technology_support accounts (`attribute_name` of int_technology_support), a
    `tech__cat_<category>` count per category and `tech__count`. All null for accounts the
    technographics vendor does not cover. The counts are derived attributes (meta.derived_from).
-#}

{%- set technologies = query_column_values(
    ref('int_technology_support'),
    'select technology_slug from ' ~ ref('int_technology_support') ~ ' where is_feature order by 1'
) -%}
{%- set categories = frequent_values(ref('int_technology_support'), 'category_slug') -%}

with

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

technologies as (

    select * from {{ ref('int_account_technologies_point_in_time') }}

),

technographics_coverage as (

    select distinct domain from {{ ref('stg_enrichment__technographics') }}
    where domain is not null

),

technology_features as (

    select
        account_key,
        {%- for technology in technologies %}
        max(case when technology_slug = '{{ technology }}' then 1 else 0 end) as tech_{{ technology }},
        {%- endfor %}
        {%- for category in categories %}
        count(case when category_slug = '{{ category }}' then 1 end) as cat_{{ category }},
        {%- endfor %}
        count(*) as technology_count

    from technologies
    group by account_key

),

final as (

    select
        accounts.account_key,
        {%- for technology in technologies %}
        {%- set column_name = 'tech__' ~ ('t_' ~ technology if technology.startswith('cat_') or technology == 'count' else technology) %}
        case
            when technographics_coverage.domain is not null
                then cast(coalesce(technology_features.tech_{{ technology }}, 0) as integer)
        end as {{ column_name }},
        {%- endfor %}
        {%- for category in categories %}
        case
            when technographics_coverage.domain is not null
                then coalesce(technology_features.cat_{{ category }}, 0)
        end as tech__cat_{{ category }},
        {%- endfor %}
        case
            when technographics_coverage.domain is not null
                then coalesce(technology_features.technology_count, 0)
        end as tech__count

    from accounts
    left join technographics_coverage
        on accounts.account_key = technographics_coverage.domain
    left join technology_features
        on accounts.account_key = technology_features.account_key

)

select * from final
