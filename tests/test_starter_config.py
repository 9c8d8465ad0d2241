"""`icp init --landing DIR` writes a starter icp.yaml that names only attributes the data have."""

from __future__ import annotations

import pytest

from icp_pipeline.cli import main
from icp_pipeline.lib.icp.filters import parse_filter, validate_filter
from icp_pipeline.lib.icp_config import load_icp_config


def _crm_only(landing):
    (landing / "crm").mkdir(parents=True)
    (landing / "crm" / "accounts.csv").write_text(
        "account_id,account_name,industry,employee_count,country,website\n"
        "1,Acme,Software,100,US,acme.com\n2,Beta,Software,300,DE,beta.de\n3,Gamma,Retail,500,FR,\n"
    )
    (landing / "crm" / "opportunities.csv").write_text(
        "opportunity_id,account_id,stage,amount,currency,created_at,close_date\n"
        "o1,1,Closed Won,100,EUR,2024-01-01,2024-02-01\no2,2,Closed Lost,50,EUR,2024-01-01,2024-02-01\n"
    )


def test_a_crm_only_export_gets_hypotheses_on_its_own_attributes_only(tmp_path, capsys):
    landing = tmp_path / "landing"
    _crm_only(landing)
    out = tmp_path / "icp.yaml"
    assert main(["init", "--landing", str(landing), "--out", str(out)]) == 0
    config = load_icp_config(out)
    filters = {h.id: h.filter for h in config.hypotheses}
    assert filters == {
        "top_industry": "industry in ['Software']",
        "larger_companies": "employee_count >= 300",
    }
    assert config.value_label == "label_won_amount" and config.reporting_currency == "EUR"
    for text in filters.values():  # they resolve against the columns the mart builds from this data
        validate_filter(text, ["industry", "employee_count", "country", "is_customer"])
    text = out.read_text()
    assert "# Technologies (most common first): none landed" in text
    assert "industry, employee_count, country" in text
    assert main(["init", "--landing", str(landing), "--out", str(out)]) == 2  # never overwrites silently
    assert "exists; pass --force" in capsys.readouterr().err


def test_technologies_and_events_come_from_the_data(tmp_path):
    landing = tmp_path / "landing"
    _crm_only(landing)
    (landing / "enrichment").mkdir()
    (landing / "enrichment" / "technographics.csv").write_text(
        "domain,technology,category\nacme.com,Google BigQuery,warehouse\nbeta.de,Google BigQuery,warehouse\n"
        "beta.de,Slack,chat\n"
    )
    (landing / "enrichment" / "events.csv").write_text(
        "domain,event_type,event_date\nacme.com,funding_round,2024-01-01\n"
    )
    out = tmp_path / "icp.yaml"
    assert main(["init", "--landing", str(landing), "--out", str(out)]) == 0
    filters = {h.id: h.filter for h in load_icp_config(out).hypotheses}
    assert filters["uses_top_technology"] == "uses 'Google BigQuery'"
    assert filters["recent_event"] == "event 'funding_round' within 12 months"
    validate_filter(filters["uses_top_technology"], ["tech__google_bigquery"])
    validate_filter(filters["recent_event"], ["sit__events_funding_round_12m"])
    parse_filter(filters["top_industry"])


def test_a_folder_without_crm_accounts_is_refused_with_the_fix(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    assert main(["init", "--landing", str(tmp_path / "landing"), "--out", str(tmp_path / "x.yaml")]) == 2
    err = capsys.readouterr().err
    assert "no crm/accounts file" in err and "mappings/maven_crm.yaml" in err
    assert not (tmp_path / "x.yaml").exists()


def test_init_needs_a_landing_folder():
    with pytest.raises(SystemExit):
        main(["init"])
