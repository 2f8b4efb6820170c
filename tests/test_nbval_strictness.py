"""The test command fails when a notebook's stored outputs do not match a fresh run.

A small notebook is executed by the project's own tool, then tampered with in the three
ways the foundation issue names; strict nbval (or the hygiene check, for cleared outputs)
must catch each.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from execute_notebooks import execute  # noqa: E402
from hygiene import problems  # noqa: E402


def _nbval(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=path.parent,
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nb") / "demo.ipynb"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Demo"),
            nbformat.v4.new_code_cell("import math\nx = math.sqrt(2)"),
            nbformat.v4.new_code_cell('print(f"sqrt(2) = {x:.6f}")'),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    execute(path)
    return path


def test_fresh_notebook_passes(executed):
    assert problems(executed) == [], "kernelspec/language_info come from the executor"
    assert _nbval(executed).returncode == 0


def test_changed_number_fails(executed, tmp_path):
    nb = nbformat.read(executed, as_version=4)
    nb.cells[2].outputs[0]["text"] = "sqrt(2) = 1.414215\n"  # last digit changed
    path = tmp_path / "changed.ipynb"
    nbformat.write(nb, path)
    assert _nbval(path).returncode != 0


def test_deleted_outputs_fail(executed, tmp_path):
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None  # what "clear outputs" does
    path = tmp_path / "cleared.ipynb"
    nbformat.write(nb, path)
    assert any("execution counts" in p for p in problems(path))
    assert any("no stored output" in p for p in problems(path))


def test_execution_error_fails(executed, tmp_path):
    nb = nbformat.read(executed, as_version=4)
    nb.cells[1].source = "import math\nx = math.sqrt(-2)"  # ValueError: math domain error
    path = tmp_path / "error.ipynb"
    nbformat.write(nb, path)
    assert _nbval(path).returncode != 0
