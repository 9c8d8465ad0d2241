with

source as (

    {# a connector dialect's tables in this shape (docs/connectors/); empty unless landed #}
    {{ union_all_by_name([source('erp', 'contracts'), ref('stg_fivetran_stripe__contracts')]) }}

),

renamed as (

    select
        ---------- ids
        trim(contract_id) as contract_id,
        trim(erp_customer_id) as erp_customer_id,

        ---------- money
        annual_value,
        coalesce(upper(nullif(trim(currency), '')), {{ reporting_currency() }}) as currency,

        ---------- status
        {{ clean_enum('status') }} as status,

        ---------- dates
        start_date,
        end_date

    from source

)

select * from renamed
