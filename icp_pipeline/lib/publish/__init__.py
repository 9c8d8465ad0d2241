"""Plain code of the publish stage (`defs/publish/`): tiers, the published tables' builders,
data coverage, atomic publication and the file exports. Nothing here imports Dagster."""
