"""The test command fails when a notebook's stored outputs do not match a fresh run.

A small notebook is executed by the project's own tool, then tampered with: a changed
number, deleted outputs, an execution error, a replaced figure. Strict nbval, run with the
same sanitizer and figure plugin as ``make nbval`` (or the hygiene check, for cleared
outputs), must catch each; a round-off-sized change of a figure must pass.
"""

import base64
import io
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from tools.execute_notebooks import execute
from tools.hygiene import problems
from tools.nbval_figures import MAX_CHANGED, changed_fraction

ROOT = Path(__file__).resolve().parents[1]


def _nbval(path: Path) -> subprocess.CompletedProcess:
    """Strict nbval as the project runs it (pyproject.toml's options), on one notebook."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", "pyproject.toml", "--nbval", "-q", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nb") / "demo.ipynb"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Demo"),
            nbformat.v4.new_code_cell("import math\nx = math.sqrt(2)"),
            nbformat.v4.new_code_cell('print(f"sqrt(2) = {x:.6f}")'),
            nbformat.v4.new_code_cell(
                "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
                "from IPython.display import Image, display\n"
                "fig, ax = plt.subplots(figsize=(3, 2), dpi=80)\n"
                "ax.plot([0, 1, 2], [0, 1, 4])\nbuf = __import__('io').BytesIO()\n"
                "fig.savefig(buf, format='png')\nplt.close(fig)\n"
                "display(Image(buf.getvalue()))"
            ),
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


def _png(arr: np.ndarray) -> str:
    from matplotlib import image

    buf = io.BytesIO()
    image.imsave(buf, arr, format="png")
    return base64.b64encode(buf.getvalue()).decode()


def _figure_cell(nb):
    return next(c for c in nb.cells if c.cell_type == "code" and "savefig" in c.source)


def test_replaced_figure_fails(executed, tmp_path):
    nb = nbformat.read(executed, as_version=4)
    out = next(o for o in _figure_cell(nb).outputs if "image/png" in o.get("data", {}))
    h, w = _shape(out["data"]["image/png"])
    red = np.zeros((h, w, 4))
    red[..., 0] = red[..., 3] = 1.0
    out["data"]["image/png"] = _png(red)
    path = tmp_path / "red.ipynb"
    nbformat.write(nb, path)
    result = _nbval(path)
    assert result.returncode != 0 and "pixels changed" in result.stdout


def test_round_off_sized_figure_change_passes(executed, tmp_path):
    nb = nbformat.read(executed, as_version=4)
    out = next(o for o in _figure_cell(nb).outputs if "image/png" in o.get("data", {}))
    from tools.nbval_figures import decode_png

    arr = decode_png(out["data"]["image/png"])
    flat = arr.reshape(-1, 4)
    k = int(0.4 * MAX_CHANGED * len(flat))  # well inside the tolerance
    flat[:k, :3] = 1.0 - flat[:k, :3]
    out["data"]["image/png"] = _png(arr)
    path = tmp_path / "nudged.ipynb"
    nbformat.write(nb, path)
    assert 0 < changed_fraction(_figure_png(executed), out["data"]["image/png"]) < MAX_CHANGED
    assert _nbval(path).returncode == 0


def _figure_png(path):
    nb = nbformat.read(path, as_version=4)
    return next(o for o in _figure_cell(nb).outputs if "image/png" in o.get("data", {}))["data"][
        "image/png"
    ]


def _shape(png: str) -> tuple[int, int]:
    from tools.nbval_figures import decode_png

    return decode_png(png).shape[:2]
