"""Run a command in a fresh subprocess and measure it: wall, CPU and RSS of its whole process tree.

Totals are exact: CPU is the `getrusage(RUSAGE_CHILDREN)` delta around the child (it covers every
descendant the child waited for, e.g. the dbt subprocess) and each child script reports its own
`ru_maxrss` and its children's. Per-stage figures come from sampling /proc: every `interval`
seconds the sampler sums, over the live process tree, utime+stime+cutime+cstime (so reaped
grandchildren stay counted) and RSS. A stage's CPU is the difference of that curve between the
stage's start and end; its peak RSS is the largest tree sum sampled inside it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _read_stats() -> dict[int, tuple[int, float, int]]:
    """pid -> (ppid, cpu seconds incl. reaped children, rss bytes) for every process."""
    out: dict[int, tuple[int, float, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        rest = raw[raw.rfind(b")") + 2 :].split()
        # fields after the comm: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17) ... rss(24)
        ppid = int(rest[1])
        cpu = (int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])) / CLK_TCK
        out[int(name)] = (ppid, cpu, int(rest[21]) * PAGE)
    return out


def tree_sample(root: int) -> tuple[float, int, int]:
    """(cpu seconds, rss bytes, processes) summed over `root` and its live descendants."""
    stats = _read_stats()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    cpu, rss, n, todo = 0.0, 0, 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            cpu += stats[pid][1]
            rss += stats[pid][2]
            n += 1
        todo.extend(children.get(pid, ()))
    return cpu, rss, n


@dataclass
class Measured:
    command: list[str]
    returncode: int
    t_start: float
    t_end: float
    cpu_user: float
    cpu_sys: float
    samples: list[tuple[float, float, int]] = field(default_factory=list)  # (t, cpu, rss)
    report: dict = field(default_factory=dict)  # the JSON the child wrote

    @property
    def wall(self) -> float:
        return self.t_end - self.t_start

    @property
    def cpu(self) -> float:
        return self.cpu_user + self.cpu_sys

    @property
    def peak_rss_tree(self) -> int:
        """Largest sampled sum of RSS over the live process tree."""
        return max((s[2] for s in self.samples), default=0)

    @property
    def max_rss_process(self) -> int:
        """Exact high-water mark of the largest single process (kernel `ru_maxrss`)."""
        ru = self.report.get("rusage", {})
        return max(ru.get("self_maxrss", 0), ru.get("children_maxrss", 0))

    @property
    def peak_rss(self) -> int:
        return max(self.peak_rss_tree, self.max_rss_process)

    def cpu_at(self, t: float) -> float:
        """Tree CPU seconds at time `t`, linearly interpolated between samples."""
        s = self.samples
        if not s:
            return 0.0
        if t <= s[0][0]:
            return s[0][1]
        if t >= s[-1][0]:
            return s[-1][1]
        lo, hi = 0, len(s) - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if s[mid][0] <= t:
                lo = mid
            else:
                hi = mid
        (t0, c0, _), (t1, c1, _) = s[lo], s[hi]
        return c0 + (c1 - c0) * (t - t0) / (t1 - t0) if t1 > t0 else c1

    def interval_stats(self, intervals: list[tuple[float, float]]) -> dict:
        """wall, cpu and peak RSS over a union of (start, end) intervals."""
        wall = sum(max(0.0, b - a) for a, b in intervals)
        cpu = sum(max(0.0, self.cpu_at(b) - self.cpu_at(a)) for a, b in intervals)
        peak = 0
        for a, b in intervals:
            inside = [s[2] for s in self.samples if a <= s[0] <= b]
            if not inside and self.samples:  # a short step: the nearest sample
                inside = [min(self.samples, key=lambda s, m=(a + b) / 2: abs(s[0] - m))[2]]
            peak = max([peak, *inside])
        return {"wall_s": wall, "cpu_s": cpu, "peak_rss_bytes": peak}


def run_measured(
    command: list[str],
    report_path: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
    interval: float = 0.1,
    timeout: float | None = None,
) -> Measured:
    """Run `command` (which writes a JSON report to `report_path`), sampling its process tree."""
    report_path.unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
    t_start = time.time()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    samples: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            t = time.time()
            cpu, rss, n = tree_sample(proc.pid)
            if n:
                samples.append((t, cpu, rss))
            stop.wait(interval)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    try:
        returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        returncode = proc.wait()
    finally:
        t_end = time.time()
        stop.set()
        thread.join()
        if log_path:
            log.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_user = after.ru_utime - before.ru_utime
    cpu_sys = after.ru_stime - before.ru_stime
    # The last sample can precede the child's exit: close the curve with the exact total.
    samples.append((t_end, max(cpu_user + cpu_sys, samples[-1][1] if samples else 0.0), 0))
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return Measured(command, returncode, t_start, t_end, cpu_user, cpu_sys, samples, report)


def rusage_report() -> dict:
    """What a child script adds to its report: its own and its children's peak RSS (bytes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "self_maxrss": me.ru_maxrss * 1024,
        "children_maxrss": kids.ru_maxrss * 1024,
        "self_cpu": me.ru_utime + me.ru_stime,
        "children_cpu": kids.ru_utime + kids.ru_stime,
    }
