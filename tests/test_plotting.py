"""Book figures: sharp (2x pixels) and legible at phone width (no text under 9 CSS px)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib import image

from cheaplib.plotting import (
    BOOK_DPI,
    MIN_TEXT_PX,
    PHONE_FIGURE_PX,
    SCREEN_DPI,
    BookFigure,
    min_font_size,
    new_figure,
    smallest_text_px,
)


def _png_shape(fig) -> tuple[int, int]:
    from IPython.core.pylabtools import print_figure

    data = print_figure(fig, "png")  # what the notebook's inline formatter stores
    return image.imread(io.BytesIO(data), format="png").shape[:2]


def test_figures_are_drawn_at_twice_the_css_resolution():
    fig, ax = new_figure(width=6.4, height=3.6)
    ax.plot([0, 1], [0, 1])
    assert isinstance(fig, BookFigure)
    assert fig.dpi == BOOK_DPI == 2 * SCREEN_DPI
    height, width = _png_shape(fig)
    # bbox_inches="tight" trims or pads (0.1 inch a side); two device pixels per CSS pixel.
    assert 0.9 * 2 * 96 * 6.4 < width <= 2 * 96 * (6.4 + 0.2) + 2
    assert width <= 2000, "keep PNGs of a sensible size"


@pytest.mark.parametrize("width", [3.0, 6.4, 8.0, 9.6])
def test_small_text_is_raised_to_the_phone_floor(width):
    fig, axes = new_figure(1, 2, width=width, height=3.0)
    for ax in axes:
        ax.plot(np.arange(5), np.arange(5) ** 2, label="a curve")
        ax.set_xlabel("x (units)", fontsize=5)
        ax.set_ylabel("y (units)")
        ax.legend(fontsize=4)
        ax.annotate("note", (1, 1), fontsize=3)
        ax.tick_params(labelsize=2)
    px = smallest_text_px(fig)
    assert px >= MIN_TEXT_PX - 1e-9, f"smallest text {px:.2f} CSS px at phone width"
    # and the rule is the phone one: a font of min_font_size(w) points fills exactly 9 px
    assert min_font_size(width) * PHONE_FIGURE_PX / (72 * width) == pytest.approx(MIN_TEXT_PX)


def test_text_larger_than_the_floor_is_kept():
    fig, ax = new_figure(width=4.0, height=3.0)
    title = ax.set_title("big", fontsize=30)
    smallest_text_px(fig)
    assert title.get_fontsize() == 30


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="width"):
        min_font_size(0.0)
    with pytest.raises(ValueError, match="dpi"):
        new_figure(dpi=1.0)


def test_every_widget_figure_is_legible_on_a_phone():
    from cheaplib.widgets import all_specs, static_figure

    worst = {}
    for name, spec in all_specs().items():
        worst[name] = smallest_text_px(static_figure(spec))
    small = {k: round(v, 2) for k, v in worst.items() if v < MIN_TEXT_PX - 1e-9}
    assert not small, f"widget figures with text under {MIN_TEXT_PX} CSS px on a phone: {small}"


def test_notebook_output_is_a_2x_png_shown_at_its_css_width():
    import base64

    from cheaplib.plotting import figure_bundle

    fig, ax = new_figure(width=5.0, height=3.0)
    ax.plot([0, 1], [1, 0])
    data, metadata = figure_bundle(fig)
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width_px = int.from_bytes(png[16:20], "big")
    css = metadata["image/png"]["width"]
    assert width_px == pytest.approx(2 * css, abs=1)  # two device pixels per CSS pixel
    assert css == pytest.approx(96 * 5.0, rel=0.1)  # about the figure's size at 96 dpi
    assert data["text/plain"].endswith("with 1 Axes>")
