{#-
    The teams of each HubSpot owner (the user a company is assigned to, property hubspot_owner_id):
    Fivetran's owner_team joined to team (names), and one row per element of the `teams` JSON array
    of Airbyte's owners stream ({id, name, primary}). One row per (owner, team): owner_id,
    team_name, is_primary. Memberships or teams deleted in HubSpot (_fivetran_deleted) are left out
    (counted in int_connector_dropped_records). Explicit columns, so the union runs on every engine.
-#}

select
    trim(cast(owner_team.owner_id as {{ text_type() }})) as owner_id,
    nullif(trim(team.name), '') as team_name,
    coalesce(owner_team.is_team_primary, false) as is_primary,
    'hubspot/owner_team' as _landed_table

from {{ source('hubspot', 'owner_team') }} as owner_team
inner join {{ source('hubspot', 'team') }} as team
    on trim(cast(owner_team.team_id as {{ text_type() }})) = trim(cast(team.id as {{ text_type() }}))
where not coalesce(owner_team._fivetran_deleted, false) and not coalesce(team._fivetran_deleted, false)

union all

select
    owner_id,
    nullif(trim({{ json_text('team', '$.name') }}), '') as team_name,
    coalesce(try_cast({{ json_text('team', '$.primary') }} as boolean), false) as is_primary,
    'hubspot/owners' as _landed_table

from (

    select
        trim(cast(owners.id as {{ text_type() }})) as owner_id,
        team.value as team

    from {{ with_array_rows(source('airbyte_hubspot', 'owners') ~ ' as owners', json_array_items('owners.teams'), 'team', 'value') }}

) as airbyte
