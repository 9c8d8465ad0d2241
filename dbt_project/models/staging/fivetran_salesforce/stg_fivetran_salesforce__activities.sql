{#-
    Salesforce tasks and events in the contract's crm/activities shape. activity_type: a task's
    type (else its task_subtype), an event's type (else `meeting`); occurred_at: a task's
    activity_date (else created_date), an event's activity_date_time (else created_date).
    Soft-deleted rows are dropped (counted); activities of merged-away accounts move to the survivor.
-#}

with

merges as (

    select * from {{ ref('stg_fivetran_salesforce__account_merges') }}

),

activities as (

    select
        trim(id) as activity_id,
        trim(account_id) as account_id,
        lower(coalesce(nullif(trim(type), ''), nullif(trim(task_subtype), ''))) as activity_type,
        coalesce(cast(activity_date as timestamp), created_date) as occurred_at

    from {{ source('salesforce', 'task') }}
    where not {{ is_soft_deleted() }}

    union all

    select
        trim(id),
        trim(account_id),
        lower(coalesce(nullif(trim(type), ''), 'meeting')),
        coalesce(activity_date_time, created_date)

    from {{ source('salesforce', 'event') }}
    where not {{ is_soft_deleted() }}

),

final as (

    select
        activities.activity_id,
        coalesce(merges.survivor_id, activities.account_id) as account_id,
        activities.activity_type,
        activities.occurred_at

    from activities
    left join merges on activities.account_id = merges.merged_id

)

select * from final
