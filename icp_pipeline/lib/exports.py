"""File exports of the published tables: Parquet, CSV, a CRM import CSV and the HTML report."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from icp_pipeline.lib.model_strength import caution_sentence, read_model_strength, tiers_followed_rules
from icp_pipeline.lib.publish_io import replace_file_atomically
from icp_pipeline.lib.report import render_report
from icp_pipeline.lib.sql import sql_literal

CRM_IMPORT_COLUMNS = "crm_account_id, account_key, account_name, icp_score, tier, top_reasons"
# The CRM import file's first column: the model-strength caution on every row when the model is weak
# or none (`model_strength.caution_sentence`), empty otherwise, so a field mapping never changes.
CAUTION_COLUMN = "model_caution"


def write_exports(con: duckdb.DuckDBPyConnection, export_dir: Path) -> dict[str, Path]:
    """Stream each export from DuckDB to a temporary file and rename it into place."""
    export_dir = Path(export_dir)
    caution = caution_sentence(read_model_strength(con), tiers_followed_rules(con))
    caution_sql = sql_literal(caution) if caution else "null::varchar"
    files = {
        "target_accounts_parquet": (
            export_dir / "target_accounts.parquet",
            "select * from icp.target_accounts",
            "(format parquet)",
        ),
        "target_accounts_csv": (
            export_dir / "target_accounts.csv",
            "select * from icp.target_accounts",
            "(format csv, header true)",
        ),
        "crm_import_csv": (
            export_dir / "crm_import.csv",
            f"select {caution_sql} as {CAUTION_COLUMN}, {CRM_IMPORT_COLUMNS} from icp.target_accounts "
            "where crm_account_id is not null "
            "order by icp_score desc, expected_value desc nulls last, account_key",
            "(format csv, header true)",
        ),
    }
    written: dict[str, Path] = {}

    def copy(path: Path, query: str, options: str) -> None:
        with con.cursor() as cursor:  # one connection per thread
            replace_file_atomically(
                path, lambda tmp: cursor.execute(f"copy ({query}) to {sql_literal(str(tmp))} {options}")
            )

    # The files are written side by side (DuckDB works outside the GIL) while the report is drawn.
    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        futures = {name: pool.submit(copy, *spec) for name, spec in files.items()}
        report = export_dir / "icp_report.html"
        html = render_report(con)
        for name, future in futures.items():
            future.result()
            written[name] = files[name][0]
    replace_file_atomically(report, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    written["report_html"] = report
    return written
