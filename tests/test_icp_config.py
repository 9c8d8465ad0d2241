"""The ICP config is loaded safely, validated strictly and turned into dbt vars."""

from __future__ import annotations

import pytest

from icp_pipeline.lib.config.icp import IcpConfigError, load_icp_config
from icp_pipeline.lib.config.settings import DEFAULT_CONFIG


def test_the_shipped_example_config_is_valid():
    config = load_icp_config(DEFAULT_CONFIG)
    assert config.tiers.policy == "quantile"
    assert "closed won" in config.dbt_vars()["won_stages"]


def test_stage_spellings_are_normalised_for_dbt(tmp_path):
    path = tmp_path / "icp.yaml"
    path.write_text("stages:\n  won: ['  Closed WON ', Booked]\n  lost: [Lost]\nas_of_date: 2025-12-31\n")
    dbt_vars = load_icp_config(path).dbt_vars()
    assert dbt_vars["won_stages"] == ["closed won", "booked"]
    assert dbt_vars["as_of_date"] == "2025-12-31"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tierz: {}\n", r"tierz: Extra inputs are not permitted"),
        (
            "tiers: {policy: lottery}\n",
            r"tiers\.policy: Input should be 'quantile', 'threshold' or 'capacity'",
        ),
        ("tiers: {tier1_share: 0.6, tier2_share: 0.5}\n", r"tier1_share \+ tier2_share must be below 1"),
        ("reporting_currency: dollars\n", r"reporting_currency"),
        ("- just\n- a list\n", r"must be a mapping"),
        ("tiers: [unclosed\n", r"not valid YAML"),
        ("!!python/object/apply:os.system ['true']\n", r"not valid YAML"),
    ],
)
def test_invalid_configs_fail_with_the_path_of_the_problem(tmp_path, text, message):
    path = tmp_path / "icp.yaml"
    path.write_text(text)
    with pytest.raises(IcpConfigError, match=message):
        load_icp_config(path)


def test_a_missing_config_file_is_an_error_naming_the_env_var(tmp_path):
    with pytest.raises(IcpConfigError, match="ICP_CONFIG"):
        load_icp_config(tmp_path / "nope.yaml")
