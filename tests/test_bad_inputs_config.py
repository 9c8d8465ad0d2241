"""A bad ICP config (docs/bad-inputs.md): refused at load time, or its filters refused against the
feature mart's columns, with the fix."""

from __future__ import annotations

import re

import pytest

from icp_pipeline.lib.config.icp import IcpConfig, IcpConfigError, load_icp_config
from icp_pipeline.lib.icp.filters.config_check import check_config_filters
from tests.bad_inputs_config_cases import CONFIG_CASES, FILTER_CASES


@pytest.mark.parametrize(("text", "error"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_config_input(text, error, tmp_path):
    path = tmp_path / "icp.yaml"
    path.write_text(text)
    with pytest.raises(
        IcpConfigError, match=re.compile(rf"ICP config {re.escape(str(path))}.*{error}", re.S)
    ):
        load_icp_config(path)


@pytest.mark.parametrize(
    ("section", "filter_", "columns", "error", "warning"),
    [c[1:] for c in FILTER_CASES],
    ids=[c[0] for c in FILTER_CASES],
)
def test_config_filters_are_checked_against_the_feature_mart(section, filter_, columns, error, warning):
    item = {"id": "h", "filter": filter_}
    item.update({"statement": "s"} if section == "hypotheses" else {"reason": "r"})
    config = IcpConfig.model_validate({section: [item]})
    if error:
        with pytest.raises(
            IcpConfigError, match=rf"marts\.account_features does not have: .*{error}.*Fix the"
        ):
            check_config_filters(config, columns)
        return
    warnings = check_config_filters(config, columns)
    assert [re.search(warning, w) is not None for w in warnings] == ([True] if warning else [])
