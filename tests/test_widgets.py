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
            assert str(exc), f"{values}: ValueError without a message"
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
