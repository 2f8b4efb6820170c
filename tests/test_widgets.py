"""Every widget of the book survives every slider extreme and shows finite plots.

Chapter modules declare their widgets as ``cheaplib.widgets.WidgetSpec``; this test finds
them all, so a new widget is covered without editing it.
"""

import re

import numpy as np
import pytest

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
    from tools.widget_states import nonfinite_artists

    bad = nonfinite_artists(fig)
    assert not bad, bad


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
def test_every_extreme_renders(name):
    # every control at each end (others at their defaults) draws a picture: a
    # combination the mathematics cannot do is drawn with its reason, not refused
    spec = SPECS[name]
    for values in extreme_settings(spec):
        fig, summary = spec.render(**values)
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
    # Regression: the layout cache was filled by whichever state came first.
    spec = SPECS[name]
    states = _states_to_try(spec)
    forward = _pngs(spec, states)
    backward = _pngs(spec, states[::-1])
    assert forward.keys() == backward.keys() and len(forward) >= 2
    differ = [dict(k) for k in forward if forward[k] != backward[k]]
    assert not differ, f"PNG bytes depend on the drawing order for {differ}"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_static_states_are_the_full_grid_and_start_at_the_default(name):
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
        assert control.default in p
        assert p == (list(control.options) if isinstance(control, Dropdown) else sorted(p))
        if getattr(control, "static", None) is None:
            assert p[0] == control.values()[0] and p[-1] == control.values()[-1]
    states = static_states(spec)
    assert len(set(states)) == len(states)
    assert state_values(spec, states[0]) == spec.defaults
    # every combination: moving one static control never moves another
    counts = [len(p) for p in positions]
    assert len(states) == np.prod(counts) <= MAX_GRID


def test_small_widgets_get_the_full_grid():
    from cheaplib.widgets import static_states

    a = Slider("a", "a", 0, 3, 1, 1)
    b = Dropdown("b", "b", ("x", "y", "z"), "y")
    spec = WidgetSpec("small", "small", (a, b), lambda **kw: None)
    states = static_states(spec)
    assert len(states) == 12 and states[0] == (1, 1)


def test_a_spec_whose_static_grid_is_too_large_is_refused():
    from cheaplib.widgets import MAX_GRID, static_manifest, static_states

    a = Slider("a", "a", 0, 9, 1, 1)  # 10 positions
    b = Slider("b", "b", 0, 9, 1, 1)
    with pytest.raises(ValueError, match=f"100 states.*more than {MAX_GRID}.*static="):
        WidgetSpec("big", "big", (a, b), lambda **kw: None)
    b = Slider("b", "b", 0, 9, 1, 1, static=(0, 1, 5, 9))
    spec = WidgetSpec("fits", "fits", (a, b), lambda **kw: None)
    assert len(static_states(spec)) == 40
    fixed = Slider("c", "c", -1.0, 1.0, 0.1, 0.3, static=(0.3,))
    spec = WidgetSpec("fixed", "fixed", (b, fixed), lambda **kw: None)
    kinds = [c["kind"] for c in static_manifest(spec)["controls"]]
    assert kinds == ["slider", "fixed"] and len(static_states(spec)) == 4


def test_slider_static_positions_are_checked_and_snapped():
    s = Slider("x", "x", 0.0, 2.0, 0.1, 0.0, static=(1.0, 0.0, 0.3))
    assert s.static == (0.0, s.values()[3], 1.0)  # sorted, snapped to exact positions
    log = Slider("l", "l", 1e-3, 1.0, 0.25, 0.1, log=True, static=(1e-3, 0.01, 0.1, 1.0))
    assert log.static is not None and 0.1 in log.static and len(log.static) == 4
    with pytest.raises(ValueError, match="not a position"):
        Slider("x", "x", 0.0, 2.0, 0.1, 0.0, static=(0.0, 0.05))
    with pytest.raises(ValueError, match="include the default"):
        Slider("x", "x", 0.0, 2.0, 0.1, 0.0, static=(0.5, 1.0))
    with pytest.raises(ValueError, match="repeats"):
        Slider("x", "x", 0.0, 2.0, 0.1, 0.0, static=(0.0, 1.0, 1.0))
    with pytest.raises(TypeError, match="static"):
        Slider("x", "x", 0.0, 2.0, 0.1, 0.0, static=())
    with pytest.raises(ValueError, match="static"):
        Slider("x", "x", 0.0, 2.0, 0.1, 0.0, static=(0.0, float("nan")))


def test_the_layout_probe_sees_clipped_and_overlapping_text():
    from cheaplib.plotting import new_figure
    from tools.widget_states import figure_defects

    fig, ax = new_figure(width=3.0, height=2.0)
    fig.set_layout_engine("none")  # a fixed layout, as a widget's states have
    ticks = np.linspace(0.0, 0.02, 11)
    ax.set_xticks(ticks, [f"{t:.4f}" for t in ticks])  # too many, too wide: they collide
    ax.set_xlim(0.0, 0.02)
    ax.text(0.0195, 0.5, "sticks out of the figure")
    figure_png(fig)
    problems = figure_defects(fig)
    assert any("overlaps" in p for p in problems), problems
    assert any(p.startswith("clipped") for p in problems), problems
    ax.plot([0.0, 0.01], [0.0, np.nan])
    assert any("NaN" in p for p in figure_defects(fig))


def test_the_build_refuses_a_state_whose_labels_are_cut_off(tmp_path, monkeypatch):
    # every static state is checked where the build draws it (tools.widget_states): the
    # book's own states are all checked by every build of make test
    from cheaplib.plotting import new_figure
    from tools import widget_states

    def render(x):
        fig, ax = new_figure(width=2.0, height=1.5)
        ax.plot([0, 1], [0, x])
        ax.set_ylim(0, 3)  # the same tick labels in every state
        ax.set_title("a title far too long for so small a figure" if x == 2 else "fine")
        return fig, f"x = {x}"

    spec = WidgetSpec("tiny", "tiny", (Slider("x", "x", 0, 2, 1, 1),), render)
    monkeypatch.setattr("cheaplib.widgets.all_specs", lambda: {"tiny": spec})
    with pytest.raises(ValueError, match=r"state 2 is not legible: \[.clipped"):
        widget_states.render_states(tmp_path, "tiny")


@pytest.mark.parametrize("name", sorted(SPECS))
def test_static_figure_carries_a_machine_independent_manifest(name):
    import json

    from cheaplib.widgets import STATIC_MIME, static_manifest

    spec = SPECS[name]
    fig = static_figure(spec)
    bundle = fig.extra_data  # a BookFigure publishes it beside its PNG
    assert set(bundle) == {STATIC_MIME}
    manifest = json.loads(bundle[STATIC_MIME])
    assert manifest == static_manifest(spec) and manifest["widget"] == name
    assert len(bundle[STATIC_MIME]) < 4000, "the manifest holds no pictures"


def test_static_figure_needs_a_book_figure():
    from matplotlib.figure import Figure

    def render(a):
        fig = Figure()
        fig.add_subplot().plot([0, a])
        return fig, f"a = {a}"

    spec = WidgetSpec("plain", "plain", (Slider("a", "a", 0, 1, 0.5, 0.5),), render)
    with pytest.raises(TypeError, match="BookFigure"):
        static_figure(spec)


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


# --- input validation of the framework -----------------------------------------------------


@pytest.mark.parametrize("arg", ["low", "high", "step", "default"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_slider_refuses_non_finite_numbers(arg, bad):
    kwargs = {"low": 0.0, "high": 1.0, "step": 0.1, "default": 0.5} | {arg: bad}
    with pytest.raises(ValueError, match=f"slider 'a': {arg} must be finite"):
        Slider("a", "a", **kwargs)


@pytest.mark.parametrize("arg", ["low", "high", "step", "default"])
def test_slider_refuses_non_numbers(arg):
    kwargs = {"low": 0.0, "high": 1.0, "step": 0.1, "default": 0.5} | {arg: "1"}
    with pytest.raises(TypeError, match=f"slider 'a': {arg} must be a real number"):
        Slider("a", "a", **kwargs)


@pytest.mark.parametrize("step", [1e-12, 1e-300, 5e-324])
def test_slider_refuses_a_step_too_fine_without_listing_positions(step):
    # 1e12 or more positions: listing them would take terabytes, so they are counted
    with pytest.raises(ValueError, match="slider 'a': step .* positions"):
        Slider("a", "a", 0.0, 1.0, step, 0.5)
    with pytest.raises(ValueError, match="slider 'l': step .* positions"):
        Slider("l", "l", 1e-3, 1e3, step, 1.0, log=True)


def test_a_fine_slider_lists_at_most_200_positions_ends_kept():
    from cheaplib.widgets import MAX_SLIDER_POSITIONS

    fine = Slider("a", "a", 0.0, 1.0, 1.0 / (MAX_SLIDER_POSITIONS - 1), 0.5)
    assert fine.count == MAX_SLIDER_POSITIONS
    vals = fine.values()
    assert len(vals) == 200 and vals[0] == 0.0 and vals[-1] == pytest.approx(1.0)
    assert np.all(np.diff(vals) > 0)
    ints = Slider("n", "n", 0, 999, 1, 3).values()
    assert len(ints) == 200 and ints[0] == 0 and ints[-1] == 999
    assert all(isinstance(v, int) for v in ints)
    logs = Slider("l", "l", 1e-3, 1e3, 0.01, 1.0, log=True).values()
    assert len(logs) == 200 and logs[0] == pytest.approx(1e-3) and logs[-1] == pytest.approx(1e3)


def test_slider_range_and_names_are_checked():
    with pytest.raises(ValueError, match="low must be < high"):
        Slider("a", "a", 1, 1, 0.1, 1)
    with pytest.raises(ValueError, match="step must be positive"):
        Slider("a", "a", 0, 1, 0, 0.5)
    with pytest.raises(TypeError, match="slider name"):
        Slider("not a name", "a", 0, 1, 0.1, 0.5)
    with pytest.raises(TypeError, match="label"):
        Slider("a", None, 0, 1, 0.1, 0.5)
    with pytest.raises(TypeError, match="log must be a bool"):
        Slider("a", "a", 0.1, 1, 0.1, 0.5, log="yes")


@pytest.mark.parametrize("options", [(), []])
def test_dropdown_refuses_no_options(options):
    with pytest.raises(ValueError, match="dropdown 'd': options must not be empty"):
        Dropdown("d", "d", options, "x")


@pytest.mark.parametrize(
    ("options", "default"), [(("x", 1), "x"), ((None,), None), (("x", b"y"), "x")]
)
def test_dropdown_refuses_options_that_are_not_str(options, default):
    with pytest.raises(TypeError, match="dropdown 'd': options must be str"):
        Dropdown("d", "d", options, default)


def test_dropdown_refuses_a_string_repeats_and_a_bad_default():
    with pytest.raises(TypeError, match="options must be a sequence of str"):
        Dropdown("d", "d", "xyz", "x")
    with pytest.raises(ValueError, match="repeat"):
        Dropdown("d", "d", ("x", "x"), "x")
    with pytest.raises(TypeError, match="default must be a str"):
        Dropdown("d", "d", ("1", "2"), 1)
    listed = Dropdown("d", "d", ["x", "y"], "y")  # a list is kept as a tuple
    assert listed.options == ("x", "y") and hash(listed)


def test_widget_spec_refuses_a_render_that_is_not_callable():
    s = Slider("a", "a", 0, 1, 0.1, 0.5)
    with pytest.raises(TypeError, match="render must be callable"):
        WidgetSpec("w", "w", (s,), "render_me")
    with pytest.raises(TypeError, match="view must be callable"):
        WidgetSpec("w", "w", (s,), lambda **kw: None, view=3)


@pytest.mark.parametrize(
    "controls",
    [
        (Slider("a", "a", 0, 1, 0.1, 0.5), {"name": "b"}),
        ("a",),
        Slider("a", "a", 0, 1, 0.1, 0.5),
        "ab",
        None,
    ],
)
def test_widget_spec_refuses_controls_that_are_not_sliders_or_dropdowns(controls):
    with pytest.raises(TypeError, match="controls must be"):
        WidgetSpec("w", "w", controls, lambda **kw: None)


def test_widget_spec_needs_a_control():
    with pytest.raises(ValueError, match="controls is empty"):
        WidgetSpec("w", "w", (), lambda **kw: None)


def test_build_checks_its_arguments():
    spec = next(iter(SPECS.values()))
    with pytest.raises(TypeError, match="spec must be a WidgetSpec"):
        build("swindle")
    with pytest.raises(ValueError, match="cache_size"):
        build(spec, cache_size=-1)
    with pytest.raises(TypeError, match="cache_size"):
        build(spec, cache_size=1.5)


# --- cheap redraws: one figure updated in place, pictures cached per state ------------------


def test_every_book_widget_updates_one_figure_in_place():
    missing = sorted(name for name, spec in SPECS.items() if spec.view is None)
    assert not missing, f"widgets that build a new figure per update: {missing}"


def _walk(spec, count=12, seed=3):
    """The default, every extreme, random static states, and the default again."""
    from cheaplib.widgets import state_values, static_states

    rng = np.random.default_rng(seed)
    states = static_states(spec)
    picks = rng.choice(len(states), size=min(count, len(states)), replace=False)
    walk = [spec.defaults, *extreme_settings(spec)]
    walk += [state_values(spec, states[int(i)]) for i in picks]
    return [*walk, spec.defaults]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_kept_view_draws_what_a_fresh_render_draws(name):
    # The live widget keeps one view; the static book renders each state afresh.  Same
    # bytes after any sequence of states (whatever the view showed before).
    from cheaplib.widgets import widget_png

    spec = SPECS[name]
    view = spec.view()
    for values in _walk(spec):
        try:
            fig, summary = spec.render(**values)
        except ValueError as exc:
            with pytest.raises(ValueError, match=re.escape(str(exc))):
                view.update(**values)
            continue
        assert view.update(**values) == summary
        assert widget_png(spec, view.figure) == widget_png(spec, fig), f"{values}"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_live_widget_shows_the_render_of_its_state(name):
    from cheaplib.widgets import widget_png

    spec = SPECS[name]
    box = build(spec)
    main = next(w for w in box.children if "cheap-widget-main" in w._dom_classes)
    summary = next(w for w in box.children if "cheap-widget-summary" in w._dom_classes)
    image = next(w for w in box.children if "cheap-widget-figure" in w._dom_classes)
    for value in spec.controls[0].values()[:3]:
        main.value = value
        values = spec.defaults | {spec.controls[0].name: value}
        fig, text = spec.render(**values)
        assert summary.value == text
        assert bytes(image.value) == widget_png(spec, fig)


def test_a_state_seen_before_is_not_drawn_again():
    from cheaplib.plotting import new_figure

    calls = []

    class View:
        def __init__(self):
            self.figure, self.ax = new_figure(width=2.0, height=1.5)
            (self.line,) = self.ax.plot([0, 1], [0, 0])
            self.ax.set_ylim(0, 1)

        def update(self, a):
            calls.append(a)
            self.line.set_ydata([0, a])
            return f"a = {a}"

    def render(a):
        view = View()
        return view.figure, view.update(a)

    spec = WidgetSpec("toy", "toy", (Slider("a", "a", 0.0, 1.0, 0.1, 0.5),), render, View)
    box = build(spec, cache_size=2)
    main, drawer = box.children[1], box._cheap_drawer
    calls.clear()
    for value in (0.6, 0.5, 0.6, 0.30000000000000004, 0.3, 0.5):
        main.value = value
    # 0.6 and 0.5 are cached; 0.3 from a browser is the slider's position 0.3 (the
    # default 0.5 stands for its own); then 0.5 was pushed out of a cache of two
    p = spec.controls[0].values()
    assert calls == [p[6], p[3], 0.5], calls
    assert drawer.hits == 2
    cold = build(spec, cache_size=0)
    calls.clear()
    for value in (0.6, 0.5, 0.6):
        cold.children[1].value = value
    assert calls == [p[6], 0.5, p[6]]


def test_values_from_a_browser_snap_to_the_controls_positions():
    from cheaplib.widgets import canonical_values

    spec = WidgetSpec(
        "toy",
        "toy",
        (Slider("a", "a", 0.0, 2.0, 0.25, 1.0), Dropdown("b", "b", ("x", "y"), "x")),
        lambda **kw: None,
    )
    assert canonical_values(spec, {"a": 0.7500000000000001, "b": "y"}) == {"a": 0.75, "b": "y"}
    assert canonical_values(spec, {"a": 0.8, "b": "x"})["a"] == 0.8  # between positions


def test_png_encoding_round_trips_and_composites_over_white():
    import io

    from PIL import Image

    from cheaplib.plotting import new_figure
    from cheaplib.widgets import png_bytes

    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 11, 4), dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(png_bytes(rgba[..., :3]))))
    np.testing.assert_array_equal(decoded, rgba[..., :3])
    with pytest.raises(ValueError, match="rgb"):
        png_bytes(rgba)
    fig, ax = new_figure(width=2.0, height=1.5)
    fig.patch.set_alpha(0.0)
    ax.patch.set_alpha(0.0)
    ax.set_axis_off()
    img = np.asarray(Image.open(io.BytesIO(figure_png(fig))))
    assert img.shape[2] == 3 and (img == 255).all(), "a transparent figure is white"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_live_controls_move_independently_and_always_draw(name):
    # Each control in turn to its far static position: the ones moved before keep their
    # values, and every state is drawn (no "Not available" in place of a picture).
    from cheaplib.widgets import static_positions

    spec = SPECS[name]
    box = build(spec)
    controls = [w for w in box.children if hasattr(w, "value") and hasattr(w, "description")]
    controls = [w for w in controls if w.description in {c.label for c in spec.controls}]
    summary = next(w for w in box.children if "cheap-widget-summary" in w._dom_classes)
    image = next(w for w in box.children if "cheap-widget-figure" in w._dom_classes)
    assert len(controls) == len(spec.controls)
    moved = {}
    for control, widget, positions in zip(
        spec.controls, controls, static_positions(spec), strict=True
    ):
        target = positions[-1] if positions[-1] != control.default else positions[0]
        before = bytes(image.value)
        widget.value = target
        moved[control.name] = widget.value
        now = {c.name: w.value for c, w in zip(spec.controls, controls, strict=True)}
        assert {k: now[k] for k in moved} == moved, f"{name}: a control was reset"
        assert "not available" not in summary.value.lower(), summary.value
        if target != control.default:
            assert bytes(image.value) != before or len(positions) == 1


def test_a_flat_activation_at_zero_shift_is_drawn_with_its_reason():
    # logistic and tanh have sigma''(0) = 0: no gate, and the picture says so
    from cheaplib.widgets.hamiltonians import render_multiplication_gate

    for act in ("logistic", "tanh"):
        fig, summary = render_multiplication_gate(0.1, act, 0.0, 0.6, -0.8)
        assert "no gate" in summary and "= 0" in summary
        assert "no gate" in fig.axes[0].get_title()
        line = fig.axes[0].get_lines()[1].get_ydata()
        assert np.max(np.abs(line)) < 1e-9  # the four neurons cancel: output 0
        err = 10 ** fig.axes[1].get_lines()[0].get_ydata()
        np.testing.assert_allclose(err, 0.48, rtol=1e-6)  # |x0 x1| at every lambda
        fig, summary = render_multiplication_gate(0.1, act, 1.0, 0.6, -0.8)
        assert "no gate" not in summary and "relative error" in summary


def _tiny_render(calls: list | None = None, most: float | None = None):
    """Render of a one-slider test widget: a line up to x (``calls`` records each x; an
    x above ``most`` raises, a hole in the grid)."""
    from cheaplib.plotting import new_figure

    def render(x):
        if calls is not None:
            calls.append(x)
        if most is not None and x > most:
            raise ValueError(f"x must be at most {most}")
        fig, ax = new_figure(width=2.0, height=1.5)
        ax.plot([0, 1], [0, x])
        ax.set_ylim(0, 3)  # the same tick labels in every state
        return fig, f"x = {x}"

    return render


def test_the_build_ships_exactly_the_grid_and_refuses_a_hole(tmp_path, monkeypatch):
    # tools.widget_states renders every state of the grid, removes pictures of an
    # earlier grid, and fails on a state whose render raises (no "not available")
    from cheaplib.widgets import static_states
    from tools import widget_states

    render = _tiny_render(most=2)
    spec = WidgetSpec("tiny", "tiny", (Slider("x", "x", 0, 2, 1, 1),), render)
    monkeypatch.setattr("cheaplib.widgets.all_specs", lambda: {"tiny": spec})
    folder = tmp_path / "_widgets" / "tiny"
    folder.mkdir(parents=True)
    (folder / "7.png").write_bytes(b"an earlier grid's picture")
    count, _, rendered = widget_states.render_states(tmp_path, "tiny")
    assert rendered and count == len(static_states(spec)) == 3
    assert sorted(p.name for p in folder.glob("*.png")) == ["0.png", "1.png", "2.png"]
    holed = WidgetSpec("tiny", "tiny", (Slider("x", "x", 0, 3, 1, 1),), render)
    monkeypatch.setattr("cheaplib.widgets.all_specs", lambda: {"tiny": holed})
    with pytest.raises(ValueError, match="state 3 has no picture: x must be at most 2"):
        widget_states.render_states(tmp_path, "tiny")


def test_the_builders_share_one_drawing_of_each_state(tmp_path, monkeypatch):
    # tools.widget_states with a cache: the HTML book and the PDF's single page copy the
    # same pictures, drawn once; a changed grid is drawn again
    from tools import widget_states

    calls: list[float] = []
    render = _tiny_render(calls)
    spec = WidgetSpec("tiny", "tiny", (Slider("x", "x", 0, 2, 1, 1),), render)
    monkeypatch.setattr("cheaplib.widgets.all_specs", lambda: {"tiny": spec})
    cache = tmp_path / "cache"
    n, _, drawn = widget_states.render_states(tmp_path / "html", "tiny", cache)
    assert drawn and n == 3 and sorted(set(calls)) == [0, 1, 2]  # (+ the layout's default)
    first = len(calls)
    n, _, copied = widget_states.render_states(tmp_path / "single", "tiny", cache)
    assert copied and len(calls) == first  # copied, not drawn again
    html, single = (tmp_path / d / "_widgets" / "tiny" for d in ("html", "single"))
    names = sorted(p.name for p in html.iterdir())
    assert (
        names
        == sorted(p.name for p in single.iterdir())
        == ["0.png", "1.png", "2.png", widget_states.STATES_FILE]
    )
    assert all((html / f).read_bytes() == (single / f).read_bytes() for f in names)
    assert widget_states.render_states(tmp_path / "single", "tiny", cache)[2] is False
    wider = WidgetSpec("tiny", "tiny", (Slider("x", "x", 0, 3, 1, 1),), render)
    monkeypatch.setattr("cheaplib.widgets.all_specs", lambda: {"tiny": wider})
    widget_states.render_states(tmp_path / "single", "tiny", cache)
    assert 3 in calls and len(calls) > first and (single / "3.png").exists()
