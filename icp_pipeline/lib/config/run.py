"""Run-level config shared by assets: the ICP config file, loaded once per asset call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icp_pipeline.lib.config.icp import IcpConfig, load_icp_config

if TYPE_CHECKING:  # a Dagster resource; lib/ never imports Dagster at run time
    from icp_pipeline.resources import IcpPathsResource


def icp_config_for(paths: IcpPathsResource) -> IcpConfig:
    """The ICP config file of `paths` (its defaults when no config path is set).

    Raises `IcpConfigError` when the file is missing, not YAML or invalid."""
    return load_icp_config(paths.config if paths.config_path else None)
