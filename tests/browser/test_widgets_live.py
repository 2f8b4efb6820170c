"""The live widgets work in a real browser against a live kernel.

JupyterLab (installed by the project; one server for every JupyterLab test, the ``lab``
fixture of conftest.py) serves copies of the chapters on 127.0.0.1; two are run, whose
widgets cover the framework: ``02_hamiltonians`` (a log slider as the main control, a
dropdown, float sliders) and ``03_hierarchies`` (float and integer sliders).  Headless
Chromium opens both (one server, one browser, the two kernels running at once), runs
all cells as a reader would, then for each widget:

* the summary and the picture shown are those of ``spec.render`` for the default state
  (the summary's text, and the picture's PNG bytes with ``widget_png``);
* moving the main slider with the keyboard shows the render of the next position;
* picking another option of a dropdown shows the render of that state;
* (test_jupyterlab_refs.py counts, on these same pages, what their Markdown shows);
* no request leaves 127.0.0.1.

Nothing here is timed: the waits poll for readiness with generous deadlines (a kernel on
a busy machine is slow, not wrong); ``make bench`` (``tools/bench_widgets.py``) measures
the latency.  Before the notebook runs, a widget cell shows the live widget's text form,
not a stale ``VBox(children=...`` (checked on every committed chapter).  The server (with
its kernels) and the browser contexts are stopped by the tests.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from cheaplib.widgets import (
    Dropdown,
    all_specs,
    canonical_values,
    live_text,
    main_control_values,
    widget_png,
)
from tools.jupyterlab import wait_until, widget_root

from .conftest import LIVE, ROOT

# One worker runs every JupyterLab test (make browser: -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("jupyterlab")

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
READY_S = 240.0  # deadline for a notebook to run up to its widget (readiness, not speed)
UPDATE_S = 60.0  # deadline for a widget to show a new state


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_every_widget_is_shown_live_by_a_chapter():
    sources = {p.name: "\n".join(_code_cells(p)) for p in CHAPTERS}
    assert sources, "no chapter notebooks found"
    for name, text in sources.items():
        assert "build(" in text, f"{name} has no live widget cell"
    everything = "\n".join(sources.values())
    modules = {spec.render.__module__ for spec in all_specs().values()}
    missing = sorted(m for m in modules if m not in everything)
    assert not missing, f"widget modules that no chapter shows: {missing}"


def test_the_live_chapters_cover_the_framework():
    kinds = set()
    for name in LIVE.values():
        spec = all_specs()[name]
        for control in spec.controls:
            if isinstance(control, Dropdown):
                kinds.add("dropdown")
            else:
                kinds.add("log" if control.log else "int" if control.is_int else "float")
    assert kinds == {"dropdown", "log", "int", "float"}, kinds


def test_widget_cells_show_a_meaningful_text_before_running():
    specs = {spec.title: spec for spec in all_specs().values()}
    for path in CHAPTERS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] != "code" or "build(" not in src:
                continue
            for out in cell.get("outputs", []):
                text = "".join(out.get("data", {}).get("text/plain", ""))
                assert "VBox(" not in text, f"{path.name}: stale widget text {text[:60]!r}"
                if text:
                    assert text in {live_text(s) for s in specs.values()}, text


# The summary is HTML (entities such as &mu;): compare what the page shows of it.
TEXT_OF_HTML_JS = (
    "h => { const d = document.createElement('div'); d.innerHTML = h; return d.textContent; }"
)
PICTURE_JS = """async (img) => {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
        s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
}"""


class _Shown:
    """What a live widget shows: its summary text and its picture's bytes."""

    def __init__(self, page: Any, root: Any) -> None:
        self.page, self.root = page, root
        self.summary = root.locator(".cheap-widget-summary")
        self.image = root.locator("img.cheap-widget-figure")

    def text(self) -> str:
        return self.summary.evaluate("e => e.textContent").strip()

    def picture(self) -> bytes:
        return base64.b64decode(self.image.evaluate(PICTURE_JS))

    def expect(self, spec: Any, values: dict[str, Any], what: str) -> None:
        """Wait until the widget shows the render of ``values``; fail if it never does."""
        fig, summary = spec.render(**values)
        text = self.page.evaluate(TEXT_OF_HTML_JS, summary).strip()
        try:
            wait_until(lambda: self.text() == text, UPDATE_S, f"{what}: summary")
        except TimeoutError:
            pytest.fail(
                f"{spec.name}, {what}: the summary shows {self.text()!r}, the render of "
                f"{values} says {text!r}",
                pytrace=False,
            )
        png = widget_png(spec, fig)
        try:
            wait_until(lambda: self.picture() == png, UPDATE_S, f"{what}: picture")
        except TimeoutError:
            pytest.fail(f"{spec.name}, {what}: the picture is not the render of {values}")


@pytest.mark.browser
@pytest.mark.parametrize("chapter", sorted(LIVE))
def test_the_live_widget_shows_the_render_of_each_state(lab_notebooks, chapter):
    p, nb = lab_notebooks[chapter]
    page = p.page
    spec = all_specs()[LIVE[chapter]]
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    stem = Path(chapter).stem
    try:
        root = widget_root(nb, 0, timeout_ms=READY_S * 1000)
    except Exception:
        page.screenshot(path=str(shots / f"failed_widget_{stem}.png"))
        raise
    heading = root.locator(".widget-html-content b").first
    try:  # the views of one widget render one by one
        wait_until(lambda: heading.text_content().strip(), UPDATE_S, "the widget's title")
    except TimeoutError as exc:
        pytest.fail(f"{chapter}: {exc}", pytrace=False)
    title = heading.text_content().strip()
    assert title == spec.title.strip(), f"{chapter} shows {title!r}, expected {spec.title!r}"
    shown = _Shown(page, root)
    values = dict(spec.defaults)
    shown.expect(spec, values, "default state")

    # The main slider, one step with the keyboard (down if the default is the top).
    main = spec.controls[0]
    positions = main_control_values(spec)
    at = min(range(len(positions)), key=lambda i: abs(positions[i] - main.default))
    key, at = ("ArrowRight", at + 1) if at + 1 < len(positions) else ("ArrowLeft", at - 1)
    handle = root.locator(".cheap-widget-main .noUi-handle")
    handle.focus()
    handle.press(key)
    values = canonical_values(spec, values | {main.name: positions[at]})
    shown.expect(spec, values, f"main slider moved by {key}")

    # Each dropdown: another option that the widget can draw.
    selects = root.locator("select")
    for i, control in enumerate(c for c in spec.controls if isinstance(c, Dropdown)):
        for option in control.options:
            if option == values[control.name]:
                continue
            try:
                spec.render(**(values | {control.name: option}))
            except ValueError:
                continue
            selects.nth(i).select_option(option)
            values = values | {control.name: option}
            shown.expect(spec, values, f"dropdown {control.name} set to {option}")
            break
    assert "Not available" not in shown.text()
    root.screenshot(path=str(shots / f"widget_{stem}.png"))
    assert not p.blocked, f"the page tried to fetch: {p.blocked}"
