"""Bad whole datasets (docs/bad-inputs.md): too few customers, one industry, no closed deals, unmatched
enrichment, shared domains, parent cycles, orphans, a misspelt filter in a run. They need whole pipeline
runs, shared by module-scoped fixtures (three small runs)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from icp_pipeline.cli.progress import failure_message
from icp_pipeline.lib.config.settings import DEFAULT_CONFIG

# --- whole datasets: three small pipeline runs ------------------------------------------------------


def _read(landing: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(landing / f"{name}.csv", dtype=str, keep_default_na=False)


def _write(landing: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(landing / f"{name}.csv", index=False)


def _append(landing: Path, name: str, new_rows: list[dict]) -> None:
    _write(landing, name, pd.concat([_read(landing, name), pd.DataFrame(new_rows)]).fillna(""))


def make_degenerate_dataset(landing: Path) -> dict[str, str]:
    """Demo data made awkward but valid: every customer in one industry, no closed opportunity, an
    enrichment feed matching no account, shared domains, self and cyclic parents, orphans, an unknown
    currency, implausible values and personal data in extra columns. Returns the ids it planted."""
    accounts = _read(landing, "crm/accounts")
    ids = accounts["account_id"].tolist()
    accounts["industry"] = "Software"
    accounts.loc[1, "website"] = accounts.loc[0, "website"] = "https://www.Shared-Domain.com/about"
    accounts.loc[2, "website"], accounts.loc[3, "website"] = "shared-two.com", "http://shared-two.com/"
    accounts.loc[4, "parent_account_id"] = ids[4]  # its own parent
    accounts.loc[5, "parent_account_id"], accounts.loc[6, "parent_account_id"] = ids[6], ids[5]  # a cycle
    accounts["Contact Email"] = "owner" + accounts.index.astype(str) + "@leak.example"  # personal data
    _write(landing, "crm/accounts", accounts)

    opportunities = _read(landing, "crm/opportunities")
    opportunities["stage"], opportunities["close_date"] = "Prospecting", ""  # nothing closed
    _write(landing, "crm/opportunities", opportunities)
    _append(
        landing,
        "crm/opportunities",
        [{"opportunity_id": "ORPHAN-OPP", "account_id": "NO-SUCH", "stage": "Won"}],
    )
    contacts = _read(landing, "crm/contacts")
    contacts["first_name"], contacts["last_name"] = "Ada" + contacts.index.astype(str), "Lovelace"
    _write(landing, "crm/contacts", contacts)
    _append(landing, "crm/contacts", [{"contact_id": "ORPHAN-CONTACT", "account_id": "NO-SUCH"}])

    customer = _read(landing, "erp/invoices")["erp_customer_id"].iloc[0]
    invoice = {"erp_customer_id": customer, "invoice_date": "2024-03-01", "amount": "100", "status": "paid"}
    _append(
        landing,
        "erp/invoices",
        [
            {**invoice, "invoice_id": "ORPHAN-INV", "erp_customer_id": "NO-SUCH", "currency": "USD"},
            {**invoice, "invoice_id": "XYZ-INV", "currency": "XYZ"},
            {**invoice, "invoice_id": "FUTURE-INV", "invoice_date": "2099-01-01", "currency": "USD"},
            {**invoice, "invoice_id": "ABSURD-INV", "amount": "1e15", "currency": "USD"},
        ],
    )
    for name in ("enrichment/firmographics", "enrichment/technographics", "enrichment/events"):
        frame = _read(landing, name)
        frame["domain"] = "nomatch-" + frame["domain"].str.replace(r"[^a-z0-9]", "", regex=True) + ".example"
        if "company_name" in frame:
            frame["company_name"] = "Unrelated " + frame.index.astype(str)
        _write(landing, name, frame)
    return {"self_parent": ids[4], "cycle": ids[5]}


def make_few_customers_dataset(landing: Path, n: int) -> None:
    """Only `n` ERP customers keep their invoices and contracts; no opportunity is won."""
    keep = _read(landing, "erp/customers")["erp_customer_id"].iloc[:n].tolist()
    for name in ("erp/invoices", "erp/contracts"):
        frame = _read(landing, name)
        _write(landing, name, frame[frame["erp_customer_id"].isin(keep)])
    opportunities = _read(landing, "crm/opportunities")
    opportunities.loc[opportunities["stage"].str.lower().str.contains("won"), "stage"] = "Closed Lost"
    _write(landing, "crm/opportunities", opportunities)


def _failure_messages(run) -> dict[str, str]:
    return {
        event.step_key: failure_message(event.event_specific_data.error)
        for event in run.result.all_events
        if event.is_step_failure
    }


def _published(warehouse: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'icp'"
            ).fetchall()
        ]
        return {name: con.execute(f"select * from icp.{name}").df() for name in sorted(names)}


@pytest.fixture(scope="module")
def degenerate(tmp_path_factory):
    from icp_pipeline.demo.generator import generate_demo_data
    from tests.pipeline_harness import run_pipeline

    root = tmp_path_factory.mktemp("degenerate")
    generate_demo_data(root / "landing", n_accounts=300, n_prospects=100, seed=5)
    planted = make_degenerate_dataset(root / "landing")
    run = run_pipeline(root, root / "landing", config_path=DEFAULT_CONFIG, raise_on_error=False)
    assert run.result.success, _failure_messages(run)
    return run, planted


@pytest.fixture(scope="module", params=[0, 5], ids=["zero_customers", "five_customers"])
def few_customers(request, degenerate, tmp_path_factory):
    """A refresh with too few customers, into a copy of the degenerate run's warehouse."""
    from icp_pipeline.demo.generator import generate_demo_data
    from tests.pipeline_harness import run_pipeline

    root = tmp_path_factory.mktemp(f"customers_{request.param}")
    generate_demo_data(root / "landing", n_accounts=300, n_prospects=100, seed=5)
    make_few_customers_dataset(root / "landing", request.param)
    warehouse = root / "warehouse.duckdb"
    shutil.copy(degenerate[0].warehouse, warehouse)
    run = run_pipeline(
        root, root / "landing", config_path=DEFAULT_CONFIG, raise_on_error=False, warehouse=warehouse
    )
    return request.param, run, degenerate[0]


@pytest.mark.slow
def test_too_few_customers_fail_the_run_with_the_reason_and_keep_the_last_publication(few_customers):
    n, run, previous = few_customers
    assert not run.result.success
    failures = _failure_messages(run)
    assert list(failures) == ["icp_models"]
    assert re.search(
        rf"value model needs at least 20 customers with a non-null 'label_annualised_value', got {n}; add "
        r"customer history.*A customer is an account with paid revenue \(erp/invoices\) or a won opportunity",
        failures["icp_models"],
    ), failures
    before, after = _published(previous.warehouse), _published(run.warehouse)
    assert list(before) == list(after)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


@pytest.mark.slow
def test_every_customer_in_one_industry_still_gives_a_complete_tiered_list(degenerate):
    run, _ = degenerate
    industries = run.query(
        "select distinct industry from marts.account_features where crm_account_id is not null"
    )
    assert industries["industry"].dropna().tolist() == ["software"]
    targets = run.query("select * from icp.target_accounts")
    assert targets["account_key"].is_unique and targets["tier"].notna().all()
    assert {"Tier 1", "Tier 2", "Tier 3"} <= set(targets["tier"])


@pytest.mark.slow
def test_no_closed_opportunity_leaves_the_win_model_out_and_says_why(degenerate):
    run, _ = degenerate
    coverage = run.query("select name, available, detail from icp.data_coverage").set_index("name")
    assert not coverage.loc["win_model", "available"]
    assert "0 won / 0 lost" in coverage.loc["win_model", "detail"]
    assert run.query("select count(*) as n from marts.closed_opportunities")["n"].iloc[0] == 0


@pytest.mark.slow
def test_an_enrichment_feed_that_matches_nothing_is_reported(degenerate):
    run, _ = degenerate
    coverage = run.query("select name, detail from icp.data_coverage").set_index("name")["detail"]
    assert re.search(r"It matched 0 of [\d,]+ CRM accounts", coverage["firmographic_enrichment"])
    rates = run.query("select * from marts.identity_match_rates").set_index("source_pair")
    assert rates.loc["crm/accounts -> enrichment/firmographics", "match_rate"] == 0
    kept = run.query("select count(*) as n from icp.target_accounts where domain like 'nomatch-%'")["n"].iloc[
        0
    ]
    assert kept > 0  # unmatched enrichment rows are prospects, not dropped


@pytest.mark.slow
def test_shared_domains_are_merged_and_listed_as_conflicts(degenerate):
    run, _ = degenerate
    conflicts = run.query(
        "select * from marts.identity_conflicts where conflict_type = 'duplicate_crm_domain'"
    )
    assert {"shared-domain.com", "shared-two.com"} <= {
        d for d in ("shared-domain.com", "shared-two.com") if conflicts["detail"].str.contains(d).any()
    }
    targets = run.query(
        "select domain from icp.target_accounts where domain in ('shared-domain.com', 'shared-two.com')"
    )
    assert sorted(targets["domain"]) == ["shared-domain.com", "shared-two.com"]


@pytest.mark.slow
def test_self_and_cyclic_parents_end_the_roll_up_and_are_listed(degenerate):
    run, planted = degenerate
    conflicts = run.query("select conflict_type, detail from marts.identity_conflicts")
    assert (
        conflicts[conflicts["conflict_type"] == "self_parent"]["detail"]
        .str.contains(planted["self_parent"])
        .any()
    )
    assert (conflicts["conflict_type"] == "parent_cycle").sum() >= 2
    groups = run.query("select count(*) as n from intermediate.int_account_groups where has_parent_cycle")
    assert groups["n"].iloc[0] == 2


@pytest.mark.slow
def test_orphans_and_unknown_currencies_are_counted_in_unmatched_records(degenerate):
    run, _ = degenerate
    unmatched = run.query("select source_table, record_id, reason from marts.unmatched_records")
    found = set(unmatched.itertuples(index=False, name=None))
    assert {
        ("crm/opportunities", "ORPHAN-OPP", "unknown_account_id"),
        ("crm/contacts", "ORPHAN-CONTACT", "unknown_account_id"),
        ("erp/invoices", "ORPHAN-INV", "unknown_erp_customer_id"),
        ("erp/invoices", "XYZ-INV", "unknown_currency"),
    } <= found


@pytest.mark.slow
def test_implausible_values_are_quarantined_and_counted_in_data_coverage(degenerate):
    run, _ = degenerate
    quarantined = run.query(
        "select reason from raw._quarantine where landing_table = 'erp/invoices' order by 1"
    )
    assert [r.split(" ")[0] for r in quarantined["reason"]] == ["amount", "invoice_date"]
    coverage = run.query("select * from icp.data_coverage where name = 'erp/invoices'")
    assert coverage["quarantined_rows"].iloc[0] == 2
    assert "2 rows went to raw._quarantine" in coverage["detail"].iloc[0]


@pytest.mark.slow
def test_personal_data_in_extra_columns_stays_out_of_marts_and_published_tables(degenerate):
    run, _ = degenerate
    personal = re.compile(r"^(x__)?(contact_)?(email|first_name|last_name)$")
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in ('raw', 'staging', 'intermediate', 'marts', 'model', 'icp')"
        ).fetchall()
        # contacts.email and the contacts' name extras stay in raw; crm/accounts' `Contact Email` is not loaded
        found = {(s, t, c) for s, t, c in columns if personal.search(c)}
        # personal data stays in raw (connector tables such as raw.salesforce__contact keep their email there)
        assert {(s, t, c) for s, t, c in found if s != "raw"} == set()
        assert {(s, t, c) for s, t, c in found if t == "crm__contacts"} == {
            ("raw", "crm__contacts", "email"),
            ("raw", "crm__contacts", "first_name"),
            ("raw", "crm__contacts", "last_name"),
        }
        staged = [c for s, t, c in columns if (s, t) == ("staging", "stg_crm__contacts")]
        assert "has_email" in staged
        emails = [
            r[0]
            for r in con.execute("select email from raw.crm__contacts where email is not null").fetchall()
        ]
        names = [r[0] for r in con.execute("select first_name from raw.crm__contacts").fetchall()]
        text = "".join(
            con.execute(f"select * from {s}.{t}").df().to_csv()
            for s, t in sorted({(s, t) for s, t, _ in columns if s != "raw"})
        )
    assert len(emails) > 1000 and not [e for e in emails if e in text]
    assert (
        "@leak.example" not in text and "Lovelace" not in text and not [n for n in names if f",{n}," in text]
    )
    exported = "".join(
        p.read_text(errors="ignore") for p in run.exports.iterdir() if p.suffix in (".csv", ".html")
    )
    assert "@leak.example" not in exported and "Lovelace" not in exported
    # the employee who owns an account is a person too: the demo's customer_success_manager is not loaded
    managers = set(_read(run.warehouse.parent / "landing", "crm/accounts")["customer_success_manager"]) - {""}
    assert managers and not [m for m in managers if m in text or m in exported]


# --- a typo in the config fails the step before it trains or publishes --------------------------------


def _materialise(asset, warehouse: Path, config_path: Path, export_dir: Path):
    from icp_pipeline.defs.transform.assets import dbt_resource
    from icp_pipeline.resources import IcpPathsResource, WarehouseResource

    resources = {
        "warehouse": WarehouseResource(duckdb_path=str(warehouse)),
        "paths": IcpPathsResource(landing_dir="", export_dir=str(export_dir), config_path=str(config_path)),
        "dbt": dbt_resource(),
    }
    return dg.materialize(
        [asset], resources=resources, raise_on_error=False, instance=dg.DagsterInstance.ephemeral()
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("step", "section"),
    [
        ("model", "hypotheses:\n  - {id: snow, statement: s, filter: uses snowflak}\n"),
        ("publish", "disqualifiers:\n  - {id: edu, filter: employe_count > 5, reason: r}\n"),
    ],
    ids=["misspelt_hypothesis_stops_the_model_step", "misspelt_disqualifier_stops_the_publish_step"],
)
def test_a_misspelt_filter_attribute_fails_the_step_with_a_suggestion(step, section, degenerate, tmp_path):
    from icp_pipeline.defs.model.assets import icp_models
    from icp_pipeline.defs.publish.assets import icp_published_tables

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(degenerate[0].warehouse, warehouse)
    config = tmp_path / "icp.yaml"
    config.write_text(section)
    asset = icp_models if step == "model" else icp_published_tables
    result = _materialise(asset, warehouse, config, tmp_path / "exports")
    assert not result.success
    [message] = [failure_message(e.event_specific_data.error) for e in result.all_events if e.is_step_failure]
    suggestion = "did you mean tech__snowflake" if step == "model" else "firmo__employee_count"
    assert f"ICP config {config}" in message and suggestion in message, message
    pd.testing.assert_frame_equal(
        _published(degenerate[0].warehouse)["target_accounts"], _published(warehouse)["target_accounts"]
    )
