"""File exports of the published tables: Parquet, CSV, a CRM import CSV and the HTML report."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from icp_pipeline.lib.model.strength import caution_sentence, read_model_strength, tiers_followed_rules
from icp_pipeline.lib.publish.export_schema import (
    CRM_IMPORT_TYPES,
    CSV_DECIMALS,
    TARGET_ACCOUNTS_TYPES,
    arrow_schema,
    typed_select,
)
from icp_pipeline.lib.publish.publish_io import replace_file_atomically
from icp_pipeline.lib.publish.report import render_report
from icp_pipeline.lib.publish.report.executive import ACCOUNTS_PER_REP
from icp_pipeline.lib.warehouse.sql import sql_literal

# The CRM import file's first column: the model-strength caution on every row when the model is weak
# or none (`model_strength.caution_sentence`), empty otherwise, so a field mapping never changes.
CAUTION_COLUMN = "model_caution"

PARQUET_BATCH_ROWS = 250_000
CSV_OPTIONS = "(format csv, header true)"


@dataclass(frozen=True)
class ExportFile:
    """One data export: its file, the query (cast to `types`) and its format (`parquet` or `csv`)."""

    path: Path
    query: str
    fmt: str
    types: Mapping[str, str]


def export_files(con: duckdb.DuckDBPyConnection, export_dir: Path) -> dict[str, ExportFile]:
    """The data exports by name: each query casts to the declared schema (`export_schema`), the CSVs
    with numbers rounded to `CSV_DECIMALS`."""
    export_dir = Path(export_dir)
    strength = read_model_strength(con)
    caution = caution_sentence(strength, tiers_followed_rules(con))
    caution_sql = sql_literal(caution) if caution else "null::varchar"
    # money columns are already null in the table when the model card says weak or none (withheld_money)
    targets = "icp.target_accounts"
    # ordered by the unrounded values of the rows (`t.`), not by the rounded output columns
    crm_rows = (
        f"(select {caution_sql} as {CAUTION_COLUMN}, * from icp.target_accounts "
        "where crm_account_id is not null) as t"
    )
    crm_order = " order by t.icp_score desc, t.expected_value desc nulls last, t.account_key"
    return {
        "target_accounts_parquet": ExportFile(
            export_dir / "target_accounts.parquet",
            typed_select(targets, TARGET_ACCOUNTS_TYPES),
            "parquet",
            TARGET_ACCOUNTS_TYPES,
        ),
        "target_accounts_csv": ExportFile(
            export_dir / "target_accounts.csv",
            typed_select(targets, TARGET_ACCOUNTS_TYPES, CSV_DECIMALS),
            "csv",
            TARGET_ACCOUNTS_TYPES,
        ),
        "crm_import_csv": ExportFile(
            export_dir / "crm_import.csv",
            typed_select(crm_rows, CRM_IMPORT_TYPES, CSV_DECIMALS) + crm_order,
            "csv",
            CRM_IMPORT_TYPES,
        ),
    }


def write_table_exports(con: duckdb.DuckDBPyConnection, export_dir: Path, report=None) -> dict[str, Path]:
    """Stream each data export from DuckDB to a temporary file and rename it into place, side by side
    (DuckDB works outside the GIL) while `report()`, when given, runs in this thread."""
    files = export_files(con, export_dir)

    def write(spec: ExportFile) -> None:
        with con.cursor() as cursor:  # one connection per thread
            if spec.fmt == "parquet":
                replace_file_atomically(spec.path, lambda tmp: _write_parquet(cursor, spec, tmp))
            else:
                replace_file_atomically(
                    spec.path,
                    lambda tmp: cursor.execute(
                        f"copy ({spec.query}) to {sql_literal(str(tmp))} {CSV_OPTIONS}"
                    ),
                )

    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        futures = [pool.submit(write, spec) for spec in files.values()]
        if report is not None:
            report()
        for future in futures:
            future.result()
    return {name: spec.path for name, spec in files.items()}


def _write_parquet(con: duckdb.DuckDBPyConnection, spec: ExportFile, path: Path) -> None:
    """Stream the export's query into a Parquet file whose schema is the declared one (`arrow_schema`:
    every field nullable), in batches of `PARQUET_BATCH_ROWS` rows."""
    schema = arrow_schema(spec.types)
    reader = con.sql(spec.query).to_arrow_reader(PARQUET_BATCH_ROWS)
    with pq.ParquetWriter(path, schema, compression="snappy") as writer:
        for batch in reader:
            writer.write_batch(batch.cast(schema))


def write_exports(
    con: duckdb.DuckDBPyConnection, export_dir: Path, accounts_per_rep: int = ACCOUNTS_PER_REP
) -> dict[str, Path]:
    """The data exports (`write_table_exports`) and the HTML report, each written atomically;
    `accounts_per_rep` (icp.yaml `tiers.accounts_per_rep`) sizes the capacity in the report's tier table."""
    export_dir = Path(export_dir)
    drawn: list[str] = []
    written = write_table_exports(
        con, export_dir, report=lambda: drawn.append(render_report(con, accounts_per_rep))
    )
    report = export_dir / "icp_report.html"
    replace_file_atomically(report, lambda tmp: tmp.write_text(drawn[0], encoding="utf-8"))
    written["report_html"] = report
    return written
