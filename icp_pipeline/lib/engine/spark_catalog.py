"""The Spark catalog of `ICP_SPARK_DIR` as JSON: tables, their columns and types, and row counts.

    python -m icp_pipeline.lib.engine.spark_catalog --dir data/warehouse/spark raw icp

Runs in its own process (the embedded Derby metastore admits one JVM at a time), after the pipeline.
Output: {"<schema>.<table>": {"columns": [[name, spark type], ...], "rows": n}}.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def describe(spark, schemas: list[str]) -> dict:
    """{`schema.table`: {"columns": [[name, simple type]], "rows": count}} of the given schemas."""
    out = {}
    for schema in schemas:
        if not spark.catalog.databaseExists(schema):
            continue
        for table in sorted(t.name for t in spark.catalog.listTables(schema)):
            frame = spark.table(f"`{schema}`.`{table}`")
            out[f"{schema}.{table}"] = {
                "columns": [[f.name, f.dataType.simpleString()] for f in frame.schema.fields],
                "rows": frame.count(),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", required=True, type=Path, help="ICP_SPARK_DIR of the run")
    parser.add_argument("schemas", nargs="+")
    args = parser.parse_args()
    from icp_pipeline.lib.engine.spark_session import catalog_session

    print(json.dumps(describe(catalog_session(args.dir), args.schemas)))


if __name__ == "__main__":
    main()
