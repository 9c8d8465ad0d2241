"""The command line explains itself, and the generated docs match the code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from icp_pipeline.cli import build_parser, main
from icp_pipeline.cli.docs_gen import DOCS_DIR, GENERATED
from icp_pipeline.lib.landing.contract import TABLES

ICP = str(Path(sys.executable).parent / "icp")


@pytest.mark.parametrize("command", [[], ["run"], ["demo-data"], ["status"]])
def test_every_command_has_help(command):
    result = subprocess.run([ICP, *command, "--help"], capture_output=True, text=True, check=True)
    assert "usage: icp" in result.stdout


def test_demo_data_command_writes_every_contract_table(tmp_path, capsys):
    assert (
        main(["demo-data", "--accounts", "100", "--prospects", "150", "--seed", "5", "--out", str(tmp_path)])
        == 0
    )
    for table in TABLES:
        assert (tmp_path / table.source / f"{table.name}.csv").exists(), table.full_name
    assert "planted_truth.json" in capsys.readouterr().out


def test_status_reports_paths_when_nothing_has_run_yet(tmp_path):
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "home"),
        "ICP_DUCKDB_PATH": str(tmp_path / "w.duckdb"),
    }
    result = subprocess.run([ICP, "status"], capture_output=True, text=True, env=env, check=True)
    assert "Last run      : none recorded" in result.stdout
    assert str(tmp_path / "w.duckdb") in result.stdout


def test_run_rejects_an_unknown_option():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--selct", "x"])


def test_run_rejects_an_invalid_asset_selection_with_examples_that_work(capsys):
    """`icp run --select 'group:model*'` (the old help's example, not Dagster 1.13 syntax) stopped
    the run with a traceback; now argparse names the value and gives examples that parse."""
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["run", "--select", "group:model*"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "'group:model*' is not a Dagster asset selection" in err and "'group:model+'" in err
    for example in ("group:model+", "key:icp_models", "*"):
        assert build_parser().parse_args(["run", "--select", example]).select == example


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_docs_are_up_to_date(name):
    committed = (DOCS_DIR / name).read_text(encoding="utf-8")
    assert committed == GENERATED[name](), f"run `python -m icp_pipeline.cli.docs_gen` to refresh docs/{name}"


def test_the_data_dictionary_covers_every_published_column():
    from icp_pipeline.defs.publish.tables import PUBLISHED_TABLES

    text = (DOCS_DIR / "data_dictionary.md").read_text(encoding="utf-8")
    for name, table in PUBLISHED_TABLES.items():
        assert f"## `icp.{name}`" in text
        for column in table.columns:
            assert f"| `{column}` |" in text, (name, column)


def test_the_data_dictionary_says_crm_account_id_holds_the_15_character_salesforce_id():
    from icp_pipeline.defs.publish.tables import PUBLISHED_TABLES

    text = (DOCS_DIR / "data_dictionary.md").read_text(encoding="utf-8")
    for name, table in PUBLISHED_TABLES.items():
        if "crm_account_id" in table.columns:
            assert "15-character form" in table.columns["crm_account_id"], name
            assert f"| `crm_account_id` | {table.columns['crm_account_id']} |" in text, name
