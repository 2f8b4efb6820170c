"""Every chapter page of the built book has kernel-free widgets that move, offline.

The build renders every state of every widget once (``tools/widget_states.py``); these
tests check, with headless Chromium, that the page shows the right one:

* over HTTP from 127.0.0.1 (:func:`static_widget_checks`, run on the desktop load of each
  chapter page in test_pages.py), each static control of each chapter is moved with the keyboard
  (Home, ArrowRight) or by picking an option, to a sample of its positions — both ends
  and the middle of every slider, every option of every select — and after each move the
  picture shown is the build's file for that state, its summary the render's, and, for
  each sampled state, the picture is pixel for pixel what the widget's render draws for
  that state in this process (``widget_png``); every state is a picture (the build
  renders the full grid, no "not available"), and moving one control leaves every other
  control's value where it was, also after the others were moved off their defaults;
* opened from disk (``file://``, where browsers refuse ``fetch``), the controls move the
  picture: on one chapter per kind of first control (slider, select), the loading being
  the same script for every chapter;
* what a widget adds to a page before anyone touches it (script, style, summaries,
  default picture) stays under 200 kB per chapter (measured on the load whose controls
  are then moved);
* at 390 px (a phone) every control is at least 32 px tall and every widget picture's
  smallest text is at least 9 CSS px: the figure's smallest font size in points times
  the picture's displayed width over the figure's width in points (:func:`phone_checks`,
  run on the phone pass of each chapter page in test_pages.py, which loads it anyway).
"""

from __future__ import annotations

import functools
import html
import io
import re
from typing import Any

import numpy as np
import pytest

from cheaplib.widgets import (
    all_specs,
    state_key,
    state_values,
    static_manifest,
    static_states,
    widget_png,
)
from tools.widget_states import read_states

from .conftest import ROOT, OfflinePage

CHAPTERS = [p.stem for p in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))]
MAX_EXTRA_BYTES = 200_000
SPECS = all_specs()


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@functools.lru_cache(maxsize=256)
def _expected_of(name: str, state: tuple[int, ...]) -> tuple[np.ndarray, str]:
    spec = SPECS[name]
    fig, summary = spec.render(**state_values(spec, state))
    return _pixels(widget_png(spec, fig)), summary


def _expected(spec, state):
    """The render's pixels and summary for ``state``, drawn once per test process (a
    visit shows some states more than once: the default, and the state away from it)."""
    return _expected_of(spec.name, tuple(state))


def test_every_chapter_page_has_a_static_control(built_book):
    missing = [c for c in CHAPTERS if 'class="cheap-static"' not in (
        built_book / "chapters" / f"{c}.html"
    ).read_text(encoding="utf-8")]  # fmt: skip
    assert not missing, f"chapter pages without a kernel-free widget: {missing}"
    for name, spec in SPECS.items():
        states = static_states(spec)
        folder = built_book / "_widgets" / name
        index = read_states(folder)["states"]
        assert set(index) == {state_key(s) for s in states}, f"{name}: states not rendered"
        for key, entry in index.items():
            assert "error" not in entry, f"{name} state {key} has no picture: {entry}"
            assert (folder / entry["file"]).exists(), (name, key)


def _wait_state(page, root, key: str) -> None:
    handle = root.element_handle()
    page.wait_for_function(
        """([el, key]) => {
            const img = el.querySelector('img.cheap-static-figure');
            return el.getAttribute('data-state') === key && img.complete
                && img.naturalWidth > 0;
        }""",
        arg=[handle, key],
        timeout=20_000,
    )


def _check_shown(page, root, spec, state, base_url: str, built_book) -> None:
    """The page shows ``state``: its file, its summary, and the render's pixels."""
    key = state_key(state)
    _wait_state(page, root, key)
    assert "Not available" not in root.locator(".cheap-static-summary").inner_text()
    src = root.locator("img.cheap-static-figure").evaluate("img => img.currentSrc")
    assert src.endswith(f"/_widgets/{spec.name}/{key}.png"), (spec.name, key, src)
    assert src.startswith(base_url)
    shown = _pixels((built_book / "_widgets" / spec.name / f"{key}.png").read_bytes())
    want, summary = _expected(spec, state)
    assert shown.shape == want.shape, f"{spec.name} {key}: size {shown.shape} != {want.shape}"
    differ = int(np.any(shown != want, axis=-1).sum())
    assert differ == 0, f"{spec.name} state {key}: {differ} pixels differ from render"
    text = " ".join(root.locator(".cheap-static-summary").inner_text().split())
    want_text = " ".join(re.sub(r"<[^>]+>", "", html.unescape(summary)).split())
    assert text == want_text, f"{spec.name} state {key}: summary {text!r} != {want_text!r}"


def sample_positions(control: dict) -> list[int]:
    """The positions a test visits: every option of a select; a slider's ends and middle."""
    n = len(control["labels"])
    if control["kind"] == "fixed":
        return []
    if control["kind"] == "select":
        return list(range(n))
    return sorted({0, n // 2, n - 1})


def _move(root, control: dict, position: int) -> None:
    if control["kind"] == "fixed":  # shown as text: nothing to move
        assert position == 0
        return
    el = root.locator(f'[data-control="{control["name"]}"]')
    if control["kind"] == "select":
        el.select_option(str(position))
        return
    # The keys a reader uses: Home or End, then arrows from the nearer end (focus once,
    # then plain key presses).
    el.focus()
    last = len(control["labels"]) - 1
    keyboard = el.page.keyboard
    if position <= last - position:
        keyboard.press("Home")
        for _ in range(position):
            keyboard.press("ArrowRight")
    else:
        keyboard.press("End")
        for _ in range(last - position):
            keyboard.press("ArrowLeft")


def _positions_shown(root, manifest: dict) -> tuple[int, ...]:
    """Each control's position as the page shows it (a fixed control is at 0)."""
    shown = dict(
        root.locator("[data-control]").evaluate_all(
            "els => els.map(e => [e.getAttribute('data-control'), parseInt(e.value, 10)])"
        )
    )
    return tuple(shown.get(c["name"], 0) for c in manifest["controls"])


def _visit_sample(page, root, spec, base_url: str, built_book) -> int:
    """Move each control to its sampled positions, checking every picture; count them.

    The other controls are first put off their defaults where they can be (each to its
    last position, in order), so a move that reset them would show.
    """
    manifest = static_manifest(spec)
    controls = manifest["controls"]
    default = tuple(c["default"] for c in controls)
    root.scroll_into_view_if_needed()
    _check_shown(page, root, spec, default, base_url, built_book)
    seen = 1
    # away from the defaults: every movable control to an end other than its default
    away = tuple(
        (0 if c["default"] else len(c["labels"]) - 1) if c["kind"] != "fixed" else 0
        for c in controls
    )
    for i, control in enumerate(controls):
        _move(root, control, away[i])
        state = away[: i + 1] + default[i + 1 :]
        assert _positions_shown(root, manifest) == state, f"{spec.name}: a move reset a control"
    _check_shown(page, root, spec, away, base_url, built_book)
    seen += 1
    for i, control in enumerate(controls):
        for j in sample_positions(control):
            _move(root, control, j)
            state = away[:i] + (j,) + away[i + 1 :]  # the others keep their positions
            assert _positions_shown(root, manifest) == state, (
                f"{spec.name}: moving {control['name']} to {j} changed another control"
            )
            _check_shown(page, root, spec, state, base_url, built_book)
            seen += 1
        _move(root, control, away[i])  # back before moving the next one
    for control in controls:
        _move(root, control, control["default"])
    _check_shown(page, root, spec, default, base_url, built_book)
    return seen


def _default_key(spec) -> str:
    return state_key(tuple(c["default"] for c in static_manifest(spec)["controls"]))


def widget_weight_recorder() -> tuple[dict[str, int], Any]:
    """``(sizes, on_response)``: attach ``on_response`` to a page before it loads; ``sizes``
    then maps each widget file fetched (script, style, states, pictures) to its bytes."""
    sizes: dict[str, int] = {}

    def record(response) -> None:
        url = response.url
        if "/_widgets/" in url or "cheap-static" in url:
            try:
                sizes[url] = len(response.body())
            except Exception:  # a redirect or an aborted request has no body
                sizes[url] = 0

    return sizes, record


def static_widget_checks(page, chapter: str, base_url: str, built_book, sizes) -> None:
    """On a chapter page just loaded over HTTP (test_pages runs this on its desktop load,
    the widget files recorded from the start): before any move, the widget files weigh
    little; then every sampled move shows the render of its state."""
    roots = page.locator(".cheap-static")
    assert roots.count() >= 1, f"{chapter}: no kernel-free widget on the page"
    for r in range(roots.count()):  # scrolling (not touching) loads the lazy parts
        root = roots.nth(r)
        root.scroll_into_view_if_needed()
        _wait_state(page, root, _default_key(SPECS[root.get_attribute("data-widget")]))
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    print(f"{chapter}: {total / 1000:.1f} kB of widget files before interaction: {sizes}")
    assert total < MAX_EXTRA_BYTES, f"{chapter}: {total} bytes: {sizes}"
    assert any("cheap-static.js" in u for u in sizes), sizes
    for r in range(roots.count()):
        root = roots.nth(r)
        spec = SPECS[root.get_attribute("data-widget")]
        assert _visit_sample(page, root, spec, base_url, built_book) >= 3


def _from_disk_sample(built_book) -> list[str]:
    """One chapter per kind of first control (slider, select): from disk, every chapter
    loads its states the same way (a ``states.js`` script beside its pictures, which the
    HTTP test above loads for every chapter); what differs is the control moved."""
    by_kind: dict[str, str] = {}
    for chapter in CHAPTERS:
        page = (built_book / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
        name = re.search(r'data-widget="([^"]+)"', page)
        assert name, f"{chapter}: no kernel-free widget on the page"
        kind = static_manifest(SPECS[name[1]])["controls"][0]["kind"]
        by_kind.setdefault(kind, chapter)
    return sorted(by_kind.values())


@pytest.mark.browser
def test_static_controls_work_opened_from_disk(browser, built_book):
    """From ``file://`` a slider and a select still swap the picture (one chapter each)."""
    p = OfflinePage(browser, viewport=(1280, 900))
    errors: list[str] = []
    p.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page = p.page
        for chapter in _from_disk_sample(built_book):
            url = (built_book / "chapters" / f"{chapter}.html").as_uri()
            page.goto(url, wait_until="load")
            roots = page.locator(".cheap-static")
            assert roots.count() >= 1, f"{chapter}: no kernel-free widget on the page"
            root = roots.first
            spec = SPECS[root.get_attribute("data-widget")]
            control = static_manifest(spec)["controls"][0]
            default = tuple(c["default"] for c in static_manifest(spec)["controls"])
            root.scroll_into_view_if_needed()
            _wait_state(page, root, state_key(default))
            target = 0 if control["default"] else len(control["labels"]) - 1
            _move(root, control, target)
            state = (target, *default[1:])
            _wait_state(page, root, state_key(state))
            src = root.locator("img.cheap-static-figure").evaluate("img => img.currentSrc")
            assert src.startswith("file://"), src
            assert src.endswith(f"/{state_key(state)}.png"), (chapter, src)
        assert not errors, f"console errors opened from disk: {errors}"
        assert not p.blocked, f"the page tried to fetch: {p.blocked}"
    finally:
        p.close()


def smallest_font_points(spec) -> tuple[float, float]:
    """``(smallest font size, figure width)`` in points of a widget's default picture.

    Every state draws the same texts at the same sizes (the view updates what they say),
    so the default stands for all.  The sizes are those after the draw, which raises
    small text (:class:`cheaplib.plotting.BookFigure`).
    """
    from matplotlib.text import Text

    fig, _ = spec.render(**spec.defaults)
    widget_png(spec, fig)
    sizes = [
        float(t.get_fontsize())
        for t in fig.findobj(match=Text)
        if t.get_visible() and t.get_text().strip()
    ]
    return min(sizes), float(fig.get_figwidth()) * 72.0


def phone_checks(page, chapter: str) -> tuple[list, dict[str, float]]:
    """On a chapter page shown 390 px wide: controls under 32 px, and each widget's
    smallest picture text in CSS px (test_pages runs this on its phone pass).

    Text of ``s`` points in a figure ``W`` points wide, shown ``D`` CSS px wide, is
    ``s * D / W`` CSS px: ``D`` is measured in the page, ``s`` and ``W`` in the render.
    """
    heights = page.evaluate(
        "() => Array.from(document.querySelectorAll('.cheap-static [data-control]'),"
        " e => [e.getAttribute('data-control'), e.getBoundingClientRect().height])"
    )
    assert heights, f"{chapter}: no static control"
    short = [(chapter, name, h) for name, h in heights if h < 32]
    measured = {}
    roots = page.locator(".cheap-static")
    for r in range(roots.count()):
        root = roots.nth(r)
        root.scroll_into_view_if_needed()
        name = root.get_attribute("data-widget")
        _wait_state(page, root, _default_key(SPECS[name]))
        shown = root.locator("img.cheap-static-figure").evaluate(
            "img => img.getBoundingClientRect().width"
        )
        points, width = smallest_font_points(SPECS[name])
        measured[name] = round(points * shown / width, 1)
    return short, measured
