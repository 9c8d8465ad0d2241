{#-
    Extra attributes (x__) per resolved account: the extra columns of crm/accounts and
    enrichment/firmographics, passed through (enrichment wins when both have one; as text when
    their types differ).
-#}

{%- set crm_extras = get_columns_with_prefix(ref('stg_crm__accounts'), 'x__') -%}
{%- set firmo_extras = get_columns_with_prefix(ref('int_firmographics_deduplicated'), 'x__') -%}

with

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

enrichment as (

    select * from {{ ref('int_firmographics_deduplicated') }}

),

final as (

    select
        {%- set firmo_extra_types = {} %}
        {%- for column in firmo_extras %}
        {%- do firmo_extra_types.update({column.name: column}) %}
        {%- endfor %}
        {%- for column in crm_extras %}
        {%- if column.name in firmo_extra_types %}
        {%- set other = firmo_extra_types[column.name] %}
        {%- if column.dtype == other.dtype %}
        coalesce(enrichment.{{ column.name }}, crm_accounts.{{ column.name }}) as {{ column.name }},
        {%- else %}
        coalesce(
            cast(enrichment.{{ column.name }} as {{ text_type() }}),
            cast(crm_accounts.{{ column.name }} as {{ text_type() }})
        ) as {{ column.name }},
        {%- endif %}
        {%- else %}
        crm_accounts.{{ column.name }},
        {%- endif %}
        {%- endfor %}
        {%- set crm_extra_names = crm_extras | map(attribute='name') | list %}
        {%- for column in firmo_extras if column.name not in crm_extra_names %}
        enrichment.{{ column.name }},
        {%- endfor %}
        accounts.account_key

    from accounts
    left join crm_accounts
        on accounts.crm_account_id = crm_accounts.account_id
    left join enrichment
        on accounts.account_key = enrichment.domain

)

select * from final
