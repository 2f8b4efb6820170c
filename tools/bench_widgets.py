"""Widget update latency: every position of each widget's main control, timed.

One update is what the live widget does when a reader moves a control: call the chapter's
cheaplib ``render`` function (compute and draw the figure), then encode the PNG the browser
shows (:func:`cheaplib.widgets.timed_render`).  Each position is timed after one warm-up
update at the defaults, so the figures are steady-state (the first update of a fresh kernel
also pays imports and font caches).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cheaplib.widgets import all_specs, main_control_values, timed_render

TARGET_MS = 100.0
HEADER = [
    "widget",
    "positions",
    "compute median",
    "compute worst",
    "+ PNG median",
    "total worst",
    "< 100 ms (median total)",
]


def measure(name: str) -> dict[str, float]:
    """Median and worst compute and total (compute + PNG) milliseconds over the main control."""
    spec = all_specs()[name]
    timed_render(spec)  # warm-up
    main = spec.controls[0].name
    compute, total = [], []
    for value in main_control_values(spec):
        try:
            c, p = timed_render(spec, **{main: value})
        except ValueError:  # a position the widget explains instead of drawing
            continue
        compute.append(1e3 * c)
        total.append(1e3 * (c + p))
    return {
        "positions": len(compute),
        "compute_median": statistics.median(compute),
        "compute_worst": max(compute),
        "total_median": statistics.median(total),
        "total_worst": max(total),
    }


def rows() -> list[list[str]]:
    """One table row per widget of the book."""
    out = []
    for name in sorted(all_specs()):
        m = measure(name)
        ok = m["total_median"] < TARGET_MS
        out.append(
            [
                name,
                str(m["positions"]),
                f"{m['compute_median']:.0f} ms",
                f"{m['compute_worst']:.0f} ms",
                f"{m['total_median']:.0f} ms",
                f"{m['total_worst']:.0f} ms",
                "met" if ok else "**missed**",
            ]
        )
    return out


# --- End to end in JupyterLab: input event -> new picture painted ---------------------------

E2E_MEDIAN_MS = 150.0
E2E_P95_MS = 300.0
E2E_HEADER = [
    "widget",
    "steps",
    "median",
    "p95",
    "worst",
    "pictures during a 2 s drag",
    f"median < {E2E_MEDIAN_MS:.0f} ms, p95 < {E2E_P95_MS:.0f} ms",
]

# In the page: time every key press and pointer move (capture phase, before the slider's
# own handlers), and every new picture once decoded and handed to the next frame.
INSTRUMENT_JS = """(root) => {
    const img = root.querySelector('img.cheap-widget-figure');
    const log = {events: [], paints: []};
    window.__cheapLatency = log;
    for (const type of ['keydown', 'pointermove', 'pointerdown']) {
        document.addEventListener(type, () => log.events.push(performance.now()), true);
    }
    new MutationObserver(() => {
        const src = img.src;
        img.decode().catch(() => null).then(() => requestAnimationFrame(() => {
            log.paints.push({t: performance.now(), src: src});
        }));
    }).observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def measure_in_page(page, root, positions: int, default_index: int, steps: int = 20) -> dict:
    """Press ArrowRight/ArrowLeft on the main slider ``steps`` times; time each picture.

    Each latency runs from the key press (the input event) to the animation frame in which
    the new picture, decoded, is first drawn.  Two warm-up presses are not counted.  Then a
    2-second mouse drag across the slider counts the pictures painted while dragging.
    """
    root.evaluate(INSTRUMENT_JS)
    handle = root.locator(".cheap-widget-main .noUi-handle")
    handle.focus()
    at, direction = default_index, 1
    latencies: list[float] = []
    for k in range(steps + 2):
        if not 0 <= at + direction < positions:
            direction = -direction
        before = page.evaluate("window.__cheapLatency.paints.length")
        handle.press("ArrowRight" if direction > 0 else "ArrowLeft")
        at += direction
        try:
            page.wait_for_function(
                f"window.__cheapLatency.paints.length > {before}", timeout=10_000
            )
        except Exception:  # the same picture for both positions: nothing to paint
            continue
        time.sleep(0.05)  # let a slow echo land before the next press
        log = page.evaluate("window.__cheapLatency")
        if k >= 2:
            latencies.append(log["paints"][before]["t"] - log["events"][-1])
    # A drag: 40 pointer moves over two seconds across the slider's track (the slowest
    # widget renders in ~0.4 s, so a 1 s drag leaves room for only about two pictures).
    box = root.locator(".cheap-widget-main .noUi-base").bounding_box()
    hbox = handle.bounding_box()
    y = hbox["y"] + hbox["height"] / 2
    page.mouse.move(hbox["x"] + hbox["width"] / 2, y)
    page.mouse.down()
    before = page.evaluate("window.__cheapLatency.paints.length")
    t0 = time.monotonic()
    for i in range(1, 41):
        page.mouse.move(box["x"] + box["width"] * (0.05 + 0.9 * i / 40), y)
        time.sleep(max(0.0, t0 + i * 0.05 - time.monotonic()))
    during = page.evaluate("window.__cheapLatency.paints.length") - before
    page.mouse.up()
    return {"latencies_ms": latencies, "drag_paints": during}


def summarize(latencies: list[float]) -> dict[str, float]:
    """Median, 95th percentile and worst of a list of milliseconds."""
    import numpy as np

    arr = np.asarray(latencies, dtype=float)
    return {
        "steps": int(arr.size),
        "median": float(np.median(arr)),
        "p95": float(np.percentile(arr, 95)),
        "worst": float(arr.max()),
    }


def e2e_ok(stats: dict[str, float]) -> bool:
    """Whether a widget meets the end-to-end targets."""
    return stats["median"] < E2E_MEDIAN_MS and stats["p95"] < E2E_P95_MS


def e2e_row(name: str, stats: dict[str, float], drag_paints: int) -> list[str]:
    """One row of the end-to-end table."""
    return [
        name,
        str(stats["steps"]),
        f"{stats['median']:.0f} ms",
        f"{stats['p95']:.0f} ms",
        f"{stats['worst']:.0f} ms",
        str(drag_paints),
        "met" if e2e_ok(stats) else "**missed**",
    ]


@contextmanager
def jupyterlab(
    root_dir: Path, work: Path, timeout: float = 90.0, env: dict[str, str] | None = None
) -> Iterator[str]:
    """JupyterLab on 127.0.0.1 (free port, no token, private config dirs) serving root_dir.

    Its kernels draw widget states ahead (``CHEAPLIB_DRAW_AHEAD`` is not passed on) unless
    ``env`` sets it; ``env`` is added to the server's (and so the kernels') environment.
    Yields its URL; stops the server and its kernels (the whole process group) on exit.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    extra = env or {}
    env = dict(os.environ)
    env.pop("CHEAPLIB_DRAW_AHEAD", None)  # the kernels draw ahead, as a reader's would
    env.update(extra)
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ]:
        (work / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(work / sub)
    # No "would you like news?" toast over the notebook.
    lab_settings = work / "settings" / "@jupyterlab" / "apputils-extension"
    lab_settings.mkdir(parents=True, exist_ok=True)
    (lab_settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = work / "lab.log"
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not start within {timeout:.0f} s")
            time.sleep(0.5)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        log.close()


def run_all(page, nb, deadline_s: float = 120) -> None:
    """Run every cell; the first Run All may land before the kernel connects, so retry.

    JupyterLab renders only the cells near the viewport, so "started" is read off any
    visible prompt showing ``[*]`` or a count.
    """
    started = nb.locator(".jp-InputArea-prompt").filter(has_text=re.compile(r"\[(\*|\d+)\]"))
    deadline = time.monotonic() + deadline_s
    while started.count() == 0:
        if time.monotonic() > deadline:
            raise TimeoutError("the notebook never started running in JupyterLab")
        nb.click(position={"x": 5, "y": 5})
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        for _ in range(20):
            if started.count():
                break
            time.sleep(0.5)


def open_widget(page, lab: str, notebook: str, workspace: str):
    """Open ``notebook`` in a fresh workspace, run it, return the first widget's root."""
    page.goto(f"{lab}/lab/workspaces/{workspace}/tree/{notebook}?reset", wait_until="load")
    nb = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    nb.locator(".jp-Cell").first.wait_for(timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    run_all(page, nb)
    root = nb.locator(".cheap-widget").first
    root.locator("img.cheap-widget-figure[src]").wait_for(state="attached", timeout=180_000)
    root.scroll_into_view_if_needed()
    return nb, root


def widget_notebook(name: str) -> dict:
    """A two-cell notebook that shows widget ``name`` alone (for the benchmark)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from cheaplib.widgets import all_specs, build"),
        nbformat.v4.new_code_cell(f"build(all_specs()[{name!r}])"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def main_default_index(spec) -> int:
    """Index of the main control's default among its positions."""
    values = main_control_values(spec)
    default = spec.controls[0].default
    if isinstance(default, str):
        return values.index(default)
    return min(range(len(values)), key=lambda i: abs(values[i] - default))


def end_to_end(
    names: list[str] | None = None, steps: int = 30, draw_ahead: bool = True
) -> dict[str, dict]:
    """Time every widget end to end in JupyterLab driven by headless Chromium.

    Each widget is shown alone in a small notebook (so that its chapter's other cells
    do not run first).  Returns per widget the statistics of :func:`summarize` and the
    number of pictures painted during a 2-second drag.  ``draw_ahead=False`` starts the
    kernels with ``CHEAPLIB_DRAW_AHEAD=0``: every picture is then drawn when asked for
    (the cold case, also that of a machine with one core).
    """
    import tempfile

    import nbformat
    from playwright.sync_api import sync_playwright

    from tools.localweb import launch

    specs = all_specs()
    names = names or sorted(specs)
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "nb").mkdir()
        for name in names:
            nbformat.write(widget_notebook(name), work / "nb" / f"{name}.ipynb")
        env = None if draw_ahead else {"CHEAPLIB_DRAW_AHEAD": "0"}
        with jupyterlab(work / "nb", work, env=env) as lab, sync_playwright() as pw:
            browser = launch(pw)
            try:
                for name in names:
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    try:
                        page = context.new_page()
                        _, root = open_widget(page, lab, f"{name}.ipynb", name)
                        spec = specs[name]
                        res = measure_in_page(
                            page,
                            root,
                            len(main_control_values(spec)),
                            main_default_index(spec),
                            steps,
                        )
                        out[name] = {
                            **summarize(res["latencies_ms"]),
                            "drag_paints": res["drag_paints"],
                            "latencies_ms": res["latencies_ms"],
                        }
                    finally:
                        context.close()
            finally:
                browser.close()
    return out


if __name__ == "__main__":
    import json

    print(
        json.dumps(
            {k: {**v, "latencies_ms": None} for k, v in end_to_end(sys.argv[1:]).items()}, indent=1
        )
    )
