"""Connector dialects end to end: the same demo world landed in the contract's form and as Fivetran
lands Salesforce (History Mode) or HubSpot, or as Airbyte lands Salesforce or HubSpot, with Stripe for
billing, gives the same customers, value labels and prospect rankings.

The contract-form run has its invoice cost removed: Stripe holds no cost of goods, so both runs
compute margins by the same rule. Runs are shared: one contract-form run and one run per dialect
(module-scoped). The contract form and the dialects in FULL_RUN run the whole pipeline (their
rankings are compared); the others run extract + dbt only (job icp_refresh_data): their model
inputs, `marts.account_features`, must equal the contract form's, which is what the model ranks.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from scipy.stats import spearmanr

from icp_pipeline.demo.dialects.fivetran_salesforce import EDITED_AFTER_WIN
from icp_pipeline.demo.generator import generate_demo_data
from icp_pipeline.lib.landing.connectors.coverage import connector_rows
from tests.pipeline_harness import run_pipeline

pytestmark = pytest.mark.slow
SEED, ACCOUNTS, PROSPECTS = 5, 200, 200
# One Salesforce and one HubSpot dialect through the whole pipeline; the others through dbt only.
FULL_RUN = ("fivetran_salesforce", "airbyte_hubspot")
LABELS = ("label_revenue", "label_annualised_value", "label_acv", "label_won_amount")
# per CRM dialect: its current-state account table, id, employees and first custom field columns
CURRENT = {
    "fivetran_salesforce": ("salesforce__account", "id", "number_of_employees", "account_tier_legacy_c"),
    "airbyte_salesforce": ("salesforce__account", "id", "number_of_employees", "account_tier_legacy_c"),
    "fivetran_hubspot": (
        "hubspot__company",
        "id",
        "property_numberofemployees",
        "property_account_tier_legacy",
    ),
    "airbyte_hubspot": (
        "hubspot__companies",
        "id",
        "properties_numberofemployees",
        "properties_account_tier_legacy",
    ),
}
HISTORY = {
    "fivetran_salesforce": "Point-in-time from salesforce_history/account",
    "fivetran_hubspot": "Point-in-time from hubspot/company_property_history",
    "airbyte_hubspot": "Point-in-time from hubspot/companies_property_history",
    "airbyte_salesforce": "No history table: every attribute is current-state.",  # Airbyte has none
}


@pytest.fixture(scope="module")
def contract(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    generate_demo_data(root / "landing", ACCOUNTS, PROSPECTS, SEED)
    invoices = root / "landing" / "erp" / "invoices.csv"
    frame = pd.read_csv(invoices, dtype=str, keep_default_na=False)
    frame["cost"] = ""  # Stripe lands no cost of goods
    frame.to_csv(invoices, index=False)
    run = run_pipeline(root, root / "landing")
    assert run.result.success
    return run


@pytest.fixture(scope="module", params=list(CURRENT))
def landed(request, tmp_path_factory):
    """(crm dialect, pipeline run, planted truth) of the demo world landed by that connector + Stripe."""
    root = tmp_path_factory.mktemp(request.param)
    truth = generate_demo_data(
        root / "landing", ACCOUNTS, PROSPECTS, SEED, dialects=(request.param, "fivetran_stripe")
    )
    job = "icp_refresh" if request.param in FULL_RUN else "icp_refresh_data"
    run = run_pipeline(root, root / "landing", job=job)
    assert run.result.success
    return request.param, run, truth


def _features(run) -> pd.DataFrame:
    return run.query("select * from marts.account_features").set_index("account_key").sort_index()


def test_same_customers_and_value_labels_within_half_a_percent(contract, landed):
    _, dialect, _ = landed
    a, b = _features(contract), _features(dialect)
    assert set(a.index) == set(b.index)
    assert list(a.columns) == list(b.columns)  # no connector bookkeeping column (_airbyte_*) as attribute
    customers = set(a.index[a["is_customer"]])
    assert customers == set(b.index[b["is_customer"]])
    assert len(customers) > 30
    for label in LABELS:
        x = a.loc[sorted(customers), label].astype(float)
        y = b.loc[sorted(customers), label].astype(float)
        assert (x.isna() == y.isna()).all(), label
        both = x.notna() & (x.abs() > 0)
        relative = ((y[both] - x[both]).abs() / x[both].abs()).max()
        assert relative <= 0.005, (label, relative)


def test_the_model_inputs_equal_the_contract_forms(contract, landed):
    """Every attribute column of marts.account_features (what the model ranks on) is the contract
    form's; only the ERP id (Stripe's customer id) and the money labels (Stripe's minor units,
    compared above) may differ."""
    _, dialect, _ = landed
    a, b = _features(contract), _features(dialect)
    attributes = [c for c in a.columns if not c.startswith("label_") and c != "erp_customer_id"]
    pd.testing.assert_frame_equal(
        a.loc[:, attributes], b.loc[a.index, attributes], check_dtype=False, check_exact=False, rtol=1e-9
    )


def test_prospect_rankings_agree_with_the_contract_form(contract, landed):
    name, dialect, _ = landed
    if name not in FULL_RUN:
        pytest.skip(f"{name} runs extract + dbt only: its model inputs are compared instead")
    query = "select account_key, icp_score from icp.target_accounts where not is_customer"
    a = contract.query(query).set_index("account_key")["icp_score"].sort_index()
    b = dialect.query(query).set_index("account_key")["icp_score"]
    assert set(a.index) == set(b.index)
    rho = spearmanr(a, b.loc[a.index]).statistic
    assert rho >= 0.99, rho


def test_deleted_and_merged_records_are_left_out_and_counted(landed):
    name, dialect, truth = landed
    counts = truth["connector_counts"]
    dropped = dialect.query(
        "select source_table, reason, row_count from marts.dropped_values "
        "where source_table similar to '(salesforce|hubspot|stripe)/.*'"
    )
    got = {(r.source_table, r.reason): r.row_count for r in dropped.itertuples()}
    crm, stripe = counts[name], counts["fivetran_stripe"]
    if name.endswith("_salesforce"):
        assert got[("salesforce/account", "deleted_at_source")] == crm["deleted_accounts"]
        assert got[("salesforce/account", "merged_into_survivor")] == crm["merged_accounts"]
        assert got[("salesforce/opportunity", "deleted_at_source")] == crm["deleted_opportunities"]
        assert got[("salesforce/contact", "moved_to_merge_survivor")] == crm["contacts_on_merged_accounts"]
        assert got[("salesforce/task", "moved_to_merge_survivor")] == crm["tasks_on_merged_accounts"]
        # won deals whose close_date a rep edited: the won date comes from opportunity_history
        assert got.get(("salesforce/opportunity", "won_date_from_history"), 0) == crm["won_dates_edited"]
        assert (crm["won_dates_edited"] > 10) == name.endswith("_salesforce")  # opportunity_history
        gone = ("001Dn00000DEL", "001Dn00000MRG")
    else:  # counted under the table landed: Fivetran's tables, or Airbyte's streams
        company, deal, deal_company, engagement_company = (
            ("hubspot/company", "hubspot/deal", "hubspot/deal_company", "hubspot/engagement_company")
            if name == "fivetran_hubspot"
            else ("hubspot/companies", "hubspot/deals", "hubspot/deals", "hubspot/engagements")
        )
        archived = "_archived" if name == "airbyte_hubspot" else ""  # Airbyte's *_archived streams
        assert got[(company + archived, "deleted_at_source")] == crm["deleted_accounts"]
        assert got[(company, "merged_into_survivor")] == crm["merged_accounts"]
        assert got[(deal + archived, "deleted_at_source")] == crm["deleted_deals"]
        assert got[(deal_company, "moved_to_merge_survivor")] == crm["deals_on_merged_accounts"]
        moved = sum(
            n for (t, r), n in got.items() if t.startswith(engagement_company) and r.startswith("moved_")
        )
        assert moved == crm["engagements_on_merged_accounts"]  # Airbyte: legacy and per-type streams
        gone = ("8", "9")
    assert got[("stripe/customer", "deleted_at_source")] == stripe["deleted_customers"]
    assert got[("stripe/invoice", "draft_invoice")] == stripe["draft_invoices"]
    ids = set(dialect.query("select crm_account_id from marts.account_features")["crm_account_id"].dropna())
    assert not any(i.startswith(gone) for i in ids)


def test_history_keeps_fields_edited_after_the_win_out_of_the_features(contract, landed):
    """The demo edits each customer's employees (x3 + 50) and first custom field 60 days after its
    first win; the connector's current-state table has the edits, its history table every value.
    Staging and features must show the values at the win, as the contract-form run does."""
    name, dialect, truth = landed
    if name == "airbyte_salesforce":
        pytest.skip("Airbyte lands no history; its demo has no post-win edits (see the coverage test)")
    assert truth["connector_counts"][name]["accounts_changed_after_win"] > 30
    table, key, employees, custom = CURRENT[name]
    deleted = "archived" if name == "airbyte_hubspot" else "is_deleted"
    current = dialect.query(
        f"select {key} as id, {employees} as employees, {custom} as custom from raw.{table} where not {deleted}"
    ).set_index("id")
    customers = dialect.query(
        "select crm_account_id from marts.account_features where is_customer and crm_account_id is not null"
    )["crm_account_id"]
    edited = current.loc[current.index.isin(customers) & (current["custom"] == EDITED_AFTER_WIN)]
    assert len(edited) > 30
    stg = "select account_id, employee_count, x__account_tier_legacy from staging.stg_crm__accounts"
    got = dialect.query(stg).set_index("account_id").loc[edited.index]
    expected = contract.query(stg).set_index("account_id").loc[edited.index]
    pd.testing.assert_frame_equal(got, expected)
    assert (got["employee_count"].dropna() != edited["employees"].dropna()).all()
    feature = "select crm_account_id, x__account_tier_legacy from marts.account_features"
    got = dialect.query(feature).dropna(subset="crm_account_id").set_index("crm_account_id").loc[edited.index]
    assert EDITED_AFTER_WIN not in set(got["x__account_tier_legacy"])
    expected = contract.query(feature).dropna(subset="crm_account_id").set_index("crm_account_id")
    pd.testing.assert_series_equal(
        got["x__account_tier_legacy"], expected.loc[edited.index, "x__account_tier_legacy"]
    )


def test_data_coverage_reports_the_detected_dialects_and_what_was_point_in_time(landed):
    """icp.data_coverage's connector rows (published by full runs; computed by the same function
    from the warehouse of an extract + dbt run)."""
    name, dialect, _ = landed
    if name in FULL_RUN:
        coverage = dialect.query("select area, name, available, row_count, detail from icp.data_coverage")
    else:
        with duckdb.connect(str(dialect.warehouse), read_only=True) as con:
            coverage = connector_rows(con)
    dialects = coverage[coverage["area"] == "source_dialect"].set_index("name")
    assert set(dialects.index) == {name, "fivetran_stripe"}
    crm = dialects.at[name, "detail"]
    assert "detected from the folder's table and column names" in crm
    assert HISTORY[name] in crm
    assert name == "airbyte_salesforce" or "Always current-state:" in crm
    if name == "fivetran_salesforce":
        won, covered = dialect.query(
            "select count(*), count(version_started_at) from staging.stg_fivetran_salesforce__account_point_in_time "
            "where first_won_date is not null"
        ).iloc[0]
        assert won > 30 and covered == won  # every account with a win has a version valid at the win
    tables = coverage[coverage["area"] == "landing_table"].set_index("name")
    first = {"fivetran_hubspot": "hubspot/company", "airbyte_hubspot": "hubspot/companies_archived"}.get(
        name, "salesforce/account"
    )
    assert tables.at[first, "available"]
    assert "deleted_at_source" in tables.at[first, "detail"]
    if name in FULL_RUN:
        assert tables.at["crm/accounts", "detail"].startswith("Not used: a connector dialect stands in")
        assert not tables.at["erp/fx_rates", "detail"].startswith("Not used")
