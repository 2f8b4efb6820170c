"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, local servers.

Every network request that does not go to 127.0.0.1 is blocked and recorded; a test fails
if any was attempted, so these tests also prove the pages work offline.  Servers started
here are stopped (with their whole process group) when the session ends.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.localweb import CHROMIUM, OfflineRoute, launch, serve  # one browser set-up

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium and poppler: tools/ensure_system_tools.sh (never skipped)."""
    out = subprocess.run(
        ["bash", str(ROOT / "tools" / "ensure_system_tools.sh")], capture_output=True, text=True
    )
    if out.returncode != 0:
        pytest.fail(f"no Chromium for the browser tests:\n{out.stderr}", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch(pw)
        try:
            yield b
        finally:
            b.close()


class OfflinePage:
    """A fresh browser context and page that refuses every non-local request.

    ``mode`` ("light" or "dark") is the colour scheme the browser reports and the theme's
    stored choice, so the page opens in that mode.
    """

    def __init__(self, browser, viewport=(1280, 900), mode: str = "light") -> None:
        self._route = OfflineRoute()
        self.blocked = self._route.blocked
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, color_scheme=mode
        )
        self.context.add_init_script(
            f"try {{ localStorage.setItem('mode', '{mode}');"
            f" localStorage.setItem('theme', '{mode}'); }} catch (e) {{}}"
        )
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def offline_page(browser) -> Iterator[OfflinePage]:
    p = OfflinePage(browser)
    try:
        yield p
    finally:
        p.close()


AXE = ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source(chromium_path: str) -> str:
    """axe-core (from npm, installed by tools/ensure_system_tools.sh --axe into .venv/npm)."""
    if not AXE.exists():
        pytest.fail(f"no axe-core at {AXE}: run tools/ensure_system_tools.sh --axe", pytrace=False)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def contrast_seen() -> set[str]:
    """The colour keys axe-core has checked in this test run (test_pages.AXE_RUN)."""
    return set()


@pytest.fixture(scope="session")
def built_book() -> Path:
    html = ROOT / "_build" / "html"
    if not (html / "index.html").exists():
        pytest.fail(
            "the book is not built: run `make book` first (`make test` builds it before "
            "the browser tests)",
            pytrace=False,
        )
    return html


@pytest.fixture(scope="session")
def book_server(built_book: Path) -> Iterator[str]:
    """Serve _build/html on 127.0.0.1 (a free port) for the session."""
    with serve(built_book) as url:
        yield url


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> Iterator[str]:
    """One JupyterLab on 127.0.0.1 for every JupyterLab test: copies of every chapter.

    The copies have their outputs cleared (JupyterLab may autosave, the repository stays
    untouched, and a stored "[1]:" prompt must not pass for a run that happened) and every
    cell is rendered (no windowing: tools.jlab_refs).  Stopped with its kernels at the end.
    """
    from tools.jlab_refs import prepare
    from tools.jupyterlab import jupyterlab

    work = tmp_path_factory.mktemp("lab")
    served = prepare(work, sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")))
    try:
        with jupyterlab(served, work) as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


#: The chapters run in JupyterLab, and the live widget each shows (test_widgets_live.py;
#: between them the four kinds of control).  Their rendered Markdown is also what
#: test_jupyterlab_refs.py counts: they use every construct of every chapter.
LIVE = {
    "02_hamiltonians.ipynb": "hamiltonians-multiplication-gate",
    "03_hierarchies.ipynb": "hierarchy-noise",
}


@pytest.fixture(scope="session")
def lab_notebooks(lab, browser) -> Iterator[dict[str, tuple[OfflinePage, Any]]]:
    """The LIVE chapters open in JupyterLab (a page each), Run All started in each.

    Both are opened first, then both run, so their kernels run at once; every JupyterLab
    test (one xdist group, one worker) uses these pages.  Maps the notebook's file name
    to ``(page, notebook locator)``.
    """
    from tools.jupyterlab import open_notebook, run_all

    pages: dict[str, tuple[OfflinePage, Any]] = {}
    try:
        for chapter in LIVE:
            p = OfflinePage(browser, viewport=(1400, 1000))
            pages[chapter] = (p, None)
            pages[chapter] = (p, open_notebook(p.page, lab, chapter, Path(chapter).stem))
        for p, nb in pages.values():
            run_all(p.page, nb)
        yield pages
    except TimeoutError as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        for p, _ in pages.values():
            p.close()


def _group(item: pytest.Item) -> str:
    mark = item.get_closest_marker("xdist_group")
    if mark is None:
        return ""
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", ""))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The order the two workers take the tests in (make browser: -n 2 --dist loadgroup
    hands out work in this order).  Order only: every test runs.

    The JupyterLab group (one server, about a minute) and the PDF group go to their worker
    first.  The per-page tests follow, the smallest page first: axe-core checks each
    colour key once per worker (``contrast_seen``), and what a page shares with the rest
    (header, sidebar, prose, code) is then learnt where axe is cheap; the largest pages
    come last, one on each worker, with little left to check.  The other tests last.
    """
    first = {"jupyterlab": 0, "pdf": 1}

    def size(item: pytest.Item) -> int:  # a page's cost grows with its HTML (axe, maths)
        params = getattr(item, "callspec", None)
        name = params.params.get("page_name") if params else None
        page = ROOT / "_build" / "html" / f"{name}.html"
        return page.stat().st_size if name and page.exists() else 0

    items.sort(
        key=lambda i: (first.get(_group(i), 2 if "page_name" in i.fixturenames else 3), size(i))
    )
