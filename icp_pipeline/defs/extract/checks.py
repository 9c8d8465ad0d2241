"""Asset checks of the extract assets: each raw table's Great Expectations suite (keys, required
values, enumerations, ranges), `gx_errors` (blocking) and `gx_warnings`.

They are check specs of the extract step (`defs/extract/assets.py::landing_tables`), which runs each
table's checks right after its load, while other tables load; no separate check definitions."""

import dagster as dg

from icp_pipeline.defs.extract.assets import landing_tables

extract_checks: list[dg.AssetChecksDefinition] = []
"""Separate check definitions of the extract assets: none (see the module docstring)."""
extract_check_keys: list[dg.AssetCheckKey] = sorted(landing_tables.check_keys, key=str)
