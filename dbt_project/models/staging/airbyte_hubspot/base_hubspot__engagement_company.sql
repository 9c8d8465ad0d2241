{#-
    Engagement-to-company associations in Fivetran's `engagement_company` shape: Fivetran's table as
    it is, and one row per id of each Airbyte engagement's associations.companyIds (the
    `associations` JSON object, or a flattened `associations_companyIds` JSON array).
-#}

{%- set engagements = source('airbyte_hubspot', 'engagements') -%}

{%- set fivetran_part -%}
select *, 'hubspot/engagement_company' as _landed_table
from {{ source('hubspot', 'engagement_company') }}
{%- endset -%}

{%- set company_ids -%}
coalesce(
        {{ json_id_list('engagements.associations', '$.companyIds') }},
        {{ json_id_list('engagements.associations_companyids') }}
    )
{%- endset -%}

{%- set airbyte_part -%}
select
    cast(engagements.id as {{ text_type() }}) as engagement_id,
    trim(company.company_id) as company_id,
    false as _fivetran_deleted,
    engagements._source_file,
    'hubspot/engagements' as _landed_table

from {{ with_array_rows(engagements ~ ' as engagements', company_ids, 'company', 'company_id') }}
where nullif(trim(company.company_id), '') is not null
{%- endset -%}

{{ union_all_by_name([fivetran_part, airbyte_part]) }}
