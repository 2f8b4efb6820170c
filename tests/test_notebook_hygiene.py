"""Every committed notebook was executed top to bottom, with its outputs stored."""

import json
from pathlib import Path

import pytest

from tools.hygiene import (
    must_print,
    problems,
    repeated_outputs,
    repeated_prose,
    repetitions,
    stray_results,
    typed_results,
)

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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nothing_shown_twice_and_no_stray_results(path):
    """No repeated paragraph, no output twice in a cell, no bare string or None as Out[n]."""
    assert repetitions(path) == []


PARAGRAPH = (
    "An output that the channel never produces has no posterior; both functions define "
    "its column as the prior itself."
)


def test_a_repeated_paragraph_is_found():
    def md(text, cid):
        return {"cell_type": "markdown", "id": cid, "source": text}

    assert repeated_prose([md(PARAGRAPH, "a"), md("Short.\n\nShort.", "b")]) == []
    found = repeated_prose([md(PARAGRAPH, "a"), md("Intro.\n\n" + PARAGRAPH, "b")])
    assert len(found) == 1 and found[0].startswith("2x in cells a, b")
    # appended inside one paragraph, no blank line between the copies: found by sentence
    appended = "It starts. " + PARAGRAPH + "\n" + PARAGRAPH
    assert repeated_prose([md(appended, "c")]) != []
    # a code block may repeat a line; its text is not prose
    fenced = "```python\n" + PARAGRAPH + "\n```\n\n" + PARAGRAPH
    assert repeated_prose([md(fenced, "d")]) == []


def _display(kind, html=None, plain=None, **extra):
    data = {k: v for k, v in (("text/html", html), ("text/plain", plain)) if v is not None}
    out = {"output_type": kind, "data": {**data, **extra}, "metadata": {}}
    if kind == "execute_result":
        out["execution_count"] = 1
    return out


def test_an_output_shown_twice_in_a_cell_is_found():
    verdict = _display("display_data", "<div>verdict</div>", "[reproduced] x")
    again = _display("execute_result", "<div>verdict</div>", "[reproduced] x")
    assert repeated_outputs({"outputs": [verdict, again]}) != []
    other = _display("display_data", "<table>other</table>", "<HTML object>")
    same_plain = _display("display_data", "<table>third</table>", "<HTML object>")
    assert repeated_outputs({"outputs": [verdict, other, same_plain]}) == []
    figure = {"image/png": "iVBOR"}
    two_figures = [_display("display_data", None, "<Figure>", **figure)] * 2
    assert repeated_outputs({"outputs": two_figures}) == []


@pytest.mark.parametrize(
    ("plain", "stray"),
    [
        ("'5.000\\\\times10^{11}'", True),
        ("'47.44'", True),
        ('"6"', True),
        ("None", True),
        ("[reproduced] ham-gate", False),
        ("<BookFigure size 614x384 with 1 Axes>", False),
        ("'a' + 'b'", False),
    ],
)
def test_a_stray_result_is_found(plain, stray):
    cell = {"outputs": [_display("execute_result", None, plain)]}
    assert bool(stray_results(cell)) is stray
    # a displayed (not returned) string is what glue and print are for: not stray
    assert stray_results({"outputs": [_display("display_data", None, plain)]}) == []


def test_repetitions_reads_a_whole_notebook(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("glue('x', 1.0)")
    code.outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "'1'"}, execution_count=1)
    ]
    nb.cells = [nbformat.v4.new_markdown_cell(PARAGRAPH + "\n\n" + PARAGRAPH), code]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    found = repetitions(path)
    assert len(found) == 2
    assert found[0].startswith("prose repeated") and "stray result '1'" in found[1]
