"""Issue 14, model side: the model card (strength, verdict, candidate choice, win model learnt or not),
attribute groups and identifier-like numbers, through `run_models` on synthetic data."""

import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.model import ModelSettings, run_models
from icp_pipeline.lib.model.card import MODEL_CARD_COLUMNS, Intervals, bootstrap_intervals, choose
from icp_pipeline.lib.model.metrics import ranking_metrics
from tests.synthetic_model_data import make_synthetic

FAST = ModelSettings(n_bootstrap=1, num_boost_round=150, cv_folds=3, make_plots=False)


def _importance(result) -> pd.DataFrame:
    return result.importance.set_index("attribute")


def test_a_dataset_without_signal_gets_strength_none_and_is_scored_by_a_baseline():
    d = make_synthetic(n_customers=300, n_prospects=300, seed=21)
    f = d.features.copy()
    customers = f["label_annualised_value"].notna()
    shuffled = f.loc[customers, "label_annualised_value"].sample(frac=1.0, random_state=3).to_numpy()
    f.loc[customers, "label_annualised_value"] = shuffled  # value no longer depends on any attribute
    f["x__headcount_copy"] = f["firmo__employee_count"]  # grouped: the baselines see more columns
    r = run_models(f, d.catalog, d.closed_opportunities, FAST)
    card = r.card.iloc[0]
    assert card["strength"] == "none", card[["strength_reason", "holdout_spearman_lo"]].to_dict()
    assert card["value_model"] in ("linear", "rules")
    # the win model still learnt who buys, and scales the baseline's value
    assert card["win_model_status"] == "learnt" and card["expected_value_uses_win"]
    assert r.scores["win_probability"].nunique() > 10
    assert not np.allclose(r.scores["expected_value"], r.scores["predicted_ltv"])
    assert card["verdict"].startswith("None:")
    assert card["holdout_n"] >= 30 and card["holdout_spearman_lo"] <= 0 <= card["holdout_spearman_hi"]


def test_the_card_has_every_documented_column_and_a_strong_signal_is_not_none():
    d = make_synthetic(n_customers=400, n_prospects=300, seed=22)
    r = run_models(d.features, d.catalog, d.closed_opportunities, FAST)
    assert list(r.card.columns) == list(MODEL_CARD_COLUMNS)
    card = r.card.iloc[0]
    assert card["evaluation_split"] == "time_holdout" and card["holdout_n"] == 100
    assert card["strength"] in ("strong", "moderate", "weak")
    assert card["holdout_spearman_lo"] > 0.3
    assert card["holdout_spearman_lo"] <= card["holdout_spearman"] <= card["holdout_spearman_hi"]
    metrics = r.metrics[r.metrics["split"] == "time_holdout"]
    assert {"lightgbm", "plain_lightgbm", "linear_baseline", "rules_baseline"} <= set(metrics["model"])
    published = {"linear": "linear_baseline", "rules": "rules_baseline"}.get(
        card["value_model"], card["value_model"]
    )
    spearman = metrics[metrics["metric"] == "spearman"].set_index("model")["value"]
    assert card["holdout_spearman"] == pytest.approx(spearman[published])


def test_an_unlearnt_win_model_is_reported_and_does_not_scale_expected_value():
    d = make_synthetic(n_customers=60, n_prospects=60, seed=23)
    feats = d.features.drop(columns=["label_has_closed_opportunity", "label_has_won_opportunity"])
    r = run_models(feats, d.catalog, None, FAST)
    card = r.card.iloc[0]
    assert card["win_model_status"] == "not_learnt" and "prior" in card["win_model_reason"]
    assert not card["expected_value_uses_win"]
    assert r.scores["win_probability"].nunique() == 1 and r.scores["win_probability"].iloc[0] < 1
    np.testing.assert_allclose(r.scores["expected_value"], r.scores["predicted_ltv"])
    learnt = r.metrics[r.metrics["metric"] == "win_model_learnt"]["value"]
    assert learnt.tolist() == [0.0]


def test_a_win_model_no_better_than_a_coin_is_not_learnt():
    d = make_synthetic(n_customers=200, n_prospects=400, seed=24)
    f = d.features.copy()
    closed = f["label_has_closed_opportunity"].to_numpy()
    rng = np.random.default_rng(0)
    f.loc[closed, "label_has_won_opportunity"] = rng.random(int(closed.sum())) < 0.5  # won at random
    r = run_models(f, d.catalog, d.closed_opportunities, FAST)
    card = r.card.iloc[0]
    assert r.win_booster is not None
    assert card["win_model_status"] == "not_learnt", card["win_model_reason"]
    assert "coin" in card["win_model_reason"] and card["win_auc_lo"] <= 0.5
    np.testing.assert_allclose(r.scores["expected_value"], r.scores["predicted_ltv"])


def test_a_sic_code_is_a_category_never_a_magnitude():
    d = make_synthetic(n_customers=200, n_prospects=200, seed=25)
    rng = np.random.default_rng(1)
    n = len(d.features)
    sic = rng.choice(np.arange(100, 9999), 400)  # many 3- and 4-digit codes
    f = d.features.assign(
        x__sic_code=rng.choice(sic, n).astype(float),
        x__row_id=np.arange(n, dtype=float) + 1,
        x__year_established=rng.integers(1950, 2020, n).astype(float),
        x__branch=rng.choice(np.arange(10_000, 99_999), n).astype(float),  # fixed-width codes, no name hint
    )
    r = run_models(f, None, d.closed_opportunities, FAST)
    imp = _importance(r)
    sic_row = imp.loc["x__sic_code"]
    assert "top quartile" not in sic_row["summary"] and ">=" not in sic_row["summary"]
    assert sic_row["used_in_model"] and "code" in sic_row["treatment"] and "leading" in sic_row["treatment"]
    assert r.value_booster.pandas_categorical is not None
    assert "identifier" in imp.loc["x__row_id", "excluded_reason"]
    assert pd.isna(imp.loc["x__year_established", "treatment"])  # a year stays ordered
    assert "top quartile" in imp.loc["x__year_established", "summary"]
    assert "fixed width" in str(imp.loc["x__branch", "treatment"]) + str(
        imp.loc["x__branch", "excluded_reason"]
    )


def test_a_category_count_is_grouped_with_its_technology_and_copies_with_their_original():
    d = make_synthetic(n_customers=200, n_prospects=200, seed=26)
    f = d.features.assign(
        tech__cat_crm=d.features["tech__salesforce"],  # the category holds one technology: same bit
        x__headcount_copy=d.features["firmo__employee_count"] * 1.0,  # a near-duplicate found from data
    )
    catalog = d.catalog.assign(
        derived_from=np.where(d.catalog["attribute"] == "tech__cat_crm", "tech__salesforce", None)
    )
    r = run_models(f, catalog, d.closed_opportunities, FAST)
    imp = _importance(r)
    assert imp.loc["tech__cat_crm", "attribute_group"] == "tech__salesforce"
    assert "derived from tech__salesforce" in imp.loc["tech__cat_crm", "excluded_reason"]
    assert pd.isna(imp.loc["tech__cat_crm", "rank"]) and not imp.loc["tech__cat_crm", "used_in_model"]
    assert imp.loc["tech__salesforce", "group_members"] == "tech__salesforce, tech__cat_crm"
    group = imp.loc["x__headcount_copy", "attribute_group"]
    assert group == imp.loc["firmo__employee_count", "attribute_group"]
    assert (
        "Spearman"
        in imp.loc[
            [a for a in ("x__headcount_copy", "firmo__employee_count") if a != group][0], "excluded_reason"
        ]
    )
    assert "tech__cat_crm" not in r.features_used and "tech__salesforce" in r.features_used
    ranks = imp["rank"].dropna()
    assert ranks.is_unique and imp.loc[d.truth["strongest_driver"], "rank"] == 1


def test_bootstrap_resamples_by_counts_equal_the_metrics_of_the_expanded_sample():
    rng = np.random.default_rng(5)
    actual = np.round(np.exp(rng.normal(size=60)), 1)
    pred = np.round(actual + rng.normal(size=60), 0)  # ties in the prediction
    iv = bootstrap_intervals(actual, {"m": pred}, n_boot=1, seed=9)
    point = ranking_metrics(actual, pred)
    assert iv.point["m"]["spearman"] == pytest.approx(point["spearman"])
    assert iv.point["m"]["gini"] == pytest.approx(point["normalised_gini"])
    assert iv.point["m"]["top_decile_lift"] == pytest.approx(point["top_decile_lift"])
    # the one resample, expanded into rows (a row drawn w times appears w times in a row)
    w = np.random.default_rng(9).multinomial(60, np.full(60, 1 / 60))
    rows = np.repeat(np.arange(60), w)
    expanded = ranking_metrics(actual[rows], pred[rows])
    assert iv.draws["m"]["spearman"][0] == pytest.approx(expanded["spearman"])
    assert iv.draws["m"]["top_decile_lift"][0] == pytest.approx(expanded["top_decile_lift"])


def test_the_best_hold_out_candidate_wins_and_a_tie_goes_to_the_simpler_one():
    def intervals(spearman: dict[str, float]) -> Intervals:
        return Intervals(200, {c: {"spearman": v} for c, v in spearman.items()}, {}, {}, {})

    assert (
        choose(intervals({"rules": 0.60, "linear": 0.65, "lightgbm": 0.655, "plain_lightgbm": 0.66}))
        == "linear"
    )
    assert (
        choose(intervals({"rules": 0.60, "linear": 0.65, "lightgbm": 0.70, "plain_lightgbm": 0.705}))
        == "lightgbm"
    )
    assert choose(
        intervals({"rules": float("nan"), "linear": 0.1, "lightgbm": 0.3, "plain_lightgbm": 0.5})
    ) == ("plain_lightgbm")


def test_the_plain_candidate_scores_the_list_when_it_is_chosen(monkeypatch):
    from icp_pipeline.lib.model import card as card_module

    monkeypatch.setattr(card_module, "choose", lambda iv, margin: "plain_lightgbm")
    monkeypatch.setattr(card_module, "strength_of", lambda iv, chosen, rules: ("moderate", "forced"))
    d = make_synthetic(n_customers=200, n_prospects=600, seed=27)
    f = d.features.assign(x__headcount_copy=d.features["firmo__employee_count"])
    r = run_models(f, d.catalog, d.closed_opportunities, FAST)
    assert r.card.iloc[0]["value_model"] == "plain_lightgbm"
    assert "x__headcount_copy" not in r.features_used  # the pipeline's model fits one per group ...
    assert (
        r.scores["top_reasons"].str.contains("headcount_copy").any()
        or r.scores["predicted_ltv"].nunique() > 50
    )
    assert r.scores["win_probability"].nunique() > 10  # ... and the win model scores beside the plain one
    np.testing.assert_allclose(
        r.scores["expected_value"], r.scores["predicted_ltv"] * r.scores["win_probability"]
    )


def test_the_verdict_and_caution_explain_each_model_once():
    """Maven: 'the rules baseline (attributes above the customer median)' three times in two sentences.
    The explanation is kept at the first mention; later mentions use the short name."""
    from icp_pipeline.lib.model.card import LABEL, verdict
    from icp_pipeline.lib.model.strength import ModelStrength, caution_sentence

    point = {"rules": 0.65, "linear": 0.60, "lightgbm": 0.64, "plain_lightgbm": 0.62}
    iv = Intervals(
        85,
        {c: {"spearman": v} for c, v in point.items()},
        {c: {"spearman": v - 0.15} for c, v in point.items()},
        {c: {"spearman": v + 0.12} for c, v in point.items()},
        {},
    )
    text = verdict(iv, "weak", "rules", "rules", "rules")
    assert text.count(LABEL["rules"]) == 1
    assert text == (
        "Weak: LightGBM ranks below the rules baseline (attributes above the customer median) (0.64 vs 0.65), "
        "so the list is scored by the rules baseline (Spearman 0.65, 90 % interval 0.50 to 0.77, on 85 "
        "customers it did not see); treat the tiers as a rough guide, not a ranking to trust."
    )
    caution = caution_sentence(ModelStrength("weak", text, "rules"))
    assert caution.count(LABEL["rules"]) == 1 and caution.count("the rules baseline") == 3
    assert caution.startswith(
        "Caution: the model behind these scores, the rules baseline (attributes above the customer median), "
        "is weak. LightGBM ranks below the rules baseline (0.64 vs 0.65), so the list is scored by the rules "
        "baseline (Spearman"
    )


def test_a_none_verdict_is_one_grammatical_sentence_naming_the_best_candidate():
    """AWS: 'None: LightGBM ranks below the linear baseline (-0.08 vs 0.15), no model shows it ranks
    customers better than chance (...); do not prioritise by these tiers, use the team's rules.'"""
    from icp_pipeline.lib.model.card import verdict

    point = {"rules": 0.05, "linear": 0.15, "lightgbm": -0.08, "plain_lightgbm": -0.02}
    iv = Intervals(
        99,
        {c: {"spearman": v} for c, v in point.items()},
        {c: {"spearman": v - 0.16} for c, v in point.items()},
        {c: {"spearman": v + 0.16} for c, v in point.items()},
        {},
    )
    assert verdict(iv, "none", "linear", "linear") == (
        "None: even the best candidate, the linear baseline, shows no evidence of ranking customers better "
        "than chance (Spearman 0.15, 90 % interval -0.01 to 0.31, on 99 customers it did not see); LightGBM "
        "ranks below the linear baseline (-0.08 vs 0.15), so do not prioritise by the model's scores but by "
        "the team's rules."
    )


def _demo_like_intervals() -> Intervals:
    """The demo's `make run` hold-out (358 customers): LightGBM 0.653 vs linear 0.639, the paired gain's
    draws spread around +0.014 so that its 5th percentile is below 0."""
    rng = np.random.default_rng(0)
    base = rng.normal(0.639, 0.03, 400)
    draws = {
        "linear": base,
        "lightgbm": base + rng.normal(0.014, 0.017, 400),
        "rules": rng.normal(0.11, 0.05, 400),
        "plain_lightgbm": base + rng.normal(-0.016, 0.02, 400),
    }
    point = {"linear": 0.639, "lightgbm": 0.653, "rules": 0.109, "plain_lightgbm": 0.623}
    metrics = ("spearman", "gini", "top_decile_lift")
    return Intervals(
        358,
        {c: {"spearman": v, "gini": 0.7, "top_decile_lift": 3.5} for c, v in point.items()},
        {
            c: {"spearman": float(np.quantile(draws[c], 0.05)), "gini": 0.6, "top_decile_lift": 3.0}
            for c in point
        },
        {
            c: {"spearman": float(np.quantile(draws[c], 0.95)), "gini": 0.8, "top_decile_lift": 4.0}
            for c in point
        },
        {c: {m: (draws[c] if m == "spearman" else np.full(400, 0.7)) for m in metrics} for c in point},
    )


def test_a_moderate_verdict_says_the_model_is_not_distinguishable_from_its_baseline():
    """The demo: the check model_beats_its_baselines WARNs (gain 0.014, 90 % interval -0.013 to 0.043)
    while LightGBM scores the list; the card's words say why it is only moderate, with the same figures."""
    from icp_pipeline.lib.model.card import CardRules, card_row

    row, chosen = card_row(_demo_like_intervals(), "time_holdout", CardRules(), "value")
    assert (chosen, row["strength"], row["best_baseline"]) == ("lightgbm", "moderate", "linear")
    assert row["learnt_gain_spearman_lo"] < 0 < row["learnt_gain_spearman"]
    assert (
        "but it is not distinguishable from the linear baseline (Spearman gain 0.014, 90 % interval "
        f"{row['learnt_gain_spearman_lo']:.3f} to {row['learnt_gain_spearman_hi']:.3f})"
    ) in row["verdict"]


def test_the_beats_its_baselines_check_says_what_a_warn_means_for_the_list(tmp_path):
    import dagster as dg
    import duckdb

    from icp_pipeline.defs.model.checks import model_beats_its_baselines
    from icp_pipeline.lib.model.card import CardRules, card_row
    from icp_pipeline.resources import WarehouseResource

    row, _ = card_row(_demo_like_intervals(), "time_holdout", CardRules(), "value")
    row.update(win_model_status="learnt")
    card = pd.DataFrame([row])  # noqa: F841 (read by DuckDB below)
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema model; create table model.model_card as select * from card")
    result = model_beats_its_baselines(WarehouseResource(duckdb_path=str(warehouse)))
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    meaning = result.metadata["meaning_for_the_list"].value
    assert meaning.startswith("WARN: the list is scored by lightgbm, the best candidate on the hold-out")
    assert "within the bootstrap noise" in meaning and "rates it moderate (not strong)" in meaning
    assert result.description.startswith("lightgbm vs linear: Spearman gain 0.0")
    assert result.description.endswith(meaning)
