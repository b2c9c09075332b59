"""The pipeline's import boundaries: developer tooling (`devtools`) stays out of its path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

CHECK = """
import sys
from flows.cli import main
import flows.orchestration.flow  # noqa: F401
assert not [m for m in sys.modules if m.split(".")[0] == "devtools"], "imported on load"
code = main(sys.argv[1:])
leaked = sorted(m for m in sys.modules if m.split(".")[0] == "devtools")
print("devtools modules:", leaked)
sys.exit(3 if leaked else code)
"""


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_the_flow_and_the_run_command_never_import_devtools(corpus: Path, tmp_path: Path) -> None:
    from tests.test_operations import harness_env

    db = tmp_path / "wh.duckdb"
    result = subprocess.run(
        [sys.executable, "-c", CHECK, "run", "--source", str(corpus), "--warehouse", str(db)],
        cwd=PROJECT,
        env=harness_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "devtools modules: []" in result.stdout
    assert db.exists()


def test_the_cli_module_does_not_import_devtools() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, flows.cli; "
            "sys.exit(any(m.split('.')[0] == 'devtools' for m in sys.modules))",
        ],
        cwd=PROJECT,
        timeout=60,
    )
    assert result.returncode == 0


def test_the_flow_pickles_as_a_served_run_needs() -> None:
    """`summitry serve` runs each flow run in a subprocess, shipping the flow with
    cloudpickle: every task function and what it refers to must pickle."""
    import cloudpickle

    from flows.orchestration.flow import etl

    restored = cloudpickle.loads(cloudpickle.dumps(etl))
    assert restored.name == "summitry-etl"
    # As the served subprocess does before running it (annotations must resolve there too).
    parameters = {"source": "articles", "warehouse_path": "wh.duckdb", "lock_wait_s": 1}
    assert restored.validate_parameters(parameters)["lock_wait_s"] == 1.0
