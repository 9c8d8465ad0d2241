{#-
    Stripe invoices and credit notes in the contract's erp/invoices shape (read by stg_erp__invoices).
    Amounts: `total` divided by the currency's minor units (macro stripe_minor_units: 1 for
    zero-decimal currencies such as JPY, 1000 for three-decimal ones, else 100). Status: paid ->
    paid, open -> open, uncollectible and void -> void; draft invoices are dropped (counted).
    A credit note is a negative invoice (amount = -total): issued -> paid, void -> void.
    Stripe holds no cost of goods: cost is null (the labels then use the company-wide margin rule).
-#}

with

invoices as (

    select
        trim(id) as invoice_id,
        trim(customer_id) as erp_customer_id,
        cast(created as date) as invoice_date,
        total / {{ stripe_minor_units('currency') }} as amount,
        cast(null as double) as cost,
        upper(currency) as currency,
        case lower(trim(status))
            when 'paid' then 'paid'
            when 'open' then 'open'
            when 'uncollectible' then 'void'
            when 'void' then 'void'
            else lower(trim(status))
        end as status

    from {{ source('stripe', 'invoice') }}
    where not coalesce(_fivetran_deleted, false)
        and coalesce(lower(trim(status)), '') <> 'draft'

),

credit_notes as (

    select
        trim(id),
        trim(customer_id),
        cast(created as date),
        -total / {{ stripe_minor_units('currency') }},
        cast(null as double),
        upper(currency),
        case lower(trim(status)) when 'void' then 'void' else 'paid' end

    from {{ source('stripe', 'credit_note') }}
    where not coalesce(_fivetran_deleted, false)

),

final as (

    select * from invoices
    union all
    select * from credit_notes

)

select * from final
