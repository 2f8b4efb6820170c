"""JupyterLab for the widget benchmark and the live-widget browser test, in one place.

:func:`jupyterlab` starts a private JupyterLab server on 127.0.0.1 (a free port, no token,
its own config, settings and workspace folders, no news or update checks) and stops it
with its kernels (the whole process group).  :func:`open_notebook` opens a notebook in
a fresh workspace and :func:`run_all` runs every cell as a reader would;
:func:`widget_root` waits for the first live widget's picture.  The waits poll with
generous deadlines: they wait for readiness and assert nothing about speed.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: The visible notebook of the JupyterLab page (hidden tabs are skipped).
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"


@contextmanager
def jupyterlab(
    root_dir: Path, work: Path, timeout: float = 90.0, env: dict[str, str] | None = None
) -> Iterator[str]:
    """JupyterLab on 127.0.0.1 serving ``root_dir``; yields its URL.

    ``work`` holds its private folders and its log (``lab.log``); ``env`` is added to
    the server's (and so the kernels') environment.  On exit the server and its kernels
    (the whole process group) are stopped.

    Raises
    ------
    RuntimeError
        If the server exits or does not answer within ``timeout`` seconds.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server_env = dict(os.environ) | (env or {})
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ]:
        (work / sub).mkdir(parents=True, exist_ok=True)
        server_env[var] = str(work / sub)
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
        cmd, cwd=work, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
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
            time.sleep(0.3)
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


def open_notebook(page: Any, lab: str, notebook: str, workspace: str) -> Any:
    """Open ``notebook`` in a fresh workspace (``?reset``); return its notebook locator.

    A fresh workspace per notebook: otherwise JupyterLab reopens earlier notebooks as
    hidden tabs.  Returns once the kernel is idle.
    """
    page.goto(f"{lab}/lab/workspaces/{workspace}/tree/{notebook}?reset", wait_until="load")
    nb = page.locator(NOTEBOOK)
    nb.locator(".jp-Cell").first.wait_for(timeout=120_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    return nb


def run_all(page: Any, nb: Any, deadline_s: float = 120) -> None:
    """Run every cell; the first Run All may land before the kernel connects, so retry.

    JupyterLab renders only the cells near the viewport, so "started" is read off any
    visible prompt showing ``[*]`` or a count.

    Raises
    ------
    TimeoutError
        If no cell has started within ``deadline_s`` seconds.
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
            time.sleep(0.25)


def widget_root(nb: Any, index: int = 0, timeout_ms: float = 240_000) -> Any:
    """The ``index``-th live widget of a running notebook, once its picture is shown.

    Also waits for its main control (the views of one widget render one by one).
    """
    root = nb.locator(".cheap-widget").nth(index)
    root.locator("img.cheap-widget-figure[src]").wait_for(state="attached", timeout=timeout_ms)
    root.locator(".cheap-widget-main .noUi-handle, .cheap-widget-main select").first.wait_for(
        state="attached", timeout=timeout_ms
    )
    root.scroll_into_view_if_needed()
    return root


def wait_until(condition: Any, timeout_s: float, what: str, poll_s: float = 0.1) -> None:
    """Poll ``condition()`` until it is true.

    Raises
    ------
    TimeoutError
        Naming ``what``, if it is still false after ``timeout_s`` seconds (a readiness
        deadline, not a measure of speed).
    """
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} (waited {timeout_s:.0f} s)")
        time.sleep(poll_s)
