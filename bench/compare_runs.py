"""Compare two ICP runs: every `icp.*` table (schema, then rows as multisets) and every export file.

Usage: `python bench/compare_runs.py RUN_A RUN_B`, each RUN a folder holding `wh.duckdb` and `exports/`
(run `icp run` with ICP_DUCKDB_PATH=RUN/wh.duckdb and ICP_EXPORT_DIR=RUN/exports). Columns that stamp
a run (ids, times, durations) are left out of the row comparison and listed; other files are compared
line by line. Prints one line per table or file and `DIFFERENCES: n`; exits 1 when n > 0. Used to show
that a refactor changes no published number (e.g. the one frame reader, lib/warehouse/frames.py).
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

import duckdb

STAMP = re.compile(
    r"(icp_version|published_at|refresh_id|refreshed_at|generated_at|_seconds|duration|run_id"
    r"|started_at|finished_at|model_version)$"
)


def _schema(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe select * from {relation}").fetchall()]


def compare_relations(con: duckdb.DuckDBPyConnection, rel_a: str, rel_b: str, label: str) -> bool:
    """Print one line for the pair; True when schema, row count and rows (stamps aside) agree."""
    sa, sb = _schema(con, rel_a), _schema(con, rel_b)
    if sa != sb:
        print(f"  {label}: SCHEMA differs: {sorted(set(sa) ^ set(sb))}")
    cols = [c for c, t in sa if (c, t) in sb and not STAMP.search(c)]
    stamps = [c for c, _ in sa if STAMP.search(c)]
    sel = ", ".join(f'"{c}"' for c in cols)
    na = con.execute(f"select count(*) from {rel_a}").fetchone()[0]
    nb = con.execute(f"select count(*) from {rel_b}").fetchone()[0]
    only_a = con.execute(
        f"select count(*) from (select {sel} from {rel_a} except all select {sel} from {rel_b})"
    ).fetchone()[0]
    only_b = con.execute(
        f"select count(*) from (select {sel} from {rel_b} except all select {sel} from {rel_a})"
    ).fetchone()[0]
    same = sa == sb and na == nb and only_a == 0 and only_b == 0
    print(
        f"  {'OK  ' if same else 'DIFF'} {label}: rows {na}/{nb}, {len(cols)} columns compared, "
        f"rows only in A {only_a}, only in B {only_b}" + (f"; stamps skipped {stamps}" if stamps else "")
    )
    return same


def compare_text(path_a: Path, path_b: Path, label: str) -> bool:
    if path_a.read_bytes() == path_b.read_bytes():
        print(f"  OK   {label}: byte-identical")
        return True
    lines_a = path_a.read_text(errors="replace").splitlines()
    lines_b = path_b.read_text(errors="replace").splitlines()
    changed = [
        line
        for line in difflib.unified_diff(lines_a, lines_b, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    print(f"  TEXT {label}: {len(changed)} changed lines (check they are stamps only)")
    for line in changed[:8]:
        print("      ", line[:200])
    return False


def main(run_a: Path, run_b: Path) -> int:
    con = duckdb.connect()
    con.execute(f"attach '{run_a / 'wh.duckdb'}' as a (read_only)")
    con.execute(f"attach '{run_b / 'wh.duckdb'}' as b (read_only)")

    def tables(db: str) -> list[str]:
        return sorted(
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = ? and schema_name = 'icp'", [db]
            ).fetchall()
        )

    ta, tb = tables("a"), tables("b")
    differences = len(set(ta) ^ set(tb))
    print(
        f"icp tables: A {len(ta)}, B {len(tb)}; only in A {set(ta) - set(tb)}, only in B {set(tb) - set(ta)}"
    )
    for t in sorted(set(ta) & set(tb)):
        differences += not compare_relations(con, f"a.icp.{t}", f"b.icp.{t}", f"icp.{t}")

    def files(run: Path) -> set[Path]:
        return {p.relative_to(run / "exports") for p in (run / "exports").rglob("*") if p.is_file()}

    ea, eb = files(run_a), files(run_b)
    differences += len(ea ^ eb)
    print(f"exports: A {len(ea)}, B {len(eb)}; only in A {ea - eb}, only in B {eb - ea}")
    for rel in sorted(ea & eb):
        pa, pb = run_a / "exports" / rel, run_b / "exports" / rel
        if rel.suffix in (".parquet", ".csv"):
            reader = "read_parquet" if rel.suffix == ".parquet" else "read_csv_auto"
            differences += not compare_relations(con, f"{reader}('{pa}')", f"{reader}('{pb}')", str(rel))
        else:
            differences += not compare_text(pa, pb, str(rel))
    print("DIFFERENCES:", differences)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
