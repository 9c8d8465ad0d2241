"""`icp_pipeline/lib/landing/` is plain code: importing any of its modules never imports Dagster."""

import subprocess
import sys
from pathlib import Path

import icp_pipeline.lib.landing as landing


def test_no_landing_module_imports_dagster():
    modules = sorted(p.stem for p in Path(landing.__file__).parent.glob("*.py") if p.stem != "__init__")
    assert {"contract", "files", "mapping", "fingerprint", "loader", "reading", "quarantine"} <= set(modules)
    code = (
        "import sys\n"
        + "".join(f"import icp_pipeline.lib.landing.{m}\n" for m in modules)
        + "print(sorted(m for m in sys.modules if m == 'dagster' or m.startswith('dagster.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
