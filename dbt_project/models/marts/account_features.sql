{#-
    The feature mart: one row per resolved account (see docs/architecture.md), the join of the
    identity, the labels and one intermediate model per attribute family:
      firmo__  int_account_features_firmographic
      tech__   int_account_features_technographic
      sit__    int_account_features_business_situation
      beh__    int_account_features_behavioural
      x__      int_account_features_extra
    Each family model documents its columns and declares in its YAML what each derived attribute
    derives from (meta.derived_from), which marts.attribute_catalog exposes.
    The column list is generated from the data, so this model has no enforced contract;
    marts.attribute_catalog describes every attribute column.
-#}

with

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

groups as (

    select * from {{ ref('int_account_groups') }}

),

as_of_dates as (

    select * from {{ ref('int_account_as_of_dates') }}

),

labels as (

    select * from {{ ref('int_account_value_labels') }}

),

firmographics as (

    select * from {{ ref('int_account_firmographics') }}

),

firmographic as (

    select * from {{ ref('int_account_features_firmographic') }}

),

technographic as (

    select * from {{ ref('int_account_features_technographic') }}

),

business_situation as (

    select * from {{ ref('int_account_features_business_situation') }}

),

behavioural as (

    select * from {{ ref('int_account_features_behavioural') }}

),

extra as (

    select * from {{ ref('int_account_features_extra') }}

),

final as (

    select
        ---------- identity
        accounts.account_key,
        groups.group_account_key,
        accounts.crm_account_id,
        accounts.erp_customer_id,
        accounts.account_name,
        accounts.domain,
        firmographics.industry,
        firmographics.country,
        firmographics.employee_count,
        as_of_dates.is_customer,
        as_of_dates.as_of_date,
        as_of_dates.first_won_date,

        ---------- labels
        labels.label_gross_margin_ltv,
        labels.label_annualised_value,
        labels.label_acv,
        labels.label_revenue,
        labels.label_tenure_months,
        labels.label_is_churned,
        labels.label_won_amount,
        labels.label_has_closed_opportunity,
        labels.label_has_won_opportunity,

        ---------- attributes, one family model each
        {{ star_except("firmographic", ["account_key"]) }},
        {{ star_except("technographic", ["account_key"]) }},
        {{ star_except("business_situation", ["account_key"]) }},
        {{ star_except("behavioural", ["account_key"]) }},
        {{ star_except("extra", ["account_key"]) }},

        ---------- flags
        accounts.has_crm_record,
        accounts.has_erp_record,
        accounts.has_enrichment_record

    from accounts
    left join groups
        on accounts.account_key = groups.account_key
    left join as_of_dates
        on accounts.account_key = as_of_dates.account_key
    left join labels
        on accounts.account_key = labels.account_key
    left join firmographics
        on accounts.account_key = firmographics.account_key
    left join firmographic
        on accounts.account_key = firmographic.account_key
    left join technographic
        on accounts.account_key = technographic.account_key
    left join business_situation
        on accounts.account_key = business_situation.account_key
    left join behavioural
        on accounts.account_key = behavioural.account_key
    left join extra
        on accounts.account_key = extra.account_key

)

select * from final
