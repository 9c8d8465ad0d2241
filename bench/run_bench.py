"""Scale benchmark: the full refresh at 10 k, 100 k and 1 M accounts against the engines' floor and
an analyst's pandas script, on the same data. `make bench` runs it; see bench/README section in the
project README ("Performance") for how to read the figures.

    .venv/bin/python bench/run_bench.py [--sizes 10000,100000,1000000] [--systems pipeline,floor,pandas]

For every size: generate (or reuse) demo landing data, then run, each in a fresh subprocess whose
whole process tree is measured (wall, CPU, peak RSS; see measure.py):
  pipeline  one full refresh exactly as `icp run` (Dagster, extract + GX checks, dbt build, models,
            publish) into a fresh warehouse; per-stage figures from the run's step events;
  floor     the same work through DuckDB and LightGBM alone (floor_child.py);
  pandas    the analyst's single script (pandas_baseline.py).
Results: printed, and saved as bench/results/<timestamp>.json (+ .md); `--summary FILE` also writes
the Markdown summary to FILE (bench/RESULTS.md is the committed one).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from measure import Measured, run_measured  # noqa: E402

from data import ensure_data  # noqa: E402

STAGES = ["extract", "dbt", "model", "publish"]
PANDAS_STAGES = {"extract": "extract", "dbt": "transform", "model": "model", "publish": "publish"}
TARGETS = {
    "total_seconds": 300,
    "peak_rss_gib": 4.0,
    "floor_ratio": 1.5,
    "pandas_speedup": 5.0,
    "growth_slack": 1.2,
}
GIB = 2**30


def stage_of(step_key: str) -> str:
    """Pipeline step -> stage: extract assets and their GX checks, dbt (+ the marts' checks),
    model (+ the model card's checks), publish (+ the published tables' checks)."""
    if step_key == "icp_dbt_models" or step_key == "gx_marts_account_features":
        return "dbt"
    if step_key == "icp_models":
        return "model"
    if step_key in ("icp_published_tables", "icp__exports"):
        return "publish"
    # the other asset checks' steps, named after their asset (`marts__...`, `model__...`, `icp__...`)
    for prefix, stage in (("marts__", "dbt"), ("model__", "model"), ("icp__", "publish")):
        if step_key.startswith(prefix):
            return stage
    return "extract"


def _stats(m: Measured, intervals: list[tuple[float, float]], rows: int) -> dict:
    s = m.interval_stats(intervals)
    s["rows"] = rows
    s["rows_per_s"] = rows / s["wall_s"] if s["wall_s"] > 0 else None
    return s


def _total(m: Measured, rows: int, exclude: list[tuple[float, float]] = ()) -> dict:
    ex = m.interval_stats(list(exclude)) if exclude else {"wall_s": 0.0, "cpu_s": 0.0}
    wall = m.wall - ex["wall_s"]
    inside = [s[2] for s in m.samples if not any(a <= s[0] <= b for a, b in exclude)]
    return {
        "wall_s": wall,
        "cpu_s": m.cpu - ex["cpu_s"],
        "peak_rss_bytes": max([*inside, m.max_rss_process if not exclude else 0]),
        "max_rss_single_process_bytes": m.max_rss_process,
        "rows": rows,
        "rows_per_s": rows / wall if wall > 0 else None,
    }


def load_average() -> list[float]:
    return list(os.getloadavg())


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv if venv.exists() else sys.executable)


def _run_child(what: str, script: str, args: list[str], workdir: Path, env: dict[str, str]):
    """Run `bench/<script> *args <workdir>/report.json` in a fresh, measured subprocess; returns the
    measurement and the child's report. Raises when the child fails or writes no report."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    report = workdir / "report.json"
    m = run_measured(
        [python(), str(BENCH / script), *args, str(report)],
        report,
        env={**os.environ, **env},
        cwd=ROOT,
        log_path=workdir / "child.log",
    )
    if m.returncode != 0 or not m.report:
        raise RuntimeError(f"{what} failed (exit {m.returncode}); see {workdir / 'child.log'}")
    return m, m.report


def bench_pipeline(landing: Path, workdir: Path, rows: int) -> dict:
    m, r = _run_child(
        "pipeline run", "pipeline_child.py", [str(landing), str(workdir)], workdir, {"DO_NOT_TRACK": "1"}
    )
    by_stage: dict[str, list[tuple[float, float]]] = {s: [] for s in STAGES}
    steps = {}
    for key, step in r["steps"].items():
        interval = (step["start"], step.get("end", step["start"]))
        by_stage[stage_of(key)].append(interval)
        steps[key] = {"stage": stage_of(key), "wall_s": interval[1] - interval[0]}
    counts = r["table_rows"]
    raw_rows = sum(v for k, v in counts.items() if k.startswith("raw.") and k != "raw._quarantine")
    stage_rows = {
        "extract": rows,
        "dbt": raw_rows,
        "model": counts.get("marts.account_features", 0),
        "publish": counts.get("icp.target_accounts", 0),
    }
    stages = {s: _stats(m, by_stage[s], stage_rows[s]) for s in STAGES}
    total = _total(m, rows)
    gx = [
        (v["start"], v["end"])
        for k, v in r["steps"].items()
        if k.startswith("gx_") and k != "gx_marts_account_features"
    ]
    return {
        "total": total,
        "stages": stages,
        # GX checks of the raw tables: their own steps before the extract step ran them (landing_tables)
        "extract_gx_checks": _stats(m, gx, rows) if gx else None,
        # seconds of each table's load inside the extract step (wall, tables load side by side)
        "extract_load_seconds": r.get("load_seconds", {}),
        "orchestration_outside_steps_s": total["wall_s"] - sum(s["wall_s"] for s in stages.values()),
        "startup_s": r["t_imported"] - m.t_start,
        "steps": steps,
        "table_rows": counts,
        "dbt_target": r["dbt_target"],
        "run_id": r["run_id"],
    }


def bench_floor(landing: Path, dbt_target: Path, workdir: Path, rows: int, accounts: int) -> dict:
    m, r = _run_child(
        "floor run",
        "floor_child.py",
        [str(landing), str(dbt_target), str(workdir)],
        workdir,
        {"DO_NOT_TRACK": "1"},
    )
    st = r["stages"]
    raw_rows = sum(r["info"]["raw_rows"].values())
    stage_rows = {
        "extract": rows,
        "dbt": raw_rows,
        "model": r["info"]["model"]["accounts"],
        "publish": accounts,
    }
    tests = [tuple(st["dbt_tests"])]
    return {
        "total": _total(m, rows, exclude=tests),
        "stages": {s: _stats(m, [tuple(st[s])], stage_rows[s]) for s in STAGES},
        "dbt_tests_sql": _stats(m, tests, raw_rows),
        "info": r["info"],
    }


def bench_pandas(landing: Path, workdir: Path, rows: int) -> dict:
    m, r = _run_child(
        "pandas baseline",
        "pandas_baseline.py",
        [str(landing), str(workdir / "out")],
        workdir,
        # the same OpenMP wait policy the pipeline sets for itself (icp_pipeline/__init__.py), so a busy
        # machine does not slow scikit-learn's OpenMP loops more than LightGBM's
        {"OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")},
    )
    st = r["stages"]
    return {
        "total": _total(m, rows),
        "stages": {
            s: _stats(m, [tuple(st[p])], rows if s == "extract" else r["info"]["accounts"])
            for s, p in PANDAS_STAGES.items()
        },
        "info": r["info"],
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def analyse(results: list[dict]) -> dict:
    """Ratios at every size, growth between consecutive sizes, and the targets at the largest size."""
    for res in results:
        p, f, pd_ = res.get("pipeline"), res.get("floor"), res.get("pandas")
        res["ratios"] = {
            "pipeline_over_floor": ratio(p["total"]["wall_s"], f["total"]["wall_s"]) if p and f else None,
            "pandas_over_pipeline": ratio(pd_["total"]["wall_s"], p["total"]["wall_s"])
            if p and pd_
            else None,
            "pipeline_over_floor_by_stage": {
                s: ratio(p["stages"][s]["wall_s"], f["stages"][s]["wall_s"]) for s in STAGES
            }
            if p and f
            else None,
        }
    growth = []
    for a, b in zip(results, results[1:], strict=False):
        g = {"from": a["size"], "to": b["size"], "rows_factor": b["landing_rows"] / a["landing_rows"]}
        for system in ("pipeline", "floor", "pandas"):
            if system in a and system in b:
                g[system] = {"total": ratio(b[system]["total"]["wall_s"], a[system]["total"]["wall_s"])}
                g[system].update(
                    {
                        s: ratio(b[system]["stages"][s]["wall_s"], a[system]["stages"][s]["wall_s"])
                        for s in STAGES
                    }
                )
        growth.append(g)
    big = results[-1]
    targets = {"size": big["size"]}
    if "pipeline" in big:
        tot = big["pipeline"]["total"]
        targets["total_seconds"] = {
            "value": tot["wall_s"],
            "target": TARGETS["total_seconds"],
            "met": tot["wall_s"] <= TARGETS["total_seconds"],
        }
        rss = tot["peak_rss_bytes"] / GIB
        targets["peak_rss_gib"] = {
            "value": rss,
            "target": TARGETS["peak_rss_gib"],
            "met": rss < TARGETS["peak_rss_gib"],
        }
    r = big["ratios"]
    if r["pipeline_over_floor"] is not None:
        targets["floor_ratio"] = {
            "value": r["pipeline_over_floor"],
            "target": TARGETS["floor_ratio"],
            "met": r["pipeline_over_floor"] <= TARGETS["floor_ratio"],
        }
    if r["pandas_over_pipeline"] is not None:
        targets["pandas_speedup"] = {
            "value": r["pandas_over_pipeline"],
            "target": TARGETS["pandas_speedup"],
            "met": r["pandas_over_pipeline"] >= TARGETS["pandas_speedup"],
        }
    lin = [g for g in growth if "pipeline" in g]
    if lin:
        worst = max(g["pipeline"]["total"] / g["rows_factor"] for g in lin)
        targets["growth"] = {
            "value": [round(g["pipeline"]["total"], 2) for g in lin],
            "rows_factor": [round(g["rows_factor"], 2) for g in lin],
            "target": f"time factor <= {TARGETS['growth_slack']} x rows factor",
            "met": worst <= TARGETS["growth_slack"],
        }
    return {"growth": growth, "targets": targets}


def _f(x, digits=1) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _mib(b) -> str:
    return "–" if not b else f"{b / 2**20:,.0f}"


def markdown(doc: dict) -> str:
    """The human summary: environment, per-size tables, ratios, growth, targets."""
    env = doc["environment"]
    out = [
        f"# Bench results ({doc['started']})",
        "",
        f"Machine: {env['cpus']} CPUs, {env['memory_gib']:.0f} GiB, {env['platform']}; Python {env['python']}; "
        f"git {env['git']}. Load average before / after: {_f(env['load_before'][0], 2)} / {_f(env['load_after'][0], 2)}.",
        f"Data: demo generator, seed {doc['args']['seed']}, {doc['args']['crm_share']:.2f} of accounts in the CRM "
        "(the rest enrichment-only prospects); CSV landing files.",
        "",
        "## Totals",
        "",
        "| accounts | landing rows | opp+invoice+activity rows | system | wall s | CPU s | peak RSS MiB | rows/s |",
        "|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for res in doc["results"]:
        for system in ("pipeline", "floor", "pandas"):
            if system in res:
                t = res[system]["total"]
                out.append(
                    f"| {res['size']:,} | {res['landing_rows']:,} | {res['oia_rows']:,} | {system} | {_f(t['wall_s'])} | "
                    f"{_f(t['cpu_s'])} | {_mib(t['peak_rss_bytes'])} | {_f(t['rows_per_s'], 0)} |"
                )
    out += ["", "## Per stage (wall s / CPU s / peak RSS MiB)", ""]
    out += [
        "| accounts | system | extract | dbt / transform | model | publish | outside steps |",
        "|---:|---|---|---|---|---|---:|",
    ]
    for res in doc["results"]:
        for system in ("pipeline", "floor", "pandas"):
            if system in res:
                cells = [
                    f"{_f(st['wall_s'])} / {_f(st['cpu_s'])} / {_mib(st['peak_rss_bytes'])}"
                    for st in (res[system]["stages"][s] for s in STAGES)
                ]
                extra = _f(res[system].get("orchestration_outside_steps_s")) if system == "pipeline" else "–"
                out.append(f"| {res['size']:,} | {system} | " + " | ".join(cells) + f" | {extra} |")
    out += [
        "",
        "Pipeline extract includes the raw tables' GX checks; dbt includes `dbt build`'s tests and the mart's GX check. "
        "The floor's dbt column is the models' SQL only; its tests' SQL alone took: "
        + ", ".join(
            f"{res['size']:,}: {_f(res['floor']['dbt_tests_sql']['wall_s'])} s"
            for res in doc["results"]
            if "floor" in res
        )
        + ".",
        "",
    ]
    out += [
        "## Ratios",
        "",
        "| accounts | pipeline ÷ floor | pandas ÷ pipeline | pipeline ÷ floor per stage (extract, dbt, model, publish) |",
        "|---:|---:|---:|---|",
    ]
    for res in doc["results"]:
        r = res["ratios"]
        per = r["pipeline_over_floor_by_stage"] or {}
        out.append(
            f"| {res['size']:,} | {_f(r['pipeline_over_floor'], 2)} | {_f(r['pandas_over_pipeline'], 2)} | "
            + ", ".join(_f(per.get(s), 2) for s in STAGES)
            + " |"
        )
    out += [
        "",
        "## Growth between sizes (time factor; rows factor in the first column)",
        "",
        "| sizes | rows × | pipeline × | floor × | pandas × | pipeline stages × (extract, dbt, model, publish) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for g in doc["analysis"]["growth"]:
        out.append(
            f"| {g['from']:,} → {g['to']:,} | {_f(g['rows_factor'], 2)} | "
            + " | ".join(_f(g.get(s, {}).get("total"), 2) for s in ("pipeline", "floor", "pandas"))
            + " | "
            + ", ".join(_f(g.get("pipeline", {}).get(s), 2) for s in STAGES)
            + " |"
        )
    out += [
        "",
        "## Targets (at the largest size)",
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
    ]
    names = {
        "total_seconds": "full refresh wall seconds",
        "peak_rss_gib": "peak RSS (GiB, process tree)",
        "floor_ratio": "pipeline ÷ engines' floor",
        "pandas_speedup": "pandas script ÷ pipeline",
        "growth": "growth per 10× rows",
    }
    for key, t in doc["analysis"]["targets"].items():
        if key == "size":
            continue
        value = t["value"] if isinstance(t["value"], list) else _f(t["value"], 2)
        goal = (
            t["target"]
            if isinstance(t["target"], str)
            else (
                f"≤ {t['target']}"
                if key != "pandas_speedup" and key != "peak_rss_gib"
                else (f"≥ {t['target']}" if key == "pandas_speedup" else f"< {t['target']}")
            )
        )
        out.append(f"| {names[key]} | {value} | {goal} | {'yes' if t['met'] else '**no**'} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000", help="accounts per run, comma separated")
    ap.add_argument("--systems", default="pipeline,floor,pandas")
    ap.add_argument("--crm-share", type=float, default=1 / 3, help="share of accounts that are CRM accounts")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--data-dir", default=str(ROOT / "data" / "bench"), help="landing data cache and run folders"
    )
    ap.add_argument("--keep", action="store_true", help="keep the run folders (warehouses, exports, logs)")
    ap.add_argument("--results-dir", default=str(BENCH / "results"), help="where the JSON and .md go")
    ap.add_argument("--summary", help="also write the Markdown summary to this file (e.g. bench/RESULTS.md)")
    ap.add_argument(
        "--merge-from",
        help="a previous results JSON: systems not run now are taken from it for the same sizes "
        "(e.g. rerun only --systems pandas), and sizes not run now are kept whole",
    )
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    systems = [s.strip() for s in args.systems.split(",")]
    if "floor" in systems and "pipeline" not in systems:
        ap.error("the floor runs the SQL dbt compiled in the pipeline's run: include pipeline")
    previous = {}
    if args.merge_from:
        previous = {r["size"]: r for r in json.loads(Path(args.merge_from).read_text())["results"]}
    started = time.strftime("%Y%m%d_%H%M%S")
    data_dir = Path(args.data_dir)
    runs = data_dir / "runs" / started
    env = {
        "cpus": os.cpu_count(),
        "memory_gib": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "git": _git(),
        "load_before": load_average(),
    }
    results = []
    for size in sizes:
        t0 = time.time()
        manifest = ensure_data(data_dir / "landing", size, args.crm_share, args.seed)
        landing = Path(manifest["landing"])
        rows = manifest["total_rows"]
        print(
            f"\n== {size:,} accounts ({manifest['n_accounts']:,} CRM + {manifest['n_prospects']:,} prospects): "
            f"{rows:,} landing rows, {manifest['opportunity_invoice_activity_rows']:,} opportunity+invoice+activity rows, "
            f"{manifest['bytes'] / 2**20:,.0f} MiB (data ready in {time.time() - t0:.0f} s)",
            flush=True,
        )
        res = {
            "size": size,
            "n_accounts": manifest["n_accounts"],
            "n_prospects": manifest["n_prospects"],
            "landing_rows": rows,
            "oia_rows": manifest["opportunity_invoice_activity_rows"],
            "landing_bytes": manifest["bytes"],
            "generate_seconds": manifest["generate_seconds"],
            "load_before": load_average(),
        }
        if "pipeline" in systems:
            res["pipeline"] = bench_pipeline(landing, runs / str(size) / "pipeline", rows)
            _line("pipeline", res["pipeline"])
        if "floor" in systems:
            accounts = res["pipeline"]["table_rows"].get("icp.target_accounts", 0)
            res["floor"] = bench_floor(
                landing, Path(res["pipeline"]["dbt_target"]), runs / str(size) / "floor", rows, accounts
            )
            _line("floor", res["floor"])
        if "pandas" in systems:
            res["pandas"] = bench_pandas(landing, runs / str(size) / "pandas", rows)
            _line("pandas", res["pandas"])
        res["load_after"] = load_average()
        for system in ("pipeline", "floor", "pandas"):
            if system not in systems and system in previous.get(size, {}):
                res[system] = previous[size][system]
                res.setdefault("merged_from", {})[system] = args.merge_from
        results.append(res)
        if not args.keep:
            shutil.rmtree(runs / str(size), ignore_errors=True)
    results += [
        {**r, "merged_from": {s: args.merge_from for s in ("pipeline", "floor", "pandas") if s in r}}
        for size, r in previous.items()
        if size not in sizes
    ]
    results.sort(key=lambda r: r["size"])
    env["load_after"] = load_average()
    doc = {"started": started, "args": vars(args), "environment": env, "results": results}
    doc["analysis"] = analyse(results)
    out = Path(args.results_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{started}.json").write_text(json.dumps(doc, indent=1))
    text = markdown(doc)
    (out / f"{started}.md").write_text(text)
    if args.summary:
        Path(args.summary).write_text(text)
    if not args.keep:
        shutil.rmtree(runs, ignore_errors=True)
    print("\n" + text)
    print(f"Saved {out / (started + '.json')}" + (f" and {args.summary}" if args.summary else ""))
    return 0


def _line(system: str, r: dict) -> None:
    t = r["total"]
    stages = ", ".join(f"{s} {r['stages'][s]['wall_s']:.1f}" for s in STAGES)
    print(
        f"  {system:8s} {t['wall_s']:8.1f} s wall {t['cpu_s']:8.1f} s CPU {t['peak_rss_bytes'] / 2**20:7.0f} MiB peak "
        f"| {stages}",
        flush=True,
    )


def _git() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return rev + ("+uncommitted" if dirty else "")
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
