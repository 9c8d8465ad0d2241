"""Run-level config shared by assets: the ICP config file, loaded once per asset call."""

from __future__ import annotations

from icp_pipeline.lib.icp_config import IcpConfig, load_icp_config
from icp_pipeline.resources import IcpPathsResource


def icp_config_for(paths: IcpPathsResource) -> IcpConfig:
    return load_icp_config(paths.config if paths.config_path else None)
