"""The report's pages from published tables in a real DuckDB file (issue 15 points 1-4): the
executive page, the brief, labels and units, the charts' intervals. The whole pipeline's report is
checked in a browser by tests/test_pipeline_end_to_end.py and tests/test_real_exports.py."""

from __future__ import annotations

import datetime as dt
import html
import re

import duckdb
import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.publish.report import render_report
from icp_pipeline.lib.publish.report.data import load_report_data
from icp_pipeline.lib.publish.report.executive import changes_html, tier_table, verdict_sentence
from icp_pipeline.lib.publish.report.intervals import tier_intervals

STAMP = {"icp_version": "r1", "published_at": dt.datetime(2026, 11, 30, 9, 0)}


def _targets(n_prospects: int, n_customers: int) -> pd.DataFrame:
    n = n_prospects + n_customers
    rng = np.random.default_rng(0)
    ev = np.sort(rng.lognormal(10, 1, n))[::-1]
    tiers = np.where(
        np.arange(n) < n // 10, "Tier 1", np.where(np.arange(n) < 3 * n // 10, "Tier 2", "Tier 3")
    )
    return pd.DataFrame(
        {
            "account_key": [f"a{i:03d}.com" for i in range(n)],
            "crm_account_id": [f"c{i}" for i in range(n)],
            "account_name": [f"Company {i}" for i in range(n)],
            "domain": [f"a{i:03d}.com" for i in range(n)],
            "is_customer": [i >= n_prospects for i in range(n)] if n_prospects else [True] * n,
            "icp_score": np.linspace(100, 0, n),
            "expected_value": ev,
            "tier": tiers,
            "top_reasons": ["+ Uses Snowflake; \u2212 Employee count: 12 (low)"] * n,
            "override_note": [None] * n,
        }
    )


def _write(con: duckdb.DuckDBPyConnection, schema: str, name: str, frame: pd.DataFrame, stamp: bool = True):
    con.execute(f"create schema if not exists {schema}")
    frame = frame.assign(**STAMP) if stamp else frame
    con.register("frame", frame)
    con.execute(f"create or replace table {schema}.{name} as select * from frame")
    con.unregister("frame")


def _warehouse(path, n_prospects: int = 200, strength: str = "moderate") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    targets = _targets(n_prospects, 40)
    _write(con, "icp", "target_accounts", targets)
    ranked = targets[~targets["is_customer"]] if n_prospects else targets
    summary = (
        ranked.groupby("tier")
        .agg(accounts=("account_key", "size"), total_expected_value=("expected_value", "sum"))
        .reset_index()
        .assign(is_customer=not n_prospects)
    )
    _write(con, "icp", "tier_summary", summary)
    _write(
        con,
        "icp",
        "model_card",
        pd.DataFrame(
            [{"value_model": "lightgbm", "strength": strength, "verdict": f"{strength}: Spearman 0.65."}]
        ),
    )
    _write(
        con,
        "marts",
        "attribute_catalog",
        pd.DataFrame(
            {
                "attribute": ["firmo__annual_revenue", "tech__snowflake", "x__sic_code"],
                "label": ["Annual revenue (USD)", "Uses Snowflake", "SIC code"],
                "unit": ["USD", None, None],
            }
        ),
        stamp=False,
    )
    _write(
        con,
        "icp",
        "icp_profile",
        pd.DataFrame(
            {
                "attribute": ["tech__snowflake", "x__sic_code"],
                "rank": [1, 2],
                "ideal_range": [
                    "Uses Snowflake (80 % of best customers vs 20 % of others)",
                    "SIC code: 7372",
                ],
                "best_customers": [10, 10],
                "brief_line": ["80 % of our best customers use Snowflake, vs 20 % of other accounts.", "x"],
                "in_brief": [True, False],
            }
        ),
    )
    _write(
        con,
        "icp",
        "tier_changes",
        pd.DataFrame(
            {
                "account_key": ["a000.com", "a001.com"],
                "previous_tier": ["Tier 2", "Tier 1"],
                "new_tier": ["Tier 1", "Tier 1"],
                "changed": [True, False],
                "change_reason": ["relative value 3.1 crossed the Tier 1 cut-off 2.5", None],
            }
        ),
    )
    _write(
        con,
        "icp",
        "data_coverage",
        pd.DataFrame(
            {
                "area": ["landing_table", "landing_table", "capability", "capability"],
                "name": ["crm/accounts", "erp/invoices", "value_model", "win_model"],
                "available": [True, False, True, False],
            }
        ),
    )
    customers = targets[targets["is_customer"]].reset_index(drop=True)
    _write(
        con,
        "icp",
        "expansion_accounts",
        customers[["account_key", "account_name", "icp_score", "top_reasons"]].assign(
            realised_value=1000.0,
            headroom=np.linspace(5000, 0, len(customers)),
            expansion_rank=range(len(customers), 0, -1),
        ),
    )
    return con


@pytest.fixture
def demo_like(tmp_path):
    con = _warehouse(tmp_path / "w.duckdb")
    yield con
    con.close()


def test_the_executive_page_says_the_verdict_tiers_plays_and_capacity(demo_like):
    data = load_report_data(demo_like)
    assert verdict_sentence(data).startswith("The evidence behind this list is moderate. Use the tiers")
    table = tier_table(data)
    assert table["Tier"].tolist() == ["Tier 1", "Tier 2", "Tier 3"]
    assert table["Play"].str.startswith(("Sales-led", "Marketing-led", "Inbound only")).all()
    assert table["Accounts"].tolist() == ["24", "48", "128"]  # the prospects' tiers
    assert table["Share"].tolist() == ["12 %", "24 %", "64 %"]
    assert table["Expected value"].str.endswith(" USD").all()  # currency from the catalog's money unit
    assert table.loc[0, "Capacity it implies"] == "1 rep at 50 accounts each"


def test_the_page_reads_in_labels_without_na_or_booleans(demo_like):
    page = render_report(demo_like)
    assert page.index("The list in two minutes") < page.index("The ICP in brief")
    assert "80 % of our best customers use Snowflake" in page
    assert "<li>x</li>" not in page  # a trait without statistical support is not in the brief
    assert "1 account changed tier" in page and "crossed the Tier 1 cut-off" in page  # not '1 accounts'
    assert "1 accounts" not in page
    assert "1 of 2 landing tables had data; 1 of 2 capabilities could be computed (not: win model)" in page
    visible = re.sub(r"<style>.*?</style>|<[^>]+>|data:image/png;base64,[^\"']+", " ", page, flags=re.S)
    assert not re.search(r"\b(True|False|nan|None)\b|<NA>|[a-z]+__[a-z]", visible)
    assert "Top 25 prospects" in page and page.count("Company ") >= 25


def test_without_prospects_the_expansion_list_takes_their_place(tmp_path):
    con = _warehouse(tmp_path / "c.duckdb", n_prospects=0)
    page = render_report(con)
    data = load_report_data(con)
    con.close()
    assert "Top 25 prospects" not in page and "Top 25 customers to expand" in page
    expected = data.tables["expansion"].head(25)["account_name"].tolist()
    assert data.targets["account_name"].tolist() == expected  # headroom first, not icp_score
    assert "Headroom" in page and "Tiers of the customers" in page


def test_lift_and_gain_intervals_come_from_the_held_out_accounts():
    rng = np.random.default_rng(1)
    predicted = rng.normal(size=1000)
    actual = np.exp(predicted + rng.normal(scale=0.5, size=1000))
    holdout = pd.DataFrame({"target": "value", "predicted": predicted, "actual": actual})
    order = np.argsort(-predicted)
    sizes = {"Tier 1": 100, "Tier 2": 200, "Tier 3": 700}
    rows, start, total = [], 0, actual.sum()
    for tier, n in sizes.items():
        part = actual[order[start : start + n]]
        rows.append(
            {
                "tier": tier,
                "outcome": "actual",
                "accounts": n,
                "lift": part.mean() / actual.mean(),
                "cumulative_gain": actual[order[: start + n]].sum() / total,
                "cumulative_share_of_accounts": (start + n) / 1000,
            }
        )
        start += n
    out = tier_intervals(pd.DataFrame(rows), holdout).set_index("tier")
    assert (out["lift_low"] < out["lift"]).all() and (out["lift"] < out["lift_high"]).all()
    assert out.at["Tier 1", "lift_low"] > 1  # a real signal: Tier 1's interval excludes the average
    assert out.at["Tier 3", "gain_low"] == pytest.approx(1.0) and out.at["Tier 1", "gain_high"] < 1
    # sizes that do not add up to the held-out rows: no interval rather than a wrong one
    short = tier_intervals(pd.DataFrame(rows).assign(accounts=[10, 20, 30]), holdout)
    assert short["lift_low"].isna().all()


def test_tier_intervals_equal_one_scipy_bootstrap_per_statistic():
    """One draw of resamples per outcome gives SciPy's own intervals (999 paired resamples, seed 0),
    for lift and gain of every tier and for both outcomes: value for value for the 0/1 outcome (integer
    sums are exact in any order), within float rounding for value (the counts add in another order;
    another draw or quantile rule would move them by far more than 1e-12)."""
    from scipy.stats import bootstrap

    rng = np.random.default_rng(8)
    n = 600
    predicted = rng.normal(size=n)
    won = (predicted + rng.normal(size=n) > 0.5).astype(float)
    value = np.exp(predicted + rng.normal(scale=0.7, size=n))
    holdout = pd.concat(
        [
            pd.DataFrame({"target": "value", "predicted": predicted, "actual": value}),
            pd.DataFrame({"target": "win", "predicted": predicted, "actual": won}),
        ]
    )
    sizes = {"Tier 1": 60, "Tier 2": 0, "Tier 3": 540}  # an empty tier is skipped
    rows = [
        {"tier": tier, "outcome": outcome, "accounts": k, "lift": 1.0, "cumulative_gain": 1.0}
        for outcome in ("actual", "won")
        for tier, k in sizes.items()
    ]
    out = tier_intervals(pd.DataFrame(rows), holdout)
    codes = np.repeat(np.arange(3), list(sizes.values()))
    for outcome, target in (("actual", "value"), ("won", "win")):
        part = holdout[holdout["target"] == target]
        actual = part.sort_values("predicted", ascending=False, kind="stable")["actual"].to_numpy(float)
        for t, tier in enumerate(sizes):
            got = out[(out["outcome"] == outcome) & (out["tier"] == tier)].iloc[0]
            if sizes[tier] == 0:
                assert np.isnan(got["lift_low"])
                continue
            lift = lambda a, c, t=t: a[c == t].mean() / a.mean() if a.mean() and (c == t).any() else np.nan  # noqa: E731
            gain = lambda a, c, t=t: a[c <= t].sum() / a.sum() if a.sum() else np.nan  # noqa: E731
            for name, statistic in (("lift", lift), ("gain", gain)):
                ci = bootstrap(
                    (actual, codes),
                    statistic,
                    paired=True,
                    vectorized=False,
                    n_resamples=999,
                    confidence_level=0.9,
                    method="percentile",
                    rng=np.random.default_rng(0),
                ).confidence_interval
                expected = (float(ci.low), float(ci.high))
                if outcome == "won":
                    assert (got[f"{name}_low"], got[f"{name}_high"]) == expected
                else:
                    assert (got[f"{name}_low"], got[f"{name}_high"]) == pytest.approx(expected, rel=1e-12)


def test_a_weak_model_is_said_first_before_any_section(tmp_path):
    con = _warehouse(tmp_path / "weak.duckdb", strength="weak")
    page = render_report(con)
    con.close()
    assert page.index("Caution: the model behind these scores") < page.index("<h2>")
    assert "The evidence behind this list is weak. Treat the list as a hint" in page


def test_charts_draw_an_interval_that_excludes_its_point_estimate():
    """A percentile bootstrap interval need not contain the estimate (the AWS export's gain did):
    the chart draws it as it is instead of failing the exports."""
    from icp_pipeline.lib.publish.report.charts import gain_chart, lift_chart

    tiers = pd.DataFrame(
        {
            "tier": ["Tier 1", "Tier 2", "Tier 3"],
            "outcome": "actual",
            "accounts": [10, 20, 69],
            "lift": [2.0, 1.0, 0.7],
            "lift_low": [2.1, 0.8, 0.6],  # above the estimate
            "lift_high": [3.0, 1.2, 0.8],
            "cumulative_share_of_accounts": [0.1, 0.3, 1.0],
            "cumulative_gain": [0.2, 0.5, 1.0],
            "gain_low": [0.25, 0.4, 1.0],
            "gain_high": [0.3, 0.6, 1.0],
        }
    )
    assert lift_chart(tiers).startswith("<img") and gain_chart(tiers).startswith("<img")


def test_the_capacity_follows_the_configured_accounts_per_rep(demo_like):
    """icp.yaml `tiers.accounts_per_rep` sizes the report's capacity column (the exports asset passes
    it; it used to be the default 50 whatever the config)."""
    page = render_report(demo_like, accounts_per_rep=10)
    assert "3 reps at 10 accounts each" in page  # 24 Tier 1 prospects / 10 per rep
    assert "at 50 accounts each" not in page


def test_free_text_names_attributes_by_their_labels_with_pandas_str_columns(tmp_path):
    """Text read from DuckDB is pandas' `str` dtype (pandas 3), not `object`: the labels must still
    replace column names in every free-text column (a `dtype == object` test skipped them all)."""
    con = _warehouse(tmp_path / "w.duckdb")
    con.execute(
        "update icp.tier_changes set change_reason = 'firmo__annual_revenue rose; "
        "relative value 3.1 crossed the Tier 1 cut-off 2.5' where changed"
    )
    data = load_report_data(con)
    con.close()
    reasons = data.changes["change_reason"]
    assert pd.api.types.is_string_dtype(reasons.dtype) and reasons.dtype != object
    assert reasons.iloc[0].startswith("Annual revenue (USD) rose;")


def test_is_text_column_knows_pandas_3_text():
    from icp_pipeline.lib.warehouse.frames import TEXT_DTYPE, is_text_column

    assert is_text_column(pd.Series(["a", None], dtype=TEXT_DTYPE))
    assert is_text_column(pd.Series(["a", "b"], dtype="str"))
    assert is_text_column(pd.Series(["a", None], dtype=object))
    assert not is_text_column(pd.Series(["a", 1], dtype=object))
    assert not is_text_column(pd.Series([1.0, 2.0]))


def test_counts_agree_with_their_nouns_and_verbs():
    from icp_pipeline.lib.publish.report.brief import brief_html

    profile = pd.DataFrame(
        {
            "rank": [1, 2, 3, 4],
            "brief_line": ["80 % use Snowflake.", "x", "y", "z"],
            "in_brief": [True, False, False, False],
            "best_customers": [1, 1, 1, 1],
        }
    )
    text = brief_html(profile)
    assert "(1 customer). 1 of the 4 traits tested differs from other accounts" in text
    none = brief_html(profile.head(1).assign(in_brief=False))
    assert "No trait of the 1 trait tested" in none


@pytest.mark.parametrize("strength", ["weak", "none"])
def test_a_weak_model_s_expected_value_is_not_shown_as_money(tmp_path, strength):
    """Maven: the weak model's 3 distinct predictions were the report's money per tier. With a weak or
    none card the expected value is withheld; the customers' observed value (n, interval) stands."""
    con = _warehouse(tmp_path / "w.duckdb", strength=strength)
    con.execute(
        "create or replace table icp.tier_summary as select * replace (null::double as total_expected_value), "
        "14 as customers_with_value, 12300.0 as observed_value_per_customer, 9800.0 as observed_value_low, "
        "15100.0 as observed_value_high, 'withheld: weak' as money_basis from icp.tier_summary"
    )
    data = load_report_data(con)
    table = tier_table(data)
    assert (table["Expected value"] == f"withheld: the model ({strength}) is not evidence of money").all()
    assert (table["Per account"] == "").all()
    assert (
        table["Customers' observed value"]
        == "12,300 USD per customer (90 % interval 9,800–15,100 USD; n = 14)"
    ).all()
    from icp_pipeline.lib.publish.report.executive import top_accounts

    assert "Expected value" not in top_accounts(data).columns
    page = render_report(con)
    con.close()
    assert "withheld: the model" in page


def test_a_weak_model_s_headroom_is_not_shown_as_money(tmp_path):
    """AWS (strength none): the expansion list showed 'Headroom 80,900 USD', the none model's predicted
    value minus the value so far. The observed value so far stays; the headroom is not shown."""
    from icp_pipeline.lib.publish.report.executive import top_accounts

    con = _warehouse(tmp_path / "w.duckdb", n_prospects=0, strength="none")
    data = load_report_data(con)
    con.close()
    table = top_accounts(data)
    assert "Value so far" in table.columns and "Headroom" not in table.columns
    strong = _warehouse(tmp_path / "s.duckdb", n_prospects=0, strength="strong")
    assert "Headroom" in top_accounts(load_report_data(strong)).columns
    strong.close()


def test_a_moderate_model_s_expected_value_is_money(demo_like):
    data = load_report_data(demo_like)
    from icp_pipeline.lib.publish.report.executive import top_accounts

    assert tier_table(data)["Expected value"].str.endswith(" USD").all()
    assert top_accounts(data)["Expected value"].str.endswith(" USD").all()


def test_strength_none_is_said_in_words_not_as_an_adjective(tmp_path):
    con = _warehouse(tmp_path / "w.duckdb", strength="none")
    data = load_report_data(con)
    con.close()
    sentence = verdict_sentence(data)
    assert sentence.startswith("There is no evidence behind this list's ranking. Do not rank by the scores")
    assert " is none" not in sentence


@pytest.mark.parametrize("dtype", ["str", object])
def test_labels_replace_names_in_a_text_column_as_they_do_value_by_value(dtype):
    """`in_words_column` (one substring test per column, the regular expression only where `__` is)
    gives what `in_words` gives value by value, with missing values, and keeps the column's dtype."""
    from icp_pipeline.lib.model.labels import Labels
    from icp_pipeline.lib.publish.report.formatting import in_words, in_words_column

    labels = Labels(
        {"firmo__annual_revenue": ("Annual revenue", None), "tech__snowflake": ("Snowflake", None)}
    )
    column = pd.Series(
        ["firmo__annual_revenue rose", "Acme__Corp", None, "no names", "tech__snowflake, tech__other"],
        index=[5, 3, 9, 1, 7],
        dtype=dtype,
    )
    got = in_words_column(column, labels)
    expected = column.map(lambda t: in_words(t, labels))
    assert got.dtype == column.dtype and got.index.equals(column.index)
    assert got.iloc[0] == "Annual revenue rose" and got.iloc[4].startswith("Snowflake, ")
    assert got.iloc[1] == "Acme__Corp" and pd.isna(got.iloc[2])  # capitals: not an attribute name
    assert got.fillna("<NA>").tolist() == expected.fillna("<NA>").tolist()


def test_a_first_refresh_says_there_is_nothing_to_compare_not_that_nothing_changed(tmp_path):
    """Maven's first refresh: every account is 'new account', none changed; the report said 'No
    account changed tier since the last refresh' although there was no last refresh."""
    con = _warehouse(tmp_path / "w.duckdb")
    con.execute("update icp.tier_changes set previous_tier = null, changed = false")
    data = load_report_data(con)
    assert data.first_refresh
    assert "This is the first refresh: there is no earlier list to compare with." in render_report(con)
    con.execute("update icp.tier_changes set previous_tier = 'Tier 2'")  # a later refresh, nothing moved
    data = load_report_data(con)
    con.close()
    assert not data.first_refresh
    assert changes_html(data) == "<p>No account changed tier since the last refresh.</p>"


def test_the_footnote_says_what_ranks_the_list_when_the_tiers_follow_the_rules(tmp_path):
    """AWS (strength none, tiers by the icp.yaml rules): the footnote said 'Scores rank accounts by
    expected value = win probability × predicted value', untrue for that list."""
    con = _warehouse(tmp_path / "w.duckdb", strength="none")
    history = pd.DataFrame({"refreshed_at": [dt.datetime(2026, 11, 30)], "tier_basis": ["icp.yaml rules"]})
    _write(con, "icp", "refresh_history", history)
    page = html.unescape(render_report(con))
    assert "Scores rank accounts by the team's rules in icp.yaml" in page
    assert "Scores rank accounts by expected value" not in page
    con.execute("update icp.refresh_history set tier_basis = 'expected value'")
    page = html.unescape(render_report(con))
    con.close()
    assert "Scores rank accounts by expected value = win probability × predicted value." in page
