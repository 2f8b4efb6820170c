"""Citations and cross-references read in JupyterLab and stay proper in the built book.

The chapters' Markdown holds, for every citation and reference jupyterlab-myst cannot
resolve, the text the book shows, the role kept in a comment (tools.xrefs).  Here:

* the written texts are exactly what the built HTML shows for the same roles
  ("[Mehta and Schwab, 2014]", "Fig. 4.1", a section's title), in order, chapter by
  chapter; so the build still makes sphinxcontrib-bibtex citations and numbered
  references of them (no plain text in their place);
* JupyterLab 4 with jupyterlab-myst (the one server of the JupyterLab tests; Markdown
  renders without a kernel) shows no raw role or directive, no marker comment, no
  "Citation Not Found" and no "Cross Reference Not Found" (tools.jlab_refs counts) in
  the chapters of ``jlab_refs.sample``: between them they use every directive and every
  kind of role, written out or left, that any chapter uses, so the renderer meets
  everything once; the rest is the same text, compared above.  The sample starts from
  the chapters the live-widget test runs (conftest.LIVE), counted on its pages; a
  chapter it adds is opened on a page of its own.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from tools import jlab_refs, xrefs

from .conftest import LIVE, ROOT, OfflinePage

# One worker runs every JupyterLab test (make browser: -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("jupyterlab")

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
IN_LAB = jlab_refs.sample(CHAPTERS, first=tuple(LIVE))

#: What the built HTML shows for a citation group and for a resolved reference.
_SHOWN = re.compile(
    r'<span class="bibtex-citation"[^>]*>(?P<cite>.*?)</span>'
    r'|<span class="(?:std std-numref|std std-ref|doc)">(?P<ref>.*?)</span>',
    re.S,
)


def _html_refs(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", m["cite"] or m["ref"] or "")).split())
        for m in _SHOWN.finditer(text)
    ]


def _written(path: Path) -> list[str | None]:
    """Each role of the Markdown in order: its written text, or None (left a role)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        xrefs.shown(m["text"]) if m["role"] else None
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown"
        for m in xrefs._EITHER.finditer(xrefs._src(cell))
    ]


@pytest.mark.browser
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_written_texts_are_what_the_book_shows(built_book, path):
    shown = _html_refs(built_book / "chapters" / f"{path.stem}.html")
    written = _written(path)
    assert len(shown) == len(written), (
        f"{path.name}: {len(written)} citations and references in the Markdown, "
        f"{len(shown)} resolved in the HTML"
    )
    wrong = [
        (w, s)
        for w, s in zip(written, shown, strict=True)
        if w is not None and w != s.replace("\xa0", " ")
    ]
    assert not wrong, f"{path.name}: written text vs the book's: {wrong[:5]}"
    assert any(w is not None for w in written), f"{path.name}: nothing written"


@pytest.mark.browser
def test_jupyterlab_shows_no_raw_role_and_no_unresolved_reference(lab, browser, lab_notebooks):
    counts = {
        path.stem: jlab_refs.settled_counts(lab_notebooks[path.name][1])
        for path in IN_LAB
        if path.name in lab_notebooks
    }
    blocked = [x for q, _ in lab_notebooks.values() for x in q.blocked]
    others = [path for path in IN_LAB if path.name not in lab_notebooks]
    if others:  # a chapter the live ones do not cover: on a page of its own
        p = OfflinePage(browser, viewport=(1400, 1000))
        try:
            counts |= {path.stem: jlab_refs.count(p.page, lab, path.name) for path in others}
        finally:
            p.close()
        blocked += p.blocked
    assert sorted(counts) == sorted(path.stem for path in IN_LAB), counts
    incomplete = {k: (c["rendered"], c["cells"]) for k, c in counts.items()}
    assert all(r == n and n for r, n in incomplete.values()), f"not rendered: {incomplete}"
    bad = {
        k: {x: c[x] for x in ("raw", "cite", "xref", "other") if c[x]}
        | {"e.g.": c["raw_examples"] + c["examples"]}
        for k, c in counts.items()
        if c["raw"] + c["cite"] + c["xref"] + c["other"]
    }
    assert not bad, f"JupyterLab shows raw MyST or unresolved references: {bad}"
    assert not blocked, f"the pages tried to fetch: {blocked}"
