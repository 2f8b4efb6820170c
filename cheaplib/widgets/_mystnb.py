"""How a widget's static manifest shows in a myst-nb HTML build (a mime render plugin).

:func:`cheaplib.widgets.static_figure` displays, beside the usual PNG of a figure, the
widget's manifest under the mime type :data:`cheaplib.widgets.STATIC_MIME`.  JupyterLab
and Colab ignore that mime type; myst-nb, in an HTML build, renders it with
:class:`StaticWidgetMime`, which this package declares under myst-nb's entry point group
``myst_nb.mime_renderers`` (``pyproject.toml``): a ``<div class="cheap-static">`` holding
the default picture and the manifest, which the book's script (``cheap-static.js``, added
by the Sphinx extension ``tools/widget_states.py``) turns into one range slider or select
per control.  Other builders (the LaTeX one, say) keep the PNG.

Docutils is imported only when myst-nb calls the plugin: importing :mod:`cheaplib` never
loads Sphinx.
"""

from __future__ import annotations

import html
import json
from typing import Any

from cheaplib.widgets import STATIC_MIME, all_specs, state_key, static_manifest

__all__ = ["HTML_BUILDERS", "WIDGET_DIR", "StaticWidgetMime", "widget_html"]

HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
"""Builders in which the manifest is rendered as a kernel-free control."""
WIDGET_DIR = "_widgets"
"""Folder of the HTML output that holds each widget's pictures and states."""
ENV_KEY = "cheap_static_widgets"
"""Attribute of the Sphinx environment: docname -> names of the widgets it shows."""


def widget_html(manifest: dict[str, Any], root: str, alt: str) -> str:
    """The static control's markup.

    Parameters
    ----------
    manifest : dict
        The widget's manifest (:func:`cheaplib.widgets.static_manifest`).
    root : str
        Relative path from the page to the HTML root (``""`` or ``"../"`` ...).
    alt : str
        Alternative text of the picture; a default naming the widget when empty.

    Returns
    -------
    str
        HTML: the widget's ``div`` with its data attributes and default picture.
    """
    if not isinstance(manifest, dict) or "widget" not in manifest:
        raise TypeError("manifest must be a widget manifest (a dict with 'widget')")
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


def _check_manifest(manifest: dict[str, Any], renderer: Any, data: Any) -> None:
    specs = all_specs()
    name = manifest.get("widget")
    if name not in specs:
        renderer.logger.warning(f"static widget {name!r} is not in cheaplib", line=data.line)
    elif static_manifest(specs[name]) != manifest:
        renderer.logger.warning(
            f"static widget {name!r}: the notebook's manifest is stale (re-execute it)",
            line=data.line,
        )


class StaticWidgetMime:
    """myst-nb mime render plugin for the static manifest (see the module docstring).

    A stale manifest (one that differs from the current spec) or an unknown widget is a
    build warning, so ``jupyter-book build -W`` fails on notebooks not re-executed.
    """

    mime_priority_overrides = [(b, STATIC_MIME, 1) for b in HTML_BUILDERS]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> Any:
        """Render the manifest as the kernel-free control (``None`` for other mime types)."""
        from docutils import nodes

        if data.mime_type != STATIC_MIME:
            return None
        if inline:
            return []
        manifest = json.loads(data.string)
        env = renderer.renderer.sphinx_env
        docname = env.docname
        root = "../" * docname.count("/")
        alt = ((data.cell_metadata.get("mystnb") or {}).get("image") or {}).get("alt", "")
        _check_manifest(manifest, renderer, data)
        shown = env.__dict__.setdefault(ENV_KEY, {})
        shown.setdefault(docname, set()).add(manifest["widget"])
        raw = nodes.raw("", widget_html(manifest, root, alt), format="html")
        raw["classes"] += ["output", "cheap-static-output"]
        return [raw]
