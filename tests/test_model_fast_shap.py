"""fast_shap.pred_contrib must equal LightGBM's own pred_contrib (it only computes it faster)."""

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.model import fast_shap


def _frame(n: int, seed: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    levels = list("pqrstuvwxyz")
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "cat": pd.Categorical(
                np.where(rng.random(n) < 0.1, None, rng.choice(levels, n)), categories=levels
            ),
            "with_nan": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
            "zeros": np.where(rng.random(n) < 0.5, 0.0, rng.normal(size=n)),
            "flag": rng.integers(0, 2, n).astype(float),
        }
    )
    y = X["num"] + X["cat"].isin(["p", "q", "r"]) * 2 + X["with_nan"].fillna(-1) + X["zeros"] + X["flag"]
    return X, y + rng.normal(size=n)


@pytest.mark.parametrize("objective", ["regression", "binary"])
@pytest.mark.parametrize("missing", [{}, {"zero_as_missing": True}, {"use_missing": False}])
def test_equals_lightgbm_pred_contrib(objective, missing):
    X, y = _frame(3000)
    label = y if objective == "regression" else (y > y.median()).astype(float)
    params = {"objective": objective, "num_leaves": 15, "max_cat_to_onehot": 4, "min_data_per_group": 5}
    booster = lgb.train({**params, **missing, "verbose": -1, "num_threads": 1}, lgb.Dataset(X, label), 40)
    # new rows, an unknown category level and all-missing rows at prediction time
    Xp, _ = _frame(2500, seed=2)
    Xp["cat"] = Xp["cat"].cat.add_categories(["unseen"])
    Xp.loc[:9, "cat"] = "unseen"
    Xp.loc[10:19, ["num", "with_nan", "zeros", "flag"]] = np.nan
    expected = booster.predict(Xp, pred_contrib=True)
    got = fast_shap.pred_contrib(booster, Xp, min_rows=0)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    raw = got.sum(axis=1)
    np.testing.assert_allclose(raw, booster.predict(Xp, raw_score=True), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("num_leaves", [15, 48])  # split codes in 32 bits (<= 31 splits) and in 64
def test_pattern_contrib_itself_equals_lightgbm(num_leaves):
    """The pattern computation directly, without pred_contrib's self-check (which would hide an error
    behind LightGBM's own values): trees of up to 31 splits and of more."""
    X, y = _frame(3000)
    params = {"objective": "regression", "num_leaves": num_leaves, "min_data_in_leaf": 5, "verbose": -1}
    booster = lgb.train({**params, "num_threads": 1}, lgb.Dataset(X, y), 20)
    model = booster.dump_model()
    assert max(t["num_leaves"] for t in model["tree_info"]) == num_leaves
    Xp, _ = _frame(2500, seed=2)
    got = fast_shap._pattern_contrib(booster, model, fast_shap.lightgbm_matrix_t(booster, Xp))
    np.testing.assert_allclose(got, booster.predict(Xp, pred_contrib=True), rtol=1e-9, atol=1e-9)


def test_small_frames_use_lightgbm_directly(monkeypatch):
    X, y = _frame(500)
    booster = lgb.train({"objective": "regression", "verbose": -1, "num_threads": 1}, lgb.Dataset(X, y), 10)
    monkeypatch.setattr(fast_shap, "_pattern_contrib", lambda *a, **k: pytest.fail("fast path used"))
    np.testing.assert_array_equal(fast_shap.pred_contrib(booster, X), booster.predict(X, pred_contrib=True))


def test_falls_back_to_lightgbm_when_the_self_check_fails(monkeypatch):
    X, y = _frame(3000)
    booster = lgb.train({"objective": "regression", "verbose": -1, "num_threads": 1}, lgb.Dataset(X, y), 10)
    monkeypatch.setattr(fast_shap, "_pattern_contrib", lambda b, m, M: np.zeros((len(M), M.shape[1] + 1)))
    np.testing.assert_allclose(
        fast_shap.pred_contrib(booster, X, min_rows=0), booster.predict(X, pred_contrib=True)
    )


@pytest.mark.parametrize("num_leaves", [4, 15, 48])  # codes in 16 bits, in 32, and trees not cached
def test_blocks_sharing_a_pattern_cache_equal_one_call(num_leaves, monkeypatch):
    """SHAP values of rows scored block by block with one `PatternCache` equal, value for value, one
    call on every row (and LightGBM's); a block whose patterns were all met before asks LightGBM
    for nothing more."""
    X, y = _frame(3000)
    params = {"objective": "regression", "num_leaves": num_leaves, "min_data_in_leaf": 5, "verbose": -1}
    booster = lgb.train({**params, "num_threads": 1}, lgb.Dataset(X, y), 20)
    Xp, _ = _frame(6000, seed=2)
    whole = fast_shap.pred_contrib(booster, Xp, min_rows=0)
    np.testing.assert_allclose(whole, booster.predict(Xp, pred_contrib=True), rtol=1e-9, atol=1e-9)
    cache = fast_shap.PatternCache(booster)
    blocks = [
        fast_shap.pred_contrib(booster, Xp.iloc[s : s + 2000], min_rows=0, cache=cache)
        for s in (0, 2000, 4000)
    ]
    np.testing.assert_array_equal(np.vstack(blocks), whole)
    asked: list[int] = []
    tree_contrib = fast_shap._tree_contrib
    monkeypatch.setattr(
        fast_shap, "_tree_contrib", lambda b, M, rep, t: asked.append(len(rep)) or tree_contrib(b, M, rep, t)
    )
    # the pattern step itself (pred_contrib's self-check asks LightGBM for its sample rows anyway)
    MT = fast_shap.lightgbm_matrix_t(booster, Xp.iloc[2000:4000])
    again = fast_shap._pattern_contrib(booster, cache.model, MT, cache)
    np.testing.assert_array_equal(again, whole[2000:4000])
    if num_leaves - 1 <= fast_shap._CACHED_SPLITS:
        assert asked == []
    else:
        assert sum(asked) > 0  # larger trees are computed per block, uncached
