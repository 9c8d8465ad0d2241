"""Profile the model stage (`run_models`) on a built warehouse: where its time goes, by function.

Usage: python bench/profile_model.py WAREHOUSE.duckdb [--top 30]

Keep a benchmark's warehouse with `make bench BENCH_ARGS="--sizes 1000000 --systems pipeline --keep"`
(under data/bench/runs/), or use any refreshed warehouse. Prints wall seconds and peak RSS per phase
of the model stage, then cProfile's functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import pstats
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PHASES = (
    "build_design_matrix",
    "detect_leakage",
    "train_value_model",
    "train_win_model",
    "score_and_explain",
    "attribute_importance",
    "validate",
    "attribute_groups",
    "value_card",
    "win_card",
    "plain_model",
    "score_with_baseline",
    "shap_matrix",
    "with_groups",
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warehouse")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()

    import duckdb

    import icp_pipeline.lib.model.pipeline as pipeline
    from icp_pipeline.lib.model.settings import ModelSettings
    from icp_pipeline.lib.warehouse.frames import read_frame

    samples: list[tuple[float, float]] = []

    def sample_rss() -> None:
        while True:
            pages = int(Path("/proc/self/statm").read_text().split()[1])
            samples.append((time.time(), pages * resource.getpagesize() / 2**30))
            time.sleep(0.1)

    threading.Thread(target=sample_rss, daemon=True).start()
    spans: list[tuple[str, float, float]] = []

    def timed(name: str):
        fn = getattr(pipeline, name)

        @functools.wraps(fn)
        def wrapper(*a, **k):
            start = time.time()
            try:
                return fn(*a, **k)
            finally:
                spans.append((name, start, time.time()))

        return wrapper

    for name in PHASES:
        setattr(pipeline, name, timed(name))

    start = time.time()
    with duckdb.connect(args.warehouse, read_only=True) as con:
        features = read_frame(con, "select * from marts.account_features order by account_key")
        catalog = con.execute("select * from marts.attribute_catalog order by attribute").df()
        closed = con.execute("select * from marts.closed_opportunities order by opportunity_id").df()
    spans.append(("read the mart", start, time.time()))
    profiler = cProfile.Profile()
    start = time.time()
    profiler.enable()
    result = pipeline.run_models(features, catalog, closed, ModelSettings())
    profiler.disable()
    total = time.time() - start
    print(f"{len(features):,} accounts; " + "; ".join(result.notes))
    print(f"{'phase':24s} {'wall s':>8s} {'peak GiB':>9s}")
    for name, a, b in spans:
        peak = max((rss for t, rss in samples if a <= t <= b), default=float("nan"))
        print(f"{name:24s} {b - a:8.1f} {peak:9.2f}")
    print(f"{'run_models total':24s} {total:8.1f} {max(r for _, r in samples):9.2f}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
