{#-
    HubSpot companies in the landing contract's crm/accounts shape (read by stg_crm__accounts).

    Dropped (counted in int_connector_dropped_records): soft-deleted companies and companies merged
    into another (listed in its property_hs_merged_object_ids). Custom properties
    (property_<name>, except HubSpot's own property_hs_* / property_hubspot_*) are passed on as
    extra columns named <name>: candidate attributes like the contract's extra columns.

    Point in time: industry, country, numberofemployees, annualrevenue and the custom properties
    are taken as they were at the company's as-of date (stg_fivetran_hubspot__account_point_in_time)
    when company_property_history holds the property for the company, else their current values.

    Owner: when the owners' teams are landed (Fivetran's owner_team + team, Airbyte's owners
    stream), the primary team (else the first team name) of the company's owner is passed on as
    the extra column owner_team (a candidate attribute, as Salesforce's owner_department /
    owner_role): the owner at the as-of date (hubspot_owner_id in company_property_history), else
    the current property_hubspot_owner_id. HubSpot owners carry no department, title or role, and
    their names and emails are personal data: not read.
-#}

{%- set fields = [
    ('property_industry', 'industry', text_type()), ('property_country', 'country', text_type()),
    ('property_numberofemployees', 'employee_count', 'bigint'),
    ('property_annualrevenue', 'annual_revenue', 'double'),
] -%}
{%- set company = ref('base_hubspot__company') -%}
{%- set with_owners = relation_has_rows(source('hubspot', 'owner_team'))
    or relation_has_rows(source('airbyte_hubspot', 'owners')) -%}
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

-- depends_on: {{ ref('base_hubspot__owner_team') }}  (read only when owners are landed)
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
        bool_or(property = 'hubspot_owner_id') as has_hubspot_owner_id,
        max(value) filter (where property = 'hubspot_owner_id') as hubspot_owner_id,
        count(*) as properties

    from {{ ref('stg_fivetran_hubspot__account_point_in_time') }}
    group by 1

),
{%- if with_owners %}

owner_teams as (  {# one team per owner: the primary one, else the first name #}

    select owner_id, team_name
    from (
        select
            owner_id,
            team_name,
            row_number() over (partition by owner_id order by is_primary desc, team_name) as team_rank
        from {{ ref('base_hubspot__owner_team') }}
        where team_name is not null
    ) as ranked
    where team_rank = 1

),
{%- endif %}

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
        {%- if with_owners %}
        owner_teams.team_name as owner_team,
        {%- endif %}
        companies._source_file

    from companies
    left join point_in_time on trim(companies.id) = point_in_time.company_id
    {%- if with_owners %}
    left join owner_teams on owner_teams.owner_id = trim(cast(
        case
            when point_in_time.has_hubspot_owner_id then point_in_time.hubspot_owner_id
            else companies.property_hubspot_owner_id
        end as {{ text_type() }}
    ))
    {%- endif %}

)

select * from final
