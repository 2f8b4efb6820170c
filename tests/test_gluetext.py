"""Computed numbers written into the Markdown (tools.gluetext): filled, checked, inline."""

from __future__ import annotations

import nbformat
import pytest

from tools import gluetext

PREFIX = "application/papermill.record/"


def _nb(markdown: str, glued: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={PREFIX + "text/plain": text},
            metadata={"scrapbook": {"name": key, "mime_prefix": PREFIX}},
        )
        for key, text in glued.items()
    ]
    code = nbformat.v4.new_code_cell("glue(...)", outputs=outputs, execution_count=1)
    md = nbformat.v4.new_markdown_cell(markdown)
    md.id = "md-1"
    nb.cells = [code, md]
    return nb


def test_roles_become_marked_values_and_check_clean():
    nb = _nb(
        "at $n =$ {glue:text}`c.n_star` and {glue:text}`c.x:.4f`.",
        {"c.n_star": "260", "c.x": "0.002"},
    )
    assert gluetext.problems(nb)  # roles left
    assert gluetext.fill(nb) == 1
    text = nb.cells[1].source
    assert text == "at $n =$ <!--g:c.n_star-->260<!--/g--> and <!--g:c.x:.4f-->0.0020<!--/g-->."
    assert gluetext.problems(nb) == []
    assert gluetext.fill(nb) == 0  # idempotent


def test_thousands_separators_are_kept_as_glued():
    """myst-nb's role reads "2,408,240" as a Python tuple; the written value does not."""
    nb = _nb("{glue:text}`d` digits", {"d": "2,408,240"})
    gluetext.fill(nb)
    assert nb.cells[1].source == "<!--g:d-->2,408,240<!--/g--> digits".replace(
        "<!--g:", gluetext.WORD_JOINER + "<!--g:"
    )


def test_a_tampered_or_stale_value_fails_the_check():
    nb = _nb("x = <!--g:k-->0.13<!--/g-->", {"k": "0.25"})
    assert any("reads '0.13' but is glued as '0.25'" in p for p in gluetext.problems(nb))
    gluetext.fill(nb)
    assert gluetext.problems(nb) == []


def test_an_unknown_key_is_refused():
    nb = _nb("x = <!--g:nope-->1<!--/g-->", {"k": "2"})
    assert any("glued by no cell" in p for p in gluetext.problems(nb))
    with pytest.raises(KeyError, match="nope"):
        gluetext.fill(nb)


def test_a_mark_never_opens_a_line():
    """A line opening with <!-- is an HTML block in Markdown: the rest would not render."""
    nb = _nb("the table's\n{glue:text}`b` bits outnumber $10^{78}$ atoms", {"b": "1.9e78"})
    gluetext.fill(nb)
    assert (
        nb.cells[1].source == "the table's <!--g:b-->1.9e78<!--/g--> bits outnumber $10^{78}$ atoms"
    )
    nb = _nb("# Title\n\n{glue:text}`b` opens a paragraph", {"b": "3"})
    gluetext.fill(nb)
    assert nb.cells[1].source.endswith(
        "\n\n" + gluetext.WORD_JOINER + "<!--g:b-->3<!--/g--> opens a paragraph"
    )
    bad = _nb("text\n<!--g:b-->3<!--/g--> here", {"b": "3"})
    assert any("opens a line" in p for p in gluetext.problems(bad))


def test_the_chapters_have_no_role_and_no_stale_value():
    import pathlib

    for path in sorted(pathlib.Path(gluetext.ROOT, "chapters").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert gluetext.problems(nb, path.name) == []
