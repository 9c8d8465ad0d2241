"""`icp_pipeline/lib/` is plain code: importing any of its modules never imports Dagster
(assets, checks and resources live in `icp_pipeline/defs/`, the CLI in `icp_pipeline/cli/`)."""

import subprocess
import sys
from pathlib import Path

import icp_pipeline.lib as lib


def _lib_modules() -> list[str]:
    root = Path(lib.__file__).parent
    return sorted(
        ".".join(("icp_pipeline", "lib", *p.relative_to(root).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for p in root.rglob("*.py")
    )


def test_no_lib_module_imports_dagster():
    modules = _lib_modules()
    landing = {m.rsplit(".", 1)[1] for m in modules if m.startswith("icp_pipeline.lib.landing.")}
    assert {"contract", "files", "mapping", "fingerprint", "loader", "reading", "quarantine"} <= landing
    assert {"icp_pipeline.lib.warehouse.connection", "icp_pipeline.lib.config.icp"} <= set(modules)
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print(sorted(m for m in sys.modules if m == 'dagster' or m.startswith('dagster.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
