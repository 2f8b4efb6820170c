"""Every chapter page of the built book has kernel-free widgets that move, offline.

The build renders every state of every widget once (``tools/widget_states.py``); these
tests check, with headless Chromium, that the page shows the right one:

* over HTTP from 127.0.0.1, each static control of each chapter is moved with the keyboard
  (Home, ArrowRight) or by picking an option, to a sample of its positions — both ends
  and the middle of every slider, every option of every select — and after each move the
  picture shown is the build's file for that state, its summary the render's, and, for
  each sampled state, the picture is pixel for pixel what the widget's render draws for
  that state in this process (``widget_png``); moving one control in a grid widget keeps
  the others where they are;
* opened from disk (``file://``, where browsers refuse ``fetch``), the same controls move
  the picture on every chapter page;
* what a widget adds to a page before anyone touches it (script, style, summaries,
  default picture) stays under 200 kB per chapter.
"""

from __future__ import annotations

import html
import io
import re

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
        index = read_states(folder)["states"]
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


def _check_shown(page, root, spec, state, base_url: str, built_book) -> None:
    """The page shows ``state``: its file, its summary, and the render's pixels."""
    key = state_key(state)
    _wait_state(page, root, key)
    if root.get_attribute("data-error") == key:  # the render refuses this combination
        with pytest.raises(ValueError):
            spec.render(**state_values(spec, state))
        assert "Not available" in root.locator(".cheap-static-summary").inner_text()
        return
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
    if control["kind"] == "select":
        return list(range(n))
    return sorted({0, n // 2, n - 1})


def _move(root, control: dict, position: int) -> None:
    el = root.locator(f'[data-control="{control["name"]}"]')
    if control["kind"] == "select":
        el.select_option(str(position))
        return
    el.focus()
    el.press("Home")
    for _ in range(position):
        el.press("ArrowRight")


def _visit_sample(page, root, spec, base_url: str, built_book) -> int:
    """Move each control to its sampled positions, checking every picture; count them."""
    manifest = static_manifest(spec)
    mode, _ = static_states(spec)
    default = tuple(c["default"] for c in manifest["controls"])
    root.scroll_into_view_if_needed()
    _check_shown(page, root, spec, default, base_url, built_book)
    seen = 1
    for i, control in enumerate(manifest["controls"]):
        for j in sample_positions(control):
            _move(root, control, j)
            if mode == "axis":  # one control off its default at a time
                state = default[:i] + (j,) + default[i + 1 :]
            else:  # the grid: the other controls keep their positions
                state = tuple(
                    root.locator("[data-control]").evaluate_all(
                        "els => els.map(e => parseInt(e.value, 10))"
                    )
                )
                assert state[:i] + state[i + 1 :] == default[:i] + default[i + 1 :], state
            _check_shown(page, root, spec, state, base_url, built_book)
            seen += 1
        _move(root, control, control["default"])  # back before moving the next one
    _check_shown(page, root, spec, default, base_url, built_book)
    return seen


@pytest.mark.browser
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_static_control_shows_the_render_of_its_state(
    book_server, browser, built_book, chapter
):
    p = OfflinePage(browser, viewport=(1280, 900))
    try:
        page = p.page
        page.goto(f"{book_server}/chapters/{chapter}.html", wait_until="load")
        roots = page.locator(".cheap-static")
        assert roots.count() >= 1, f"{chapter}: no kernel-free widget on the page"
        for r in range(roots.count()):
            root = roots.nth(r)
            spec = SPECS[root.get_attribute("data-widget")]
            assert _visit_sample(page, root, spec, book_server, built_book) >= 3
        assert not p.blocked, f"the page tried to fetch: {p.blocked}"
    finally:
        p.close()


@pytest.mark.browser
def test_static_controls_work_opened_from_disk(browser, built_book):
    """From ``file://`` every chapter's controls still swap the picture and the summary."""
    p = OfflinePage(browser, viewport=(1280, 900))
    errors: list[str] = []
    p.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page = p.page
        for chapter in CHAPTERS:
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
            assert src.endswith(f"/{state_key(state)}.png") or root.get_attribute(
                "data-error"
            ) == state_key(state), (chapter, src)
        assert not errors, f"console errors opened from disk: {errors}"
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


@pytest.mark.browser
def test_static_controls_are_touch_sized_on_a_phone(book_server, browser):
    """Every static control is at least 32 px tall at 390 px (a thumb's target)."""
    p = OfflinePage(browser, viewport=(390, 844))
    try:
        page = p.page
        small = []
        for chapter in CHAPTERS:
            page.goto(f"{book_server}/chapters/{chapter}.html", wait_until="load")
            heights = page.evaluate(
                "() => Array.from(document.querySelectorAll('.cheap-static [data-control]'),"
                " e => [e.getAttribute('data-control'), e.getBoundingClientRect().height])"
            )
            assert heights, f"{chapter}: no static control"
            small += [(chapter, name, h) for name, h in heights if h < 32]
        assert not small, f"controls under 32 px tall at 390 px: {small}"
    finally:
        p.close()
