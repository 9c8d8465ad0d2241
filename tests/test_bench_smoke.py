"""`make bench` end to end at a tiny size: all three systems run on the same data and are reported."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_runs_all_three_systems_and_reports_them(tmp_path):
    results = tmp_path / "results"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run_bench.py"),
            "--sizes",
            "900",
            "--data-dir",
            str(tmp_path / "data"),
            "--results-dir",
            str(results),
        ],
        cwd=ROOT,
        env={**os.environ, "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "## Totals" in proc.stdout and "## Targets" in proc.stdout
    (report,) = results.glob("*.json")
    doc = json.loads(report.read_text())
    (size,) = doc["results"]
    for system in ("pipeline", "floor", "pandas"):
        total = size[system]["total"]
        assert total["wall_s"] > 0 and total["peak_rss_bytes"] > 0, system
        assert set(size[system]["stages"]) >= {"extract", "dbt", "model", "publish"}, system
    assert size["pipeline"]["table_rows"]["icp.target_accounts"] > 0
