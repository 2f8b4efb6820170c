"""Interactive widgets of the book, one module per chapter, over one small framework.

Each chapter's widget is declared as a :class:`WidgetSpec`: its controls (sliders and
dropdowns with defaults) and a ``render`` function, a cheaplib call that turns the
control values into a figure and a one-line summary.  From a spec the framework builds

* :func:`build` — the live ipywidgets UI: controls, an :class:`ipywidgets.Image` holding
  the rendered PNG (updated in place, so no flicker), and a summary label;
* :func:`static_figure` — the figure at the default settings.  Displayed in a notebook it
  also carries the widget's *static manifest* (:func:`static_manifest`, mime type
  :data:`STATIC_MIME`): the book build (``tools/widget_states.py``) renders every state
  of the manifest to PNG and shows a kernel-free control in place of the figure;
* :func:`timed_render` — one timed update, used by the latency benchmark.

The callback does nothing but draw the state (the kept view, below, or ``render``).  A
render draws a picture for every combination of its controls' values (a combination the
mathematics cannot do is drawn with the reason, not refused); a ``ValueError`` raised
for a value set by code outside the controls' ranges is shown in the summary label.

A render depends only on its state: the constrained layout that :func:`widget_png`
reuses between updates is always the one solved for the widget's *default* state, never
for whichever state happened to be drawn first.  So that every state's labels fit that
layout, a view keeps the width of its tick labels steady (tested for every static state).

Live updates follow the drag: sliders send ``continuous_update`` events and the
callback is throttled in the kernel (:class:`_LatestWins`): events that arrive while a
picture is being drawn are merged, and the next picture is drawn for the latest
position only.  A redraw is made cheap inside the kernel, with no helper process:

* **One figure, updated in place.**  A spec may declare a ``view``: a class whose
  instance builds the figure's static parts once (axes, labels, legend, lines) and whose
  :meth:`WidgetView.update` sets what a state changes (line data, bar heights, titles,
  limits).  The live widget keeps one view and redraws its figure; ``render`` makes a
  fresh view for each call.  A view's picture after any sequence of updates equals the
  picture of a fresh ``render`` of the same state, byte for byte (tested), so the
  static book and the live widget show the same pictures.
* **The figure's own canvas.**  :func:`figure_png` draws with the figure's Agg canvas,
  kept between updates of a view, so text metrics and parsed mathtext stay cached.
* **Pictures cached per state.**  Each live widget keeps the PNGs of the states it drew
  last (a bounded LRU, :data:`CACHE_SIZE`); going back to a state shows its picture at
  once.  Control values from the browser are first snapped to the control's own
  positions (:func:`canonical_values`), so ``0.30000000000000004`` is the state ``0.3``.

States of the static book (:func:`static_states`)
-------------------------------------------------
The static book renders the *full grid*: every combination of the controls' static
positions, so any control can be moved at any time and the others keep their values.
A dropdown's positions are all its options; a slider's are its ``static`` values when
the spec gives them, else its :meth:`~Slider.values` thinned evenly to at most
:data:`MAX_POSITIONS` (the default is always kept).  A slider with one static value is
*fixed* in the static book (shown as text; it moves in the live widget).  A spec whose
grid has more than :data:`MAX_GRID` states is refused, and every state must render: the
book build fails on a state whose render raises, so the static book has no holes.

Chapter modules (``cheaplib.widgets.<name>``) expose ``SPECS``, a tuple of specs; the
registry :func:`all_specs` finds them without any list to keep in sync.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import itertools
import json
import math
import pkgutil
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from matplotlib.figure import Figure

from cheaplib.plotting import BookFigure
from cheaplib.validation import check_int, check_real

__all__ = [
    "CACHE_SIZE",
    "MAX_GRID",
    "MAX_SLIDER_POSITIONS",
    "MAX_POSITIONS",
    "STATIC_MIME",
    "Dropdown",
    "Slider",
    "WidgetSpec",
    "WidgetView",
    "all_specs",
    "build",
    "canonical_values",
    "extreme_settings",
    "figure_png",
    "png_bytes",
    "main_control_values",
    "static_figure",
    "static_manifest",
    "static_states",
    "timed_render",
    "widget_png",
]

# CSS classes the browser tests look for.
CSS_ROOT = "cheap-widget"
CSS_MAIN = "cheap-widget-main"
CSS_SUMMARY = "cheap-widget-summary"
CSS_FIGURE = "cheap-widget-figure"

MAX_GRID = 64
"""Most states of a widget in the static book (the full grid of its static positions)."""
MAX_POSITIONS = 25
"""Most positions of one control in the static book (thinned evenly, default kept)."""
STATIC_MIME = "application/vnd.cheaplib.static-widget"
"""Mime type of the static manifest (a JSON text) that :func:`static_figure` displays."""
MAX_VALUES = 200
"""Most positions :meth:`Slider.values` lists (a finer slider is thinned evenly)."""
MAX_SLIDER_POSITIONS = 10_000
"""Most positions a slider may have: ``(high - low) / step + 1`` above this is refused."""
CACHE_SIZE = 128
"""Pictures a live widget keeps (least recently shown out first; about 100 kB each)."""


def _check_name(kind: str, name: object, label: object) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"{kind} name must be a Python identifier (a str), got {name!r}")
    if not isinstance(label, str):
        raise TypeError(f"{kind} {name!r}: label must be a str, got {type(label).__name__}")


@dataclass(frozen=True)
class Slider:
    """A numeric slider.

    Parameters
    ----------
    name : str
        Keyword passed to ``render``.
    label : str
        Text shown beside the slider.
    low, high, step : float
        Range and step, finite reals.  Integer sliders are made when all three are
        integers.  The slider has :math:`\\lfloor (h - l)/s \\rfloor + 1` positions (in
        decades for a log slider), at most :data:`MAX_SLIDER_POSITIONS`.
    default : float
        Initial value, inside ``[low, high]``.
    log : bool
        If true the slider moves ``log10`` of the value between ``low`` and ``high``
        (both positive), with ``step`` in decades.
    static : tuple of float, optional
        The positions the static book renders (each a position of the slider, the
        default among them; kept sorted and snapped to the exact positions).  One value
        fixes the control in the static book.  ``None`` (the default): every position,
        thinned evenly to :data:`MAX_POSITIONS`.

    Raises
    ------
    TypeError
        If ``name`` or ``label`` is not a string, or a number is not a real.
    ValueError
        If a number is NaN or infinite, ``low >= high``, ``step <= 0``, the default lies
        outside the range, a log slider has ``low <= 0``, the step is so small that
        the slider would have more than :data:`MAX_SLIDER_POSITIONS` positions, or a
        static value is not a position of the slider, repeats one, or the default is
        not among them.
    """

    name: str
    label: str
    low: float
    high: float
    step: float
    default: float
    log: bool = False
    static: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        _check_name("slider", self.name, self.label)
        where = f"slider {self.name!r}:"
        for arg in ("low", "high", "step", "default"):
            check_real(f"{where} {arg}", getattr(self, arg))
        if not isinstance(self.log, bool):
            raise TypeError(f"{where} log must be a bool, got {type(self.log).__name__}")
        if not self.low < self.high:
            raise ValueError(f"{where} low must be < high, got {self.low!r} >= {self.high!r}")
        if not self.low <= self.default <= self.high:
            raise ValueError(f"{where} default outside [low, high]: {self.default!r}")
        if self.step <= 0:
            raise ValueError(f"{where} step must be positive, got {self.step!r}")
        if self.log and self.low <= 0:
            raise ValueError(f"{where} a log slider needs low > 0, got {self.low!r}")
        if not self.count <= MAX_SLIDER_POSITIONS:  # counted, never listed
            raise ValueError(
                f"{where} step {self.step!r} gives {self.count:.3g} positions over "
                f"[low, high], more than {MAX_SLIDER_POSITIONS}: use a larger step"
            )
        if self.static is not None:
            object.__setattr__(self, "static", self._snap_static(self.static))

    def _snap_static(self, static: object) -> tuple[float, ...]:
        """``static`` as exact positions of the slider, sorted (see the class doc)."""
        where = f"slider {self.name!r}: static"
        if isinstance(static, str) or not isinstance(static, Sequence) or not static:
            raise TypeError(f"{where} must be a non-empty tuple of numbers, got {static!r}")
        grid = _thin(self.values(), self.default, MAX_VALUES)  # the default exact
        snapped = []
        for value in static:
            x = check_real(where, value)
            nearest = min(grid, key=lambda p: abs(p - x))
            if abs(nearest - x) > 1e-6 * max(1.0, abs(x)):
                raise ValueError(f"{where}: {value!r} is not a position of the slider")
            snapped.append(nearest)
        if len(set(snapped)) != len(snapped):
            raise ValueError(f"{where} repeats a position: {tuple(static)}")
        if self.default not in snapped:
            raise ValueError(f"{where} must include the default {self.default!r}")
        return tuple(sorted(snapped))

    @property
    def is_int(self) -> bool:
        """Whether the slider moves over integers."""
        return not self.log and all(
            float(v).is_integer() for v in (self.low, self.high, self.step, self.default)
        )

    def _span(self) -> tuple[float, float]:
        if self.log:
            return float(np.log10(self.low)), float(np.log10(self.high))
        return float(self.low), float(self.high)

    @property
    def count(self) -> float:
        """Number of positions of the slider, computed without listing them.

        A float (it may be huge before the constructor refuses it): the length of
        ``arange(low, high + 1e-9, step)`` for a log slider (in decades), and
        :math:`\\lfloor (h - l)/s + 10^{-9} \\rfloor + 1` otherwise.
        """
        start, stop = self._span()
        with np.errstate(over="ignore"):
            ratio = float(np.float64(stop - start) / np.float64(self.step))
        if not ratio < 1e15:  # beyond any bound (or inf): no exact count needed
            return ratio
        if self.log:
            return float(max(0, math.ceil((stop + 1e-9 - start) / self.step)))
        return float(math.floor(ratio + 1e-9) + 1)

    def values(self) -> list[float]:
        """Every position of the slider, low to high (at most :data:`MAX_VALUES`).

        A slider with more positions is thinned evenly (both ends kept): only the kept
        positions are computed.
        """
        n = int(self.count)
        start, _ = self._span()
        if n <= MAX_VALUES:  # every position, exactly as numpy's arange lists them
            if self.log:
                exps = np.arange(start, self._span()[1] + 1e-9, self.step)
                vals = list(10.0**exps)
            else:
                vals = list(self.low + self.step * np.arange(n))
        else:
            idx = np.unique(np.linspace(0, n - 1, MAX_VALUES).round().astype(np.int64))
            vals = list(10.0 ** (start + self.step * idx) if self.log else start + self.step * idx)
        return [int(round(v)) if self.is_int else float(v) for v in vals]


@dataclass(frozen=True)
class Dropdown:
    """A choice among labelled options.

    Parameters
    ----------
    name : str
        Keyword passed to ``render``.
    label : str
        Text shown beside the dropdown.
    options : tuple of str
        The choices (passed to ``render`` as strings), at least one, no repeats.  Any
        sequence of strings is accepted and kept as a tuple.
    default : str
        Initial choice.

    Raises
    ------
    TypeError
        If ``name``, ``label``, an option or the default is not a string, or ``options``
        is a single string or not a sequence.
    ValueError
        If ``options`` is empty or repeats an option, or the default is not among them.
    """

    name: str
    label: str
    options: tuple[str, ...]
    default: str

    def __post_init__(self) -> None:
        _check_name("dropdown", self.name, self.label)
        where = f"dropdown {self.name!r}:"
        if isinstance(self.options, str) or not isinstance(self.options, Sequence):
            raise TypeError(
                f"{where} options must be a sequence of str, got {type(self.options).__name__}"
            )
        options = tuple(self.options)
        if not options:
            raise ValueError(f"{where} options must not be empty")
        bad = [o for o in options if not isinstance(o, str)]
        if bad:
            raise TypeError(f"{where} options must be str, got {bad[0]!r}")
        if len(set(options)) != len(options):
            raise ValueError(f"{where} options repeat an option: {options}")
        object.__setattr__(self, "options", options)  # a frozen dataclass keeps the tuple
        if not isinstance(self.default, str):
            raise TypeError(f"{where} default must be a str, got {type(self.default).__name__}")
        if self.default not in options:
            raise ValueError(f"{where} default not among options: {self.default!r}")

    def values(self) -> list[str]:
        """Every option."""
        return list(self.options)


Control = Slider | Dropdown
RenderResult = tuple[Figure, str]


class WidgetView(Protocol):
    """A widget's figure, built once and updated in place (the live widget keeps one).

    The constructor (no arguments) draws the static parts; :meth:`update` sets
    everything a state changes and returns the summary.  Contract: after any sequence of
    updates, the figure of ``update(**values)`` gives the same PNG as a fresh view's
    (tested for every view of the book).
    """

    figure: Figure

    @property
    def update(self) -> Callable[..., str]:
        """``update(**values) -> summary``: show the state ``values``, return its summary.

        Raises ``ValueError`` for an invalid state, the figure then untouched.
        """


@dataclass(frozen=True)
class WidgetSpec:
    """Declaration of one interactive widget.

    Parameters
    ----------
    name : str
        Short identifier (used in benchmarks and test reports).
    title : str
        Heading shown above the widget.
    controls : tuple of Slider or Dropdown
        The controls; the first is the *main* control that tests and benchmarks move.
    render : callable
        ``render(**values) -> (Figure, summary)``; must raise ``ValueError`` (with a
        readable message) for invalid combinations and never return NaN-filled plots.
    view : callable, optional
        A :class:`WidgetView` class (or factory): the live widget keeps one and updates
        it in place.  ``render`` must then be ``fresh view, update`` (the same pictures).

    Raises
    ------
    TypeError
        If ``render`` (or ``view``) is not callable, or a control is not a
        :class:`Slider` or :class:`Dropdown`.
    ValueError
        If there is no control, two controls share a name, or the static book's grid
        (see :func:`static_states`) would have more than :data:`MAX_GRID` states.
    """

    name: str
    title: str
    controls: tuple[Control, ...]
    render: Callable[..., RenderResult] = field(repr=False)
    view: Callable[[], WidgetView] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"widget name must be a non-empty str, got {self.name!r}")
        if not isinstance(self.title, str):
            raise TypeError(f"widget {self.name!r}: title must be a str")
        if isinstance(self.controls, Slider | Dropdown) or not isinstance(self.controls, Sequence):
            raise TypeError(
                f"widget {self.name!r}: controls must be a tuple of Slider or Dropdown, "
                f"got {type(self.controls).__name__}"
            )
        controls = tuple(self.controls)
        bad = [c for c in controls if not isinstance(c, Slider | Dropdown)]
        if bad:
            raise TypeError(
                f"widget {self.name!r}: controls must be Slider or Dropdown, "
                f"got {type(bad[0]).__name__}"
            )
        if not controls:
            raise ValueError(f"widget {self.name!r}: controls is empty; a widget needs one")
        names = [c.name for c in controls]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate control names in {self.name!r}: {names}")
        object.__setattr__(self, "controls", controls)
        if not callable(self.render):
            raise TypeError(
                f"widget {self.name!r}: render must be callable, got {type(self.render).__name__}"
            )
        if self.view is not None and not callable(self.view):
            raise TypeError(
                f"widget {self.name!r}: view must be callable, got {type(self.view).__name__}"
            )
        counts = [len(p) for p in static_positions(self)]
        if math.prod(counts) > MAX_GRID:
            raise ValueError(
                f"widget {self.name!r}: the static book would render {math.prod(counts)} "
                f"states ({' x '.join(map(str, counts))} positions of {names}), more than "
                f"{MAX_GRID}: give sliders fewer static positions (Slider(static=...))"
            )

    @property
    def defaults(self) -> dict[str, Any]:
        """The control values at start-up."""
        return {c.name: c.default for c in self.controls}


def png_bytes(rgb: np.ndarray, level: int = 1) -> bytes:
    """Encode an 8-bit RGB image (``height x width x 3``, any strides) as PNG, unfiltered.

    The PNG format (ISO/IEC 15948): the signature, an ``IHDR`` chunk (size, bit depth 8,
    colour type 2 = RGB), one ``IDAT`` chunk holding the zlib stream of the rows, each
    preceded by its filter byte (0: none), and ``IEND``.  A chart is mostly runs of one
    colour, which deflate compresses as well without the row filters that Pillow tries
    on every row (measured: the same size, 40-45 % less time).

    Raises
    ------
    TypeError, ValueError
        If ``rgb`` is not a ``uint8`` array of shape ``(height, width, 3)`` or ``level``
        (the zlib level) not an integer from 0 to 9.
    """
    import struct
    import zlib

    level = check_int("level", level, 0, 9)
    if not (isinstance(rgb, np.ndarray) and rgb.dtype == np.uint8 and rgb.ndim == 3):
        raise ValueError("rgb must be a uint8 array of shape (height, width, 3)")
    height, width, depth = rgb.shape
    if depth != 3 or not height or not width:
        raise ValueError(f"rgb must have shape (height, width, 3), got {rgb.shape}")
    rows = np.empty((height, 3 * width + 1), np.uint8)
    rows[:, 0] = 0
    rows[:, 1:].reshape(height, width, 3)[...] = rgb  # one copy, from any strides

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows.data, level)),
            chunk(b"IEND", b""),
        ]
    )


def figure_png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes (opaque white background).

    The figure is drawn once with its own Agg canvas (attached on first use, then kept:
    a figure updated in place keeps its renderer, whose text-metrics and mathtext
    caches survive from one widget update to the next) and encoded by :func:`png_bytes`
    at a low zlib level: ``Figure.savefig`` draws twice (layout, then pixels) and
    compresses hard.  Any transparent pixel is composited over white.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    alpha = rgba[..., 3]
    if alpha.min() == 255:  # opaque (a book figure's white background): nothing to blend
        rgb = rgba[..., :3]
    else:
        a = alpha[..., None].astype(np.uint32)
        rgb = ((rgba[..., :3] * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)
    return png_bytes(rgb)


_LAYOUTS: dict[WidgetSpec, tuple[Any, list[Any]]] = {}


def _layout_key(fig: Figure) -> tuple[Any, ...]:
    return (tuple(np.round(fig.get_size_inches(), 3)), len(fig.axes))


def _default_layout(spec: WidgetSpec) -> tuple[Any, list[Any]]:
    """The axes positions solved by the constrained layout for the spec's default state."""
    if spec not in _LAYOUTS:
        try:
            fig, _ = spec.render(**spec.defaults)
        except ValueError:
            _LAYOUTS[spec] = (None, [])
        else:
            figure_png(fig)  # drawing solves the constrained layout
            _LAYOUTS[spec] = (
                _layout_key(fig),
                [ax.get_position(original=False) for ax in fig.axes],
            )
    return _LAYOUTS[spec]


def widget_png(spec: WidgetSpec, fig: Figure) -> bytes:
    """PNG of a widget's figure, laid out as the widget's default state is.

    Solving the constrained layout costs about as much as drawing the figure.  Between two
    positions of a slider the axes, labels and figure size stay the same, so the axes
    positions solved once for the widget's default state are applied to every figure of
    the same size and number of axes, and the layout engine is switched off.  The
    positions come from the default state whatever was drawn before, so the picture of a
    state depends on that state only (a figure of another size or axes count keeps its own
    constrained layout).
    """
    key, positions = _default_layout(spec)
    if key is not None and _layout_key(fig) == key:
        fig.set_layout_engine("none")
        for ax, pos in zip(fig.axes, positions, strict=True):
            ax.set_position(pos)
    return figure_png(fig)


def _thin(values: list[Any], default: Any, most: int) -> list[Any]:
    """At most ``most`` of ``values``, evenly spread, ends and the default kept."""
    values = list(values)
    if isinstance(default, str):
        at = values.index(default)
    else:
        at = int(np.argmin([abs(v - default) for v in values]))
    values[at] = default  # the default state is exactly the live widget's first state
    if len(values) <= most:
        return values
    keep = set(np.linspace(0, len(values) - 1, most - 1).round().astype(int).tolist())
    keep.add(at)
    return [values[i] for i in sorted(keep)]


def static_positions(spec: WidgetSpec) -> list[list[Any]]:
    """The positions of each control that the static book renders (see the module doc)."""
    out: list[list[Any]] = []
    for c in spec.controls:
        if isinstance(c, Slider) and c.static is not None:
            out.append(list(c.static))
        else:
            out.append(_thin(c.values(), c.default, MAX_POSITIONS))
    return out


def _default_index(spec: WidgetSpec, positions: list[list[Any]]) -> tuple[int, ...]:
    return tuple(p.index(c.default) for c, p in zip(spec.controls, positions, strict=True))


def static_states(spec: WidgetSpec) -> list[tuple[int, ...]]:
    """Every state of the static book, as position indices per control, default first.

    The full grid of :func:`static_positions` (at most :data:`MAX_GRID` states, which
    :class:`WidgetSpec` checks): moving one static control never moves another.
    """
    positions = static_positions(spec)
    default = _default_index(spec, positions)
    states = list(itertools.product(*(range(len(p)) for p in positions)))
    states.remove(default)
    return [default, *states]


def state_values(spec: WidgetSpec, state: tuple[int, ...]) -> dict[str, Any]:
    """The control values (keywords of ``render``) of a static state."""
    positions = static_positions(spec)
    return {c.name: p[i] for c, p, i in zip(spec.controls, positions, state, strict=True)}


def state_key(state: tuple[int, ...]) -> str:
    """File stem of a static state: its position indices joined by ``-``."""
    return "-".join(str(i) for i in state)


def _label(control: Control, value: Any) -> str:
    if isinstance(control, Dropdown) or (isinstance(control, Slider) and control.is_int):
        return str(value)
    return f"{value:.3g}"


def static_manifest(spec: WidgetSpec) -> dict[str, Any]:
    """What the static book needs to show the widget's kernel-free control (JSON-able).

    Each control has a ``kind``: ``"select"`` (a dropdown), ``"slider"``, or ``"fixed"``
    (one static position: shown as text, it moves in the live widget only).  Holds no
    picture and no float beyond formatted labels, so its text is the same on every
    machine (strict nbval compares it).
    """
    positions = static_positions(spec)
    default = _default_index(spec, positions)
    controls = []
    for c, p, d in zip(spec.controls, positions, default, strict=True):
        kind = "select" if isinstance(c, Dropdown) else "slider" if len(p) > 1 else "fixed"
        labels = [_label(c, v) for v in p]
        controls.append(
            {"name": c.name, "label": c.label, "kind": kind, "labels": labels, "default": d}
        )
    return {
        "version": 2,
        "widget": spec.name,
        "title": spec.title,
        "states": len(static_states(spec)),
        "controls": controls,
    }


def static_figure(spec: WidgetSpec) -> Figure:
    """The figure the widget shows at its default settings (for the static book).

    Displayed in a notebook (as a cell's last expression) it gives the usual PNG and text
    of a figure, which JupyterLab and Colab show, plus the manifest of
    :func:`static_manifest` under the mime type :data:`STATIC_MIME`, which they ignore:
    the HTML book replaces the figure by the kernel-free control it describes.

    Raises
    ------
    TypeError
        If ``render`` does not return a :class:`cheaplib.plotting.BookFigure` (made by
        :func:`cheaplib.plotting.new_figure`), which publishes the manifest beside its PNG.
    """
    fig, _ = spec.render(**spec.defaults)
    if not isinstance(fig, BookFigure):
        raise TypeError(
            f"widget {spec.name!r}: render must return a cheaplib.plotting.BookFigure "
            f"(cheaplib.plotting.new_figure), got {type(fig).__name__}"
        )
    fig.extra_data = {
        STATIC_MIME: json.dumps(static_manifest(spec), ensure_ascii=False, sort_keys=True)
    }
    return fig


def timed_render(spec: WidgetSpec, **values: Any) -> tuple[float, float]:
    """Time one widget update: ``(compute_and_plot_seconds, png_render_seconds)``."""
    params = spec.defaults | values
    t0 = time.perf_counter()
    fig, _ = spec.render(**params)
    t1 = time.perf_counter()
    widget_png(spec, fig)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main_control_values(spec: WidgetSpec) -> list[Any]:
    """Every position of the main (first) control, for sweeps in tests and benchmarks."""
    return spec.controls[0].values()


def _control_widget(control: Control) -> Any:
    import ipywidgets as w

    style = {"description_width": "initial"}
    layout = w.Layout(width="420px")
    if isinstance(control, Dropdown):
        return w.Dropdown(
            options=list(control.options),
            value=control.default,
            description=control.label,
            style=style,
            layout=layout,
        )
    if control.log:
        return w.FloatLogSlider(
            value=control.default,
            base=10,
            min=float(np.log10(control.low)),
            max=float(np.log10(control.high)),
            step=control.step,
            description=control.label,
            continuous_update=True,
            style=style,
            layout=layout,
        )
    cls = w.IntSlider if control.is_int else w.FloatSlider
    kwargs: dict[str, Any] = {}
    if not control.is_int:
        kwargs["readout_format"] = ".3g"
    return cls(
        value=control.default,
        min=control.low,
        max=control.high,
        step=control.step,
        description=control.label,
        continuous_update=True,
        style=style,
        layout=layout,
        **kwargs,
    )


class _LatestWins:
    """Run ``fn`` for the latest state only: calls made while it waits are merged.

    In a kernel (a running asyncio loop) a call schedules ``fn`` on the loop unless one is
    already scheduled; ``fn`` reads the controls when it runs, so every value-change
    message that arrived in the meantime — a drag sends many — costs nothing and the
    picture drawn is the one for the latest position.  Without a running loop (plain
    Python, tests) ``fn`` runs at once.
    """

    def __init__(self, fn: Callable[[], None]) -> None:
        self.fn = fn
        self.pending = False

    def __call__(self, _: Any = None) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.fn()
            return
        if not self.pending:
            self.pending = True
            loop.call_soon(self._run)

    def _run(self) -> None:
        self.pending = False
        self.fn()


@functools.cache
def _live_box_class() -> type:
    import ipywidgets as w

    class LiveWidget(w.VBox):
        """The widget's box, with a text form that says what it is.

        A notebook saved without widget state shows this text (not ``VBox(children=...``)
        until the cell runs.
        """

        def __repr__(self) -> str:
            return getattr(self, "_cheap_text", "Live widget")

    return LiveWidget


def live_text(spec: WidgetSpec) -> str:
    """The text shown for the live widget where no kernel runs (at most 110 characters)."""
    text = f"Live widget ({spec.title}): run this cell to use it"
    if len(text) > 110:
        title = spec.title[: 110 - len("Live widget (…): run this cell to use it")]
        text = f"Live widget ({title.rstrip()}…): run this cell to use it"
    return text


def canonical_values(spec: WidgetSpec, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each number snapped to its control's nearest position.

    A value within a millionth (relative) of a position of :meth:`Slider.values` (the
    default standing for the position nearest to it, as in :func:`static_positions`) is
    that position, so the browser's ``0.30000000000000004`` is the state ``0.3`` that the
    static book renders; any other value is kept as it is (a slider set by code between
    positions, or a position thinned out of a very fine slider).

    Raises
    ------
    TypeError
        If ``spec`` is not a :class:`WidgetSpec`.
    ValueError
        If ``values`` lacks a control's value.
    """
    if not isinstance(spec, WidgetSpec):
        raise TypeError(f"spec must be a WidgetSpec, got {type(spec).__name__}")
    missing = [c.name for c in spec.controls if c.name not in values]
    if missing:
        raise ValueError(f"values has no value for the controls {missing}")
    out = dict(values)
    for control in spec.controls:
        value = values[control.name]
        if isinstance(control, Dropdown) or isinstance(value, str | bool):
            continue
        grid = _positions(control)
        nearest = min(grid, key=lambda p: abs(p - value))
        if abs(nearest - value) <= 1e-6 * max(1.0, abs(nearest)):
            out[control.name] = nearest
    return out


@functools.lru_cache(maxsize=256)
def _positions(control: Slider) -> tuple[Any, ...]:
    """The slider's positions with the default exactly among them (as the static book)."""
    return tuple(_thin(control.values(), control.default, MAX_VALUES))


#: A state's picture: ("ok", png, summary) or ("error", message, "").
Result = tuple[str, Any, str]


class _Drawer:
    """Pictures of one live widget: a bounded LRU of drawn states, and its kept view.

    Parameters
    ----------
    spec : WidgetSpec
        The widget.
    cache_size : int
        Most pictures kept (0: draw every state, as on its first visit).
    """

    def __init__(self, spec: WidgetSpec, cache_size: int) -> None:
        self.spec = spec
        self.cache_size = cache_size
        self.cache: OrderedDict[tuple[Any, ...], Result] = OrderedDict()
        self.view: WidgetView | None = None
        self.hits = 0
        self.misses = 0

    def draw(self, values: dict[str, Any]) -> Result:
        """The picture and summary of ``values`` (a canonical state)."""
        key = tuple(values[c.name] for c in self.spec.controls)
        result = self.cache.get(key)
        if result is not None:
            self.hits += 1
            self.cache.move_to_end(key)
            return result
        self.misses += 1
        try:
            if self.spec.view is not None:
                if self.view is None:
                    self.view = self.spec.view()
                text = self.view.update(**values)
                fig = self.view.figure
            else:
                fig, text = self.spec.render(**values)
        except ValueError as exc:  # an invalid combination: its message is shown
            self.view = None  # a view stopped half-way is not trusted again
            result = ("error", str(exc), "")
        else:
            result = ("ok", widget_png(self.spec, fig), text)
        if self.cache_size > 0:
            self.cache[key] = result
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return result


def build(spec: WidgetSpec, cache_size: int = CACHE_SIZE) -> Any:
    """Build the live widget: controls, figure (PNG, updated in place) and summary.

    Sliders update while dragged; drawing is throttled so that the latest position wins
    (:class:`_LatestWins`).  A widget with a ``view`` redraws one figure updated in
    place, and the pictures of the last ``cache_size`` states shown are kept (see the
    module doc): the picture of a state is always that of ``spec.render`` for it.

    Parameters
    ----------
    spec : WidgetSpec
        The widget declaration.
    cache_size : int, optional
        Most pictures kept, :data:`CACHE_SIZE` by default; 0 draws every state when it
        is shown (what a first visit costs: the benchmark's cold case).

    Returns
    -------
    ipywidgets.VBox
        Display it as the last expression of a cell.

    Raises
    ------
    TypeError
        If ``spec`` is not a :class:`WidgetSpec` or ``cache_size`` not an integer.
    ValueError
        If ``cache_size`` is negative or above 4096.
    """
    import ipywidgets as w

    if not isinstance(spec, WidgetSpec):
        raise TypeError(f"spec must be a WidgetSpec, got {type(spec).__name__}")
    drawer = _Drawer(spec, check_int("cache_size", cache_size, 0, 4096))
    controls = [_control_widget(c) for c in spec.controls]
    controls[0].add_class(CSS_MAIN)
    image = w.Image(format="png", layout=w.Layout(max_width="100%"))
    image.add_class(CSS_FIGURE)
    summary = w.HTML()
    summary.add_class(CSS_SUMMARY)
    shown: dict[str, Any] = {}

    def update() -> None:
        raw = {c.name: ctl.value for c, ctl in zip(spec.controls, controls, strict=True)}
        values = canonical_values(spec, raw)
        if values == shown:
            return
        shown.clear()
        shown.update(values)
        kind, payload, text = drawer.draw(values)
        if kind == "error":  # an invalid combination: say so, keep the old figure
            summary.value = f"<b>Not available:</b> {payload}"
        else:
            image.value = payload
            summary.value = text

    throttled = _LatestWins(update)
    for ctl in controls:
        ctl.observe(throttled, names="value")
    update()
    box = _live_box_class()([w.HTML(f"<b>{spec.title}</b>"), *controls, summary, image])
    box._cheap_text = live_text(spec)
    box._cheap_drawer = drawer  # the cache and its counts, for tests
    box.add_class(CSS_ROOT)
    return box


def all_specs() -> dict[str, WidgetSpec]:
    """Every widget of the book, by name, found in the ``cheaplib.widgets`` submodules."""
    found: dict[str, WidgetSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # the framework's own modules hold no widget
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for spec in getattr(module, "SPECS", ()):
            if spec.name in found:
                raise ValueError(f"two widgets are named {spec.name!r}")
            found[spec.name] = spec
    return found


def extreme_settings(spec: WidgetSpec) -> list[dict[str, Any]]:
    """Settings that put each control, in turn, at each end of its range (or each option).

    The others stay at their defaults.  Tests render every one of these to check that no
    extreme breaks the widget (no exception other than a clear ``ValueError``, no NaN).
    """
    settings: list[dict[str, Any]] = []
    for control in spec.controls:
        vals = control.values()
        ends = vals if isinstance(control, Dropdown) else [vals[0], vals[-1]]
        settings.extend(spec.defaults | {control.name: v} for v in ends)
    return settings
