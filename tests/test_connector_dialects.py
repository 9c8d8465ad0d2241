"""Connector dialects end to end: the same demo world landed in the contract's form and as Fivetran
lands Salesforce (with History Mode) and Stripe gives the same customers, labels and rankings.

The contract-form run has its invoice cost removed: Stripe holds no cost of goods, so both runs
compute margins by the same rule. Two full pipeline runs (about a minute each at 300 accounts).
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import spearmanr

from icp_pipeline.demo.dialects.fivetran_salesforce import EDITED_AFTER_WIN
from icp_pipeline.demo.generator import generate_demo_data
from tests.pipeline_harness import run_pipeline

pytestmark = pytest.mark.slow
SEED, ACCOUNTS, PROSPECTS = 5, 300, 300
DIALECTS = ("fivetran_salesforce", "fivetran_stripe")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("dialects")
    generate_demo_data(root / "contract", ACCOUNTS, PROSPECTS, SEED)
    invoices = root / "contract" / "erp" / "invoices.csv"
    frame = pd.read_csv(invoices, dtype=str, keep_default_na=False)
    frame["cost"] = ""  # Stripe lands no cost of goods
    frame.to_csv(invoices, index=False)
    truth = generate_demo_data(root / "dialect", ACCOUNTS, PROSPECTS, SEED, dialects=DIALECTS)
    contract = run_pipeline(root / "run_contract", root / "contract")
    assert contract.result.success
    dialect = run_pipeline(root / "run_dialect", root / "dialect")
    assert dialect.result.success
    return contract, dialect, truth, root


def _features(run) -> pd.DataFrame:
    return run.query("select * from marts.account_features").set_index("account_key").sort_index()


def test_same_customers_and_value_labels_within_half_a_percent(runs):
    contract, dialect, _, _ = runs
    a, b = _features(contract), _features(dialect)
    assert set(a.index) == set(b.index)
    customers_a = set(a.index[a["is_customer"]])
    assert customers_a == set(b.index[b["is_customer"]])
    assert len(customers_a) > 30
    for label in ("label_revenue", "label_annualised_value", "label_acv"):
        x = a.loc[sorted(customers_a), label].astype(float)
        y = b.loc[sorted(customers_a), label].astype(float)
        assert (x.isna() == y.isna()).all(), label
        both = x.notna() & (x.abs() > 0)
        relative = ((y[both] - x[both]).abs() / x[both].abs()).max()
        assert relative <= 0.005, (label, relative)


def test_prospect_rankings_agree_with_the_contract_form(runs):
    contract, dialect, _, _ = runs
    query = "select account_key, icp_score from icp.target_accounts where not is_customer"
    a = contract.query(query).set_index("account_key")["icp_score"]
    b = dialect.query(query).set_index("account_key")["icp_score"]
    assert set(a.index) == set(b.index)
    rho = spearmanr(a.sort_index(), b.loc[a.sort_index().index]).statistic
    assert rho >= 0.99, rho


def test_deleted_and_merged_records_are_left_out_and_counted(runs):
    _, dialect, truth, _ = runs
    counts = truth["connector_counts"]
    dropped = dialect.query(
        "select source_table, reason, row_count from marts.dropped_values "
        "where source_table like 'salesforce/%' or source_table like 'stripe/%'"
    )
    got = {(r.source_table, r.reason): r.row_count for r in dropped.itertuples()}
    sf, stripe = counts["fivetran_salesforce"], counts["fivetran_stripe"]
    assert got[("salesforce/account", "deleted_at_source")] == sf["deleted_accounts"]
    assert got[("salesforce/account", "merged_into_survivor")] == sf["merged_accounts"]
    assert got[("salesforce/opportunity", "deleted_at_source")] == sf["deleted_opportunities"]
    assert got[("salesforce/contact", "moved_to_merge_survivor")] == sf["contacts_on_merged_accounts"]
    assert got[("salesforce/task", "moved_to_merge_survivor")] == sf["tasks_on_merged_accounts"]
    assert got[("stripe/customer", "deleted_at_source")] == stripe["deleted_customers"]
    assert got[("stripe/invoice", "draft_invoice")] == stripe["draft_invoices"]
    ids = set(dialect.query("select crm_account_id from marts.account_features")["crm_account_id"].dropna())
    assert not any(i.startswith(("001Dn00000DEL", "001Dn00000MRG")) for i in ids)


def test_history_mode_keeps_fields_edited_after_the_win_out_of_the_features(runs):
    """The demo edits each customer's employees (x3 + 50) and first custom field 60 days after its
    first win; Fivetran's current-state table has the edits, History Mode both versions. Staging and
    features must show the values at the win, as the contract-form run does."""
    contract, dialect, truth, _ = runs
    assert truth["connector_counts"]["fivetran_salesforce"]["accounts_changed_after_win"] > 30
    current = dialect.query(
        "select id, number_of_employees, account_tier_legacy_c from raw.salesforce__account where not is_deleted"
    ).set_index("id")
    customers = dialect.query(
        "select crm_account_id from marts.account_features where is_customer and crm_account_id is not null"
    )["crm_account_id"]
    edited = current.loc[
        current.index.isin(customers) & (current["account_tier_legacy_c"] == EDITED_AFTER_WIN)
    ]
    assert len(edited) > 30
    stg = "select account_id, employee_count, x__account_tier_legacy from staging.stg_crm__accounts"
    got = dialect.query(stg).set_index("account_id").loc[edited.index]
    expected = contract.query(stg).set_index("account_id").loc[edited.index]
    pd.testing.assert_frame_equal(got, expected)
    assert (got["employee_count"].dropna() != edited["number_of_employees"].dropna()).all()
    feature = "select crm_account_id, x__account_tier_legacy from marts.account_features"
    got = dialect.query(feature).dropna(subset="crm_account_id").set_index("crm_account_id").loc[edited.index]
    assert EDITED_AFTER_WIN not in set(got["x__account_tier_legacy"])
    expected = contract.query(feature).dropna(subset="crm_account_id").set_index("crm_account_id")
    pd.testing.assert_series_equal(
        got["x__account_tier_legacy"], expected.loc[edited.index, "x__account_tier_legacy"]
    )


def test_data_coverage_reports_the_detected_dialects_and_what_was_point_in_time(runs):
    _, dialect, _, _ = runs
    coverage = dialect.query("select area, name, available, row_count, detail from icp.data_coverage")
    dialects = coverage[coverage["area"] == "source_dialect"].set_index("name")
    assert set(dialects.index) == {"fivetran_salesforce", "fivetran_stripe"}
    salesforce = dialects.at["fivetran_salesforce", "detail"]
    assert "detected from the folder's table and column names" in salesforce
    assert "Point-in-time from salesforce_history/account" in salesforce
    assert "Always current-state: account name, website and parent account" in salesforce
    won, covered = dialect.query(
        "select count(*), count(version_started_at) from staging.stg_fivetran_salesforce__account_point_in_time "
        "where first_won_date is not null"
    ).iloc[0]
    assert won > 30 and covered == won  # every account with a win has a version valid at the win
    tables = coverage[coverage["area"] == "landing_table"].set_index("name")
    assert tables.at["salesforce/account", "available"]
    assert "deleted_at_source" in tables.at["salesforce/account", "detail"]
    assert tables.at["crm/accounts", "detail"].startswith("Not used: a connector dialect stands in")
    assert not tables.at["erp/fx_rates", "detail"].startswith("Not used")
