"""Asset checks of the dbt models: the feature mart's Great Expectations suite, and identity resolution
(child tables must match their parents; blocking)."""

import dagster as dg

from icp_pipeline.defs.gx_checks import build_gx_checks
from icp_pipeline.lib.quality.match_rates import (
    WARN_MATCH_RATE,
    describe_pair,
    failing_pairs,
    failure_message,
    warning_pairs,
)
from icp_pipeline.lib.quality.suites import feature_mart_error_expectations, feature_mart_warning_expectations
from icp_pipeline.lib.warehouse.frames import read_frame
from icp_pipeline.resources import WarehouseResource

MATCH_RATES = dg.AssetKey(["marts", "identity_match_rates"])
FEATURE_MART = dg.AssetKey(["marts", "account_features"])


@dg.asset_check(
    asset=FEATURE_MART,
    additional_deps=[MATCH_RATES],
    blocking=True,
    description="Blocking: every child table (deals, contacts, activities, campaign members, leads, ERP "
    "customers' crm_account_id and parent_account_id -> CRM accounts; invoices and contracts -> ERP "
    "customers) matches its parent for at least identity.min_child_match_rate of its rows with a key "
    "(marts.identity_match_rates). Below it the model and publish steps do not run.",
)
def identity_child_parent_match_rates(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        rates = read_frame(con, "select * from marts.identity_match_rates")
    failing = failing_pairs(rates)
    child = rates[rates["relationship"] == "child_to_parent"]
    return dg.AssetCheckResult(
        passed=failing.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        description=failure_message(failing) if len(failing) else None,
        metadata={
            "child_to_parent_rates": dg.MetadataValue.md(
                child.drop(columns=["relationship"]).to_markdown(index=False) if len(child) else "none"
            ),
            "failing_pairs": dg.MetadataValue.json(failing["source_pair"].tolist()),
        },
    )


@dg.asset_check(
    asset=MATCH_RATES,
    description="Match rates per source pair and unmatched rows, shown in the UI. Warns when more than 5 % "
    "of a child table's rows with a key, or of the enrichment rows, point to no parent record; never blocks "
    "(the blocking stop is identity_child_parent_match_rates on marts/account_features).",
)
def identity_match_rates_reported(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        rates = read_frame(con, "select * from marts.identity_match_rates")
        unmatched = con.execute("select count(*) from marts.unmatched_records").fetchone()[0]
    low = warning_pairs(rates)
    found = (
        f"Every child table and enrichment lookup matches at least {WARN_MATCH_RATE:.0%} of its rows with a key; "
        f"{int(unmatched):,} unmatched records in marts.unmatched_records."
        if low.empty
        else " ".join(describe_pair(row) for _, row in low.iterrows())
    )
    return dg.AssetCheckResult(
        passed=low.empty,
        severity=dg.AssetCheckSeverity.WARN,
        description=found,
        metadata={
            "match_rates": dg.MetadataValue.md(
                rates.to_markdown(index=False) if len(rates) else "no sources"
            ),
            "unmatched_records": int(unmatched),
            "low_match_pairs": dg.MetadataValue.json(low["source_pair"].tolist()),
        },
    )


feature_mart_gx_checks = build_gx_checks(
    FEATURE_MART,
    "marts.account_features",
    feature_mart_error_expectations(),
    feature_mart_warning_expectations(),
    "Great Expectations suite of the feature mart (one row per account key, labels in range).",
)

transform_checks: list[dg.AssetChecksDefinition] = [
    feature_mart_gx_checks,
    identity_child_parent_match_rates,
    identity_match_rates_reported,
]
