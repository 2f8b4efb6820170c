"""The project's headless browser and local web server, in one place.

Every tool and test that opens the book in a browser (``tools.pdf``,
``tools.reader_metrics``, ``tools.bench_widgets``, ``tools.jupyterlab`` and
``tests/browser``) uses Debian's Chromium with the flags below, serves pages from
127.0.0.1 with :func:`serve`, and refuses every other request with an
:class:`OfflineRoute`: the book is built, printed and measured offline.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

#: Debian's Chromium (tools/ensure_system_tools.sh installs it); ``CHROMIUM=/path`` overrides.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: No sandbox (CI runs as root), no GPU, no background traffic of Chromium's own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


def launch(playwright: Any) -> Any:
    """The project's headless Chromium, started by a Playwright instance."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep tool and test output clean
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that closes a connection mid-transfer (a page left, a lazy image no
        # longer wanted) is not an error of the book; anything else is still reported.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class OfflineRoute:
    """A Playwright route handler: local and inline requests pass, others are refused.

    The refused URLs are kept in :attr:`blocked`, so a caller can fail on any attempt.
    """

    def __init__(self) -> None:
        self.blocked: list[str] = []

    def __call__(self, route: Any, *_: Any) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob", "about", "file") or url.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()
