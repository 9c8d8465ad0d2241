{#-
    The enrichment rows a domainless record may be matched to by name (the contract's last matching
    rule), one row per normalised company name: `company_name_key`, its `domain` (the smallest) and
    `domain_count`, the number of firmographics rows with that name whose domain no CRM account
    already owns. A match needs `domain_count = 1`, so a common name never merges two companies.
    Used by int_crm_account_name_domains and int_firmographics_name_matches (the rule in one place).
-#}
{% macro unclaimed_firmographic_names(firmographics, crm_accounts) -%}
    select
        {{ firmographics }}.company_name_key,
        min({{ firmographics }}.domain) as domain,
        count(*) as domain_count

    from {{ firmographics }}
    left join {{ crm_accounts }}
        on {{ firmographics }}.domain = {{ crm_accounts }}.domain
    where {{ crm_accounts }}.account_id is null
        and {{ firmographics }}.company_name_key is not null
    group by {{ firmographics }}.company_name_key
{%- endmacro %}
