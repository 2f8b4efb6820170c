"""Every chapter page of the built book has kernel-free widgets that move, offline.

For each chapter page served from ``_build/html`` on 127.0.0.1, headless Chromium scrolls
to each static control (``tools/widget_states.py``), moves every slider through every
position with the keyboard (Home, then ArrowRight) and picks every option of every select,
and after each move checks that the picture shown is, pixel for pixel, what the widget's
render function draws for that state in this process (``widget_png``), and that the
summary is the render's.  It also weighs what the widget adds to the page before anyone
touches it (script, style, summaries, default picture): under 200 kB per chapter.
"""

from __future__ import annotations

import html
import io
import json
import re
import urllib.request

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

from .conftest import ROOT, OfflinePage

CHAPTERS = [p.stem for p in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))]
MAX_EXTRA_BYTES = 200_000
SPECS = all_specs()


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _expected(spec, state):
    fig, summary = spec.render(**state_values(spec, state))
    return _pixels(widget_png(spec, fig)), summary


def test_every_chapter_page_has_a_static_control(built_book):
    missing = [c for c in CHAPTERS if 'class="cheap-static"' not in (
        built_book / "chapters" / f"{c}.html"
    ).read_text(encoding="utf-8")]  # fmt: skip
    assert not missing, f"chapter pages without a kernel-free widget: {missing}"
    for name, spec in SPECS.items():
        _, states = static_states(spec)
        folder = built_book / "_widgets" / name
        index = json.loads((folder / "states.json").read_text(encoding="utf-8"))["states"]
        assert set(index) == {state_key(s) for s in states}, f"{name}: states not rendered"
        for key, entry in index.items():
            assert "error" in entry or (folder / entry["file"]).exists(), (name, key)


def _wait_state(page, root, key: str) -> None:
    handle = root.element_handle()
    page.wait_for_function(
        """([el, key]) => {
            const img = el.querySelector('img.cheap-static-figure');
            if (el.getAttribute('data-error') === key) { return true; }
            return el.getAttribute('data-state') === key && img.complete
                && img.naturalWidth > 0;
        }""",
        arg=[handle, key],
        timeout=20_000,
    )


def _check_shown(page, root, spec, state, base_url: str) -> None:
    key = state_key(state)
    _wait_state(page, root, key)
    if root.get_attribute("data-error") == key:  # the render refuses this combination
        with pytest.raises(ValueError):
            spec.render(**state_values(spec, state))
        assert "Not available" in root.locator(".cheap-static-summary").inner_text()
        return
    src = root.locator("img.cheap-static-figure").evaluate("img => img.currentSrc")
    assert src.endswith(f"/{key}.png"), (spec.name, key, src)
    assert src.startswith(base_url)
    with urllib.request.urlopen(src, timeout=10) as r:
        shown = _pixels(r.read())
    want, summary = _expected(spec, state)
    assert shown.shape == want.shape, f"{spec.name} {key}: size {shown.shape} != {want.shape}"
    differ = int(np.any(shown != want, axis=-1).sum())
    assert differ == 0, f"{spec.name} state {key}: {differ} pixels differ from render"
    text = " ".join(root.locator(".cheap-static-summary").inner_text().split())
    want_text = " ".join(re.sub(r"<[^>]+>", "", html.unescape(summary)).split())
    assert text == want_text, f"{spec.name} state {key}: summary {text!r} != {want_text!r}"


@pytest.mark.browser
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_static_control_shows_the_render_of_its_state(book_server, browser, chapter):
    p = OfflinePage(browser, viewport=(1280, 900))
    try:
        page = p.page
        page.goto(f"{book_server}/chapters/{chapter}.html", wait_until="load")
        roots = page.locator(".cheap-static")
        assert roots.count() >= 1, f"{chapter}: no kernel-free widget on the page"
        for r in range(roots.count()):
            root = roots.nth(r)
            spec = SPECS[root.get_attribute("data-widget")]
            manifest = static_manifest(spec)
            mode, _ = static_states(spec)
            default = tuple(c["default"] for c in manifest["controls"])
            root.scroll_into_view_if_needed()
            _check_shown(page, root, spec, default, book_server)
            for i, control in enumerate(manifest["controls"]):
                el = root.locator(f'[data-control="{control["name"]}"]')
                n = len(control["labels"])
                for j in range(n):
                    if control["kind"] == "select":
                        el.select_option(str(j))
                    elif j == 0:
                        el.focus()
                        el.press("Home")
                    else:
                        el.press("ArrowRight")
                    state = default[:i] + (j,) + default[i + 1 :]
                    if mode == "axis":
                        _check_shown(page, root, spec, state, book_server)
                    else:  # the grid: the other controls keep their positions
                        idx = root.locator("[data-control]").evaluate_all(
                            "els => els.map(e => parseInt(e.value, 10))"
                        )
                        _check_shown(page, root, spec, tuple(idx), book_server)
                # put the control back before moving the next one
                if control["kind"] == "select":
                    el.select_option(str(control["default"]))
                else:
                    el.press("Home")
                    for _ in range(control["default"]):
                        el.press("ArrowRight")
                _check_shown(page, root, spec, default, book_server)
        assert not p.blocked, f"the page tried to fetch: {p.blocked}"
    finally:
        p.close()


@pytest.mark.browser
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_static_widgets_add_little_weight_before_interaction(book_server, browser, chapter):
    p = OfflinePage(browser, viewport=(1280, 900))
    sizes: dict[str, int] = {}

    def record(response) -> None:
        url = response.url
        if "/_widgets/" in url or "cheap-static" in url:
            try:
                sizes[url] = len(response.body())
            except Exception:  # a redirect or an aborted request has no body
                sizes[url] = 0

    try:
        page = p.page
        page.on("response", record)
        page.goto(f"{book_server}/chapters/{chapter}.html", wait_until="load")
        roots = page.locator(".cheap-static")
        for r in range(roots.count()):  # scrolling (not touching) loads the lazy parts
            root = roots.nth(r)
            root.scroll_into_view_if_needed()
            key = state_key(tuple(c["default"] for c in static_manifest(
                SPECS[root.get_attribute("data-widget")])["controls"]))  # fmt: skip
            _wait_state(page, root, key)
        page.wait_for_load_state("networkidle")
        total = sum(sizes.values())
        print(f"{chapter}: {total / 1000:.1f} kB of widget files before interaction: {sizes}")
        assert total < MAX_EXTRA_BYTES, f"{chapter}: {total} bytes: {sizes}"
        assert any("cheap-static.js" in u for u in sizes), sizes
    finally:
        p.close()
