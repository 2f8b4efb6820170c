"""Every widget of the book works in a real browser against a live kernel.

JupyterLab (installed by the project) serves, on 127.0.0.1, a notebook whose cells are the
chapters' live widget cells (``build(SPEC)`` for each :class:`cheaplib.widgets.WidgetSpec`).
Headless Chromium runs it, then for each widget moves the main control with the keyboard
(as a reader would) and checks that the summary text and the figure's image both changed.
The server and the browser context are stopped by the test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cheaplib.widgets import Dropdown, all_specs

from .conftest import ROOT

SPECS = all_specs()
NAMES = sorted(SPECS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _widget_notebook(path: Path) -> None:
    cells = [
        {
            "cell_type": "code",
            "id": f"w{i}",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": (
                f"from cheaplib.widgets import all_specs, build\nbuild(all_specs()[{name!r}])"
            ),
        }
        for i, name in enumerate(NAMES)
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """A JupyterLab server on 127.0.0.1 serving the widget notebook; stopped afterwards."""
    work = tmp_path_factory.mktemp("lab")
    (work / "nb").mkdir()
    _widget_notebook(work / "nb" / "widgets.ipynb")
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
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
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
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def widget_page(lab, browser):
    """The widget notebook opened in JupyterLab with every cell run."""
    from .conftest import OfflinePage

    p = OfflinePage(browser, viewport=(1400, 1000))
    page = p.page
    page.goto(f"{lab}/lab/tree/widgets.ipynb", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    first_prompt = page.locator(".jp-InputArea-prompt").first
    deadline = time.monotonic() + 120
    # The first Run All can land before the kernel is connected and be ignored: retry.
    while "[1]" not in first_prompt.inner_text():
        if time.monotonic() > deadline:
            pytest.fail("the notebook never ran in JupyterLab", pytrace=False)
        page.locator(".jp-Notebook").click(position={"x": 5, "y": 5})
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        for _ in range(20):
            if "[1]" in first_prompt.inner_text():
                break
            time.sleep(0.5)
    page.wait_for_function(
        f"() => document.querySelectorAll('.cheap-widget img.cheap-widget-figure[src]').length"
        f" >= {len(NAMES)}",
        timeout=180_000,
    )
    try:
        yield p
    finally:
        p.close()


@pytest.mark.browser
@pytest.mark.parametrize("index,name", list(enumerate(NAMES)))
def test_moving_the_main_control_updates_the_widget(widget_page, index, name):
    page = widget_page.page
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    root = cell.locator(".cheap-widget")
    summary = root.locator(".cheap-widget-summary")
    image = root.locator("img.cheap-widget-figure")
    before = (summary.inner_text(), image.get_attribute("src"))
    assert before[0].strip(), "the widget shows no summary"
    main = SPECS[name].controls[0]
    if isinstance(main, Dropdown):
        select = root.locator(".cheap-widget-main select")
        current = select.input_value()
        select.select_option(next(o for o in main.options if o != current))
    else:
        handle = root.locator(".cheap-widget-main .noUi-handle")
        handle.focus()
        handle.press("ArrowRight")
        time.sleep(0.3)
        if summary.inner_text() == before[0]:
            handle.press("ArrowLeft")  # the default may sit at the top of the range
            handle.press("ArrowLeft")

    def changed() -> bool:
        return (summary.inner_text(), image.get_attribute("src")) != before and (
            summary.inner_text() != before[0] and image.get_attribute("src") != before[1]
        )

    deadline = time.monotonic() + 30
    while not changed():
        if time.monotonic() > deadline:
            pytest.fail(f"{name}: moving the main control changed nothing", pytrace=False)
        time.sleep(0.2)
    assert "Not available" not in summary.inner_text() or "Not available" in before[0]
    assert not widget_page.blocked, f"the page tried to fetch: {widget_page.blocked}"
