"""The demo CRM as Airbyte lands Salesforce: one table per object named by its API name
(`salesforce/Account.csv`), columns in API names (`StageName`, `IsWon`, custom `Tier__c`).

The same records as the fivetran_salesforce demo (deleted rows, merged records, renamed stages,
`OpportunityHistory` with won deals whose `CloseDate` a rep edited later), but without History
Mode, which Airbyte does not have: so no post-win account edits either.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from icp_pipeline.demo.dialects.common import write_csv
from icp_pipeline.demo.dialects.fivetran_salesforce import write_fivetran_salesforce
from icp_pipeline.lib.landing.connectors.airbyte import api_name


def _api_column(name: str) -> str:
    if name.endswith("_c"):  # custom field: Account_Tier_Legacy__c
        return "_".join(p[:1].upper() + p[1:] for p in name[:-2].split("_")) + "__c"
    return api_name(name)


def write_airbyte_salesforce(out_dir: Path, tables: dict[str, pd.DataFrame], seed: int) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        counts = write_fivetran_salesforce(Path(tmp), tables, seed, history=False, stage_history=True)
        for path in sorted((Path(tmp) / "salesforce").glob("*.csv")):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            # Airbyte has no _fivetran_deleted: a record deleted in Salesforce comes with IsDeleted
            frame["is_deleted"] = (frame["is_deleted"] == "true") | (frame["_fivetran_deleted"] == "true")
            frame["is_deleted"] = frame["is_deleted"].map({True: "true", False: "false"})
            frame = frame[[c for c in frame.columns if not c.startswith("_fivetran")]]
            frame.columns = [_api_column(c) for c in frame.columns]
            frame["_airbyte_extracted_at"] = "2026-01-01T00:00:00"
            write_csv(out_dir, "salesforce", api_name(path.stem), frame)
    return counts
