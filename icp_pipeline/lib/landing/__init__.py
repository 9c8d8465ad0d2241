"""The landing stage: the contract, finding and reading files, mapping exports onto the contract,
checking and repairing values, and loading each table into the warehouse's `raw` schema.

Plain code without Dagster; `icp_pipeline/defs/extract/` holds the assets that call it.
"""
