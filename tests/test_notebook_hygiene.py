"""Every committed notebook was executed top to bottom, with its outputs stored.

Strict nbval compares only cells that have an execution count, so a notebook committed
unexecuted (or with cleared outputs) would pass it vacuously; these checks close that hole.
"""

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
TOC = (ROOT / "_toc.yml").read_text()


def _code_cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text())
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _must_print(source: str) -> bool:
    """Whether a cell's code necessarily shows something (ends in an expression, prints)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith("%")]
    tree = ast.parse("\n".join(lines))
    if not tree.body:
        return False
    last = tree.body[-1]
    if isinstance(last, ast.Expr):
        return True
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"print", "display"}
        for node in ast.walk(tree)
    )


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks under chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_in_order_with_outputs(path: Path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["metadata"]["language_info"]["name"] == "python"
    cells = _code_cells(path)
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..N: run `make execute`"
    )
    for cell in cells:
        src = "".join(cell["source"])
        kinds = {o["output_type"] for o in cell["outputs"]}
        assert "error" not in kinds, f"{path.name}: cell {cell.get('id')} has an error output"
        if _must_print(src):
            assert cell["outputs"], f"{path.name}: cell {cell.get('id')} lost its outputs"
    assert "widgets" not in nb["metadata"], f"{path.name}: widget state must not be committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_conventions(path: Path):
    nb = json.loads(path.read_text())
    first = "".join(nb["cells"][0]["source"])
    assert any(ln.startswith("# ") for ln in first.splitlines()), "first cell needs an H1 title"
    for cell in _code_cells(path):
        src = "".join(cell["source"])
        assert "NBVAL_" not in src, "nbval markers belong in cell tags, not in code"
        assert "np.random.seed" not in src, "use a seeded numpy.random.Generator"
    assert f"chapters/{path.stem}" in TOC, f"{path.name} is not in _toc.yml"


def test_must_print_detection():
    assert _must_print("x = 1\nx")
    assert _must_print("print(1)")
    assert not _must_print("import numpy as np\nx = 2")
