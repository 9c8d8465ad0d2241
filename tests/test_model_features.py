"""Design matrix and leakage guard."""

import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.model.features import build_design_matrix, categorical_strings
from icp_pipeline.lib.model.leakage import detect_leakage, rank_auc
from icp_pipeline.lib.model.settings import ModelSettings
from tests.synthetic_model_data import make_synthetic


@pytest.fixture(scope="module")
def data():
    return make_synthetic(n_customers=60, n_prospects=140, seed=3)


def test_types_and_exclusions(data):
    dm = build_design_matrix(data.features, data.catalog)
    X = dm.X
    assert isinstance(X["firmo__industry"].dtype, pd.CategoricalDtype)
    assert X["firmo__employee_count"].dtype == np.float64
    assert X["tech__snowflake"].dtype == np.float64
    reasons = {e["attribute"]: e["reason"] for e in dm.exclusions}
    assert "high-cardinality" in reasons["firmo__description"]
    assert reasons["firmo__all_missing"] == "all missing"
    assert reasons["sit__constant_flag"] == "constant"
    for beh in data.truth["behavioural"]:
        assert "not observable for prospects" in reasons[beh]
        assert beh not in X.columns
    assert not any(c.startswith("label_") for c in X.columns)
    assert "account_key" not in X.columns


def test_category_levels_come_from_all_rows(data):
    feats = data.features.copy()
    feats.loc[feats.index[-1], "firmo__industry"] = "only_in_one_prospect"
    X = build_design_matrix(feats, data.catalog).X
    cats = list(X["firmo__industry"].cat.categories)
    assert "only_in_one_prospect" in cats
    assert cats == sorted(cats)
    sub = X.iloc[:10]
    assert list(sub["firmo__industry"].cat.categories) == cats


def test_attribute_missing_from_catalog_is_inferred(data):
    catalog = data.catalog[data.catalog["attribute"] != "tech__salesforce"]
    dm = build_design_matrix(data.features, catalog)
    assert "tech__salesforce" in dm.X.columns
    assert dm.kind("tech__salesforce") == "binary"


def test_coverage_leak_flagged(data):
    dm = build_design_matrix(data.features, data.catalog)
    leaks = detect_leakage(dm.X, data.features["is_customer"])
    assert data.truth["leak"] in leaks
    assert "leakage" in leaks[data.truth["leak"]]
    assert "tech__snowflake" not in leaks
    assert "firmo__employee_count" not in leaks


def test_separation_leak_flagged(data):
    feats = data.features.copy()
    rng = np.random.default_rng(0)
    cust = feats["is_customer"].to_numpy()
    feats["x__status_score"] = np.where(
        cust, rng.uniform(50, 100, len(feats)), rng.uniform(0, 49, len(feats))
    )
    feats["x__status_label"] = np.where(cust, "active", "none")
    dm = build_design_matrix(feats, None)
    leaks = detect_leakage(dm.X, feats["is_customer"])
    assert "AUC" in leaks["x__status_score"]
    assert "AUC" in leaks["x__status_label"]


def test_rank_auc():
    y = np.array([False, False, True, True])
    assert rank_auc(np.array([1, 2, 3, 4.0]), y) == 1.0
    assert rank_auc(np.array([4, 3, 2, 1.0]), y) == 0.0
    assert rank_auc(np.array([1, 1, 1, 1.0]), y) == 0.5


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        ModelSettings().seed = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([" Retail", "Retail", None, "", "SaaS ", "retail"], dtype="str"),
        pd.Series(["b", None, "a", "b"], dtype=object),
        pd.Series([0.0, -0.0, 1.5, np.nan]),  # 0.0 and -0.0 are equal but read differently
        pd.Series([3, 1, pd.NA, 3], dtype="Int64"),
        pd.Series([True, False, None], dtype="boolean"),
        pd.Series(["", None], dtype="str"),
        pd.Series(["x", "x "], dtype="str"),
    ],
)
def test_categorical_codes_equal_the_per_row_strings(column):
    """The design matrix's categoricals, built once per distinct value, equal the categorical of
    every row's cleaned string (codes, categories and their dtype, and the degenerate verdict)."""
    from icp_pipeline.lib.model.features import _degenerate, _degenerate_codes, categorical_codes

    strings = categorical_strings(column)
    levels = sorted(strings.dropna().unique())
    expected = pd.Categorical(strings, categories=levels)
    got, got_levels = categorical_codes(column)
    assert got_levels == levels
    assert got.codes.tolist() == expected.codes.tolist()
    assert got.categories.equals(expected.categories)
    assert got.categories.dtype == expected.categories.dtype
    assert _degenerate_codes(got.codes, len(got_levels)) == _degenerate(strings)
