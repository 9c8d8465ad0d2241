"""Demo landing data for one bench size, generated once and reused (keyed by size, mix and seed).

A size is the number of *accounts the pipeline scores* (rows of `marts.account_features` and
`icp.target_accounts`): CRM accounts plus enrichment-only prospects. `crm_share` of them are CRM
accounts, which carry the opportunities, invoices and activities; at the default 1/3 a 1 M-account
world has about 10 M opportunity + invoice + activity rows (about 30 per CRM account), so the
generator needs no extra scaling knob.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

MANIFEST = "bench_manifest.json"


def split(size: int, crm_share: float) -> tuple[int, int]:
    n_accounts = max(20, round(size * crm_share))
    return n_accounts, max(0, size - n_accounts)


def landing_rows(landing: Path) -> dict[str, int]:
    """Data rows of every landing CSV/Parquet file, by `source/table` (counted with DuckDB)."""
    import duckdb

    rows: dict[str, int] = {}
    con = duckdb.connect()
    for path in sorted(landing.glob("*/*.*")):
        if path.suffix == ".csv":
            q = f"select count(*) from read_csv('{path}', all_varchar=true, header=true)"
        elif path.suffix == ".parquet":
            q = f"select count(*) from read_parquet('{path}')"
        else:
            continue
        rows[f"{path.parent.name}/{path.stem}"] = con.execute(q).fetchone()[0]
    con.close()
    return rows


def ensure_data(root: Path, size: int, crm_share: float, seed: int, file_format: str = "csv") -> dict:
    """Generate (or reuse) the landing folder for `size`; returns its manifest."""
    n_accounts, n_prospects = split(size, crm_share)
    landing = root / f"accounts_{size}_crm{n_accounts}_seed{seed}_{file_format}"
    manifest_path = landing / MANIFEST
    if manifest_path.exists():
        return json.loads(manifest_path.read_text())
    from icp_pipeline.demo.generator import generate_demo_data

    t0 = time.time()
    generate_demo_data(landing, n_accounts, n_prospects, seed, file_format)
    rows = landing_rows(landing)
    manifest = {
        "landing": str(landing),
        "size": size,
        "n_accounts": n_accounts,
        "n_prospects": n_prospects,
        "seed": seed,
        "file_format": file_format,
        "generate_seconds": round(time.time() - t0, 1),
        "rows": rows,
        "total_rows": sum(rows.values()),
        "opportunity_invoice_activity_rows": sum(
            rows.get(t, 0) for t in ("crm/opportunities", "erp/invoices", "crm/activities")
        ),
        "bytes": sum(p.stat().st_size for p in landing.glob("*/*.*")),
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest
