{#-
    Invoices and credit notes in the reporting currency, with the account they belong to.
    Realised value (is_realised) = status paid (null status is read as paid; open and void are
    excluded), a known exchange rate and a known customer. Credit notes (negative amounts) are
    realised like invoices, so summing nets them. A currency without a rate on the invoice date
    is excluded and flagged (is_unknown_currency; listed in marts.unmatched_records).
-#}

with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates') }}

),

customer_keys as (

    select * from {{ ref('int_erp_customer_keys') }}

),

converted as (

    select
        invoices.invoice_id,
        invoices.erp_customer_id,
        customer_keys.account_key,
        invoices.invoice_date,
        coalesce(invoices.status, 'paid') as status,
        invoices.currency,
        invoices.amount,
        invoices.cost,
        fx_rates.rate_to_reporting as fx_rate,
        invoices.amount * fx_rates.rate_to_reporting as amount_reporting,
        invoices.cost * fx_rates.rate_to_reporting as cost_reporting,
        invoices.amount < 0 as is_credit_note,
        fx_rates.rate_to_reporting is null as is_unknown_currency,
        customer_keys.account_key is null as is_unknown_customer

    from invoices
    left join fx_rates
        on invoices.currency = fx_rates.currency
        and invoices.invoice_date >= fx_rates.valid_from
        and invoices.invoice_date < fx_rates.valid_to
    left join customer_keys
        on invoices.erp_customer_id = customer_keys.erp_customer_id

),

final as (

    select
        *,
        status = 'paid' and not is_unknown_currency and not is_unknown_customer as is_realised

    from converted

)

select * from final
