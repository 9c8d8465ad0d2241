{#-
    Salesforce opportunities in the contract's crm/opportunities shape (read by stg_crm__opportunities).
    Won and lost come from the flags is_won / is_closed, never from stage names (orgs rename stages):
    `stage` is written as `Closed Won` / `Closed Lost` for closed deals, else the stage name (an open
    stage whose name reads as won or lost is prefixed `Open: ` so it cannot count as closed).
    An open deal's close_date is only its expected date: null, as the contract has it; a won deal's
    close_date is the day opportunity_history shows it entering its won stage, when the history
    holds it (stg_fivetran_salesforce__opportunity_won_dates), else close_date. Soft-deleted
    deals are dropped (counted); deals of merged-away accounts move to the survivor.
-#}

{%- set product = column_or_null(source('salesforce', 'opportunity'), ['product_c', 'product__c', 'product']) -%}

with

opportunities as (

    select * from {{ source('salesforce', 'opportunity') }}
    where not {{ is_soft_deleted() }}

),

merges as (

    select * from {{ ref('stg_fivetran_salesforce__account_merges') }}

),

won_dates as (

    select * from {{ ref('stg_fivetran_salesforce__opportunity_won_dates') }}

),

final as (

    select
        trim(opportunities.id) as opportunity_id,
        coalesce(merges.survivor_id, trim(opportunities.account_id)) as account_id,
        case
            when coalesce(opportunities.is_won, false) then 'Closed Won'
            when coalesce(opportunities.is_closed, false) then 'Closed Lost'
            when {{ clean_enum('opportunities.stage_name') }} in {{ stage_list('won_stages') }}
                or {{ clean_enum('opportunities.stage_name') }} in {{ stage_list('lost_stages') }}
                then 'Open: ' || opportunities.stage_name
            else opportunities.stage_name
        end as stage,
        opportunities.amount,
        opportunities.currency_iso_code as currency,
        cast(opportunities.created_date as date) as created_at,
        case
            when coalesce(opportunities.is_won, false) then coalesce(won_dates.won_date, opportunities.close_date)
            when coalesce(opportunities.is_closed, false) then opportunities.close_date
        end as close_date,
        cast({{ product }} as {{ text_type() }}) as product,
        opportunities.lead_source

    from opportunities
    left join merges on trim(opportunities.account_id) = merges.merged_id
    left join won_dates on trim(opportunities.id) = won_dates.opportunity_id

)

select * from final
