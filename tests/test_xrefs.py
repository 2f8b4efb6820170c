"""Citations and references written for JupyterLab (tools.xrefs): filled, checked, restored.

No browser: the chapters' Markdown holds no role that jupyterlab-myst cannot resolve, the
written texts are what the tool computes, and the build reads the roles back unchanged.
tests/browser/test_jupyterlab_refs.py checks the texts against the built HTML and counts
what JupyterLab shows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from tools import xrefs

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
HERE = "chapters/04_renormalization.ipynb"


def _nb(*markdown: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
    for i, cell in enumerate(nb.cells):
        cell.id = f"md-{i}"
    return nb


def test_roles_become_written_texts_and_the_build_reads_the_roles_back():
    source = (
        "(sec-local)=\n## Local\n\nAs {ref}`sec-local` and {numref}`fig-gaussian-flow` show, "
        "{cite}`mehta2014exact` agrees; see {ref}`chapter 7 <ch-learning-rg>`."
    )
    nb = _nb(source)
    assert len(xrefs.problems(nb, HERE)) == 3  # the local {ref} resolves in JupyterLab
    assert xrefs.fill(nb, HERE) == 1
    text = nb.cells[0].source
    assert "{ref}`sec-local`" in xrefs.MARK.sub("", text)  # left as a role
    assert "<!--r:{numref}`fig-gaussian-flow`-->Fig. 4.1<!--/r-->" in text
    assert (
        "<!--r:{cite}`mehta2014exact`-->"
        "\\[[Mehta and Schwab, 2014](https://arxiv.org/abs/1410.3831)\\]<!--/r-->"
    ) in text
    assert "[chapter 7](07_learning_rg.ipynb)" in text
    assert xrefs.problems(nb, HERE) == []
    assert xrefs.fill(nb, HERE) == 0  # idempotent
    assert xrefs.restore(text) == source


def test_several_keys_read_in_the_bibliography_order():
    text = xrefs.fallback("{cite}`wegner1974some,morris1994exact`", HERE)
    assert xrefs.shown(text) == "[Morris, 1994, Wegner, 1974]"
    assert xrefs.shown(xrefs.fallback("{cite}`lin2017deep`", HERE)) == "[Lin et al., 2017]"


def test_a_doi_with_parentheses_stays_one_link():
    text = xrefs.fallback("{cite}`stam1959some`", HERE)
    assert "(59)" not in text and "%2859%29" in text
    assert xrefs.shown(text) == "[Stam, 1959]"


def test_a_stale_text_an_unknown_key_or_label_fails_the_check():
    stale = _nb("<!--r:{numref}`fig-fisher`-->Fig. 4.9<!--/r--> shows it.")
    assert any("expected 'Fig. 4.2'" in p for p in xrefs.problems(stale, HERE))
    xrefs.fill(stale, HERE)
    assert xrefs.problems(stale, HERE) == []
    for bad in ("{cite}`nobody1999`", "{ref}`no-such-label`"):
        with pytest.raises(KeyError):
            xrefs.fill(_nb(bad), HERE)
        assert xrefs.problems(_nb(f"<!--r:{bad}-->x<!--/r-->"), HERE)


def test_a_written_text_never_opens_a_line():
    """A line (or list item) opening with ``<!--`` would be read as an HTML block."""
    for source in (
        "{cite}`kadanoff1966` showed it.",
        "Text\n{cite}`kadanoff1966`.",
        "- {cite}`kadanoff1966`",
    ):
        nb = _nb(source)
        xrefs.fill(nb, HERE)
        assert not re.search(r"^[ \t]*(?:[-*+][ \t]+)?<!--", nb.cells[0].source, re.M)
        assert xrefs.WORD_JOINER in nb.cells[0].source
        assert xrefs.restore(nb.cells[0].source) == source
        assert xrefs.problems(nb, HERE) == []


def test_a_multiline_role_is_written_on_one_line():
    nb = _nb("see {ref}`the hierarchies\nchapter <ch-hierarchies>` for it")
    xrefs.fill(nb, HERE)
    assert "<!--r:{ref}`the hierarchies chapter <ch-hierarchies>`-->" in nb.cells[0].source
    assert "[the hierarchies chapter](03_hierarchies.ipynb)" in nb.cells[0].source


def test_the_build_reads_roles_from_a_notebook_and_from_markdown():
    nb = _nb("A <!--r:{cite}`onsager1944`-->\\[Onsager, 1944\\]<!--/r--> b.")
    app = SimpleNamespace(
        env=SimpleNamespace(doc2path=lambda name: f"/book/{name}.ipynb"),
    )
    content = [json.dumps(nb)]
    xrefs._source_read(app, "chapters/x", content)
    cells = json.loads(content[0])["cells"]
    assert xrefs._src(cells[0]) == "A {cite}`onsager1944` b."
    app.env.doc2path = lambda name: f"/book/{name}.md"
    content = ["x\n\u2060<!--r:{numref}`fig-fisher`-->Fig. 4.2<!--/r--> y"]
    xrefs._source_read(app, "intro", content)
    assert content[0] == "x\n{numref}`fig-fisher` y"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_chapter_holds_a_role_jupyterlab_cannot_resolve(path):
    """Outside the written texts, the only role left is a {ref} to the notebook's own label
    (jupyterlab-myst resolves those; it has no bibliography and sees no other notebook)."""
    nb = nbformat.read(path, as_version=4)
    here = path.relative_to(ROOT).as_posix()
    assert xrefs.problems(nb, here) == []
    cells = [xrefs._src(c) for c in nb.cells if c.cell_type == "markdown"]
    local = xrefs._local_labels(cells)
    left = []
    for text in cells:
        bare = xrefs.MARK.sub("", text)
        # A role, or a code span (skipped: `{cite}` in code is not a role).
        for m in re.finditer(r"\{(?P<role>[a-z:-]+)\}`(?P<body>[^`]*)`|`[^`]*`", bare):
            if m["role"] and (m["role"] != "ref" or xrefs._split(m["body"])[1] not in local):
                left.append(m[0])
        # A Markdown link to a label (#label, project:) resolves only within the notebook.
        links = r"\]\((?:project:)?#(?P<label>[^)\s]+)\)|<project:#(?P<p>[^>]+)>"
        left += [m[0] for m in re.finditer(links, bare) if (m["label"] or m["p"]) not in local]
    assert not left, f"{path.name}: {left}"
