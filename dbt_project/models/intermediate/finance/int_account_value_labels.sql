{{ config(materialized='table') }}

{#-
    Value labels per resolved account (outcomes, computed from all data up to the refresh).

    ERP mode (the warehouse holds at least one realised invoice):
      label_revenue          net realised invoice value (paid invoices minus paid credit notes).
      label_gross_margin_ltv realised gross margin: amount - cost where the invoice has a cost,
                             else amount x the company-wide margin ratio observed on invoices
                             with a cost (sum(amount - cost) / sum(amount)); 1 when no invoice
                             has a cost.
      label_tenure_months    months from the first realised invoice or contract start to the last
                             realised invoice or contract end (open contracts run to the as-of date).
      label_annualised_value label_gross_margin_ltv per year of tenure, tenure floored at 12 months.
      label_acv              summed annual value of active contracts, else of the latest contracts.
      label_is_churned       1 when the account has contracts, none active, and one ended or churned.
    Fallback (no realised invoice in the whole warehouse, e.g. no ERP landed): revenue and gross
    margin from won opportunity amounts (converted), tenure from the first win to the as-of date,
    ACV = the latest won amount, churn unknown.
    Always: label_won_amount (won opportunity amounts), label_has_closed_opportunity,
    label_has_won_opportunity (null without a closed opportunity).
    is_customer = positive realised revenue or a won opportunity; first_won_date = earliest of
    first won close date, first paid invoice, first contract start.
-#}

with

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

refresh as (

    select * from {{ ref('int_refresh_as_of_date') }}

),

invoices as (

    select * from {{ ref('int_invoices_converted') }}
    where is_realised

),

contracts as (

    select * from {{ ref('int_contracts_converted') }}
    where account_key is not null

),

opportunities as (

    select * from {{ ref('int_opportunities_classified') }}
    where account_key is not null

),

margin_ratio as (

    select
        coalesce(
            sum(amount_reporting - cost_reporting) / nullif(sum(amount_reporting), 0),
            1.0
        ) as gross_margin_ratio

    from invoices
    where cost_reporting is not null

),

label_mode as (

    select count(*) > 0 as has_erp_revenue

    from invoices

),

invoice_totals as (

    select
        invoices.account_key,
        sum(invoices.amount_reporting) as revenue,
        sum(
            coalesce(
                invoices.amount_reporting - invoices.cost_reporting,
                invoices.amount_reporting * margin_ratio.gross_margin_ratio
            )
        ) as gross_margin,
        min(invoices.invoice_date) as first_invoice_date,
        max(invoices.invoice_date) as last_invoice_date,
        min(case when invoices.amount_reporting > 0 then invoices.invoice_date end) as first_paid_invoice_date

    from invoices
    cross join margin_ratio
    group by invoices.account_key

),

contract_totals as (

    select
        account_key,
        min(start_date) as first_contract_start_date,
        max(effective_end_date) as last_contract_end_date,
        max(start_date) as latest_contract_start_date,
        bool_or(is_active) as has_active_contract,
        bool_or(is_ended) as has_ended_contract,
        sum(case when is_active then annual_value_reporting end) as active_acv

    from contracts
    group by account_key

),

latest_contracts as (

    select
        contracts.account_key,
        sum(contracts.annual_value_reporting) as latest_acv

    from contracts
    inner join contract_totals
        on contracts.account_key = contract_totals.account_key
        and contracts.start_date = contract_totals.latest_contract_start_date
    group by contracts.account_key

),

opportunity_totals as (

    select
        account_key,
        count(case when is_closed then 1 end) as closed_opportunity_count,
        count(case when is_won then 1 end) as won_opportunity_count,
        sum(case when is_won then amount_reporting end) as won_amount,
        min(case when is_won then coalesce(close_date, created_date) end) as first_won_opportunity_date,
        max(case when is_won then coalesce(close_date, created_date) end) as last_won_opportunity_date

    from opportunities
    group by account_key

),

won_opportunities as (

    select
        account_key,
        amount_reporting,
        coalesce(close_date, created_date) as won_date,
        max(coalesce(close_date, created_date)) over (partition by account_key) as last_won_date

    from opportunities
    where is_won

),

latest_won as (

    select
        account_key,
        sum(amount_reporting) as latest_won_amount

    from won_opportunities
    where won_date is not distinct from last_won_date
    group by account_key

),

combined as (

    select
        accounts.account_key,
        refresh.as_of_date as refresh_as_of_date,
        label_mode.has_erp_revenue,
        margin_ratio.gross_margin_ratio,
        invoice_totals.revenue,
        invoice_totals.gross_margin,
        invoice_totals.first_invoice_date,
        invoice_totals.last_invoice_date,
        invoice_totals.first_paid_invoice_date,
        contract_totals.first_contract_start_date,
        contract_totals.last_contract_end_date,
        contract_totals.has_active_contract,
        contract_totals.has_ended_contract,
        coalesce(contract_totals.active_acv, latest_contracts.latest_acv) as contract_acv,
        coalesce(opportunity_totals.closed_opportunity_count, 0) as closed_opportunity_count,
        coalesce(opportunity_totals.won_opportunity_count, 0) as won_opportunity_count,
        opportunity_totals.won_amount,
        opportunity_totals.first_won_opportunity_date,
        latest_won.latest_won_amount,
        least(invoice_totals.first_invoice_date, contract_totals.first_contract_start_date) as erp_start_date,
        greatest(invoice_totals.last_invoice_date, contract_totals.last_contract_end_date) as erp_end_date

    from accounts
    cross join refresh
    cross join label_mode
    cross join margin_ratio
    left join invoice_totals
        on accounts.account_key = invoice_totals.account_key
    left join contract_totals
        on accounts.account_key = contract_totals.account_key
    left join latest_contracts
        on accounts.account_key = latest_contracts.account_key
    left join opportunity_totals
        on accounts.account_key = opportunity_totals.account_key
    left join latest_won
        on accounts.account_key = latest_won.account_key

),

labelled as (

    select
        account_key,
        refresh_as_of_date,
        has_erp_revenue,
        coalesce(revenue > 0, false) or won_opportunity_count > 0 as is_customer,
        case
            when coalesce(revenue > 0, false) or won_opportunity_count > 0
                then least(first_won_opportunity_date, first_paid_invoice_date, first_contract_start_date)
        end as first_won_date,
        case
            when has_erp_revenue then revenue
            else won_amount
        end as label_revenue,
        case
            when has_erp_revenue then gross_margin
            else won_amount * gross_margin_ratio
        end as label_gross_margin_ltv,
        case
            when has_erp_revenue then {{ dbt.datediff('erp_start_date', 'erp_end_date', 'day') }} / 30.4375
            when won_amount is not null
                then {{ dbt.datediff('first_won_opportunity_date', 'refresh_as_of_date', 'day') }} / 30.4375
        end as label_tenure_months,
        case
            when has_erp_revenue then contract_acv
            else latest_won_amount
        end as label_acv,
        case
            when has_erp_revenue and has_active_contract is not null
                then cast(not has_active_contract and has_ended_contract as integer)
        end as label_is_churned,
        case
            when closed_opportunity_count > 0 then coalesce(won_amount, 0)
        end as label_won_amount,
        cast(closed_opportunity_count > 0 as integer) as label_has_closed_opportunity,
        case
            when closed_opportunity_count > 0 then cast(won_opportunity_count > 0 as integer)
        end as label_has_won_opportunity

    from combined

),

final as (

    select
        account_key,
        is_customer,
        first_won_date,
        refresh_as_of_date,
        cast(label_gross_margin_ltv as double) as label_gross_margin_ltv,
        cast(
            label_gross_margin_ltv * 12.0 / greatest(coalesce(label_tenure_months, 0), 12.0) as double
        ) as label_annualised_value,
        cast(label_acv as double) as label_acv,
        cast(label_revenue as double) as label_revenue,
        cast(round(label_tenure_months, 2) as double) as label_tenure_months,
        label_is_churned,
        cast(label_won_amount as double) as label_won_amount,
        label_has_closed_opportunity,
        label_has_won_opportunity,
        has_erp_revenue as is_label_from_erp

    from labelled

)

select * from final
