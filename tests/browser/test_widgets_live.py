"""Every chapter's widget works in a real browser against a live kernel.

JupyterLab (installed by the project) serves copies of the chapter notebooks on 127.0.0.1;
headless Chromium opens each one, runs all cells as a reader would, moves the widget's main
control with the keyboard (or picks another option of a dropdown) and checks that both the
summary text and the figure's image changed.  The server (with its kernels) and the browser
contexts are stopped by the tests; no request may leave 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cheaplib.widgets import all_specs

from .conftest import ROOT, OfflinePage

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """JupyterLab on 127.0.0.1 serving copies of the chapters; stopped with its kernels."""
    work = tmp_path_factory.mktemp("lab")
    (work / "nb").mkdir()
    for path in CHAPTERS:
        # Copies with outputs cleared: JupyterLab may autosave (the repository stays
        # untouched), and a stored "[1]:" prompt must not pass for a run that happened.
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        (work / "nb" / path.name).write_text(json.dumps(nb), encoding="utf-8")
    port = _free_port()
    env = dict(os.environ)
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ]:
        (work / sub).mkdir()
        env[var] = str(work / sub)
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={work / 'nb'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(work / "lab.log", "w")
    proc = subprocess.Popen(
        cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited:\n{(work / 'lab.log').read_text()}", pytrace=False)
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start within 90 s", pytrace=False)
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


def _run_all(page, nb, deadline_s: float = 120) -> None:
    """Run every cell; the first Run All may land before the kernel connects, so retry.

    JupyterLab renders only the cells near the viewport, so "started" is read off any
    visible prompt showing ``[*]`` or a count.
    """
    started = nb.locator(".jp-InputArea-prompt").filter(has_text=re.compile(r"\[(\*|\d+)\]"))
    deadline = time.monotonic() + deadline_s
    while started.count() == 0:
        if time.monotonic() > deadline:
            pytest.fail("the notebook never started running in JupyterLab", pytrace=False)
        nb.click(position={"x": 5, "y": 5})
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        for _ in range(20):
            if started.count():
                break
            time.sleep(0.5)


@pytest.mark.browser
@pytest.mark.parametrize("chapter", [p.name for p in CHAPTERS])
def test_moving_the_main_control_updates_the_widget(lab, browser, chapter):
    p = OfflinePage(browser, viewport=(1400, 1000))
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    stem = Path(chapter).stem
    try:
        page = p.page
        # A fresh workspace per chapter (?reset): otherwise JupyterLab reopens the earlier
        # notebooks as hidden tabs.
        page.goto(f"{lab}/lab/workspaces/{stem}/tree/{chapter}?reset", wait_until="load")
        nb = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
        nb.locator(".jp-Cell").first.wait_for(timeout=90_000)
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000
        )
        _run_all(page, nb)
        root = nb.locator(".cheap-widget").first
        try:
            root.locator("img.cheap-widget-figure[src]").wait_for(state="attached", timeout=180_000)
        except Exception:
            page.screenshot(path=str(shots / f"failed_widget_{stem}.png"))
            raise
        root.scroll_into_view_if_needed()
        summary = root.locator(".cheap-widget-summary")
        image = root.locator("img.cheap-widget-figure")
        before = (summary.inner_text(), image.get_attribute("src"))
        assert before[0].strip(), "the widget shows no summary"
        select = root.locator(".cheap-widget-main select")
        if select.count():
            current = select.input_value()
            options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
            select.select_option(next(o for o in options if o != current))
        else:
            handle = root.locator(".cheap-widget-main .noUi-handle")
            handle.focus()
            handle.press("ArrowRight")
            time.sleep(0.5)
            if summary.inner_text() == before[0]:  # the default may sit at the top
                handle.press("ArrowLeft")
                handle.press("ArrowLeft")
        deadline = time.monotonic() + 30
        while summary.inner_text() == before[0] or image.get_attribute("src") == before[1]:
            if time.monotonic() > deadline:
                pytest.fail(f"{chapter}: moving the main control changed nothing", pytrace=False)
            time.sleep(0.2)
        after = summary.inner_text()
        assert "Not available" not in after, after
        root.screenshot(path=str(shots / f"widget_{stem}.png"))
        assert not p.blocked, f"the page tried to fetch: {p.blocked}"
    finally:
        p.close()
