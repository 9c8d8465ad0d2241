{#-
    Which History Mode version describes each live Salesforce account: the one valid at its as-of
    date (the close date of its first won opportunity, else var as_of_date). One row per account:
    as_of_date (null: none), version_started_at (the version's _fivetran_start; null: no version
    valid then, so current values are used), history_versions (versions of the account in
    salesforce_history.account). Read by stg_fivetran_salesforce__accounts and icp.data_coverage.
-#}

with

accounts as (

    select trim(id) as account_id
    from {{ source('salesforce', 'account') }}
    where not {{ is_soft_deleted() }}
        and nullif(trim(master_record_id), '') is null

),

merges as (

    select * from {{ ref('stg_fivetran_salesforce__account_merges') }}

),

first_wins as (

    select
        coalesce(merges.survivor_id, trim(opportunity.account_id)) as account_id,
        min(opportunity.close_date) as first_won_date

    from {{ source('salesforce', 'opportunity') }} as opportunity
    left join merges on trim(opportunity.account_id) = merges.merged_id
    where coalesce(opportunity.is_won, false) and not {{ is_soft_deleted() }}
    group by 1

),

history as (

    select trim(id) as account_id, _fivetran_start, _fivetran_end
    from {{ source('salesforce_history', 'account') }}

),

as_of as (

    select
        accounts.account_id,
        first_wins.first_won_date,
        coalesce(first_wins.first_won_date, {{ as_of_date_var() }}) as as_of_date

    from accounts
    left join first_wins on accounts.account_id = first_wins.account_id

),

valid as (

    {#- the version valid at the as-of date: started on or before it, not ended by it -#}
    select
        history.account_id,
        max(history._fivetran_start) as version_started_at

    from history
    inner join as_of on history.account_id = as_of.account_id
    where cast(history._fivetran_start as date) <= as_of.as_of_date
        and (history._fivetran_end is null or cast(history._fivetran_end as date) > as_of.as_of_date)
    group by 1

),

counts as (

    select account_id, count(*) as history_versions
    from history
    group by 1

),

final as (

    select
        as_of.account_id,
        as_of.first_won_date,
        as_of.as_of_date,
        valid.version_started_at,
        coalesce(counts.history_versions, 0) as history_versions

    from as_of
    left join valid on as_of.account_id = valid.account_id
    left join counts on as_of.account_id = counts.account_id

)

select * from final
