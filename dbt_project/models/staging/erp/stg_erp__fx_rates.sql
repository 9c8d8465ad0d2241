with

source as (

    select * from {{ source('erp', 'fx_rates') }}

),

renamed as (

    select
        upper(trim(currency)) as currency,
        rate_to_reporting,
        valid_from

    from source

)

select * from renamed
