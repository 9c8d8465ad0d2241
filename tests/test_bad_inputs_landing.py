"""Bad landing files and values (docs/bad-inputs.md): each case stops with an error that names the file,
column, line and fix, or is repaired by a documented rule with the rows counted in `raw._quarantine`.
The extract loader runs directly (fast)."""

from __future__ import annotations

import re

import duckdb
import pytest

from icp_pipeline.lib.landing.contract import get_table
from icp_pipeline.lib.landing.files import LandingDataError
from icp_pipeline.lib.landing.loader import load_table
from icp_pipeline.lib.landing.mapping import parse_mappings
from tests.bad_inputs_landing_cases import LANDING_CASES, TODAY, Case


@pytest.mark.parametrize("case", LANDING_CASES, ids=[c.id for c in LANDING_CASES])
def test_landing_input(case: Case, tmp_path):
    for rel, content in case.files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        content(path) if callable(content) else path.write_bytes(content)
    mapping = parse_mappings({case.table: case.mapping})[case.table] if case.mapping else None
    with duckdb.connect() as con:
        if case.error:
            with pytest.raises(LandingDataError, match=re.compile(case.error, re.S)):
                load_table(con, tmp_path, get_table(case.table), mapping, today=TODAY)
        else:
            report = load_table(con, tmp_path, get_table(case.table), mapping, today=TODAY)
            case.check(con, report)
