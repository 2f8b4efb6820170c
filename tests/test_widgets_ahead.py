"""Widget pictures drawn ahead of the reader (cheaplib.widgets._ahead).

Independent truths: the picture the kernel draws itself (byte for byte), the control's own
positions, and the order of the states a slider reaches next.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from cheaplib.widgets import Dropdown, Slider, WidgetSpec, _ahead, all_specs, build

SPECS = all_specs()


def _spec(calls: list | None = None) -> WidgetSpec:
    def render(a: float, b: str):
        if calls is not None:
            calls.append((a, b))
        if a > 1.5:
            raise ValueError("a too large for b")
        from cheaplib.plotting import new_figure

        fig, ax = new_figure(width=2.0, height=1.5)
        ax.plot([0, 1], [0, a])
        return fig, f"a = {a}, b = {b}"

    return WidgetSpec(
        name="toy",
        title="toy",
        controls=(Slider("a", "a", 0.0, 2.0, 0.25, 1.0), Dropdown("b", "b", ("x", "y"), "x")),
        render=render,
    )


def test_values_from_a_browser_snap_to_the_controls_positions():
    spec = _spec()
    snapped = _ahead.canonical(spec.controls, {"a": 0.7500000000000001, "b": "y"})
    assert snapped == {"a": 0.75, "b": "y"}
    assert _ahead.canonical(spec.controls, {"a": 0.8, "b": "x"})["a"] == 0.8  # off the grid


def test_the_states_wanted_next_follow_the_last_move():
    spec = _spec()
    ahead = _ahead.Ahead(spec, executor=None)
    ahead.moved({"a": 0.75, "b": "x"}, {"a": 1.0, "b": "x"})  # a moved up
    wanted = [(v["a"], v["b"]) for v in ahead.wanted({"a": 1.0, "b": "x"})]
    assert wanted == [(1.25, "x"), (1.5, "x"), (1.75, "x"), (0.75, "x"), (1.0, "y")]
    ahead.moved({"a": 1.0, "b": "x"}, {"a": 0.75, "b": "x"})  # then down, near the end
    wanted = [(v["a"], v["b"]) for v in ahead.wanted({"a": 0.25, "b": "x"})]
    assert wanted == [(0.0, "x"), (0.5, "x"), (0.25, "y")]


def test_a_cached_state_is_not_drawn_again_and_errors_are_kept():
    calls: list = []
    ahead = _ahead.Ahead(_spec(calls), executor=None)
    first = ahead.result({"a": 0.5, "b": "x"})
    assert first[0] == "ok" and first[1][:8] == b"\x89PNG\r\n\x1a\n"
    assert first[2] == "a = 0.5, b = x"
    drawn = len(calls)  # the state, and the default state once for the widget's layout
    assert ahead.result({"a": 0.5, "b": "x"}) is first and len(calls) == drawn
    assert ahead.result({"a": 1.75, "b": "x"}) == ("error", "a too large for b", "")
    assert (ahead.hits, ahead.misses) == (1, 2)


def test_drawing_ahead_fills_the_cache_with_the_kernels_own_pictures():
    calls: list = []
    spec = _spec(calls)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = _ahead.Ahead(spec, pool, submit=lambda ex, s, v: ex.submit(_ahead.draw, s, v))
        ahead.ahead({"a": 1.0, "b": "x"})
        pool.submit(lambda: None).result()  # the queue drains in order
        for _ in range(50):
            if not ahead._flight:
                break
            threading.Event().wait(0.05)
    wanted = ahead.wanted({"a": 1.0, "b": "x"})
    assert all(ahead.get(v) is not None for v in wanted)
    fresh = _ahead.Ahead(_spec(), executor=None)
    for v in wanted:
        assert ahead.get(v) == fresh.result(v)  # byte for byte


def test_the_worker_process_draws_the_same_bytes():
    """The real worker (a spawned process) against the kernel's own drawing."""
    import os

    os.environ["CHEAPLIB_DRAW_AHEAD"] = "1"
    try:
        executor = _ahead.shared_executor()
    finally:
        os.environ["CHEAPLIB_DRAW_AHEAD"] = "0"
    assert executor is not None
    spec = SPECS["rg-gaussian-blocking"]
    state = spec.defaults | {"b": 2}
    remote = executor.submit(_ahead._render_in_worker, spec.name, state).result(timeout=120)
    assert remote == _ahead.draw(spec, state)


def test_a_state_being_drawn_is_awaited_and_a_queued_one_is_drawn_here():
    spec = _spec()
    running, queued = Future(), Future()
    running.set_running_or_notify_cancel()  # the worker has started on it
    futures = iter([running, queued])
    woken = []
    ahead = _ahead.Ahead(spec, executor=object(), submit=lambda *_: next(futures))
    ahead.wake = lambda: woken.append(True)
    ahead.ahead({"a": 1.0, "b": "x"})  # queues 1.25 (running) and 1.5 (queued)
    assert ahead.result({"a": 1.25, "b": "x"}) is None  # wait for the worker
    drawn = ahead.result({"a": 1.5, "b": "x"})  # taken back from the queue, drawn here
    assert drawn[0] == "ok" and queued.cancelled()
    running.set_result(("ok", b"png", "from the worker"))
    assert woken == [True]
    assert ahead.result({"a": 1.25, "b": "x"}) == ("ok", b"png", "from the worker")


def test_a_broken_worker_leaves_the_widget_drawing_by_itself():
    spec = _spec()
    future = Future()
    ahead = _ahead.Ahead(spec, executor=object(), submit=lambda *_: future)
    ahead.ahead({"a": 1.0, "b": "x"})
    future.set_exception(RuntimeError("worker died"))
    assert ahead.executor is None
    assert ahead.result({"a": 1.25, "b": "x"})[0] == "ok"


def test_moved_away_states_are_taken_off_the_queue():
    spec = _spec()
    made: list[Future] = []

    def submit(*_):
        made.append(Future())
        return made[-1]

    ahead = _ahead.Ahead(spec, executor=object(), submit=submit)
    ahead.ahead({"a": 0.0, "b": "x"})  # queues 0.25 and 0.5
    ahead.ahead({"a": 2.0, "b": "x"})  # far away: both cancelled, two new ones queued
    assert made[0].cancelled() and made[1].cancelled() and len(made) == 4


@pytest.mark.parametrize("registered", [True, False])
def test_only_widgets_of_the_registry_draw_ahead(registered, monkeypatch):
    marker = object()
    monkeypatch.setattr(_ahead, "shared_executor", lambda: marker)
    monkeypatch.setattr(_ahead.Ahead, "ahead", lambda self, values: None)
    spec = SPECS["rg-gaussian-blocking"] if registered else _spec()
    box = build(spec)
    assert (box._cheap_ahead.executor is marker) is registered
