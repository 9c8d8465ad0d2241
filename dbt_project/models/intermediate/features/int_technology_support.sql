{#-
    How many resolved accounts use each technology (any date). Technologies with at least
    var min_technology_support accounts become `tech__<technology_slug>` columns of
    marts.account_features; every category becomes a `tech__cat_<category_slug>` count.
-#}

with

technologies as (

    select * from {{ ref('stg_enrichment__technographics') }}
    where technology_slug is not null

),

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

final as (

    select
        technologies.technology_slug,
        min(technologies.technology) as technology,
        min(technologies.category_slug) as category_slug,
        count(distinct accounts.account_key) as account_count,
        count(distinct accounts.account_key) >= {{ var('min_technology_support') | int }} as is_feature,
        -- the attribute column of int_account_features_technographic ('t_' avoids a clash with the
        -- tech__cat_<category> and tech__count columns)
        'tech__' || case
            when technologies.technology_slug like 'cat!_%' escape '!' or technologies.technology_slug = 'count'
                then 't_' || technologies.technology_slug
            else technologies.technology_slug
        end as attribute_name

    from technologies
    inner join accounts
        on technologies.domain = accounts.account_key
    group by technologies.technology_slug

)

select * from final
