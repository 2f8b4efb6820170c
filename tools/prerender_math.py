"""Maths rendered at build time: ``python -m tools.prerender_math [HTML]`` (``make build``).

A chapter holds up to ~400 formulas.  Typeset by MathJax in the reader's browser they made
the maths wait 1.9-3.4 s after loading, even lazily (issue 15 asks for 1.5 s).  This step
moves that work to the build: after ``jupyter-book build``, every page of ``_build/html``
that loads MathJax is opened in the project's headless Chromium (Playwright driving
Debian's ``/usr/bin/chromium``, every non-local request refused), MathJax (the same
vendored 3.2.2 the reader would get, lazy typesetting and the context menu off) typesets
the whole page, and the result is written back into the HTML file:

* each ``<span class="math">`` / ``<div class="math">`` keeps its element and receives
  MathJax's CommonHTML output (``mjx-container``, with its hidden MathML for screen
  readers) in place of the TeX source;
* the page's CommonHTML stylesheet (only the glyphs it uses) is inlined in ``<head>``,
  with the font URLs made relative to the page, so the vendored web fonts are used offline;
* the two MathJax ``<script>`` tags are removed: the reader's browser runs no MathJax.

Nothing is lost silently.  The TeX read in the browser must equal the TeX in the file,
element for element, each element must hold exactly one typeset formula and no MathJax
error, and no formula may lie outside a ``.math`` element; otherwise the step stops with
the page and the formula.  A page that has been rendered carries a marker
(:data:`MARKER`) and is skipped by a later run, so the step can follow an incremental build.
The single-page HTML that ``make pdf`` prints is not touched (MathJax runs there).
"""

from __future__ import annotations

import argparse
import functools
import html
import os
import re
import sys
import time
from pathlib import Path

from tools.localweb import OfflineRoute, launch, serve

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
MARKER = '<meta name="deep-and-cheap-maths" content="rendered at build time">'

#: A formula as Sphinx writes it: the TeX (HTML-escaped, no tags) inside a span or div.
MATH_ELEMENT = re.compile(
    r'(?P<open><(?P<tag>span|div) class="math notranslate nohighlight"[^>]*>)'
    r"(?P<tex>[^<]*)(?P<close></(?P=tag)>)"
)
#: The MathJax configuration and loader that Sphinx writes into every page with maths.
MATHJAX_CONFIG = re.compile(r"<script>window\.MathJax = (?P<config>\{.*?\})</script>\s*")
MATHJAX_LOADER = re.compile(r'<script[^>]*src="[^"]*_static/mathjax/[^"]*"[^>]*></script>\s*')

# In the page: typeset everything, then hand back every formula element and the stylesheet.
TYPESET_ALL = """async () => {
  await MathJax.startup.promise;
  const sel = 'span.math.notranslate.nohighlight, div.math.notranslate.nohighlight';
  const elements = Array.from(document.querySelectorAll(sel));
  const sources = elements.map(e => e.textContent);
  await MathJax.typesetPromise();
  const style = document.getElementById('MJX-CHTML-styles');
  return {
    items: elements.map((e, i) => ({
      tex: sources[i],
      html: e.innerHTML,
      formulas: e.querySelectorAll('mjx-container').length,
      error: (e.querySelector('mjx-merror') || {}).textContent || null,
    })),
    stray: Array.from(document.querySelectorAll('mjx-container'))
      .filter(c => !c.closest(sel)).map(c => c.textContent.slice(0, 60)),
    css: style ? style.textContent : null,
  };
}"""


class MathsError(RuntimeError):
    """A page whose formulas could not all be rendered at build time."""


def pages_with_mathjax(root: Path) -> list[Path]:
    """The HTML pages under ``root`` that load MathJax and have not been rendered yet."""
    out = []
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if MARKER not in text and MATHJAX_LOADER.search(text):
            out.append(path)
    return out


def _typesetting_config(page_html: str) -> str:
    """The page as the renderer opens it: MathJax typesets everything, with no menu.

    The book's configuration asks for lazy typesetting (formulas typeset as they scroll
    into view); here every formula must be typeset before the page is read back.
    """

    def replace(match: re.Match) -> str:
        import json

        config = json.loads(match.group("config"))
        config.setdefault("loader", {})["load"] = []
        config.setdefault("options", {})["enableMenu"] = False
        config.setdefault("startup", {})["typeset"] = False
        return f"<script>window.MathJax = {json.dumps(config)}</script>\n"

    text, n = MATHJAX_CONFIG.subn(replace, page_html, count=1)
    if n != 1:
        raise MathsError("no MathJax configuration script found")
    return text


def _font_urls_relative(css: str, base: str, page: Path, root: Path) -> str:
    """Font URLs of the stylesheet (absolute, on the local server) made relative to ``page``."""
    prefix = os.path.relpath(root, page.parent).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"
    return css.replace(base + "/", prefix)


def rewrite(page_html: str, items: list[dict], css: str, name: str) -> str:
    """The page with each formula's TeX replaced by its typeset form (see the module doc).

    Raises
    ------
    MathsError
        If the formulas read in the browser and those in the file differ in number or
        TeX, or a formula did not typeset to exactly one error-free ``mjx-container``.
    """
    found = list(MATH_ELEMENT.finditer(page_html))
    if len(found) != len(items):
        raise MathsError(f"{name}: {len(found)} formulas in the file, {len(items)} in the browser")
    parts: list[str] = []
    at = 0
    for k, (match, item) in enumerate(zip(found, items, strict=True)):
        tex = html.unescape(match.group("tex"))
        if tex.strip() != item["tex"].strip():
            raise MathsError(
                f"{name}: formula {k} is {tex[:60]!r} in the file, "
                f"{item['tex'][:60]!r} in the browser"
            )
        if item["formulas"] != 1 or item["error"]:
            raise MathsError(
                f"{name}: formula {k} {tex[:60]!r} did not typeset "
                f"({item['formulas']} formulas, error {item['error']!r})"
            )
        parts += [page_html[at : match.start("tex")], item["html"]]
        at = match.end("tex")
    parts.append(page_html[at:])
    text = "".join(parts)
    text, n_config = MATHJAX_CONFIG.subn("", text, count=1)
    text, n_loader = MATHJAX_LOADER.subn("", text)
    if n_config != 1 or n_loader < 1:
        raise MathsError(f"{name}: MathJax scripts not found ({n_config}, {n_loader})")
    style = f'{MARKER}\n<style id="MJX-CHTML-styles">\n{css}\n</style>\n'
    if "</head>" not in text:
        raise MathsError(f"{name}: no </head>")
    return text.replace("</head>", style + "</head>", 1)


def _fulfill(route, *_: object, body: str) -> None:
    route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)


def render(root: Path = HTML, pages: list[Path] | None = None) -> list[tuple[str, int, float]]:
    """Render the maths of every page of ``root`` that loads MathJax (module doc).

    Returns ``(page, formulas, seconds)`` per page rendered.
    """
    from playwright.sync_api import sync_playwright

    root = root.resolve()
    pages = pages_with_mathjax(root) if pages is None else pages
    done: list[tuple[str, int, float]] = []
    if not pages:
        return done
    with serve(root) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            for path in pages:
                t0 = time.perf_counter()
                name = path.relative_to(root).as_posix()
                original = path.read_text(encoding="utf-8")
                opened = _typesetting_config(original)
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                try:
                    offline = OfflineRoute()
                    context.route("**/*", offline)
                    page_url = f"{base}/{name}"
                    context.route(page_url, functools.partial(_fulfill, body=opened))
                    page = context.new_page()
                    page.goto(page_url, wait_until="load")
                    result = page.evaluate(TYPESET_ALL)
                finally:
                    context.close()
                if offline.blocked:
                    raise MathsError(f"{name}: the page tried to fetch {offline.blocked[:3]}")
                if result["stray"]:
                    raise MathsError(
                        f"{name}: formulas outside .math elements: {result['stray'][:3]}"
                    )
                if not result["css"]:
                    raise MathsError(f"{name}: MathJax wrote no stylesheet")
                css = _font_urls_relative(result["css"], base, path, root)
                path.write_text(rewrite(original, result["items"], css, name), encoding="utf-8")
                seconds = time.perf_counter() - t0
                done.append((name, len(result["items"]), seconds))
                print(
                    f"maths of {name}: {len(result['items'])} formulas rendered in {seconds:.1f} s",
                    flush=True,
                )
        finally:
            browser.close()
    return done


def main(argv: list[str] | None = None) -> int:
    """Command line: render the maths of a built HTML book (default ``_build/html``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", type=Path, default=HTML)
    args = parser.parse_args(argv)
    if not args.html.is_dir():
        print(f"no built book at {args.html} (run jupyter-book build first)", file=sys.stderr)
        return 2
    try:
        done = render(args.html)
    except MathsError as exc:
        print(f"prerender_math: {exc}", file=sys.stderr)
        return 1
    total = sum(n for _, n, _ in done)
    print(f"maths rendered at build time: {total} formulas on {len(done)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
