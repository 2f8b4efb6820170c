"""Kernel-free widgets for the static book: a Sphinx extension (and a small CLI).

A chapter's static-figure cell (``static_figure(spec)``) displays the usual PNG and text
of a figure plus the widget's manifest, a short JSON text under the mime type
``cheaplib.widgets.STATIC_MIME`` (no picture in it, so the notebook's text is the same on
every machine).  This extension, loaded by ``_config.yml`` (``sphinx.local_extensions``):

1. renders that mime type in HTML builds (top priority there; other builders keep the PNG)
   as a ``<div class="cheap-static">`` holding the figure caption's picture and the
   manifest; ``cheap-static.js`` builds one range slider or select per control from it and
   swaps the picture when a control moves.  Pictures are fetched only when shown
   (``loading="lazy"``; a state's PNG is requested when a control reaches it), the
   summaries (``states.json``) when the widget nears the viewport;
2. at the end of an HTML build renders every state of every widget the pages show, with
   the current cheaplib (``state_values`` → ``spec.render`` → ``widget_png``, the same
   bytes as the live widget), into ``_widgets/<name>/<state>.png`` beside
   ``states.json``.  The states are those of ``cheaplib.widgets.static_states`` (the rule
   that bounds them is in that module's docstring).  A widget whose sources did not change
   since the last build (same fingerprint: manifest, cheaplib sources, library versions)
   is not rendered again.

A notebook whose manifest differs from the current spec (stale outputs) is a build
warning, so ``-W`` fails.  myst-nb finds mime renderers through entry points only; the
extension adds its renderer to myst-nb's plugin list at setup (``load_mime_renders``).

CLI: ``python tools/widget_states.py OUTDIR [NAME ...]`` renders states without Sphinx.
"""

from __future__ import annotations

import hashlib
import html
import json
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ASSETS = Path(__file__).resolve().parent / "static_widgets"
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
WIDGET_DIR = "_widgets"
JS_FILE = "cheap-static.js"
CSS_FILE = "cheap-static.css"


def _mime() -> str:
    from cheaplib.widgets import STATIC_MIME

    return STATIC_MIME


def fingerprint(manifest: dict[str, Any]) -> str:
    """Hash of what a widget's pictures depend on: manifest, cheaplib code, libraries."""
    h = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode())
    for path in sorted((ROOT / "cheaplib").rglob("*.py")):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    for dist in ("numpy", "scipy", "matplotlib", "pillow", "scikit-learn"):
        try:
            h.update(f"{dist}=={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            pass
    return h.hexdigest()[:16]


def render_states(outdir: Path, name: str) -> tuple[int, float, bool]:
    """Render every static state of widget ``name`` into ``outdir/_widgets/name``.

    Returns ``(number of states, seconds, rendered)``; ``rendered`` is false when the
    pictures on disk were already current.
    """
    from cheaplib.widgets import (
        all_specs,
        state_key,
        state_values,
        static_manifest,
        static_states,
        widget_png,
    )

    spec = all_specs()[name]
    manifest = static_manifest(spec)
    folder = Path(outdir) / WIDGET_DIR / name
    index_path = folder / "states.json"
    stamp = fingerprint(manifest)
    _, states = static_states(spec)
    if index_path.exists():
        try:
            old = json.loads(index_path.read_text(encoding="utf-8"))
        except ValueError:
            old = {}
        files = [folder / s["file"] for s in old.get("states", {}).values() if "file" in s]
        if old.get("fingerprint") == stamp and all(f.exists() for f in files):
            return len(states), 0.0, False
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    index: dict[str, Any] = {}
    for state in states:
        key = state_key(state)
        try:
            fig, summary = spec.render(**state_values(spec, state))
        except ValueError as exc:
            index[key] = {"error": str(exc)}
            continue
        (folder / f"{key}.png").write_bytes(widget_png(spec, fig))
        index[key] = {"file": f"{key}.png", "summary": summary}
    payload = {"fingerprint": stamp, "widget": name, "states": index}
    index_path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return len(states), time.perf_counter() - t0, True


# --- HTML of one widget --------------------------------------------------------------------


def widget_html(manifest: dict[str, Any], root: str, alt: str) -> str:
    """The static control's markup; ``root`` is the relative path to the HTML root."""
    from cheaplib.widgets import state_key

    name = manifest["widget"]
    base = f"{root}{WIDGET_DIR}/{name}/"
    default = state_key(tuple(c["default"] for c in manifest["controls"]))
    data = html.escape(json.dumps(manifest, ensure_ascii=False, sort_keys=True), quote=True)
    alt = html.escape(alt or f"The widget {manifest['title']} at its default settings")
    return (
        f'<div class="cheap-static" data-widget="{html.escape(name)}" data-base="{base}" '
        f'data-manifest="{data}">'
        '<div class="cheap-static-controls"></div>'
        '<div class="cheap-static-summary" aria-live="polite"></div>'
        f'<img class="cheap-static-figure" src="{base}{default}.png" alt="{alt}" '
        'loading="lazy" decoding="async">'
        "</div>"
    )


class StaticWidgetMime:
    """myst-nb mime render plugin for the static manifest (see the module docstring)."""

    mime_priority_overrides = [(b, None, 1) for b in HTML_BUILDERS]  # filled in setup

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> Any:
        from docutils import nodes

        if data.mime_type != _mime():
            return None
        if inline:
            return []
        manifest = json.loads(data.string)
        env = renderer.renderer.sphinx_env
        docname = env.docname
        root = "../" * docname.count("/")
        alt = ((data.cell_metadata.get("mystnb") or {}).get("image") or {}).get("alt", "")
        _check_manifest(manifest, renderer, data)
        shown = env.__dict__.setdefault("cheap_static_widgets", {})
        shown.setdefault(docname, set()).add(manifest["widget"])
        raw = nodes.raw("", widget_html(manifest, root, alt), format="html")
        raw["classes"] += ["output", "cheap-static-output"]
        return [raw]


def _check_manifest(manifest: dict[str, Any], renderer: Any, data: Any) -> None:
    from cheaplib.widgets import all_specs, static_manifest

    specs = all_specs()
    name = manifest.get("widget")
    if name not in specs:
        renderer.logger.warning(f"static widget {name!r} is not in cheaplib", line=data.line)
    elif static_manifest(specs[name]) != manifest:
        renderer.logger.warning(
            f"static widget {name!r}: the notebook's manifest is stale (re-execute it)",
            line=data.line,
        )


# --- Sphinx wiring -------------------------------------------------------------------------


def _install_plugin() -> None:
    import myst_nb.core.render as render

    original = render.load_mime_renders
    if getattr(original, "_cheap_static", False):
        return

    def load_mime_renders() -> list[Any]:
        return [*original(), StaticWidgetMime]

    load_mime_renders._cheap_static = True  # type: ignore[attr-defined]
    render.load_mime_renders = load_mime_renders


def _config_inited(app: Any, config: Any) -> None:
    config.html_static_path = [*config.html_static_path, str(ASSETS)]


def _purge(app: Any, env: Any, docname: str) -> None:
    env.__dict__.get("cheap_static_widgets", {}).pop(docname, None)


def _merge(app: Any, env: Any, docnames: Any, other: Any) -> None:
    mine = env.__dict__.setdefault("cheap_static_widgets", {})
    for doc, names in other.__dict__.get("cheap_static_widgets", {}).items():
        if doc in docnames:
            mine[doc] = names


def _page_context(app: Any, pagename: str, templatename: str, context: Any, doctree: Any):
    if app.env.__dict__.get("cheap_static_widgets", {}).get(pagename):
        app.add_js_file(JS_FILE, defer="defer")
        app.add_css_file(CSS_FILE)


def _build_finished(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    from sphinx.util import logging

    log = logging.getLogger(__name__)
    names = sorted(set().union(*app.env.__dict__.get("cheap_static_widgets", {}).values()))
    for name in names:
        count, seconds, rendered = render_states(Path(app.outdir), name)
        what = f"rendered in {seconds:.1f} s" if rendered else "up to date"
        log.info(f"static widget {name}: {count} states {what}")


def setup(app: Any) -> dict[str, Any]:
    mime = _mime()
    StaticWidgetMime.mime_priority_overrides = [(b, mime, 1) for b in HTML_BUILDERS]
    _install_plugin()
    app.connect("config-inited", _config_inited)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    from cheaplib.widgets import all_specs

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__.splitlines()[-1])
        return 2
    outdir, names = Path(args[0]), args[1:] or sorted(all_specs())
    for name in names:
        count, seconds, rendered = render_states(outdir, name)
        what = f"{seconds:.1f} s" if rendered else "up to date"
        print(f"{name}: {count} states, {what}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
