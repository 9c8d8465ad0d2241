"""Connector schemas (landing contract v1.1): the tables Fivetran lands for Salesforce and Stripe.

`tables` declares them as landing `Table`s, so the contract's loader (checks, quarantine, counts,
encodings, ragged rows) loads them into `raw.<schema>__<table>`; `detect` tells which dialect a
landing folder holds. The dbt models under `dbt_project/models/staging/<dialect>/` turn the raw
tables into the contract's staging interface (`stg_crm__*`, `stg_erp__*`).
"""
