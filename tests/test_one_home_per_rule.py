"""Rules the dbt project repeats from Python agree with their Python home (issue 12)."""

from __future__ import annotations

import re

import yaml

from icp_pipeline.lib.config.icp import DEFAULT_LOST_STAGES, DEFAULT_WON_STAGES, IcpConfig
from icp_pipeline.lib.config.settings import DBT_PROJECT_DIR
from icp_pipeline.lib.model.families import FAMILY_BY_PREFIX, NON_OBSERVABLE_FAMILIES


def test_dbt_var_defaults_are_the_icp_config_defaults():
    dbt_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    python = IcpConfig().dbt_vars()
    shared = sorted(set(dbt_vars) & set(python))
    assert {"won_stages", "lost_stages", "reporting_currency", "as_of_date", "min_child_match_rate"} <= set(
        shared
    )
    assert {k: dbt_vars[k] for k in shared} == {k: python[k] for k in shared}
    assert dbt_vars["won_stages"] == DEFAULT_WON_STAGES and dbt_vars["lost_stages"] == DEFAULT_LOST_STAGES


def test_attribute_catalog_families_are_the_python_families():
    sql = (DBT_PROJECT_DIR / "models" / "marts" / "attribute_catalog.sql").read_text(encoding="utf-8")
    rows = re.findall(r"\('(\w+__)', '(\w+)', (true|false)\)", sql)
    assert {prefix: family for prefix, family, _ in rows} == FAMILY_BY_PREFIX
    assert {family for _, family, observable in rows if observable == "false"} == NON_OBSERVABLE_FAMILIES
