"""Pictures drawn ahead of the reader: the live widget's cache and its worker process.

Drawing one picture of a widget (compute, matplotlib draw, PNG) takes 60-200 ms on a
2-core machine, and about twice that in a kernel that shares the machine with the
browser: too slow, on its own, for a picture to follow a slider within 150 ms.  A slider
moves one position at a time, though, and usually keeps its direction.  So, while the
reader looks at one state, a worker process (:class:`Ahead`) draws the states next to it
(nearest first, in the direction the last control moved) into a small cache, and the
kernel shows a cached picture at once when the slider gets there.  A state that is not
ready yet is drawn in the kernel as before (or awaited, if the worker is already drawing
it), so nothing is shown that the render function would not draw itself.

* **Same pictures.**  A state's picture depends on its state only (the widget's fixed
  layout, :func:`cheaplib.widgets.widget_png`), and the worker runs the same render
  function on the same values: a cached picture is byte for byte the one the kernel would
  draw (tested).  Control values are first snapped to the control's own positions
  (:func:`canonical`), so ``0.30000000000000004`` from a browser is the state ``0.3``.
* **Out of the way.**  One worker, at a lower scheduling priority than the kernel, is
  shared by every widget; it is started only on machines with at least two cores and only
  for widgets of the book's registry (the worker finds them by name).  The environment
  variable ``CHEAPLIB_DRAW_AHEAD=0`` switches it off (the test suites do, where no
  reader moves a slider).  Queued drawings
  that the reader has moved away from are cancelled.  If the worker cannot start, the
  widget draws every picture itself.
"""

from __future__ import annotations

import atexit
import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

#: A state's result: ("ok", png, summary) or ("error", message, "").
Result = tuple[str, Any, str]

CACHE_SIZE = 128
"""Pictures kept per widget (about 100 kB each)."""
AHEAD = 3
"""States drawn ahead along the control that moved last, in its direction (and 1 back)."""
QUEUED = 2
"""Most drawings submitted to the worker at a time, so that the queue follows the reader."""

_EXECUTOR: Executor | None = None
_EXECUTOR_LOCK = threading.Lock()
_EXECUTOR_FAILED = False


def _worker_init() -> None:  # pragma: no cover - runs in the worker process
    try:
        os.nice(10)  # the kernel and the browser come first
    except OSError:
        pass
    import matplotlib

    matplotlib.use("Agg")


def _render_in_worker(name: str, values: dict[str, Any]) -> Result:  # pragma: no cover
    from cheaplib.widgets import all_specs

    return draw(all_specs()[name], values)


def draw(spec: Any, values: dict[str, Any]) -> Result:
    """Draw one state of ``spec``: its PNG and summary, or the message of its ValueError."""
    from cheaplib.widgets import widget_png

    try:
        fig, text = spec.render(**values)
    except ValueError as exc:
        return ("error", str(exc), "")
    return ("ok", widget_png(spec, fig), text)


def shared_executor() -> Executor | None:
    """The one worker process (started on first use), or ``None`` where there is none.

    None on a machine with fewer than two cores (the worker would take the kernel's
    time), when ``CHEAPLIB_DRAW_AHEAD=0``, or when the process cannot be started.
    """
    global _EXECUTOR, _EXECUTOR_FAILED
    if os.environ.get("CHEAPLIB_DRAW_AHEAD", "1") == "0":
        return None
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None and not _EXECUTOR_FAILED:
            if (os.cpu_count() or 1) < 2:
                _EXECUTOR_FAILED = True
                return None
            try:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                _EXECUTOR = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init,
                )
                atexit.register(_EXECUTOR.shutdown, wait=False, cancel_futures=True)
            except (OSError, ValueError, ImportError):
                _EXECUTOR_FAILED = True
        return _EXECUTOR


def positions(control: Any) -> list[Any]:
    """Every position of a control, as :meth:`Slider.values` / :meth:`Dropdown.values`."""
    return list(control.values())


def canonical(controls: tuple[Any, ...], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each number snapped to its control's nearest position.

    A value within a millionth of a step (relative) of a position is that position; any
    other value is kept as it is (a slider set by code between positions).
    """
    out = dict(values)
    for control in controls:
        value = values[control.name]
        if isinstance(value, str):
            continue
        grid = positions(control)
        nearest = min(grid, key=lambda p: abs(p - value))
        if abs(nearest - value) <= 1e-6 * max(1.0, abs(nearest)):
            out[control.name] = nearest
    return out


def state_key(controls: tuple[Any, ...], values: dict[str, Any]) -> tuple[Any, ...]:
    """Hashable key of a (canonical) state."""
    return tuple(values[c.name] for c in controls)


class Ahead:
    """Cache of a widget's pictures, filled ahead of the reader by a worker (module doc).

    Parameters
    ----------
    spec : WidgetSpec
        The widget.
    executor : concurrent.futures.Executor or None
        Where states are drawn ahead: the shared worker process for widgets of the
        registry, any executor in tests, ``None`` for a cache without drawing ahead.
    submit : callable, optional
        ``submit(executor, spec, values) -> Future``; by default the worker draws the
        spec found by name in the registry.
    wake : callable, optional
        Called (from any thread) when a drawing that the widget waits for has finished;
        the widget then shows the latest state.
    """

    def __init__(
        self,
        spec: Any,
        executor: Executor | None,
        submit: Callable[[Executor, Any, dict[str, Any]], Future] | None = None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.spec = spec
        self.executor = executor
        self._submit = submit or (lambda ex, s, v: ex.submit(_render_in_worker, s.name, v))
        self.wake = wake or (lambda: None)
        # Re-entrant: cancelling or finishing a future runs its callback (_done) at once,
        # in the thread that holds the lock.
        self._lock = threading.RLock()
        self._cache: OrderedDict[tuple[Any, ...], Result] = OrderedDict()
        self._flight: dict[tuple[Any, ...], Future] = {}
        self._waiting: set[tuple[Any, ...]] = set()
        self._moved = (0, 1)  # (control index, direction) of the last move
        self._current: dict[str, Any] | None = None  # the state last drawn ahead of
        self.hits = 0
        self.misses = 0

    # --- the cache ---------------------------------------------------------------
    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return state_key(self.spec.controls, values)

    def get(self, values: dict[str, Any]) -> Result | None:
        """The cached result of a state, or None."""
        key = self.key(values)
        with self._lock:
            result = self._cache.get(key)
            if result is not None:
                self._cache.move_to_end(key)
            return result

    def put(self, values: dict[str, Any], result: Result) -> None:
        """Keep a state's result (least recently used out beyond :data:`CACHE_SIZE`)."""
        with self._lock:
            self._put(self.key(values), result)

    def _put(self, key: tuple[Any, ...], result: Result) -> None:
        self._cache[key] = result
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def result(self, values: dict[str, Any]) -> Result | None:
        """The state's result now: cached, or drawn here; None if the worker is on it.

        None means the worker is drawing this very state; :attr:`wake` is called when it
        is done.  A state only queued for the worker is taken back and drawn here.
        """
        key = self.key(values)
        cached = self.get(values)
        if cached is not None:
            self.hits += 1
            return cached
        with self._lock:
            future = self._flight.get(key)
            if future is not None and future.running():
                self._waiting.add(key)
                return None
            if future is not None:
                future.cancel()
                self._flight.pop(key, None)
        self.misses += 1
        result = draw(self.spec, values)
        self.put(values, result)
        return result

    # --- drawing ahead -------------------------------------------------------------
    def moved(self, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        """Note which control moved, and which way, from state ``before`` to ``after``."""
        if before is None:
            return
        for i, control in enumerate(self.spec.controls):
            a, b = before[control.name], after[control.name]
            if a != b:
                grid = positions(control)
                if a in grid and b in grid:
                    self._moved = (i, 1 if grid.index(b) > grid.index(a) else -1)
                return

    def wanted(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """The states to draw ahead of ``values``, nearest and most likely first."""
        moved, direction = self._moved
        controls = self.spec.controls
        steps: list[tuple[int, int]] = [(moved, direction * k) for k in range(1, AHEAD + 1)]
        steps.append((moved, -direction))
        steps += [(i, s) for i in range(len(controls)) if i != moved for s in (1, -1)]
        out = []
        for i, step in steps:
            control = controls[i]
            grid = positions(control)
            if values[control.name] not in grid:
                continue
            j = grid.index(values[control.name]) + step
            if 0 <= j < len(grid):
                out.append(values | {control.name: grid[j]})
        return out

    def ahead(self, values: dict[str, Any]) -> None:
        """Queue the drawings of :meth:`wanted` (at most :data:`QUEUED` at a time).

        Queued drawings no longer wanted are cancelled (a running one finishes and is
        kept).
        """
        self._current = values
        if self.executor is None:
            return
        wanted = self.wanted(values)
        keys = [self.key(v) for v in wanted]
        submitted: list[tuple[tuple[Any, ...], Future]] = []
        with self._lock:
            for key, future in list(self._flight.items()):
                if key not in keys and key not in self._waiting and future.cancel():
                    self._flight.pop(key, None)
            for key, state in zip(keys, wanted, strict=True):
                if sum(not f.done() for f in self._flight.values()) >= QUEUED:
                    break
                if key in self._cache or key in self._flight:
                    continue
                try:
                    future = self._submit(self.executor, self.spec, state)
                except RuntimeError:  # the worker was shut down
                    self.executor = None
                    return
                self._flight[key] = future
                submitted.append((key, future))
        for key, future in submitted:  # outside the lock: a finished one calls back at once
            future.add_done_callback(functools.partial(self._done, key))

    def _done(self, key: tuple[Any, ...], future: Future) -> None:
        failed = False
        with self._lock:
            self._flight.pop(key, None)
            waited = key in self._waiting
            self._waiting.discard(key)
            if not future.cancelled():
                if future.exception() is None:
                    self._put(key, future.result())
                else:  # a broken worker: the widget draws every picture itself from now
                    failed = True
                    self.executor = None
        if waited:
            self.wake()
        elif not future.cancelled() and not failed and self._current is not None:
            self.ahead(self._current)  # keep the worker busy with the rest of the list
