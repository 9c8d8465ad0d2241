{#-
    Deal-to-company associations in Fivetran's `deal_company` shape: Fivetran's table as it is, and
    one row per company id in the `companies` JSON array of each Airbyte deal. Airbyte's array does
    not say which association is primary (type_id null), so a deal with several companies takes
    the smallest company id (stg_fivetran_hubspot__deals).
-#}

{%- set fivetran_part -%}
select *, 'hubspot/deal_company' as _landed_table
from {{ source('hubspot', 'deal_company') }}
{%- endset -%}

{%- set airbyte_part -%}
select
    cast(deals.id as {{ text_type() }}) as deal_id,
    trim(company.company_id) as company_id,
    cast(null as {{ text_type() }}) as type_id,
    false as _fivetran_deleted,
    deals._source_file,
    'hubspot/deals' as _landed_table

from {{ with_array_rows(source('airbyte_hubspot', 'deals') ~ ' as deals', json_id_list('deals.companies'), 'company', 'company_id') }}
where nullif(trim(company.company_id), '') is not null
{%- endset -%}

{{ union_all_by_name([fivetran_part, airbyte_part]) }}
