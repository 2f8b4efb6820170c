"""Bad input for cheaplib.plotting: figures of absurd size are refused before matplotlib
allocates them, and objects of the wrong type fail at the door with the argument named
(not with an AttributeError deep inside matplotlib)."""

import math

import numpy as np
import pytest

from cheaplib import plotting
from cheaplib.nets import Layer, Network

NET = Network((Layer(np.ones((2, 1)), np.zeros(2)), Layer(np.ones((1, 2)), np.zeros(1))))
NOT_A_FIGURE = [None, 3, "fig", np.zeros(2), object()]


@pytest.mark.parametrize("key", ["width", "height"])
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, 1e6, 10**400])
def test_absurd_figure_sizes_are_refused(key, bad):
    with pytest.raises(ValueError, match=key):
        plotting.new_figure(**{key: bad})


@pytest.mark.parametrize("key", ["width", "height"])
@pytest.mark.parametrize("bad", [True, "6", None])
def test_figure_sizes_must_be_numbers(key, bad):
    with pytest.raises(TypeError, match=key):
        plotting.new_figure(**{key: bad})


def test_a_picture_over_the_memory_budget_is_refused():
    with pytest.raises(ValueError, match="width, height, dpi"):
        plotting.new_figure(width=90.0, height=90.0, dpi=600.0)


@pytest.mark.parametrize(("nrows", "ncols"), [(0, 1), (1, -1), (10**9, 1), (1, 10**400)])
def test_a_grid_of_subplots_out_of_range_is_refused(nrows, ncols):
    with pytest.raises(ValueError, match="nrows|ncols"):
        plotting.new_figure(nrows, ncols)


@pytest.mark.parametrize("bad", [1e308, 0.0, math.nan])
def test_min_font_size_refuses_absurd_widths(bad):
    with pytest.raises(ValueError, match="width"):
        plotting.min_font_size(bad)


@pytest.mark.parametrize("bad", NOT_A_FIGURE)
@pytest.mark.parametrize(
    "fn", [plotting.enforce_legible_text, plotting.smallest_text_px, plotting.figure_bundle]
)
def test_a_figure_argument_must_be_a_figure(fn, bad):
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        fn(bad)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ax": None}, "ax must be a matplotlib Axes"),
        ({"ax": np.zeros(2)}, "ax must be a matplotlib Axes"),
        ({"input_labels": "x0"}, "input_labels"),
        ({"input_labels": [1, 2]}, "input_labels"),
        ({"edge_labels": "a"}, "edge_labels"),
        ({"edge_labels": [[1, 2]]}, "edge_labels"),
        ({"show_bias": 1}, "show_bias"),
        ({"fmt": "{:.2f}"}, "fmt"),
    ],
)
def test_draw_network_checks_its_arguments_at_the_door(kwargs, match):
    _, ax = plotting.new_figure()
    with pytest.raises(TypeError, match=match):
        plotting.draw_network(NET, **{"ax": ax, **kwargs})
