"""Profile the model stage (`icp_models`) on a built warehouse: where its time goes, by step.

Usage: python bench/profile_model.py WAREHOUSE.duckdb [--top 30] [--cprofile] [--no-write]

Keep a benchmark's warehouse with `make bench BENCH_ARGS="--sizes 200000 --systems pipeline --keep"`
(under data/bench/runs/), or use any refreshed warehouse (opened read-only). Runs what the
`icp_models` asset runs: read the mart, `run_models`, then write the `model.*` tables (into a
scratch DuckDB file, not the warehouse; `--no-write` skips it).

Prints, per timed step (functions of `lib/model`, on whichever thread runs them): calls, wall
seconds, CPU seconds of the calling thread (`time.thread_time`; a step that runs LightGBM or
numpy on more threads uses more) and peak RSS; then the whole stage's wall, process CPU seconds
and load average. Steps nest (a refit inside the bootstrap counts in both). `--cprofile` adds
cProfile's functions by cumulative time (main thread only).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import os
import pstats
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# (module under icp_pipeline.lib.model, function): patched wherever the model modules import it
STEPS = (
    ("features", "build_design_matrix"),
    ("leakage", "detect_leakage"),
    ("groups", "attribute_groups"),
    ("training", "train_value_model"),
    ("training", "train_win_model"),
    ("training", "choose_rounds"),
    ("training", "fit_booster"),
    ("validation", "validate"),
    ("validation", "validate_value"),
    ("validation", "validate_win"),
    ("validation", "_time_holdout"),
    ("validation", "_fit_predict_value"),
    ("baselines", "rules_scores"),
    ("candidates", "plain_model"),
    ("evaluation", "value_card"),
    ("evaluation", "win_card"),
    ("card", "bootstrap_intervals"),
    ("card", "auc_interval"),
    ("scoring", "score_and_explain"),
    ("scoring", "score_with_baseline"),
    ("scoring", "_win_shap"),
    ("scoring", "score_accounts"),
    ("explain", "shap_and_raw_score"),
    ("explain", "shap_matrix"),
    ("explain", "attribute_importance"),
    ("explain", "bootstrap_ranks"),
    ("explain", "mean_abs_shap"),
    ("fast_shap", "pred_contrib"),
    ("reasons", "reason_codes"),
    ("reasons", "score_contributions"),
    ("percentile", "percentile_score"),
    ("grouped_importance", "with_groups"),
    ("summaries", "summarise"),
    ("plots", "importance_chart"),
    ("plots", "lift_gain_chart"),
    ("plots", "calibration_chart"),
)
MODULES = (
    "pipeline",
    "features",
    "leakage",
    "groups",
    "training",
    "validation",
    "baselines",
    "candidates",
    "evaluation",
    "card",
    "scoring",
    "explain",
    "fast_shap",
    "reasons",
    "percentile",
    "grouped_importance",
    "summaries",
    "plots",
)


class SerialExecutor:
    """`ThreadPoolExecutor` stand-in that runs each task at once on the calling thread (`--serial`):
    steps then never overlap, so each one's process CPU seconds (LightGBM's OpenMP threads
    included) are its own. The pipeline's threads only overlap independent work (same numbers)."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def submit(self, fn, *args, **kwargs):
        from concurrent.futures import Future

        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 (re-raised by result())
            future.set_exception(error)
        return future

    def map(self, fn, *iterables):
        return list(map(fn, *iterables))


class Recorder:
    """Spans (step, thread, wall start, wall end, thread CPU s, process CPU s) of the wrapped
    functions. Process CPU counts every thread of the process: a step's own only with `--serial`."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, float, float, float, float]] = []
        self.lock = threading.Lock()

    def wrap(self, name: str, fn):
        @functools.wraps(fn)
        def wrapper(*a, **k):
            start, cpu, pcpu = time.time(), time.thread_time(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                thread = threading.current_thread().name
                span = (
                    name,
                    thread,
                    start,
                    time.time(),
                    time.thread_time() - cpu,
                    time.process_time() - pcpu,
                )
                with self.lock:
                    self.spans.append(span)

        return wrapper

    def span(self, name: str, start: float, cpu: float, pcpu: float) -> None:
        now = time.time(), time.thread_time() - cpu, time.process_time() - pcpu
        self.spans.append((name, "MainThread", start, *now))


def patch_steps(recorder: Recorder, serial: bool) -> None:
    """Replace each step function by a timed wrapper in every model module that holds it (and,
    when `serial`, the modules' thread pools by `SerialExecutor`)."""
    mods = [importlib.import_module(f"icp_pipeline.lib.model.{m}") for m in MODULES]
    if serial:
        for mod in mods:
            if hasattr(mod, "ThreadPoolExecutor"):
                mod.ThreadPoolExecutor = SerialExecutor
    for owner, name in STEPS:
        fn = getattr(importlib.import_module(f"icp_pipeline.lib.model.{owner}"), name)
        wrapped = recorder.wrap(name, fn)
        for mod in mods:
            if getattr(mod, name, None) is fn:
                setattr(mod, name, wrapped)
    from sklearn.pipeline import Pipeline  # the linear baselines' fits

    Pipeline.fit = recorder.wrap("linear baseline fit", Pipeline.fit)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warehouse")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--cprofile", action="store_true", help="also print cProfile's top functions")
    ap.add_argument("--no-write", action="store_true", help="skip writing the model.* tables")
    ap.add_argument("--serial", action="store_true", help="no overlapping threads: CPU s per step")
    ap.add_argument("--set", action="append", default=[], help="a ModelSettings field, KEY=VALUE (int/float)")
    args = ap.parse_args()

    import duckdb

    import icp_pipeline.lib.model.pipeline as pipeline
    from icp_pipeline.defs.model.assets import holdout_predictions
    from icp_pipeline.lib.model.settings import ModelSettings
    from icp_pipeline.lib.publish.publish_io import write_frame
    from icp_pipeline.lib.warehouse.frames import read_frame

    samples: list[tuple[float, float]] = []

    def sample_rss() -> None:
        while True:
            pages = int(Path("/proc/self/statm").read_text().split()[1])
            samples.append((time.time(), pages * resource.getpagesize() / 2**30))
            time.sleep(0.1)

    threading.Thread(target=sample_rss, daemon=True).start()
    rec = Recorder()
    patch_steps(rec, args.serial)
    overrides = {k: _number(v) for k, v in (item.split("=", 1) for item in args.set)}
    load_before = os.getloadavg()
    stage_start, stage_cpu = time.time(), time.process_time()

    start, cpu, pcpu = time.time(), time.thread_time(), time.process_time()
    with duckdb.connect(args.warehouse, read_only=True) as con:
        features = read_frame(con, "select * from marts.account_features order by account_key")
        catalog = read_frame(con, "select * from marts.attribute_catalog order by attribute")
        closed = read_frame(con, "select * from marts.closed_opportunities order by opportunity_id")
    rec.span("read the mart", start, cpu, pcpu)

    profiler = cProfile.Profile() if args.cprofile else None
    start, cpu, pcpu = time.time(), time.thread_time(), time.process_time()
    if profiler:
        profiler.enable()
    result = pipeline.run_models(features, catalog, closed, ModelSettings(**overrides))
    if profiler:
        profiler.disable()
    rec.span("run_models", start, cpu, pcpu)
    run_cpu = time.process_time() - pcpu

    if not args.no_write:
        start, cpu, pcpu = time.time(), time.thread_time(), time.process_time()
        with tempfile.TemporaryDirectory() as tmp, duckdb.connect(str(Path(tmp) / "scratch.duckdb")) as con:
            holdout = holdout_predictions(result, features["account_key"])
            for name, frame in (
                ("holdout_predictions", holdout),
                ("account_scores", result.scores),
                ("attribute_importance", result.importance),
                ("model_metrics", result.metrics),
                ("model_card", result.card),
            ):
                t0, c0, p0 = time.time(), time.thread_time(), time.process_time()
                write_frame(con, f"model.{name}", frame)
                rec.span(f"write model.{name}", t0, c0, p0)
        rec.span("write model.* (all)", start, cpu, pcpu)
    stage_wall, stage_cpu = time.time() - stage_start, time.process_time() - stage_cpu

    print(f"{len(features):,} accounts; " + "; ".join(result.notes))
    by_name: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0, float("nan"), set(), None, 0.0])
    for name, thread, a, b, c, pc in rec.spans:
        entry = by_name[name]
        entry[0] += 1
        entry[1] += b - a
        entry[2] += c
        entry[6] += pc
        peak = max((rss for t, rss in samples if a <= t <= b), default=float("nan"))
        entry[3] = peak if entry[3] != entry[3] else max(entry[3], peak)
        entry[4].add(thread.split("_")[0])
        entry[5] = a if entry[5] is None else min(entry[5], a)
    print(
        f"{'step':32s} {'calls':>5s} {'wall s':>7s} {'thread CPU':>10s} {'proc CPU':>8s} {'peak GiB':>8s}  threads"
    )
    for name, (calls, wall, cpu_s, peak, threads, _, pc) in sorted(by_name.items(), key=lambda kv: kv[1][5]):
        line = f"{name:32s} {calls:5d} {wall:7.1f} {cpu_s:10.1f} {pc:8.1f} {peak:8.2f}"
        print(f"{line}  {','.join(sorted(threads))}")
    print(
        f"run_models: {by_name['run_models'][1]:.1f} s wall, {run_cpu:.1f} process CPU s; "
        f"stage (read + run_models + write): {stage_wall:.1f} s wall, {stage_cpu:.1f} process CPU s, "
        f"peak {max(r for _, r in samples):.2f} GiB; load average before {load_before[0]:.2f}, "
        f"after {os.getloadavg()[0]:.2f}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
    return 0


def _number(text: str) -> int | float:
    return float(text) if any(ch in text for ch in ".e") else int(text)


if __name__ == "__main__":
    raise SystemExit(main())
