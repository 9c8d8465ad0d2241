{#-
    HubSpot companies in the landing contract's crm/accounts shape (read by stg_crm__accounts).

    Dropped (counted in int_connector_dropped_records): soft-deleted companies and companies merged
    into another (listed in its property_hs_merged_object_ids). Custom properties
    (property_<name>, except HubSpot's own property_hs_* / property_hubspot_*) are passed on as
    extra columns named <name>: candidate attributes like the contract's extra columns.

    Point in time: industry, country, numberofemployees, annualrevenue and the custom properties
    are taken as they were at the company's as-of date (stg_fivetran_hubspot__account_point_in_time)
    when company_property_history holds the property for the company, else their current values.
-#}

{%- set fields = [
    ('property_industry', 'industry', text_type()), ('property_country', 'country', text_type()),
    ('property_numberofemployees', 'employee_count', 'bigint'),
    ('property_annualrevenue', 'annual_revenue', 'double'),
] -%}
{%- set company = ref('base_hubspot__company') -%}
{%- set custom = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(company) -%}
        {%- set name = column.name | lower -%}
        {%- if name.startswith('property_') and not name.startswith('property_hs_')
            and not name.startswith('property_hubspot_')
            and name not in ['property_name', 'property_domain', 'property_website', 'property_industry',
                'property_country', 'property_numberofemployees', 'property_annualrevenue',
                'property_createdate'] -%}
            {%- do custom.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

with

companies as (

    select * from {{ company }}
    where not {{ is_soft_deleted() }}
        and trim(id) not in (select id from {{ ref('base_hubspot__archived') }} where object_type = 'company')

),

point_in_time as (

    select
        company_id,
        {%- for field, _, _ in fields %}
        bool_or(property = '{{ field[9:] }}') as has_{{ field[9:] }},
        max(value) filter (where property = '{{ field[9:] }}') as {{ field[9:] }},
        {%- endfor %}
        {%- for column in custom %}
        {%- set prop = (column.name | lower)[9:] %}
        bool_or(property = '{{ prop }}') as has_{{ prop }},
        max(value) filter (where property = '{{ prop }}') as {{ adapter.quote(prop) }},
        {%- endfor %}
        count(*) as properties

    from {{ ref('stg_fivetran_hubspot__account_point_in_time') }}
    group by 1

),

final as (

    select
        trim(companies.id) as account_id,
        companies.property_name as account_name,
        coalesce(nullif(trim(companies.property_website), ''), companies.property_domain) as website,
        {%- for field, contract, type in fields %}
        case
            when point_in_time.has_{{ field[9:] }} then try_cast(point_in_time.{{ field[9:] }} as {{ type }})
            else cast(companies.{{ field }} as {{ type }})
        end as {{ contract }},
        {%- endfor %}
        trim(companies.property_hs_parent_company_id) as parent_account_id,
        companies.property_createdate as created_at,
        {%- for column in custom %}
        {%- set prop = (column.name | lower)[9:] %}
        case
            when point_in_time.has_{{ prop }} then try_cast(point_in_time.{{ adapter.quote(prop) }} as {{ column.data_type }})
            else companies.{{ adapter.quote(column.name | lower) }}
        end as {{ adapter.quote(prop) }},
        {%- endfor %}
        companies._source_file

    from companies
    left join point_in_time on trim(companies.id) = point_in_time.company_id

)

select * from final
