"""The candidates beside the pipeline's LightGBM: the plain default LightGBM and the baselines as
scorers of every account (log value + per-attribute contributions for the reason codes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression

from .baselines import linear_frame, linear_model, rules_scores
from .settings import ModelSettings
from .training import ValueModel, fit_booster

PLAIN_ROUNDS = 100  # LightGBM's default num_iterations


def plain_params(settings: ModelSettings) -> dict:
    """LightGBM's defaults (learning_rate 0.1, num_leaves 31, min_data_in_leaf 20, no bagging, no
    L2), as a one-page script would fit them; only seed, threads and determinism are set."""
    return {
        "objective": "regression",
        "seed": settings.seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": settings.num_threads,
        "verbose": -1,
    }


def plain_model(X: pd.DataFrame, y_log: np.ndarray, settings: ModelSettings) -> ValueModel:
    """The plain approach: default LightGBM, 100 rounds, on every observable attribute of X."""
    params = plain_params(settings)
    return ValueModel(fit_booster(X, y_log, params, PLAIN_ROUNDS), params, PLAIN_ROUNDS, len(y_log))


class BaselineScorer:
    """The `linear` or `rules` baseline fitted on the rows of X with a value, scoring any block of
    rows as (log1p value, contributions rows x columns of X) for the reason codes.

    linear: ridge on log1p value (at most `linear_max_rows` training rows); contributions are
    coefficient x centred transformed value, summed per attribute. rules: the rules score (numeric
    attributes above the customers' median, or `settings.rules_baseline`) mapped to log value by an
    increasing isotonic fit on the customers, so its order is kept and predicted value is in value
    units; contributions are +0.5 / -0.5 per numeric attribute above / not above that median."""

    def __init__(self, which: str, X: pd.DataFrame, value: pd.Series, settings: ModelSettings):
        from .validation import linear_rows  # noqa: PLC0415 (avoid an import cycle)

        self.which, self.settings, self.columns = which, settings, list(X.columns)
        train = value.reindex(X.index).notna().to_numpy()
        y = np.log1p(np.maximum(value.reindex(X.index).to_numpy(dtype=float)[train], 0.0))
        Xt = X.loc[train]
        self.numeric = [c for c in X.columns if not isinstance(X[c].dtype, pd.CategoricalDtype)]
        if which == "linear":
            rows = linear_rows(len(Xt), settings.linear_max_rows, settings.seed)
            reference = linear_frame(Xt.iloc[rows])
            self.pipe = linear_model(Xt, seed=settings.seed).fit(reference, y[rows])
            self._prepare_linear(reference)
            return
        self.medians = Xt[self.numeric].astype(float).median()
        self.iso = IsotonicRegression(increasing=True, out_of_bounds="clip").fit(self._rules(Xt), y)

    def _rules(self, X: pd.DataFrame) -> np.ndarray:
        if self.settings.rules_baseline is not None:
            return rules_scores(X, self.settings.rules_baseline)
        return (X[self.numeric].astype(float) > self.medians).sum(axis=1).to_numpy(dtype=float)

    def _prepare_linear(self, reference: pd.DataFrame) -> None:
        pre, est = self.pipe.named_steps["pre"], self.pipe.named_steps["model"]
        Zr = pre.transform(reference)
        self.mean = np.asarray(Zr.mean(axis=0)).ravel()
        self.coef = np.asarray(est.coef_).ravel()
        names = pre.get_feature_names_out()
        self.owner = np.full(len(names), -1)
        by_length = sorted(range(len(self.columns)), key=lambda j: -len(self.columns[j]))
        for k, name in enumerate(names):
            body = name.split("__", 1)[1] if name.startswith(("num__", "cat__")) else name
            body = body.removeprefix("missingindicator_")
            for j in by_length:
                if body == self.columns[j] or body.startswith(self.columns[j] + "_"):
                    self.owner[k] = j
                    break

    def score(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        out = np.zeros((len(X), len(self.columns)))
        if self.which == "linear":
            Xl = linear_frame(X)
            Z = self.pipe.named_steps["pre"].transform(Xl)
            Z = Z.toarray() if hasattr(Z, "toarray") else np.asarray(Z)
            contrib = (Z - self.mean) * self.coef
            for k in np.flatnonzero(self.owner >= 0):
                out[:, self.owner[k]] += contrib[:, k]
            return self.pipe.predict(Xl), out
        for c in self.numeric:
            j = self.columns.index(c)
            v = X[c].to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                out[:, j] = np.where(np.isnan(v), 0.0, np.where(v > self.medians[c], 0.5, -0.5))
        return self.iso.predict(self._rules(X)), out
