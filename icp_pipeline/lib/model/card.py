"""The model card: which candidate scores the list, how strong the evidence is, in one row.

Candidates (simplest first): `rules` (count of attributes above the customer median), `linear`
(ridge on one-hot / standardised attributes), `lightgbm` (the pipeline's model: one representative
per attribute group, rounds by CV, small trees) and `plain_lightgbm` (LightGBM with default settings
on every observable attribute: the one-page script). All are scored on the same held-out customers:
the time hold-out (latest `time_holdout_share` of customers by first win) when it has at least
`min_holdout_n` customers, else the k-fold out-of-fold predictions.

**Choice** (source of the rule: this module): the candidate with the highest hold-out Spearman wins;
a tie - any simpler candidate within `tie_margin` (0.01) of the best - goes to the simplest of them
(a difference below 0.01 Spearman does not change a ranked list materially).

**Strength** of the chosen candidate, from 90 % bootstrap intervals (`n_metric_bootstrap` resamples of
the held-out customers):
- `none`: fewer than `min_holdout_n` held-out customers, or the Spearman or normalised Gini interval
  includes 0 (no evidence of ranking better than chance);
- `weak`: the choice is a baseline (`linear` or `rules`: no LightGBM candidate ranked better than them
  by more than the tie margin), or the Spearman lower bound is below `moderate_spearman_low` (0.2);
- `strong`: a LightGBM candidate that beats the best baseline *with support* (the 5th percentile of the
  paired bootstrap gain of Spearman is above 0), with Spearman lower bound >= `strong_spearman_low`
  (0.5) and a top-decile lift lower bound above 1;
- `moderate`: otherwise.
The chosen candidate scores the list (`value_model`): when no LightGBM ranks better than the
baselines by more than the tie margin, that is the best baseline, and the strength is at most `weak`.

**Win model**: `not_learnt` when no win model was trained (too few won / lost accounts: the win
probability is a constant prior), when its predictions are constant, or when the 90 % interval of its
out-of-fold AUC includes 0.5; then win probability does not scale expected value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CANDIDATES = ("rules", "linear", "lightgbm", "plain_lightgbm")  # simplest first
METRICS_NAME = {  # candidate -> its `model` in the metrics table
    "rules": "rules_baseline",
    "linear": "linear_baseline",
    "lightgbm": "lightgbm",
    "plain_lightgbm": "plain_lightgbm",
}
BASELINES = ("rules", "linear")
LEARNT = ("lightgbm", "plain_lightgbm")
CARD_METRICS = ("spearman", "gini", "top_decile_lift")
STRENGTHS = ("strong", "moderate", "weak", "none")


@dataclass
class Intervals:
    """Point values, 90 % interval bounds and the bootstrap draws, per candidate and metric."""

    n: int
    point: dict[str, dict[str, float]]
    low: dict[str, dict[str, float]]
    high: dict[str, dict[str, float]]
    draws: dict[str, dict[str, np.ndarray]]


class _Sorted:
    """One sort of a score, reused by every resample: order (descending, ties in input order) and
    tie groups, so a resample's ranks follow from its row counts in O(n)."""

    def __init__(self, score: np.ndarray):
        self.order = np.lexsort((np.arange(len(score)), -score))
        s = score[self.order]
        self.starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        self.group = np.cumsum(np.r_[True, s[1:] != s[:-1]]) - 1

    def ranks(self, W: np.ndarray) -> np.ndarray:
        """Average ranks (1 = lowest score) of every row in the resamples of counts W (B x n)."""
        Wg = np.add.reduceat(W[:, self.order], self.starts, axis=1)
        below = W.shape[1] - np.cumsum(Wg, axis=1)  # rows with a lower score: later groups
        r_group = below + (Wg + 1) / 2
        out = np.empty_like(W, dtype=float)
        out[:, self.order] = r_group[:, self.group]
        return out


def _weighted_spearman(W: np.ndarray, ra: np.ndarray, rp: np.ndarray) -> np.ndarray:
    n = W.sum(axis=1, keepdims=True)
    ma, mp = (W * ra).sum(axis=1, keepdims=True) / n, (W * rp).sum(axis=1, keepdims=True) / n
    da, dp = ra - ma, rp - mp
    den = np.sqrt((W * da * da).sum(axis=1) * (W * dp * dp).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (W * da * dp).sum(axis=1) / den, np.nan)


def _weighted_gini(W: np.ndarray, a: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Gini of the expanded resample ordered by `order`: a row drawn w times adds w copies in a row."""
    w, v = W[:, order], a[order][None, :]
    cum = np.cumsum(w * v, axis=1)
    before = cum - w * v
    sum_cum = (w * before + v * w * (w + 1) / 2).sum(axis=1)
    n, total = w.sum(axis=1), cum[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total != 0, sum_cum / total / n - (n + 1) / (2 * n), np.nan)


def _weighted_lift(W: np.ndarray, a: np.ndarray, order: np.ndarray) -> np.ndarray:
    w, v = W[:, order], a[order][None, :]
    n = W.sum(axis=1)
    k = np.maximum(1, np.ceil(0.1 * n))[:, None]
    taken = np.clip(k - (np.cumsum(w, axis=1) - w), 0, w)
    top_mean = (taken * v).sum(axis=1) / k[:, 0]
    mean = (W * a[None, :]).sum(axis=1) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean != 0, top_mean / mean, np.nan)


def _metrics_by_weights(
    W: np.ndarray, actual: np.ndarray, ra: np.ndarray, best_gini: np.ndarray, score: np.ndarray
) -> dict[str, np.ndarray]:
    """Spearman, normalised Gini and top-decile lift per resample (a row of counts W)."""
    sorted_p = _Sorted(score)
    spearman = _weighted_spearman(W, ra, sorted_p.ranks(W))
    if np.ptp(score) == 0:
        spearman[:] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        gini = _weighted_gini(W, actual, sorted_p.order) / best_gini
    return {"spearman": spearman, "gini": gini, "top_decile_lift": _weighted_lift(W, actual, sorted_p.order)}


def resamples(n: int, n_boot: int, max_cells: int = 2_500_000) -> int:
    """Bootstrap resamples: `n_boot`, fewer for very large n so n x resamples stays near `max_cells`
    (at least 50): the intervals of tens of thousands of customers are narrow and stable anyway."""
    return max(1, min(n_boot, max(50, max_cells // max(n, 1))))


def bootstrap_intervals(
    actual: np.ndarray, preds: dict[str, np.ndarray], n_boot: int = 200, seed: int = 0, level: float = 0.9
) -> Intervals:
    """Point metrics on all rows and percentile intervals over `resamples(n, n_boot)` resamples (rows
    drawn with replacement, the same draws for every candidate so differences are paired). Each score
    is sorted once; a resample is a vector of row counts, so each costs O(n); processed in chunks
    of resamples to bound memory."""
    actual = np.asarray(actual, dtype=float)
    n = len(actual)
    q = (1 - level) / 2
    point, low, high, draws = {}, {}, {}, {}
    if n < 3:
        for name in preds:
            nan = dict.fromkeys(CARD_METRICS, float("nan"))
            point[name], low[name], high[name] = nan, dict(nan), dict(nan)
            draws[name] = {m: np.full(1, np.nan) for m in CARD_METRICS}
        return Intervals(n, point, low, high, draws)
    sorted_a = _Sorted(actual)
    ones = np.ones((1, n))
    full_ra = sorted_a.ranks(ones)
    full_best = _weighted_gini(ones, actual, sorted_a.order)
    for name, p in preds.items():
        m = _metrics_by_weights(ones, actual, full_ra, full_best, np.asarray(p, dtype=float))
        point[name] = {k: float(v[0]) for k, v in m.items()}
    rng = np.random.default_rng(seed)
    total = resamples(n, n_boot)
    chunk = max(1, 2_000_000 // n)
    parts: dict[str, list[dict[str, np.ndarray]]] = {name: [] for name in preds}
    for start in range(0, total, chunk):
        W = rng.multinomial(n, np.full(n, 1.0 / n), size=min(chunk, total - start)).astype(float)
        ra = sorted_a.ranks(W)
        best = _weighted_gini(W, actual, sorted_a.order)
        for name, p in preds.items():
            parts[name].append(_metrics_by_weights(W, actual, ra, best, np.asarray(p, dtype=float)))
    for name in preds:
        d = {m: np.concatenate([part[m] for part in parts[name]]) for m in CARD_METRICS}
        draws[name] = d
        low[name] = {m: _quantile(v, q) for m, v in d.items()}
        high[name] = {m: _quantile(v, 1 - q) for m, v in d.items()}
    return Intervals(n, point, low, high, draws)


def _quantile(v: np.ndarray, q: float) -> float:
    v = v[np.isfinite(v)]
    return float(np.quantile(v, q)) if len(v) else float("nan")


def auc_interval(
    y: np.ndarray, p: np.ndarray, n_boot: int = 200, seed: int = 0, level: float = 0.9
) -> tuple[float, float, float]:
    """(AUC, low, high) of binary labels y by scores p: Mann-Whitney with average ranks, percentile
    bootstrap over the same kind of resamples as `bootstrap_intervals`."""
    y = np.asarray(y, dtype=bool)
    p = np.asarray(p, dtype=float)
    n = len(y)
    if n < 3 or y.all() or not y.any():
        return float("nan"), float("nan"), float("nan")
    ranked = _Sorted(p)

    def aucs(W: np.ndarray) -> np.ndarray:
        r = ranked.ranks(W)
        n1 = (W * y).sum(axis=1)
        n0 = W.sum(axis=1) - n1
        with np.errstate(invalid="ignore", divide="ignore"):
            return ((W * r * y).sum(axis=1) - n1 * (n1 + 1) / 2) / (n1 * n0)

    rng = np.random.default_rng(seed)
    total, chunk = resamples(n, n_boot), max(1, 2_000_000 // n)  # chunks bound memory
    d = np.concatenate(
        [
            aucs(rng.multinomial(n, np.full(n, 1.0 / n), size=min(chunk, total - start)).astype(float))
            for start in range(0, total, chunk)
        ]
    )
    q = (1 - level) / 2
    return float(aucs(np.ones((1, n)))[0]), _quantile(d, q), _quantile(d, 1 - q)


@dataclass(frozen=True)
class CardRules:
    tie_margin: float = 0.01
    min_holdout_n: int = 30
    moderate_spearman_low: float = 0.2
    strong_spearman_low: float = 0.5


def _supported_gain(iv: Intervals, better: str, than: str) -> tuple[float, float, float]:
    """(point, 5th, 95th percentile) of Spearman(better) - Spearman(than) over the paired draws."""
    d = iv.draws[better]["spearman"] - iv.draws[than]["spearman"]
    point = iv.point[better]["spearman"] - iv.point[than]["spearman"]
    return float(point), _quantile(d, 0.05), _quantile(d, 0.95)


def choose(iv: Intervals, tie_margin: float = 0.01) -> str:
    """The simplest candidate within `tie_margin` of the best hold-out Spearman (see module doc)."""
    present = [c for c in CANDIDATES if c in iv.point and np.isfinite(iv.point[c]["spearman"])]
    if not present:
        return "rules"
    best = max(iv.point[c]["spearman"] for c in present)
    return next(c for c in present if iv.point[c]["spearman"] >= best - tie_margin)


def best_of(iv: Intervals, names: tuple[str, ...]) -> str | None:
    """The candidate of `names` with the highest point Spearman (ties: the first, i.e. simpler)."""
    scored = [(iv.point[c]["spearman"], -i, c) for i, c in enumerate(names) if c in iv.point]
    scored = [s for s in scored if np.isfinite(s[0])]
    return max(scored)[2] if scored else None


def strength_of(iv: Intervals, chosen: str, rules: CardRules) -> tuple[str, str]:
    """(strength, the rule that decided it, in words)."""
    if iv.n < rules.min_holdout_n:
        return (
            "none",
            f"only {iv.n} held-out customers; at least {rules.min_holdout_n} are needed to judge a model",
        )
    lo, hi = iv.low[chosen], iv.high[chosen]
    for metric, label in (("spearman", "Spearman"), ("gini", "normalised Gini")):
        if not np.isfinite(lo[metric]) or lo[metric] <= 0:
            return "none", (
                f"the 90 % interval of {label} ({_fmt(lo[metric])} to {_fmt(hi[metric])}) includes 0: "
                "no evidence that the ranking beats chance"
            )
    if chosen in BASELINES:
        return "weak", (
            f"no LightGBM candidate ranked held-out customers better than {LABEL[chosen]} by more than "
            f"{rules.tie_margin} Spearman"
        )
    if lo["spearman"] < rules.moderate_spearman_low:
        return "weak", f"Spearman lower bound {_fmt(lo['spearman'])} < {rules.moderate_spearman_low}"
    best_baseline = best_of(iv, BASELINES)
    supported = best_baseline is None or _supported_gain(iv, chosen, best_baseline)[1] > 0
    if supported and lo["spearman"] >= rules.strong_spearman_low and lo["top_decile_lift"] > 1:
        return "strong", (
            f"beats the baselines with support, Spearman lower bound {_fmt(lo['spearman'])} >= "
            f"{rules.strong_spearman_low} and top-decile lift lower bound {_fmt(lo['top_decile_lift'])} > 1"
        )
    if not supported:
        return "moderate", (
            f"ranks best but its gain over {LABEL[best_baseline]} is within the bootstrap noise; Spearman lower "
            f"bound {_fmt(lo['spearman'])}"
        )
    return "moderate", f"beats the baselines with support, Spearman lower bound {_fmt(lo['spearman'])}"


def _fmt(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.2f}"


LABEL = {
    "lightgbm": "the LightGBM model",
    "plain_lightgbm": "a default LightGBM on every attribute",
    "linear": "the linear baseline",
    "rules": "the rules baseline (attributes above the customer median)",
}
# The same names without their explanation: for every mention after the first (`explain_once`).
SHORT_LABEL = {
    "lightgbm": "the LightGBM model",
    "plain_lightgbm": "the default LightGBM",
    "linear": "the linear baseline",
    "rules": "the rules baseline",
}


def explain_once(text: str) -> str:
    """`text` with each candidate's explained name (`LABEL`) kept at its first mention only; later
    mentions use the short name (`SHORT_LABEL`), so a sentence never repeats an explanation."""
    for name, long in LABEL.items():
        first = text.find(long)
        if first >= 0 and long != SHORT_LABEL[name]:
            head, tail = text[: first + len(long)], text[first + len(long) :]
            text = head + tail.replace(long, SHORT_LABEL[name])
    return text


def verdict(
    iv: Intervals, strength: str, value_model: str, best_baseline: str | None, chosen: str | None = None
) -> str:
    """One sentence for a sales leader (each model's explanation given once, `explain_once`).
    `chosen`: the candidate the choice rule picked (it differs from `value_model` when a weak choice
    fell back to the best baseline)."""
    return explain_once(_verdict(iv, strength, value_model, best_baseline, chosen))


def _verdict(
    iv: Intervals, strength: str, value_model: str, best_baseline: str | None, chosen: str | None = None
) -> str:
    chosen = chosen or value_model
    p, lo, hi = (
        iv.point[value_model]["spearman"],
        iv.low[value_model]["spearman"],
        iv.high[value_model]["spearman"],
    )
    figure = (
        f"Spearman {_fmt(p)}, 90 % interval {_fmt(lo)} to {_fmt(hi)}, on {iv.n:,} customers it did not see"
    )
    below = ""
    if best_baseline and "lightgbm" in iv.point:
        lg, bb = iv.point["lightgbm"]["spearman"], iv.point[best_baseline]["spearman"]
        if np.isfinite(lg) and np.isfinite(bb) and lg < bb:
            below = f"LightGBM ranks below {LABEL[best_baseline]} ({_fmt(lg)} vs {_fmt(bb)}), "
    if strength == "strong":
        return f"Strong: {LABEL[value_model]} ranks customers it has not seen well ({figure}) and beats the simpler baselines, so the tiers can be worked in order."
    if strength == "moderate":
        lead = _lead(iv, value_model, best_baseline)
        if lead is not None and not lead[1] > 0:  # the strength rule's "within the bootstrap noise"
            return (
                f"Moderate: {LABEL[value_model]} ranks unseen customers best of the candidates ({figure}), but "
                f"it is not distinguishable from {LABEL[best_baseline]} (Spearman gain {lead[0]:.3f}, 90 % "
                f"interval {lead[1]:.3f} to {lead[2]:.3f}); use the tiers as a guide beside the team's judgement."
            )
        return f"Moderate: {LABEL[value_model]} beats the simpler baselines but with a wide margin of error ({figure}); use the tiers as a guide beside the team's judgement."
    if strength == "weak" and chosen not in BASELINES and not below:
        return (
            f"Weak: {LABEL[value_model]} ranks unseen customers better than the baselines but only weakly "
            f"({figure}); treat the tiers as a rough guide, not a ranking to trust."
        )
    if strength == "weak":
        lead = (
            below or "no LightGBM model ranked unseen customers clearly better than the simpler baselines, "
        )
        return (
            f"Weak: {lead}so the list is scored by {LABEL[value_model]} ({figure}); treat the tiers as a rough "
            "guide, not a ranking to trust."
        )
    behind = f"; {below.rstrip(', ')}" if below else ""  # the lead clause as a trailing one
    return (
        f"None: even the best candidate, {LABEL[value_model]}, shows no evidence of ranking customers better "
        f"than chance ({figure}){behind}, so do not prioritise by the model's scores but by the team's rules."
    )


def _lead(iv: Intervals, model: str, baseline: str | None) -> tuple[float, float, float] | None:
    """`_supported_gain` of `model` over `baseline` when both have bootstrap draws (None otherwise)."""
    if baseline is None or model == baseline or not all(c in iv.draws for c in (model, baseline)):
        return None
    gain = _supported_gain(iv, model, baseline)
    return gain if all(np.isfinite(gain)) else None


def win_status(win_learnt: bool, reason: str, auc: tuple[float, float, float], n: int) -> dict:
    return {
        "win_model_status": "learnt" if win_learnt else "not_learnt",
        "win_model_reason": reason,
        "win_auc": auc[0],
        "win_auc_lo": auc[1],
        "win_auc_hi": auc[2],
        "win_n": n,
        "expected_value_uses_win": win_learnt,
    }


def card_row(iv: Intervals, split: str, rules: CardRules, value_label: str) -> tuple[dict, str]:
    """(model card fields without the win model's, the candidate that scores the list)."""
    chosen = choose(iv, rules.tie_margin)
    strength, why = strength_of(iv, chosen, rules)
    best_baseline = best_of(iv, BASELINES)
    # The baseline fallback is the choice rule itself: a LightGBM candidate scores the list only
    # when it ranks better than every simpler candidate by more than the tie margin.
    value_model = chosen
    learnt = best_of(iv, LEARNT)
    row: dict = {
        "value_label": value_label,
        "value_model": value_model,
        "strength": strength,
        "verdict": verdict(iv, strength, value_model, best_baseline, chosen),
        "strength_reason": why,
        "evaluation_split": split,
        "holdout_n": iv.n,
    }
    for m in CARD_METRICS:
        row[f"holdout_{m}"] = iv.point[value_model][m]
        row[f"holdout_{m}_lo"] = iv.low[value_model][m]
        row[f"holdout_{m}_hi"] = iv.high[value_model][m]
    row["best_baseline"] = best_baseline
    row["best_learnt"] = learnt
    # the gain the strength rule judged: of the list's model when a LightGBM candidate scores it
    # (the simpler one within the tie margin may not be best_learnt), else of best_learnt
    compared = value_model if value_model in LEARNT else learnt
    gain = _supported_gain(iv, compared, best_baseline) if compared and best_baseline else (float("nan"),) * 3
    row["learnt_gain_spearman"], row["learnt_gain_spearman_lo"], row["learnt_gain_spearman_hi"] = gain
    for c in CANDIDATES:
        for m in CARD_METRICS:
            known = c in iv.point
            row[f"{c}_{m}"] = iv.point[c][m] if known else float("nan")
            row[f"{c}_{m}_lo"] = iv.low[c][m] if known else float("nan")
            row[f"{c}_{m}_hi"] = iv.high[c][m] if known else float("nan")
    return row, value_model


def _metric_docs(prefix: str, whose: str) -> dict[str, str]:
    words = {
        "spearman": "Spearman rank correlation of predicted vs realised value",
        "gini": "normalised Gini of realised value ordered by prediction (1 = perfect order)",
        "top_decile_lift": "mean realised value of the top 10 % by prediction / mean of all",
    }
    out = {}
    for m, text in words.items():
        out[f"{prefix}{m}"] = f"{whose}: {text}, on the held-out customers."
        out[f"{prefix}{m}_lo"] = f"Lower end of the 90 % bootstrap interval of {prefix}{m}."
        out[f"{prefix}{m}_hi"] = f"Upper end of the 90 % bootstrap interval of {prefix}{m}."
    return out


MODEL_CARD_COLUMNS: dict[str, str] = {
    "value_label": "The value the model learnt (the configured label or its fallback).",
    "value_model": "The candidate whose scores the list uses: `lightgbm` (the pipeline's model), "
    "`plain_lightgbm` (default LightGBM on every attribute), `linear` or `rules` (baselines; used when "
    "strength is weak or none).",
    "strength": "`strong`, `moderate`, `weak` or `none`, by the documented rule on the 90 % intervals and the "
    "baselines (docs/model-card.md).",
    "verdict": "One sentence for a sales leader: how far to trust the list, with the figure behind it.",
    "strength_reason": "The rule that decided the strength, in words.",
    "evaluation_split": "`time_holdout` (latest customers by first win, fitted on the earlier ones) or `cv` "
    "(k-fold out-of-fold, when the time hold-out has fewer than min_holdout_n customers).",
    "holdout_n": "Held-out customers behind every metric of the card.",
    **_metric_docs("holdout_", "The list's model (value_model)"),
    "best_baseline": "The baseline (`linear` or `rules`) with the highest held-out Spearman.",
    "best_learnt": "The LightGBM candidate (`lightgbm` or `plain_lightgbm`) with the highest held-out Spearman.",
    "learnt_gain_spearman": "Spearman of the list's model (value_model) minus that of best_baseline when a "
    "LightGBM candidate scores the list (the gain the strength rule judges), else of best_learnt.",
    "learnt_gain_spearman_lo": "5th percentile of the paired bootstrap gain (> 0: beats the baseline with support).",
    "learnt_gain_spearman_hi": "95th percentile of the paired bootstrap gain.",
    **_metric_docs("rules_", "The rules baseline"),
    **_metric_docs("linear_", "The linear baseline"),
    **_metric_docs("lightgbm_", "The pipeline's LightGBM"),
    **_metric_docs("plain_lightgbm_", "Default LightGBM on every observable attribute"),
    "win_model_status": "`learnt` or `not_learnt` (no model trained, constant predictions, or out-of-fold AUC "
    "interval including 0.5).",
    "win_model_reason": "Why, in one sentence.",
    "win_auc": "Out-of-fold AUC of the win model (null when none was trained).",
    "win_auc_lo": "Lower end of its 90 % bootstrap interval.",
    "win_auc_hi": "Upper end of its 90 % bootstrap interval.",
    "win_n": "Accounts with a closed opportunity behind win_auc.",
    "expected_value_uses_win": "Whether expected_value is scaled by win_probability (false when not learnt: "
    "expected_value = predicted_ltv).",
}
