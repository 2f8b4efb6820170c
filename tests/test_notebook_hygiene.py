"""Every committed notebook was executed top to bottom, with its outputs stored."""

import json
from pathlib import Path

import pytest

from tools.hygiene import must_print, problems, typed_results

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
TOC = (ROOT / "_toc.yml").read_text()


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks under chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_in_order_with_outputs(path: Path):
    assert problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_conventions(path: Path):
    nb = json.loads(path.read_text())
    first = "".join(nb["cells"][0]["source"])
    assert any(ln.startswith("# ") for ln in first.splitlines()), "first cell needs an H1 title"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert "np.random.seed" not in "".join(cell["source"]), "use a seeded Generator"
    assert f"chapters/{path.stem}" in TOC, f"{path.name} is not in _toc.yml"


def test_must_print_detection():
    assert must_print("x = 1\nx")
    assert must_print("print(1)")
    assert must_print("%matplotlib inline\nfig")
    assert not must_print("import numpy as np\nx = 2")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_typed_results_in_prose(path):
    """Every reported number is glued from execution (rule: tools.hygiene.PROSE_ALLOWED)."""
    assert typed_results(path) == []


def test_the_typed_result_scan_finds_what_it_should(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "The slope is 2.000 and beta > 46.05; n = 8, p = 0.5, v2.0, "
            "{glue:text}`x.slope` and `0.959` are fine; Le Gall's 2.3728639 too."
        )
    ]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert [p.split(": ")[1] for p in typed_results(path)] == ["2.000", "46.05"]
