"""The built book reads offline: no page loads a script or stylesheet from the internet."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

# sphinx-thebe writes this constant into every page; Thebe is loaded from it only when a
# reader presses a "live code" button, which this book does not enable (its launch buttons
# go to Binder and Colab).  Any other remote script or stylesheet fails the test.
ALLOWED_INLINE = re.compile(r'const THEBE_JS_URL = "https://unpkg\.com/thebe@[\d.]+/lib/index\.js"')
REMOTE = re.compile(r"^(https?:)?//", re.I)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "script":
            self._in_script = True
            if a.get("src") and REMOTE.match(a["src"]):
                self.remote.append(f"<script src={a['src']}>")
        elif tag == "link":
            rel = (a.get("rel") or "").lower()
            if any(r in rel for r in ("stylesheet", "preload", "modulepreload", "icon")):
                if a.get("href") and REMOTE.match(a["href"]):
                    self.remote.append(f"<link rel={rel} href={a['href']}>")
        elif tag in ("img", "iframe", "source", "embed") and a.get("src"):
            if REMOTE.match(a["src"]):
                self.remote.append(f"<{tag} src={a['src']}>")

    def handle_endtag(self, tag) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def _remote_refs(path: Path) -> list[str]:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    found = list(parser.remote)
    for script in parser.inline_scripts:
        rest = ALLOWED_INLINE.sub("", script)
        for url in re.findall(r"https?://[^\s\"'<>]+?\.(?:js|css)\b", rest):
            found.append(f"inline script loads {url}")
    return found


def test_no_page_references_a_remote_script_or_stylesheet(built_book):
    pages = sorted(built_book.rglob("*.html"))
    assert len(pages) >= 3, "too few pages: is the book built?"
    problems = {str(p.relative_to(built_book)): refs for p in pages if (refs := _remote_refs(p))}
    assert not problems, f"remote assets referenced: {problems}"


def test_no_stylesheet_imports_remote_css(built_book):
    bad = []
    for css in built_book.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"@import\s+(?:url\()?['\"]?(https?://[^'\")\s]+)", text):
            bad.append(f"{css.relative_to(built_book)}: {m.group(1)}")
    assert not bad, bad


def test_mathjax_is_served_locally(built_book):
    """Every page with maths loads MathJax from the book itself, fonts included.

    MathJax 3.2.2 comes with sphinx-mathjax-offline (PyPI) into ``_static/mathjax``; the
    CommonHTML output loads its web fonts relative to that script, so they must be there.
    """
    mathjax = built_book / "_static" / "mathjax" / "tex-chtml.js"
    assert mathjax.is_file() and mathjax.stat().st_size > 100_000, mathjax
    fonts = list((mathjax.parent / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) >= 5, f"too few MathJax fonts shipped: {fonts}"
    pages = 0
    for path in sorted(built_book.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if 'class="math' not in text:
            continue
        pages += 1
        srcs = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', text)
        assert srcs, f"{path.name} has maths but loads no MathJax"
        for src in srcs:
            # A rebuild into an existing _build/html adds Sphinx's "?v=<checksum>" cache key.
            file = src.split("?", 1)[0]
            assert (path.parent / file).resolve() == mathjax.resolve(), (path.name, src)
    assert pages >= 8, f"only {pages} pages with maths"


def test_detector_flags_a_cdn_script(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        '<html><head><script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js">'
        '</script><link rel="stylesheet" href="//fonts.example.org/a.css">'
        "<script>var s = 'https://unpkg.com/x/y.js';</script></head></html>"
    )
    refs = _remote_refs(page)
    assert len(refs) == 3, refs
