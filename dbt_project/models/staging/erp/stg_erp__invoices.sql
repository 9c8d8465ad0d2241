with

source as (

    {# a connector dialect's tables in this shape (docs/connectors/); empty unless landed #}
    {{ union_all_by_name([source('erp', 'invoices'), ref('stg_fivetran_stripe__invoices')]) }}

),

renamed as (

    select
        ---------- ids
        trim(invoice_id) as invoice_id,
        trim(erp_customer_id) as erp_customer_id,

        ---------- money (negative amount = credit note)
        amount,
        cost,
        coalesce(upper(nullif(trim(currency), '')), {{ reporting_currency() }}) as currency,

        ---------- status
        {{ clean_enum('status') }} as status,

        ---------- dates
        invoice_date

    from source

)

select * from renamed
