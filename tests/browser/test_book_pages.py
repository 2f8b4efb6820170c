"""Every chapter page of the built book renders in headless Chromium, offline.

Checks that the equations are typeset (``mjx-container`` elements, rendered at build time or
by MathJax, no raw ``$$`` left),
that every image loaded, that nothing was fetched from the internet, and saves a screenshot
of each page's first screen to ``_build/screenshots/`` for review.
"""

from __future__ import annotations

import pytest
import yaml

from .conftest import ROOT


def _toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [entry["file"] for entry in part.get("chapters", [])]
    return pages


PAGES = _toc_pages()


def _source(page_name: str):
    for suffix in (".md", ".ipynb"):
        path = ROOT / (page_name + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(page_name)


def test_toc_lists_the_chapters():
    chapters = [p for p in PAGES if p.startswith("chapters/")]
    on_disk = sorted(f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(chapters) == on_disk


@pytest.mark.browser
@pytest.mark.parametrize("page_name", PAGES)
def test_page_renders_offline(page_name, book_server, offline_page):
    page = offline_page.page
    response = page.goto(f"{book_server}/{page_name}.html", wait_until="load")
    assert response is not None and response.ok, f"HTTP {response and response.status}"
    source_has_math = "$" in _source(page_name).read_text(encoding="utf-8")
    loads_mathjax = page.locator('script[src*="mathjax"]').count() > 0
    prerendered = page.locator('meta[name="deep-and-cheap-maths"]').count() > 0
    if source_has_math:
        assert loads_mathjax or prerendered, "page has maths, neither rendered nor MathJax"
    if loads_mathjax:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            " && (MathJax.startup.promise.then(() => { window.__mj_done = true; }), true)",
            timeout=30_000,
        )
        page.wait_for_function("() => window.__mj_done === true", timeout=60_000)
    body = page.inner_text("article")
    if source_has_math:
        assert page.locator("mjx-container").count() > 0, "no equation is typeset"
    assert "$$" not in body, "raw $$ left on the page"
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    broken = page.evaluate(  # lazily loaded images (widget frames) are fetched first
        """async () => {
          const imgs = Array.from(document.images);
          imgs.forEach(i => { i.loading = 'eager'; });
          await Promise.all(imgs.map(i => i.decode().catch(() => null)));
          return imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);
        }"""
    )
    assert not broken, f"images that did not load: {broken}"
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / (page_name.replace("/", "_") + ".png")))
    assert not offline_page.blocked, f"the page tried to fetch: {offline_page.blocked}"
