"""Sphinx extension of the book: the reader's stylesheet and script, and one fix.

* Adds ``static/deep-and-cheap.css`` and ``static/deep-and-cheap.js`` to every page.
  They live in their own folder, added to ``html_static_path`` here, so no other file is
  injected into the pages (Jupyter Book injects every ``.js``/``.css`` of a top-level
  ``_static/``; this book has none).
* Drops repeated inline scripts.  Sphinx 7 registers the ``add_js_file(None, body=...)``
  scripts of sphinx-thebe and sphinx-togglebutton twice, so every page declared
  ``const THEBE_JS_URL`` twice: a console error on every page.

* Marks each bibliography entry as a list item.  Docutils writes a citation list as
  ``role="list"`` holding entries with ``role="doc-biblioentry"``, a role ARIA 1.3
  deprecates and that a list may not hold; screen readers and axe-core then see a list
  without items.  ``role="listitem"`` is what the entries are.

* Replaces the theme's Font Awesome script (``_static/scripts/fontawesome.js``, 1.5 MB on
  every page, which only turns the icons into inline SVG) by a comment: ``static/scripts/``
  holds a file of the same name, and ``html_static_path`` is copied after the theme's static
  files.  The icons are drawn from the web fonts the theme's stylesheet already declares.

* Lets the browser load a page's images lazily (``loading="lazy"``, ``decoding="async"``
  on every ``<img>`` that does not say otherwise): a chapter's figures weigh megabytes, and
  a reader who opens it sees the first screen before the figures further down arrive.

The theme's colour mode is configured, not patched: ``html_context: {default_mode: auto}``
in ``_config.yml``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# An <img> tag that names no loading strategy of its own.
_LAZY_IMG = re.compile(r"<img (?![^>]*\bloading=)")
STATIC = Path(__file__).resolve().parent / "static"
CSS = "deep-and-cheap.css"
JS = "deep-and-cheap.js"


def _add_assets(app: Any) -> None:
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))
    app.add_css_file(CSS, priority=900)
    app.add_js_file(JS, priority=900, defer="defer")


def _script_key(script: Any) -> tuple[str, str]:
    # The two copies differ only in how "no file" is spelled (None or ""), not in content.
    filename = str(getattr(script, "filename", script) or "")
    attributes = getattr(script, "attributes", {}) or {}
    return filename, repr(sorted((str(k), str(v)) for k, v in attributes.items()))


def _page_context(app: Any, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body")
    if isinstance(body, str):
        body = body.replace('role="doc-biblioentry"', 'role="listitem"')
        context["body"] = _LAZY_IMG.sub('<img loading="lazy" decoding="async" ', body)
    scripts = context.get("script_files")
    if scripts:
        seen: set[tuple[str, str]] = set()
        unique = []
        for script in scripts:
            key = _script_key(script)
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique


def setup(app: Any) -> dict[str, Any]:
    """Register the hooks (Sphinx entry point)."""
    app.connect("builder-inited", _add_assets)
    app.connect("html-page-context", _page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
