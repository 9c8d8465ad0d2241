{#-
    Every row or value the dbt models drop, merge, null or repair, counted per landing table and
    reason: nothing leaves the numbers silently. One row per (source_table, reason) that happened
    at least once. Row-level detail lives in marts.unmatched_records, marts.identity_conflicts and
    marts.unmapped_values (listed_in); the other reasons are counted here from the model that
    applies the rule (model). icp.data_coverage and the `icp run` summary report these counts.

    outcome: dropped (the row or amount is left out of features and labels), nulled (a value is
    not used), merged (rows combined into one account or one row), repaired (a documented rule
    replaced the value), kept (kept in another form, e.g. an ERP customer without CRM account
    becomes an account of its own).
-#}

with

unmatched as (

    select source_table, reason, count(*) as row_count
    from {{ ref('unmatched_records') }}
    group by source_table, reason

),

conflicts as (

    select source_table, conflict_type as reason, count(*) as row_count
    from {{ ref('identity_conflicts') }}
    group by source_table, conflict_type

),

unmapped as (

    select source_table, field, sum(row_count) as row_count
    from {{ ref('unmapped_values') }}
    group by source_table, field

),

fx_rates as (

    select
        *,
        case
            when currency is null then 'missing_currency'
            when not coalesce(rate_to_reporting > 0, false) then 'non_positive_rate'
            when currency = {{ reporting_currency() }} then 'reporting_currency_rate'
        end as drop_reason

    from {{ ref('stg_erp__fx_rates') }}

),

fx_rates_used as (

    {#- the rule of int_fx_rates: one rate per (currency, valid_from), the smallest -#}
    select
        *,
        row_number() over (
            partition by currency, coalesce(valid_from, cast('0001-01-01' as date))
            order by rate_to_reporting
        ) as rate_rank

    from fx_rates
    where drop_reason is null

),

fx_dropped as (

    select drop_reason as reason, count(*) as row_count
    from fx_rates
    where drop_reason is not null
    group by drop_reason

    union all

    select 'duplicate_rate', count(*)
    from fx_rates_used
    where rate_rank > 1

),

counted as (

    ---------- rolled up from the row-level marts
    select
        source_table,
        reason,
        case
            when reason in ('no_crm_account') then 'kept'
            when reason in ('invalid_website', 'shared_domain') then 'nulled'
            when reason = 'unknown_currency' and source_table = 'crm/opportunities' then 'nulled'
            else 'dropped'
        end as outcome,
        'marts.unmatched_records' as listed_in,
        'identity and currency rules' as model,
        row_count,
        case reason
            when 'no_crm_account' then 'matched no CRM account; kept as an account (or prospect) of its own'
            when 'invalid_domain' then 'domain is not a web domain; enrichment row skipped'
            when 'invalid_website' then 'website is not a web domain; the record is keyed by the next identity rule'
            when 'shared_domain' then 'website is on a domain many companies share (gmail.com, linkedin.com, ...); keyed by the next identity rule'
            when 'unknown_account_id' then 'account id not in crm/accounts; row left out of features and labels'
            when 'unknown_erp_customer_id' then 'erp_customer_id not in erp/customers; left out of the labels'
            when 'unknown_currency' then 'no exchange rate for its currency and date; amount left out'
            when 'unknown_domain' then 'domain matches no resolved account; enrichment row skipped'
            else reason
        end as detail
    from unmatched

    union all

    select
        source_table,
        reason,
        case
            when reason = 'duplicate_crm_domain' then 'merged'
            when reason in ('unknown_parent', 'self_parent') then 'nulled'
            else 'repaired'
        end,
        'marts.identity_conflicts',
        'identity rules',
        row_count,
        case reason
            when 'duplicate_crm_domain' then 'CRM account shares its domain with an earlier one; merged into it'
            when 'stale_crm_account_id' then 'ERP crm_account_id overruled by the domain, or pointing nowhere'
            when 'unknown_parent' then 'parent_account_id not in crm/accounts; ignored'
            when 'self_parent' then 'account is its own parent; ignored'
            when 'parent_cycle' then 'parent chain loops; grouped under its smallest account key'
            else reason
        end
    from conflicts

    union all

    select
        source_table,
        'unmapped_' || field,
        case when field = 'industry' then 'repaired' else 'nulled' end,
        'marts.unmapped_values',
        'staging',
        row_count,
        case
            when field = 'industry' then 'industry text matches no pattern of seed industry_mapping; read as other'
            else 'country not in seed country_codes; set to null'
        end
    from unmapped

    ---------- counted here
    union all

    select
        'erp/fx_rates',
        reason,
        'dropped',
        null,
        'int_fx_rates',
        row_count,
        case reason
            when 'missing_currency' then 'rate without currency; ignored'
            when 'non_positive_rate' then 'rate is not positive; ignored'
            when 'reporting_currency_rate' then 'rate of the reporting currency itself; 1 is used'
            else 'several rates for one currency and valid_from; the smallest is used'
        end
    from fx_dropped

    union all

    select
        'enrichment/firmographics',
        'duplicate_domain',
        'merged',
        null,
        'int_firmographics_deduplicated',
        count(*) - count(distinct domain),
        'several rows normalise to one domain; the most complete row is used'
    from {{ ref('stg_enrichment__firmographics') }}
    where domain is not null

    union all

    select
        'erp/customers',
        'shares_account_key',
        'merged',
        null,
        'int_accounts_resolved',
        count(*),
        'several ERP customers resolve to one account; their invoices and contracts add up, the name and country of the first are used'
    from {{ ref('int_erp_customer_keys') }}
    where not is_key_primary

    union all

    select
        'crm/contacts',
        'no_created_at',
        'dropped',
        null,
        'int_account_contacts_point_in_time',
        count(*),
        'contact without created_at cannot be shown to predate the as-of date; left out of contact attributes'
    from {{ ref('stg_crm__contacts') }}
    where created_at is null

    union all

    select
        'crm/opportunities',
        'no_created_date',
        'dropped',
        null,
        'int_account_opportunities_point_in_time',
        count(*),
        'opportunity without created_at cannot be shown to predate the as-of date; left out of behavioural attributes (its amount still counts in labels)'
    from {{ ref('stg_crm__opportunities') }}
    where created_date is null

    union all

    select
        'enrichment/technographics',
        case when technology_slug is null then 'missing_technology' else 'no_first_seen' end,
        'dropped',
        null,
        'int_account_technologies_point_in_time',
        count(*),
        case
            when technology_slug is null then 'technology name without a letter or digit; skipped'
            else 'detection without first_seen cannot be shown to predate the as-of date; left out'
        end
    from {{ ref('stg_enrichment__technographics') }}
    where technology_slug is null
        or first_seen is null
    group by 1, 2, 3, 4, 5, 7

    union all

    select
        'enrichment/events',
        'missing_event_type',
        'dropped',
        null,
        'int_account_events_point_in_time',
        count(*),
        'event type without a letter or digit; skipped'
    from {{ ref('stg_enrichment__events') }}
    where event_type_slug is null

    union all

    select
        'erp/invoices',
        'unrecognised_status',
        'dropped',
        null,
        'int_invoices_converted',
        count(*),
        'status is none of paid, open, void (empty reads as paid); not realised, so left out of revenue'
    from {{ ref('stg_erp__invoices') }}
    where status is not null
        and status not in ('paid', 'open', 'void')

    union all

    select
        'erp/contracts',
        'unrecognised_status',
        'repaired',
        null,
        'int_contracts_converted',
        count(*),
        'status is none of active, ended, churned (empty reads by the dates); counted neither active nor ended'
    from {{ ref('stg_erp__contracts') }}
    where status is not null
        and status not in ('active', 'ended', 'churned')


    union all

    select
        'erp/invoices',
        'missing_status_read_as_paid',
        'repaired',
        null,
        'int_invoices_converted',
        count(*),
        'invoice without status is read as paid (counts in revenue)'
    from {{ ref('stg_erp__invoices') }}
    where status is null

    {%- for table, model, where in [
        ('erp/invoices', 'stg_erp__invoices', 'true'),
        ('erp/contracts', 'stg_erp__contracts', 'true'),
        ('crm/opportunities', 'stg_crm__opportunities', 'amount is not null'),
    ] %}

    union all

    select
        '{{ table }}',
        'missing_currency_read_as_reporting',
        'repaired',
        null,
        '{{ model }}',
        count(*),
        'amount without currency is read as the reporting currency ' || {{ reporting_currency() }}
    from {{ source(table.split('/')[0], table.split('/')[1]) }}
    where nullif(trim(currency), '') is null
        and {{ where }}
    {%- endfor %}

    ---------- connector tables (docs/connectors/): deleted, merged and re-pointed records
    union all

    select source_table, reason, outcome, listed_in, model, row_count, detail
    from {{ ref('int_connector_dropped_records') }}

),

final as (

    select
        cast(source_table as {{ text_type() }}) as source_table,
        cast(reason as {{ text_type() }}) as reason,
        cast(outcome as {{ text_type() }}) as outcome,
        cast(row_count as bigint) as row_count,
        cast(model as {{ text_type() }}) as model,
        cast(listed_in as {{ text_type() }}) as listed_in,
        cast(detail as {{ text_type() }}) as detail

    from counted
    where row_count > 0

)

select * from final
