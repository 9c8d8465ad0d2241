"""The closing summary of `icp run`: top prospects only, at the score's resolution, ties said."""

from __future__ import annotations

import duckdb
import pandas as pd

from icp_pipeline.cli.summary import print_summary
from icp_pipeline.lib.config.settings import Settings


def _warehouse(tmp_path, targets: pd.DataFrame):
    path = tmp_path / "w.duckdb"
    summary = (  # noqa: F841 (read by DuckDB)
        targets.groupby(["tier", "is_customer"])
        .agg(accounts=("account_key", "count"), total_expected_value=("expected_value", "sum"))
        .reset_index()
    )
    with duckdb.connect(str(path)) as con:
        con.execute("create schema icp")
        con.register("t", targets)
        con.execute("create table icp.target_accounts as select * from t")
        con.execute("create table icp.tier_summary as select * from summary")
    return Settings(tmp_path, path, tmp_path / "exports", tmp_path / "icp.yaml")


def test_top_prospects_exclude_customers_and_show_distinct_scores(tmp_path, capsys):
    n = 2001  # one rank = 0.05 points: two decimals
    ev = pd.Series(range(n), dtype=float)
    targets = pd.DataFrame(
        {
            "account_key": [f"a{i:05d}" for i in range(n)],
            "account_name": [f"Company {i}" for i in range(n)],
            "domain": None,
            "is_customer": [i % 2 == 0 for i in range(n)],  # the best account is a customer
            "tier": ["Tier 1" if i >= n - 200 else "Tier 3" for i in range(n)],
            "icp_score": (ev.rank() - 1) / (n - 1) * 100,
            "expected_value": ev,
            "top_reasons": "r",
        }
    )
    print_summary(_warehouse(tmp_path, targets))
    out = capsys.readouterr().out
    lines = out.split("Top 5 Tier 1 prospects\n", 1)[1].splitlines()[:5]
    assert [line.split()[0] for line in lines] == ["99.95", "99.85", "99.75", "99.65", "99.55"]
    assert "Company 2000" not in out  # a customer, never a top prospect
    assert "share the top expected value" not in out


def test_tied_top_scores_are_said_not_hidden(tmp_path, capsys):
    targets = pd.DataFrame(
        {
            "account_key": [f"a{i}" for i in range(8)],
            "account_name": [f"Company {i}" for i in range(8)],
            "domain": None,
            "is_customer": True,  # an expansion list: no prospects at all
            "tier": ["Tier 1"] * 6 + ["Tier 2"] * 2,
            "icp_score": [96.4] * 6 + [10.0, 5.0],
            "expected_value": [7.0] * 6 + [1.0, 0.5],
            "top_reasons": "r",
        }
    )
    print_summary(_warehouse(tmp_path, targets))
    out = capsys.readouterr().out
    assert "Top 5 Tier 1 customers (no prospects: an expansion list)" in out
    assert "(6 Tier 1 customers share the top expected value: the scores cannot order them" in out


def test_the_tier_summary_names_the_reporting_currency(tmp_path, capsys):
    """Issue 15 point 1: money with its currency code (the catalog's money unit)."""
    targets = pd.DataFrame(
        {
            "account_key": ["a", "b"],
            "account_name": ["A", "B"],
            "domain": None,
            "is_customer": [False, False],
            "tier": ["Tier 1", "Tier 3"],
            "icp_score": [100.0, 0.0],
            "expected_value": [10.0, 1.0],
            "top_reasons": "+ Uses Snowflake",
        }
    )
    settings = _warehouse(tmp_path, targets)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.attribute_catalog as select 'firmo__annual_revenue' as attribute, "
            "'Annual revenue (EUR)' as label, 'EUR' as unit"
        )
    print_summary(settings)
    assert "prospect expected value (EUR)" in capsys.readouterr().out


def test_equal_expected_values_with_distinct_scores_are_not_called_a_tie(tmp_path, capsys):
    """A list scored by rules (a weak model: Maven CRM) has distinct scores over a coarse expected
    value; the scores order the top accounts, so no note may say they are listed by account key."""
    targets = pd.DataFrame(
        {
            "account_key": [f"a{i}" for i in range(8)],
            "account_name": [f"Company {i}" for i in range(8)],
            "domain": None,
            "is_customer": True,
            "tier": ["Tier 1"] * 6 + ["Tier 2"] * 2,
            "icp_score": [90.0, 100.0, 97.6, 97.6, 94.6, 92.3, 10.0, 5.0],
            "expected_value": [7.0] * 6 + [1.0, 0.5],
            "top_reasons": "r",
        }
    )
    print_summary(_warehouse(tmp_path, targets))
    out = capsys.readouterr().out
    lines = out.split("an expansion list)\n", 1)[1].splitlines()[:5]
    assert [line.split()[1] for line in lines] == ["Company", "Company", "Company", "Company", "Company"]
    assert [line.split()[0] for line in lines] == ["100.0", "97.6", "97.6", "94.6", "92.3"]
    assert "cannot order them" not in out


def test_a_tier_without_prospects_shows_no_prospect_value_rather_than_zero(tmp_path, capsys):
    """An export of customers only (Maven CRM, AWS SaaS-Sales) printed a prospect expected value of
    0 for every tier: a sum over no prospects, read as 'worth nothing'."""
    targets = pd.DataFrame(
        {
            "account_key": ["a", "b", "c", "d"],
            "account_name": ["A", "B", "C", "D"],
            "domain": None,
            "is_customer": [True, True, False, True],
            "tier": ["Tier 1", "Tier 2", "Tier 2", "Tier 3"],
            "icp_score": [100.0, 60.0, 50.0, 0.0],
            "expected_value": [10.0, 5.0, 4.0, 1.0],
            "top_reasons": "r",
        }
    )
    print_summary(_warehouse(tmp_path, targets))
    rows = {
        line.split()[0] + line.split()[1]: line.split()[2:]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("  Tier ")
    }
    assert rows["Tier1"] == ["0", "1", "–"]
    assert rows["Tier2"] == ["1", "1", "4"]
    assert rows["Tier3"] == ["0", "1", "–"]


def test_what_the_models_left_out_is_said_in_words_with_counts_that_agree(tmp_path, capsys):
    """Maven: the summary said '17 unmapped_industry (repaired)' (a reason code) and the loader's
    counts read 'row(s)'."""
    from icp_pipeline.lib.publish.words import with_count

    targets = pd.DataFrame(
        {
            "account_key": ["a", "b"],
            "account_name": ["A", "B"],
            "domain": None,
            "is_customer": [False, False],
            "tier": ["Tier 1", "Tier 3"],
            "icp_score": [100.0, 0.0],
            "expected_value": [2.0, 1.0],
            "top_reasons": "r",
        }
    )
    settings = _warehouse(tmp_path, targets)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dropped_values as select * from (values "
            "('crm/accounts', 'unmapped_industry', 'repaired', 17, 'industry text matches no pattern; read as other'), "
            "('crm/opportunities', 'no_created_date', 'dropped', 1, null)) "
            "t(source_table, reason, outcome, row_count, detail)"
        )
        con.execute(
            "create table icp.data_coverage as select 'capability' as area, 'prospects_to_tier' as name, "
            "false as available, 'All 2 accounts are customers.' as detail"
        )
    print_summary(settings)
    out = capsys.readouterr().out
    assert "  Prospects to tier: All 2 accounts are customers." in out  # not 'prospects_to_tier:'
    assert "crm/accounts: 17 rows repaired: industry text matches no pattern; read as other" in out
    assert "crm/opportunities: 1 row dropped: no created date" in out
    assert "unmapped_industry" not in out
    assert with_count(1, "row(s) missing a required value") == "1 row missing a required value"
    assert with_count(1425, "row(s) merged, value(s) nulled") == "1,425 rows merged, values nulled"
