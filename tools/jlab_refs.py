"""What a JupyterLab reader sees of the chapters' citations and cross-references.

A Binder or clone reader opens a chapter in JupyterLab 4 with jupyterlab-myst.  That
renderer knows no bibliography and no label outside the notebook's Markdown cells: a
``{cite}`` role shows as "Citation Not Found", a ``{numref}``/``{ref}``/``{doc}`` role
whose target is a figure, another chapter or a section elsewhere as "Cross Reference
Not Found" (both a yellow ``span`` whose ``title`` names the error).  :func:`count`
opens one notebook, with every cell rendered (no windowing), and counts per chapter:

* ``raw``: MyST roles or directives shown as source text (``{cite}`...```, ``:::{``);
* ``cite``: "Citation Not Found" elements;
* ``xref``: "Cross Reference Not Found" elements;
* ``other``: any other jupyterlab-myst error element (its title says which).

``python -m tools.jlab_refs [NB ...]`` prints the counts for the chapters (all by
default).  tests/browser/test_jupyterlab_refs.py asserts they are 0 for :func:`sample`,
the fewest chapters that between them use every construct of every chapter's Markdown
(each directive, each role, each role written out or left), at least two; that every
chapter's written texts are what the book shows is checked on the files, without a
browser.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tools.jupyterlab import NOTEBOOK, jupyterlab

ROOT = Path(__file__).resolve().parents[1]

#: Every cell rendered, not only those near the view (JupyterLab 4 windows by default).
NOTEBOOK_SETTINGS = {"windowingMode": "none"}

COUNT_JS = r"""(nb) => {
    const cells = [...nb.querySelectorAll('.jp-MarkdownCell')];
    const rendered = cells.filter(c => c.querySelector('.jp-RenderedMarkdown, .myst'));
    const text = rendered.map(c => c.innerText).join('\n');
    // Roles or directives as text, and marker comments or escapes shown as text.
    const raw = (text.match(/\{[a-z][a-z:-]*\}`|(:::|```)\{[a-z]|<!--|-->|\\[[\]]/g) || []);
    const errors = [...nb.querySelectorAll('.jp-MarkdownCell span.text-yellow-600[title]')];
    const by = t => errors.filter(e => e.title === t);
    const known = ['Citation Not Found', 'Cross Reference Not Found'];
    return {
        cells: cells.length,
        rendered: rendered.length,
        raw: raw.length,
        raw_examples: raw.slice(0, 3),
        cite: by('Citation Not Found').length,
        xref: by('Cross Reference Not Found').length,
        other: errors.filter(e => !known.includes(e.title)).length,
        examples: errors.slice(0, 4).map(e => e.title + ': ' + e.innerText),
    };
}"""


#: A directive (```{name} or :::{name}) or a role ({name}`...`) in Markdown.
_CONSTRUCT = re.compile(r"(?:```|:::)\{(?P<d>[a-z][a-z:-]*)\}|\{(?P<r>[a-z][a-z:-]*)\}`")
_MARKED = re.compile(r"<!--r:\{(?P<r>[a-z:]+)\}`[^`\n]+`-->.*?<!--/r-->", re.S)


def constructs(path: Path) -> set[str]:
    """What the Markdown cells of the notebook at ``path`` ask jupyterlab-myst to render.

    Directives (``directive:note``), roles left for it to resolve (``role:ref``) and
    roles written out by tools.xrefs (``written:cite``).
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        found |= {f"written:{m['r']}" for m in _MARKED.finditer(text)}
        for m in _CONSTRUCT.finditer(_MARKED.sub("", text)):
            found.add(f"directive:{m['d']}" if m["d"] else f"role:{m['r']}")
    return found


def sample(paths: list[Path], at_least: int = 2, first: tuple[str, ...] = ()) -> list[Path]:
    """The chapters to open in JupyterLab: together they use every construct of ``paths``.

    The chapters named in ``first`` (file names; the live-widget test opens them anyway)
    come in first; then a greedy cover of what they leave out (the chapter adding most
    constructs first, ties to the one with more roles); then the chapters with most
    roles until there are ``at_least``.  Returned in the order of ``paths``.
    """
    uses = {p: constructs(p) for p in paths}
    roles = {p: len(_MARKED.findall(p.read_text(encoding="utf-8"))) for p in paths}
    left = set().union(*uses.values()) if uses else set()
    chosen = [p for p in paths if p.name in first]
    for p in chosen:
        left -= uses[p]
    while left:
        best = max(paths, key=lambda p: (len(uses[p] & left), roles[p]))
        chosen.append(best)
        left -= uses[best]
    for p in sorted(paths, key=lambda p: -roles[p]):
        if len(chosen) >= min(at_least, len(paths)):
            break
        if p not in chosen:
            chosen.append(p)
    return [p for p in paths if p in chosen]


def prepare(work: Path, notebooks: list[Path]) -> Path:
    """Copies of ``notebooks`` (outputs cleared) and a no-windowing setting under ``work``.

    Returns the folder to serve.  The copies keep the repository untouched if
    JupyterLab autosaves.
    """
    root = work / "nb"
    root.mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        (root / path.name).write_text(json.dumps(nb), encoding="utf-8")
    settings = work / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps(NOTEBOOK_SETTINGS))
    return root


def count(page: Any, lab: str, notebook: str, settle_s: float = 60.0) -> dict[str, Any]:
    """Open ``notebook`` (a name under the served folder) and count what it shows.

    The first notebook loads JupyterLab (a fresh workspace); the next ones open from its
    file browser, in new tabs of the same page (no reload of the application).  Markdown
    renders without a kernel: nothing waits for one.  Then :func:`settled_counts`.
    """
    if not page.url.startswith(f"{lab}/lab"):
        page.goto(f"{lab}/lab/workspaces/refs/tree/{notebook}?reset", wait_until="load")
    else:
        item = page.locator(".jp-DirListing-item", has_text=notebook).first
        item.wait_for(timeout=60_000)
        item.dblclick()
    current = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
    current.filter(has_text=notebook).first.wait_for(timeout=120_000)
    return settled_counts(page.locator(NOTEBOOK), settle_s)


def settled_counts(nb: Any, settle_s: float = 60.0) -> dict[str, Any]:
    """What the open notebook ``nb`` (a locator) shows, once it has settled.

    Waits until every Markdown cell is rendered and the counts stop changing
    (jupyterlab-myst resolves references over the whole notebook after the cells
    render); a notebook whose kernel is running meanwhile is counted the same way.
    """
    nb.locator(".jp-MarkdownCell").first.wait_for(timeout=120_000)
    handle = nb.element_handle()
    deadline = time.monotonic() + settle_s
    last: dict[str, Any] | None = None
    stable = 0
    while time.monotonic() < deadline:
        now = handle.evaluate(COUNT_JS)
        if now["rendered"] == now["cells"] and now == last:
            stable += 1
            if stable >= 4:
                break
        else:
            stable = 0
        last = now
        time.sleep(0.5)
    assert last is not None
    return last


def main(argv: list[str] | None = None) -> int:
    """Print the counts for each chapter; 1 if any is not 0."""
    from playwright.sync_api import sync_playwright

    from tools.localweb import OfflineRoute, launch

    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    bad = 0
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        work = Path(tmp)
        served = prepare(work, paths)
        with jupyterlab(served, work) as lab:
            browser = launch(pw)
            try:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                context.route("**/*", OfflineRoute())
                page = context.new_page()
                for path in paths:
                    c = count(page, lab, path.name)
                    bad += c["raw"] + c["cite"] + c["xref"] + c["other"]
                    print(
                        f"{path.stem}: raw {c['raw']}, cite {c['cite']}, xref {c['xref']}, "
                        f"other {c['other']} ({c['rendered']}/{c['cells']} rendered) "
                        f"{c['raw_examples'] + c['examples']}",
                        flush=True,
                    )
            finally:
                browser.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
