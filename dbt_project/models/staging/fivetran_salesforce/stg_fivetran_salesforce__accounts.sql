{#-
    Salesforce accounts in the landing contract's crm/accounts shape (read by stg_crm__accounts).

    Dropped (counted in int_connector_dropped_records): soft-deleted accounts (is_deleted,
    _fivetran_deleted) and merged-away accounts (master_record_id; their records move to the
    survivor). Custom fields (<name>_c / <name>__c) are passed on as extra columns named <name>:
    candidate attributes like the contract's extra columns.

    Point in time: when History Mode's salesforce_history.account holds versions, industry,
    billing_country, number_of_employees, annual_revenue and the custom fields are
    taken from the version valid at the account's as-of date: the close date of its first won
    opportunity (customers), else var as_of_date; without one of them, or without a version valid
    then, the current values are used (stg_fivetran_salesforce__account_point_in_time says which).
-#}

{%- set known = [
    'id', 'name', 'website', 'industry', 'billing_country', 'number_of_employees', 'annual_revenue',
    'parent_id', 'owner_id', 'created_date', 'master_record_id', 'is_deleted', '_fivetran_deleted',
    '_fivetran_synced', '_fivetran_start', '_fivetran_end', '_fivetran_active',
] -%}
{%- set custom = get_extra_columns(source('salesforce', 'account'), known) -%}
{%- set history_names = get_extra_columns(source('salesforce_history', 'account'), known)
    | map(attribute='name') | map('lower') | list -%}

with

accounts as (

    select * from {{ source('salesforce', 'account') }}
    where not {{ is_soft_deleted() }}
        and nullif(trim(master_record_id), '') is null

),

point_in_time as (

    select * from {{ ref('stg_fivetran_salesforce__account_point_in_time') }}

),

at_as_of as (

    select history.*
    from {{ source('salesforce_history', 'account') }} as history
    inner join point_in_time
        on trim(history.id) = point_in_time.account_id
        and history._fivetran_start = point_in_time.version_started_at

),

final as (

    select
        trim(accounts.id) as account_id,
        accounts.name as account_name,
        accounts.website,
        {%- for field, contract in [
            ('industry', 'industry'), ('billing_country', 'country'),
            ('number_of_employees', 'employee_count'), ('annual_revenue', 'annual_revenue'),
        ] %}
        case when at_as_of.id is not null then at_as_of.{{ field }} else accounts.{{ field }} end as {{ contract }},
        {%- endfor %}
        accounts.parent_id as parent_account_id,
        accounts.created_date as created_at,
        {%- for column in custom %}
        {%- set field = column.name | lower %}
        {%- if field in history_names %}
        case when at_as_of.id is not null then at_as_of.{{ adapter.quote(field) }} else accounts.{{ adapter.quote(field) }} end
        {%- else %}
        accounts.{{ adapter.quote(field) }}
        {%- endif %} as {{ adapter.quote(custom_field_name(field)) }},
        {%- endfor %}
        accounts._source_file

    from accounts
    left join at_as_of on trim(accounts.id) = trim(at_as_of.id)

)

select * from final
