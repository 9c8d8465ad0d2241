"""The Dagster UI tells the story: a real webserver's GraphQL API shows every asset with its
description, group and checks, and the latest materialisation's metadata."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pytest

from icp_pipeline.defs.extract.assets import extract_assets
from icp_pipeline.demo.generator import generate_demo_data
from icp_pipeline.lib.config.settings import PROJECT_ROOT
from icp_pipeline.resources import IcpPathsResource, WarehouseResource

pytestmark = pytest.mark.slow

QUERY = """
{
  assetNodes {
    assetKey { path }
    description
    groupName
    hasAssetChecks
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
    assetMaterializations(limit: 1) { metadataEntries { label } }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui")
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ICP_LANDING_DIR": str(root / "landing"),
        "ICP_DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "DO_NOT_TRACK": "1",
    }
    generate_demo_data(root / "landing", n_accounts=200, n_prospects=300, seed=3)
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        dg.materialize(
            extract_assets,
            resources={
                "warehouse": WarehouseResource(duckdb_path=env["ICP_DUCKDB_PATH"]),
                "paths": IcpPathsResource(
                    landing_dir=env["ICP_LANDING_DIR"], export_dir=str(root / "exports"), config_path=""
                ),
            },
            instance=instance,
        )
    port = _free_port()
    webserver_bin = Path(sys.executable).parent / "dagster-webserver"
    process = subprocess.Popen(
        [str(webserver_bin), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                nodes = _post(port, QUERY)["data"]["assetNodes"]
                if nodes:
                    break
            except Exception:  # not up yet, or the code location is still loading
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("dagster-webserver did not serve the code location within 180 s")
            time.sleep(2)
        yield {"/".join(n["assetKey"]["path"]): n for n in nodes}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_every_asset_of_the_graph_is_served_with_description_and_group(webserver):
    assert {"crm/accounts", "marts/account_features", "model/account_scores", "icp/target_accounts"} <= set(
        webserver
    )
    assert [key for key, node in webserver.items() if not node["description"]] == []
    assert {node["groupName"] for node in webserver.values()} >= {"extract", "transform", "model", "publish"}


def test_data_quality_checks_are_visible_and_the_gates_are_blocking(webserver):
    checks = {c["name"]: c["blocking"] for c in webserver["crm/accounts"]["assetChecksOrError"]["checks"]}
    assert checks == {"gx_errors": True, "gx_warnings": False}
    mart_checks = {c["name"] for c in webserver["marts/account_features"]["assetChecksOrError"]["checks"]}
    assert "gx_errors" in mart_checks and any(name.startswith(("unique", "not_null")) for name in mart_checks)


def test_the_latest_materialisation_metadata_is_served(webserver):
    [latest] = webserver["crm/accounts"]["assetMaterializations"]
    labels = {entry["label"] for entry in latest["metadataEntries"]}
    assert {"dagster/row_count", "source_files", "quarantined_rows", "extra_columns"} <= labels
