"""When the model card says the model is weak or none, the outputs say so first; when none, the
tiers follow the team's rules from icp.yaml (issue 14, section 2, tier side).

`model.model_card` is written by the model stage; here the test writes it into a real warehouse
built by a real pipeline run (an input fixture of another stage), then runs the real republish job.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd
import pytest

from icp_pipeline.cli.summary import print_summary
from icp_pipeline.defs.transform.assets import dbt_resource
from icp_pipeline.lib.config.icp import load_icp_config
from icp_pipeline.lib.config.settings import DEFAULT_CONFIG, Settings
from icp_pipeline.lib.icp.filters import compile_filter
from icp_pipeline.lib.model.strength import STRENGTH_WORDS
from icp_pipeline.resources import IcpPathsResource, WarehouseResource
from tests.pipeline_harness import PipelineRun, copy_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(demo_800_run, tmp_path_factory) -> PipelineRun:
    """A copy of the session's shared demo run (tests/conftest.py::demo_800_run): the tests republish
    into it."""
    return copy_run(demo_800_run, tmp_path_factory.mktemp("weak"))


def _republish_with_card(
    run: PipelineRun, strength: str, verdict: str, win_status: str = "learnt", win_reason: str = ""
) -> dg.ExecuteInProcessResult:
    from icp_pipeline.definitions import build_definitions

    with duckdb.connect(str(run.warehouse)) as con:
        con.execute(
            "create or replace table model.model_card as select ? as value_model, ? as strength, ? as verdict, "
            "? as win_model_status, ? as win_model_reason",
            ["lightgbm", strength, verdict, win_status, win_reason],
        )
    resources = {
        "warehouse": WarehouseResource(duckdb_path=str(run.warehouse)),
        "paths": IcpPathsResource(
            landing_dir=str(run.warehouse.parent / "landing"),
            export_dir=str(run.exports),
            config_path=str(DEFAULT_CONFIG),
        ),
        "dbt": dbt_resource(),
    }
    job = build_definitions(resources).resolve_job_def("icp_republish")
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return result


def _summary(run: PipelineRun, capsys) -> str:
    settings = Settings(run.warehouse.parent / "landing", run.warehouse, run.exports, DEFAULT_CONFIG)
    print_summary(settings)
    return capsys.readouterr().out


def test_strength_none_tiers_by_the_icp_yaml_rules_and_every_output_says_so_first(built, capsys):
    verdict = (
        "The model ranks no better than chance on the time hold-out (Spearman 0.02, 90 % CI -0.10 to 0.13)"
    )
    _republish_with_card(built, "none", verdict)
    history = built.query("select tier_basis from icp.refresh_history order by refreshed_at desc limit 1")
    assert history["tier_basis"].iloc[0] == "icp.yaml rules"

    # accounts matching more of the (testable, uncontradicted) hypotheses are ranked first
    results = built.query("select id, verdict from icp.hypothesis_results")
    usable = set(results.loc[~results["verdict"].isin(["contradicted", "not testable on this data"]), "id"])
    assert usable, "the demo's icp.yaml must keep at least one usable rule"
    config = load_icp_config(DEFAULT_CONFIG)
    features = built.query("select * from marts.account_features order by account_key")
    score = pd.Series(0.0, index=features["account_key"])
    for hyp in config.hypotheses:
        if hyp.id in usable:
            inside = compile_filter(hyp.filter, features).to_numpy(dtype=bool)
            score += inside * (1.0 if hyp.expect == "higher" else -1.0)
    targets = built.query(
        "select account_key, tier from icp.target_accounts "
        "where not is_customer and tier in ('Tier 1', 'Tier 2', 'Tier 3') and override_note is null"
    )
    targets["rule"] = score.reindex(targets["account_key"]).to_numpy()
    assert (
        targets.loc[targets["tier"] == "Tier 1", "rule"].min()
        >= targets.loc[targets["tier"] == "Tier 3", "rule"].max()
    )
    assert abs((targets["tier"] == "Tier 1").mean() - config.tiers.tier1_share) <= 0.01

    out = _summary(built, capsys)
    first = out.strip().splitlines()[0]
    assert first.startswith(
        "Caution: the model behind these scores, the LightGBM model, shows no evidence that it ranks accounts "
        "(strength none)."
    )  # not 'the model ... is none': a rating is not an adjective
    _assert_money_withheld(built, out, "none")
    assert verdict in first and "follow the team's rules in icp.yaml" in first
    crm = pd.read_csv(built.exports / "crm_import.csv")
    assert crm.columns[0] == "model_caution" and (crm["model_caution"] == first).all()
    html = (built.exports / "icp_report.html").read_text(encoding="utf-8")
    assert html.index("Caution: the model behind these scores") < html.index("<h2>")


def test_strength_weak_keeps_model_tiers_but_says_so_first(built, capsys):
    _republish_with_card(built, "none", "No better than chance.")  # the refresh before tiered by rules
    _republish_with_card(built, "weak", "Weak: LightGBM (0.61) ranks below the rules baseline (0.65).")
    basis = built.query("select tier_basis from icp.refresh_history order by refreshed_at desc limit 1")
    assert basis["tier_basis"].iloc[0] == "expected value"
    out = _summary(built, capsys)
    first = out.strip().splitlines()[0]
    _assert_money_withheld(built, out, "weak")
    assert first == (
        "Caution: the model behind these scores, the LightGBM model, is weak. LightGBM (0.61) ranks below the rules "
        "baseline (0.65)."
    )
    changes = built.query("select change_reason from icp.tier_changes where changed")
    # back from rules to the model: every move names that true cause
    assert (
        changes["change_reason"]
        .str.startswith("tiers now follow expected value (previous refresh: icp.yaml rules)")
        .all()
    )


def test_strong_model_outputs_carry_no_caution(built, capsys):
    _republish_with_card(built, "strong", "LightGBM beats every baseline.")
    out = _summary(built, capsys)
    assert "Caution" not in out
    summary = built.query("select * from icp.tier_summary where not is_customer")
    assert summary["total_expected_value"].notna().all() and "withheld" not in out
    assert summary["money_basis"].eq("expected value of the model (rated strong)").all()
    targets = built.query("select expected_value, money_basis, win_probability from icp.target_accounts")
    assert targets["expected_value"].notna().any() and targets["win_probability"].notna().all()
    assert targets["money_basis"].eq("expected value of the model (rated strong)").all()
    assert pd.read_csv(built.exports / "target_accounts.csv")["expected_value"].notna().any()
    crm = pd.read_csv(built.exports / "crm_import.csv")
    assert crm["model_caution"].isna().all()
    top = out.split("Top ", 1)[1].splitlines()[0]
    assert top.endswith("Tier 1 prospects")


def _assert_money_withheld(run: PipelineRun, summary_text: str, strength: str) -> None:
    """A weak or none model's expected value is never shown as money: withheld in icp.tier_summary,
    the run summary and the report, with the customers' observed value (n, interval) instead."""
    summary = run.query("select * from icp.tier_summary")
    assert summary["total_expected_value"].isna().all()
    assert (
        summary["money_basis"]
        .str.startswith(
            f"withheld: on the model card the value model (the LightGBM model) {STRENGTH_WORDS[strength]}"
        )
        .all()
    )
    # the observed value per tier is the mean of its customers' value, recomputed here from the mart
    from icp_pipeline.lib.config.icp import load_icp_config
    from icp_pipeline.lib.publish.coverage import model_value_label

    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        value = model_value_label(con, load_icp_config(DEFAULT_CONFIG).value_label)
        expected = con.execute(
            f'select t.tier, count(f."{value}"), avg(f."{value}") from icp.target_accounts t '
            "join marts.account_features f using (account_key) where t.is_customer group by t.tier"
        ).fetchall()
    by_tier = summary[summary["is_customer"]].set_index("tier")
    assert expected
    for tier, n, mean in expected:
        assert by_tier.loc[tier, "customers_with_value"] == n
        if n:
            assert by_tier.loc[tier, "observed_value_per_customer"] == pytest.approx(mean)
        if n > 1:
            row = by_tier.loc[tier]
            assert (
                row["observed_value_low"] <= row["observed_value_per_customer"] <= row["observed_value_high"]
            )
    assert "withheld" in summary_text and "per customer (" in summary_text
    html = (run.exports / "icp_report.html").read_text(encoding="utf-8")
    assert "withheld: the model" in html
    files = pd.read_csv(run.exports / "target_accounts.csv")
    assert files["expected_value"].isna().all() and files["predicted_ltv"].isna().all()
    # the warehouse tables a BI tool reads directly hold no weak-model money either, and say why
    targets = run.query("select * from icp.target_accounts")
    assert len(targets) and targets["expected_value"].isna().all() and targets["predicted_ltv"].isna().all()
    assert targets["money_basis"].eq(summary["money_basis"].iloc[0]).all()
    # the list's order is still readable from icp_score (published order = icp_score high to low)
    scores = targets["icp_score"].to_numpy()
    assert (scores[:-1] >= scores[1:]).all()
    expansion = run.query("select * from icp.expansion_accounts order by expansion_rank")
    assert len(expansion) and expansion["headroom"].isna().all() and expansion["predicted_ltv"].isna().all()
    assert expansion["money_basis"].str.startswith("withheld: ").all()
    # the withheld headroom orders nothing: realised value does, losses last
    gains = expansion[expansion["realised_value"] >= 0]
    assert gains["expansion_basis"].str.startswith("by realised value").all()
    assert gains["realised_value"].is_monotonic_decreasing
    assert list(expansion["expansion_rank"]) == list(range(1, len(expansion) + 1))
    history = run.query("select * from icp.refresh_history order by refreshed_at desc limit 1").iloc[0]
    assert pd.isna(history["value_scale"])  # the weak model's median expected value is money too
    if history["tier_basis"] == "expected value":
        assert pd.isna(history["tier1_cutoff"]) and pd.isna(history["tier2_cutoff"])
        assert history["tier1_cutoff_relative"] > 0  # the unit-free frozen cut-off stays


def test_an_unlearnt_win_model_s_constant_prior_is_withheld_on_every_row_with_its_reason(built):
    """Issue 14: a win probability that was not learnt is a constant prior, no figure about an
    account; icp.target_accounts and its exports publish it null with the card's reason beside it,
    as icp.tier_summary.avg_win_probability (a learnt one stays, with its basis)."""
    _republish_with_card(built, "strong", "LightGBM beats every baseline.")
    learnt = built.query("select win_probability, win_probability_basis from icp.target_accounts")
    assert learnt["win_probability"].between(0, 1).all() and learnt["win_probability"].nunique() > 1
    assert learnt["win_probability_basis"].str.startswith("win model learnt").all()

    reason = "win model not trained: 0 won / 12 lost accounts, at least 10 of each needed"
    _republish_with_card(built, "strong", "LightGBM beats every baseline.", "not_learnt", reason)
    targets = built.query("select win_probability, win_probability_basis from icp.target_accounts")
    assert len(targets) == len(learnt) and targets["win_probability"].isna().all()
    assert (
        targets["win_probability_basis"]
        .eq(
            f"withheld: the win model was not learnt ({reason}); a constant prior is no figure about the "
            "account, and expected_value is predicted_ltv alone"
        )
        .all()
    )
    for exported in (
        pd.read_csv(built.exports / "target_accounts.csv"),
        pd.read_parquet(built.exports / "target_accounts.parquet"),
    ):
        assert exported["win_probability"].isna().all()
        assert exported["win_probability_basis"].str.startswith("withheld: the win model").all()
    summary = built.query("select avg_win_probability from icp.tier_summary")
    assert summary["avg_win_probability"].isna().all()  # the same word as the tier summary


def test_the_caution_sentence_without_a_verdict_says_what_to_do():
    from icp_pipeline.lib.model.strength import ModelStrength, caution_sentence

    assert caution_sentence(ModelStrength("strong", "Fine.")) is None
    assert caution_sentence(None) is None
    assert caution_sentence(ModelStrength("weak", "")) == (
        "Caution: the model behind these scores is weak. Treat the tiers as a rough ordering and check "
        "them against what the team knows."
    )
    none = caution_sentence(ModelStrength("none", "None: no signal.", "rules", tiers_by_rules=True))
    assert none.startswith(
        "Caution: the model behind these scores, the rules baseline (attributes above the customer median), shows no evidence that it ranks accounts "
        "(strength none). No signal."
    )
    assert caution_sentence(ModelStrength("none", "x", tiers_by_rules=True), rules_used=False).endswith(
        "icp.yaml has no testable hypothesis to rank by, so the tiers still follow the scores."
    )
