"""Every widget of the book survives every slider extreme and shows finite plots.

Chapter modules declare their widgets as ``cheaplib.widgets.WidgetSpec``; this test finds
them all, so a new widget is covered without editing it.
"""

import numpy as np
import pytest
from matplotlib.collections import Collection
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D

from cheaplib.widgets import (
    Dropdown,
    Slider,
    WidgetSpec,
    all_specs,
    build,
    extreme_settings,
    figure_png,
    static_figure,
)

SPECS = all_specs()


def _assert_finite_artists(fig):
    for ax in fig.axes:
        for artist in ax.get_children():
            if isinstance(artist, Line2D):
                data = np.asarray(artist.get_xydata(), dtype=float)
                assert np.all(np.isfinite(data)), f"NaN/inf in line {artist.get_label()!r}"
            elif isinstance(artist, AxesImage):
                arr = np.ma.masked_invalid(np.asarray(artist.get_array(), dtype=float))
                assert arr.count() > 0, "image is entirely NaN"
            elif isinstance(artist, Collection):
                offsets = np.asarray(artist.get_offsets(), dtype=float)
                assert np.all(np.isfinite(offsets)), "NaN/inf in a scatter/collection"


def test_book_has_widgets():
    assert SPECS, "no widget specs found under cheaplib.widgets"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_static_figure_is_labelled_png(name):
    fig = static_figure(SPECS[name])
    png = figure_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    for ax in fig.axes:
        if ax.get_visible() and ax.has_data():
            assert ax.get_xlabel() or ax.get_ylabel() or ax.get_title(), "unlabelled axes"
    _assert_finite_artists(fig)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_extreme_renders_or_explains(name):
    spec = SPECS[name]
    for values in extreme_settings(spec):
        try:
            fig, summary = spec.render(**values)
        except ValueError as exc:
            # only a refusal that explains itself counts: it names one of the controls
            # (an obscure error from deep inside numpy would not)
            names = [c.name for c in spec.controls]
            assert any(n in str(exc) for n in names), f"{values}: unexplained error {exc!r}"
            continue
        assert isinstance(summary, str) and summary
        assert "nan" not in summary.lower(), f"{values}: summary shows NaN: {summary}"
        _assert_finite_artists(fig)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_moving_the_main_control_changes_the_output(name):
    spec = SPECS[name]
    box = build(spec)
    main = next(w for w in box.children if "cheap-widget-main" in w._dom_classes)
    summary = next(w for w in box.children if "cheap-widget-summary" in w._dom_classes)
    image = next(w for w in box.children if "cheap-widget-figure" in w._dom_classes)
    before = (summary.value, bytes(image.value))
    values = spec.controls[0].values()
    other = next(v for v in reversed(values) if v != main.value)
    main.value = other
    after = (summary.value, bytes(image.value))
    assert after[1] != before[1], "the figure did not change"
    assert after[0] != before[0], "the summary did not change"


def test_spec_validation():
    with pytest.raises(ValueError, match="default outside"):
        Slider("a", "a", 0, 1, 0.1, 2)
    with pytest.raises(ValueError, match="log slider"):
        Slider("a", "a", 0, 1, 0.1, 0.5, log=True)
    with pytest.raises(ValueError, match="default not among"):
        Dropdown("d", "d", ("x", "y"), "z")
    s = Slider("a", "a", 0, 1, 0.1, 0.5)
    with pytest.raises(ValueError, match="duplicate"):
        WidgetSpec("w", "w", (s, s), lambda **kw: None)
    assert Slider("n", "n", 1, 5, 1, 2).values() == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(Slider("l", "l", 0.01, 1, 1, 0.1, log=True).values(), [0.01, 0.1, 1])


def test_invalid_value_shows_message_not_exception():
    from cheaplib.plotting import new_figure

    def render(x):
        if x > 0.5:
            raise ValueError("x too large for this demo")
        fig, ax = new_figure()
        ax.plot([0, 1], [0, x])
        ax.set_xlabel("t")
        return fig, f"x = {x:.2f}"

    spec = WidgetSpec("demo", "Demo", (Slider("x", "x", 0, 1, 0.1, 0.2),), render)
    box = build(spec)
    main = box.children[1]
    summary = box.children[2]
    main.value = 0.9
    assert "x too large" in summary.value


def _states_to_try(spec):
    """The default and each control's ends (the others at their defaults)."""
    seen, out = set(), []
    for values in [spec.defaults, *extreme_settings(spec)]:
        key = tuple(sorted(values.items()))
        if key not in seen:
            seen.add(key)
            out.append(values)
    return out


def _pngs(spec, order):
    import cheaplib.widgets as W

    W._LAYOUTS.clear()
    W._RENDERERS.clear()
    out = {}
    for values in order:
        try:
            fig, _ = spec.render(**values)
        except ValueError:
            continue
        out[tuple(sorted(values.items()))] = W.widget_png(spec, fig)
    return out


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_picture_depends_only_on_its_state(name):
    # Issue 14: the layout cache was filled by whichever state came first.
    spec = SPECS[name]
    states = _states_to_try(spec)
    forward = _pngs(spec, states)
    backward = _pngs(spec, states[::-1])
    assert forward.keys() == backward.keys() and len(forward) >= 2
    differ = [dict(k) for k in forward if forward[k] != backward[k]]
    assert not differ, f"PNG bytes depend on the drawing order for {differ}"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_static_states_are_bounded_and_start_at_the_default(name):
    from cheaplib.widgets import (
        MAX_GRID,
        MAX_POSITIONS,
        state_values,
        static_positions,
        static_states,
    )

    spec = SPECS[name]
    positions = static_positions(spec)
    assert all(1 <= len(p) <= MAX_POSITIONS for p in positions)
    for control, p in zip(spec.controls, positions, strict=True):
        assert control.default in p and p[0] == control.values()[0]
        assert p[-1] == control.values()[-1], "an end of the range was thinned away"
    mode, states = static_states(spec)
    assert len(set(states)) == len(states)
    assert state_values(spec, states[0]) == spec.defaults
    counts = [len(p) for p in positions]
    if mode == "grid":
        assert len(states) == np.prod(counts) <= MAX_GRID
    else:
        assert np.prod(counts) > MAX_GRID
        assert len(states) == sum(counts) - len(counts) + 1
        for s in states:
            assert sum(a != b for a, b in zip(s, states[0], strict=True)) <= 1


def test_small_widgets_get_the_full_grid():
    from cheaplib.widgets import static_states

    a = Slider("a", "a", 0, 3, 1, 1)
    b = Dropdown("b", "b", ("x", "y", "z"), "y")
    spec = WidgetSpec("small", "small", (a, b), lambda **kw: None)
    mode, states = static_states(spec)
    assert mode == "grid" and len(states) == 12 and states[0] == (1, 1)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_static_figure_carries_a_machine_independent_manifest(name):
    import json

    from cheaplib.widgets import STATIC_MIME, static_manifest

    spec = SPECS[name]
    fig = static_figure(spec)
    # a BookFigure publishes the manifest beside its PNG; another figure through its bundle
    bundle = getattr(fig, "extra_data", None) or fig._repr_mimebundle_(include=None, exclude=None)
    assert set(bundle) == {STATIC_MIME}
    manifest = json.loads(bundle[STATIC_MIME])
    assert manifest == static_manifest(spec) and manifest["widget"] == name
    assert len(bundle[STATIC_MIME]) < 4000, "the manifest holds no pictures"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_live_widget_has_a_meaningful_text_form(name):
    spec = SPECS[name]
    text = build(spec)._repr_mimebundle_()["text/plain"]
    assert text.startswith("Live widget (") and "VBox" not in text and len(text) <= 110


def test_updates_in_a_kernel_are_merged_latest_wins():
    import asyncio

    from cheaplib.widgets import _LatestWins

    seen, value = [], {"v": 0}
    throttled = _LatestWins(lambda: seen.append(value["v"]))

    async def drag():
        for v in range(1, 6):  # five events arrive before the loop gets to draw
            value["v"] = v
            throttled()
        await asyncio.sleep(0)
        value["v"] = 6
        throttled()
        await asyncio.sleep(0)

    asyncio.run(drag())
    assert seen == [5, 6]
    throttled()  # outside a loop: at once
    assert seen == [5, 6, 6]
