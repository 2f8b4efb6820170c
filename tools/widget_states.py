"""Kernel-free widgets for the static book: a Sphinx extension (and a small CLI).

A chapter's static-figure cell (``static_figure(spec)``) displays the usual PNG and text
of a figure plus the widget's manifest, a short JSON text under the mime type
``cheaplib.widgets.STATIC_MIME`` (no picture in it, so the notebook's text is the same on
every machine).  myst-nb renders that mime type in HTML builds with the plugin that
cheaplib declares under myst-nb's entry point ``myst_nb.mime_renderers``
(``cheaplib.widgets._mystnb``): a ``<div class="cheap-static">`` holding the default
picture and the manifest.  This extension, loaded by ``_config.yml``
(``sphinx.local_extensions``):

1. adds ``cheap-static.js`` and ``cheap-static.css`` to the pages that show a widget; the
   script builds one range slider or select per control from the manifest and swaps the
   picture when a control moves.  Pictures are fetched only when shown
   (``loading="lazy"``), the summaries when the widget nears the viewport;
2. at the end of an HTML build renders every state of every widget the pages show, with
   the current cheaplib (``state_values`` -> ``spec.render`` -> ``widget_png``, the same
   bytes as the live widget), into ``_widgets/<name>/<state>.png``, and their summaries
   into ``_widgets/<name>/states.js``.  That file is a script, not JSON to fetch, so the
   book works opened from disk (``file://``, where browsers refuse ``fetch``): the page
   adds it as a ``<script>`` element, and it registers its states in
   ``window.cheapStaticStates``.  The states are those of
   ``cheaplib.widgets.static_states`` (the full grid; the rule that bounds it is in that
   module's docstring).  A state whose render raises fails the build: the static book
   has no holes.  A widget whose sources did not change since the last build (same
   fingerprint: manifest, cheaplib sources, library versions) is not rendered again, and
   each state is drawn once for all builders: into ``_build/.widget-states`` (next to the
   output folders), copied from there into ``_build/html`` and ``_build/singlehtml``.

CLI: ``python -m tools.widget_states OUTDIR [NAME ...]`` renders states without Sphinx.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from cheaplib.widgets._mystnb import ENV_KEY, HTML_BUILDERS, WIDGET_DIR

ROOT = Path(__file__).resolve().parents[1]
ASSETS = Path(__file__).resolve().parent / "static_widgets"
JS_FILE = "cheap-static.js"
CSS_FILE = "cheap-static.css"
STATES_FILE = "states.js"
#: Next to the builders' output folders: each state drawn once for all of them.
CACHE_DIR = ".widget-states"
_PREFIX = "(window.cheapStaticStates = window.cheapStaticStates || {})[%s] = "


def states_script(payload: dict[str, Any]) -> str:
    """The text of ``states.js``: registers ``payload`` under the widget's name."""
    name = json.dumps(payload["widget"])
    return _PREFIX % name + json.dumps(payload, ensure_ascii=False) + ";\n"


def read_states(folder: Path) -> dict[str, Any]:
    """The payload a ``states.js`` registers (fingerprint, widget, states), or ``{}``."""
    path = Path(folder) / STATES_FILE
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("] = ")
    if not sep or not head.startswith(_PREFIX.split("[")[0]):
        return {}
    try:
        return json.loads(rest.rstrip().rstrip(";"))
    except ValueError:
        return {}


def fingerprint(manifest: dict[str, Any]) -> str:
    """Hash of what a widget's pictures depend on: manifest, cheaplib code, libraries, and
    this module (which draws and checks them)."""
    h = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode())
    for path in [*sorted((ROOT / "cheaplib").rglob("*.py")), Path(__file__).resolve()]:
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    for dist in ("numpy", "scipy", "matplotlib", "pillow", "scikit-learn"):
        try:
            h.update(f"{dist}=={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            pass
    return h.hexdigest()[:16]


def _current(folder: Path, stamp: str) -> bool:
    """Whether ``folder`` holds every picture of the states of fingerprint ``stamp``."""
    old = read_states(folder)
    if not old or old.get("fingerprint") != stamp:
        return False
    return all((folder / s["file"]).exists() for s in old.get("states", {}).values())


def render_states(outdir: Path, name: str, cache: Path | None = None) -> tuple[int, float, bool]:
    """Render every static state of widget ``name`` into ``outdir/_widgets/name``.

    Returns ``(number of states, seconds, rendered)``; ``rendered`` is false when the
    pictures on disk were already current.  With ``cache`` (a folder), the pictures are
    drawn once into ``cache/name`` and copied from there: the HTML book and the
    single-page HTML of the PDF share one drawing of each state.  A widget with a
    ``view`` is drawn as the live widget draws it, one figure updated in place (the same
    PNG bytes as a fresh render: the view's contract, tested for every view).

    Raises
    ------
    ValueError
        If a state's render raises ``ValueError``: every state of the grid must have a
        picture (a combination the mathematics cannot do is drawn with its reason); or
        if a state's picture has a defect (:func:`figure_defects`: NaN data, a text cut
        off or on another) or no summary.  Each state is checked where it is drawn, once.
    """
    from cheaplib.widgets import all_specs, static_manifest, static_states

    spec = all_specs()[name]
    stamp = fingerprint(static_manifest(spec))
    states = static_states(spec)
    folder = Path(outdir) / WIDGET_DIR / name
    if _current(folder, stamp):
        return len(states), 0.0, False
    if cache is None:
        return len(states), _draw(spec, states, stamp, folder), True
    kept = Path(cache) / name
    seconds = 0.0 if _current(kept, stamp) else _draw(spec, states, stamp, kept)
    folder.mkdir(parents=True, exist_ok=True)
    for old_png in folder.glob("*.png"):
        old_png.unlink()
    for path in kept.iterdir():
        shutil.copyfile(path, folder / path.name)
    return len(states), seconds, True


def _drawn_texts(fig: Any) -> list[tuple[str, Any]]:
    """``(text, window extent)`` of every text the last draw of ``fig`` showed.

    Tick labels count only for the ticks drawn: those inside the axis' view limits.
    """
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    ticks, drawn = set(), set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            eps = 1e-10 * max(abs(lo), abs(hi), hi - lo)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                labels = (tick.label1, tick.label2)
                ticks.update(id(t) for t in labels)
                if lo - eps <= tick.get_loc() <= hi + eps and tick.get_visible():
                    drawn.update(id(t) for t in labels if t.get_visible())
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for t in fig.findobj(match=Text)
        if t.get_visible() and t.get_text().strip() and (id(t) not in ticks or id(t) in drawn)
    ]


def nonfinite_artists(fig: Any) -> list[str]:
    """The plotted data of ``fig`` that is not finite: NaN or infinite points of a line or
    a collection, an image that is all NaN (an empty list when none)."""
    import numpy as np
    from matplotlib.collections import Collection
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D

    out = []
    for ax in fig.axes:
        for artist in ax.get_children():
            if isinstance(artist, Line2D):
                if not np.all(np.isfinite(np.asarray(artist.get_xydata(), dtype=float))):
                    out.append(f"NaN/inf in line {artist.get_label()!r}")
            elif isinstance(artist, AxesImage):
                image = np.ma.masked_invalid(np.asarray(artist.get_array(), dtype=float))
                if image.count() == 0:
                    out.append("image entirely NaN")
            elif isinstance(artist, Collection):
                if not np.all(np.isfinite(np.asarray(artist.get_offsets(), dtype=float))):
                    out.append("NaN/inf in a collection")
    return out


def figure_defects(fig: Any, slack: float = 1.0) -> list[str]:
    """What a reader could not read in a drawn figure (an empty list when nothing).

    NaN or infinite plotted data (:func:`nonfinite_artists`), and texts that stick out of
    the figure or overlap another text by more than ``slack`` pixels both ways (tick
    labels only where drawn).
    """
    out = nonfinite_artists(fig)
    width, height = fig.bbox.width, fig.bbox.height
    texts = _drawn_texts(fig)
    out += [
        f"clipped {s!r}"
        for s, b in texts
        if b.x0 < -slack or b.y0 < -slack or b.x1 > width + slack or b.y1 > height + slack
    ]
    for i, (s, a) in enumerate(texts):
        for t, b in texts[i + 1 :]:
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.y1, b.y1) - max(a.y0, b.y0)
            if w > slack and h > slack:
                out.append(f"{s!r} overlaps {t!r}")
    return out


def _draw(spec: Any, states: list, stamp: str, folder: Path) -> float:
    """Draw ``states`` of ``spec`` into ``folder`` (pictures and ``states.js``); seconds."""
    from cheaplib.widgets import state_key, state_values, widget_png

    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    index: dict[str, Any] = {}
    view = None  # one figure updated in place, as the live widget draws (same PNG bytes)
    for state in states:
        key = state_key(state)
        try:
            if spec.view is not None:
                view = view or spec.view()
                summary = view.update(**state_values(spec, state))
                fig = view.figure
            else:
                fig, summary = spec.render(**state_values(spec, state))
        except ValueError as exc:
            raise ValueError(f"widget {spec.name!r}: state {key} has no picture: {exc}") from exc
        (folder / f"{key}.png").write_bytes(widget_png(spec, fig))  # draws the figure
        defects = figure_defects(fig)
        if not summary or "not available" in summary.lower():
            defects.append(f"summary {summary!r}")
        if defects:
            raise ValueError(f"widget {spec.name!r}: state {key} is not legible: {defects}")
        index[key] = {"file": f"{key}.png", "summary": summary}
    for old_png in folder.glob("*.png"):  # states of an earlier grid: not shipped
        if old_png.stem not in index:
            old_png.unlink()
    payload = {"fingerprint": stamp, "widget": spec.name, "states": index}
    (folder / STATES_FILE).write_text(states_script(payload), encoding="utf-8")
    return time.perf_counter() - t0


# --- Sphinx wiring -------------------------------------------------------------------------


def _config_inited(app: Any, config: Any) -> None:
    config.html_static_path = [*config.html_static_path, str(ASSETS)]


def _purge(app: Any, env: Any, docname: str) -> None:
    env.__dict__.get(ENV_KEY, {}).pop(docname, None)


def _merge(app: Any, env: Any, docnames: Any, other: Any) -> None:
    mine = env.__dict__.setdefault(ENV_KEY, {})
    for doc, names in other.__dict__.get(ENV_KEY, {}).items():
        if doc in docnames:
            mine[doc] = names


def _page_context(app: Any, pagename: str, templatename: str, context: Any, doctree: Any):
    if app.env.__dict__.get(ENV_KEY, {}).get(pagename):
        app.add_js_file(JS_FILE, defer="defer")
        app.add_css_file(CSS_FILE)


def _build_finished(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    from sphinx.util import logging

    log = logging.getLogger(__name__)
    names = sorted(set().union(*app.env.__dict__.get(ENV_KEY, {}).values()))
    cache = Path(app.outdir).parent / CACHE_DIR  # shared by the builders of one _build
    for name in names:
        count, seconds, rendered = render_states(Path(app.outdir), name, cache)
        what = f"rendered in {seconds:.1f} s" if rendered else "up to date"
        log.info(f"static widget {name}: {count} states {what}")


def setup(app: Any) -> dict[str, Any]:
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
    sys.exit(main())
