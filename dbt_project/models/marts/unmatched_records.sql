{#-
    Every landed record the identity resolution or currency conversion could not use as is,
    with the reason. Nothing is dropped silently: ERP customers without a CRM account become
    accounts of their own (and are listed here), enrichment-only domains become prospects.
-#}

with

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

erp_customers as (

    select * from {{ ref('stg_erp__customers') }}

),

crm_keys as (

    select * from {{ ref('int_crm_account_keys') }}

),

erp_keys as (

    select * from {{ ref('int_erp_customer_keys') }}

),

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

invoices as (

    select * from {{ ref('int_invoices_converted') }}

),

contracts as (

    select * from {{ ref('int_contracts_converted') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_classified') }}

),

firmographics as (

    select * from {{ ref('stg_enrichment__firmographics') }}

),

unmatched as (

    select
        'erp/customers' as source_table,
        erp_customer_id as record_id,
        'no_crm_account' as reason,
        'kept as account ' || account_key as detail
    from erp_keys
    where matched_crm_account_id is null

    union all

    select
        'enrichment/firmographics',
        coalesce(firmographics.domain, firmographics.domain_raw),
        case when firmographics.domain is null then 'invalid_domain' else 'no_crm_account' end,
        case
            when firmographics.domain is null then 'domain not parseable; row skipped'
            else 'kept as prospect ' || firmographics.domain
        end
    from firmographics
    left join accounts
        on firmographics.domain = accounts.account_key
    where firmographics.domain is null
        or not coalesce(accounts.has_crm_record or accounts.has_erp_record, false)

    union all

    select
        'crm/accounts',
        crm_accounts.account_id,
        case when crm_accounts.is_shared_domain then 'shared_domain' else 'invalid_website' end,
        case
            when crm_accounts.is_shared_domain
                then 'website ' || crm_accounts.website || ' is the shared domain ' || crm_accounts.website_domain
                    || ' (seed shared_domains), not an identity; keyed ' || coalesce(crm_keys.account_key, 'crm:' || crm_accounts.account_id)
            else 'website ' || crm_accounts.website || ' is not a domain; keyed '
                || coalesce(crm_keys.account_key, 'crm:' || crm_accounts.account_id)
        end
    from crm_accounts
    left join crm_keys
        on crm_accounts.account_id = crm_keys.account_id
    where crm_accounts.website is not null
        and crm_accounts.domain is null

    union all

    select
        'erp/customers',
        erp_customers.erp_customer_id,
        case when erp_customers.is_shared_domain then 'shared_domain' else 'invalid_website' end,
        'website ' || erp_customers.website
            || case
                when erp_customers.is_shared_domain
                    then ' is the shared domain ' || erp_customers.website_domain || ' (seed shared_domains), not an identity'
                else ' is not a domain'
            end
            || '; keyed ' || coalesce(erp_keys.account_key, 'erp:' || erp_customers.erp_customer_id)
    from erp_customers
    left join erp_keys
        on erp_customers.erp_customer_id = erp_keys.erp_customer_id
    where erp_customers.website is not null
        and erp_customers.domain is null

    union all

    select
        'crm/leads',
        leads.lead_id,
        'unknown_account_id',
        'converted_account_id ' || leads.converted_account_id || ' not in crm/accounts; not linked to an account'
    from {{ ref('stg_crm__leads') }} as leads
    left join crm_accounts
        on leads.converted_account_id = crm_accounts.account_id
    where leads.converted_account_id is not null
        and crm_accounts.account_id is null

    {%- for table, id_column in [('opportunities', 'opportunity_id'), ('contacts', 'contact_id'), ('activities', 'activity_id')] %}

    union all

    select
        'crm/{{ table }}',
        records.{{ id_column }},
        'unknown_account_id',
        'account_id ' || coalesce(records.account_id, 'null') || ' not in crm/accounts; row skipped'
    from {{ ref('stg_crm__' ~ table) }} as records
    left join crm_keys
        on records.account_id = crm_keys.account_id
    where crm_keys.account_id is null
    {%- endfor %}

    union all

    select
        'marketing/campaign_members',
        records.campaign_id || '|' || coalesce(records.account_id, 'null'),
        'unknown_account_id',
        'account_id ' || coalesce(records.account_id, 'null') || ' not in crm/accounts; row skipped'
    from {{ ref('stg_marketing__campaign_members') }} as records
    left join crm_keys
        on records.account_id = crm_keys.account_id
    where crm_keys.account_id is null

    union all

    select
        'erp/invoices',
        invoice_id,
        case when is_unknown_customer then 'unknown_erp_customer_id' else 'unknown_currency' end,
        case
            when is_unknown_customer
                then 'erp_customer_id ' || coalesce(erp_customer_id, 'null') || ' not in erp/customers; excluded from labels'
            else 'no rate for ' || currency || ' on ' || cast(invoice_date as {{ text_type() }}) || '; excluded from labels'
        end
    from invoices
    where is_unknown_customer
        or (is_unknown_currency and status = 'paid')

    union all

    select
        'erp/contracts',
        contract_id,
        case when account_key is null then 'unknown_erp_customer_id' else 'unknown_currency' end,
        case
            when account_key is null
                then 'erp_customer_id ' || coalesce(erp_customer_id, 'null') || ' not in erp/customers; excluded from labels'
            else 'no rate for ' || currency || ' on ' || cast(start_date as {{ text_type() }}) || '; annual value excluded'
        end
    from contracts
    where account_key is null
        or is_unknown_currency

    union all

    select
        'crm/opportunities',
        opportunity_id,
        'unknown_currency',
        'no rate for ' || currency || '; amount_reporting is null'
    from opportunities
    where account_key is not null
        and is_unknown_currency
        and amount is not null

    {%- for table, id_sql in [
        ('technographics', "coalesce(records.domain, records.domain_raw, 'null') || '|' || records.technology"),
        ('events', "coalesce(records.domain, records.domain_raw, 'null') || '|' || records.event_type || '|' || cast(records.event_date as " ~ text_type() ~ ")"),
    ] %}

    union all

    select
        'enrichment/{{ table }}',
        {{ id_sql }},
        case when records.domain is null then 'invalid_domain' else 'unknown_domain' end,
        'domain not among resolved accounts; row skipped'
    from {{ ref('stg_enrichment__' ~ table) }} as records
    left join accounts
        on records.domain = accounts.account_key
    where accounts.account_key is null
    {%- endfor %}

),

final as (

    select
        cast(source_table as {{ text_type() }}) as source_table,
        cast(record_id as {{ text_type() }}) as record_id,
        cast(reason as {{ text_type() }}) as reason,
        cast(detail as {{ text_type() }}) as detail

    from unmatched

)

select * from final
