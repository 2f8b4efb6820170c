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

The callback does nothing but call ``render``.  A ``ValueError`` raised by ``render``
(an invalid combination of values) is shown in the summary label instead of a figure,
so no slider position can break the widget.

A render depends only on its state: the constrained layout that :func:`widget_png`
reuses between updates is always the one solved for the widget's *default* state, never
for whichever state happened to be drawn first.

Live updates follow the drag: sliders send ``continuous_update`` events and the
callback is throttled in the kernel (:class:`_LatestWins`): events that arrive while a
picture is being drawn are merged, and the next picture is drawn for the latest
position only.  While the reader looks at a state, a worker process draws the states
next to it into a cache (:mod:`cheaplib.widgets._ahead`), so a slider that moves on by
a step finds its picture ready; a state not ready yet is drawn at once in the kernel.

States of the static book (:func:`static_states`)
-------------------------------------------------
Each control's positions are its :meth:`~Slider.values`, thinned evenly to at most
:data:`MAX_POSITIONS` (the default is always kept).  When the product of these counts
is at most :data:`MAX_GRID` the static book renders the *full grid* (every combination,
mode ``"grid"``).  Otherwise it renders *one control at a time around the default*
(mode ``"axis"``): every position of each control with all other controls at their
defaults, so at most ``sum(counts) - len(controls) + 1`` states; moving one static
control then returns the others to their defaults.

Chapter modules (``cheaplib.widgets.<name>``) expose ``SPECS``, a tuple of specs; the
registry :func:`all_specs` finds them without any list to keep in sync.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import io
import itertools
import json
import math
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from cheaplib.plotting import BookFigure

__all__ = [
    "MAX_GRID",
    "MAX_POSITIONS",
    "STATIC_MIME",
    "Dropdown",
    "Slider",
    "WidgetSpec",
    "all_specs",
    "build",
    "extreme_settings",
    "figure_png",
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
"""Largest number of states rendered as a full grid of every combination of controls."""
MAX_POSITIONS = 25
"""Most positions of one control in the static book (thinned evenly, default kept)."""
STATIC_MIME = "application/vnd.cheaplib.static-widget"
"""Mime type of the static manifest (a JSON text) that :func:`static_figure` displays."""


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
        Range and step.  Integer sliders are made when all three are integers.
    default : float
        Initial value, inside ``[low, high]``.
    log : bool
        If true the slider moves ``log10`` of the value between ``low`` and ``high``
        (both positive), with ``step`` in decades.
    """

    name: str
    label: str
    low: float
    high: float
    step: float
    default: float
    log: bool = False

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"slider {self.name!r}: low must be < high")
        if not self.low <= self.default <= self.high:
            raise ValueError(f"slider {self.name!r}: default outside [low, high]")
        if self.step <= 0:
            raise ValueError(f"slider {self.name!r}: step must be positive")
        if self.log and self.low <= 0:
            raise ValueError(f"slider {self.name!r}: a log slider needs low > 0")

    @property
    def is_int(self) -> bool:
        """Whether the slider moves over integers."""
        return not self.log and all(
            float(v).is_integer() for v in (self.low, self.high, self.step, self.default)
        )

    def values(self) -> list[float]:
        """Every position of the slider, low to high (at most 200, evenly thinned)."""
        if self.log:
            exps = np.arange(np.log10(self.low), np.log10(self.high) + 1e-9, self.step)
            vals = list(10.0**exps)
        else:
            n = int(np.floor((self.high - self.low) / self.step + 1e-9)) + 1
            vals = list(self.low + self.step * np.arange(n))
        if len(vals) > 200:
            idx = np.unique(np.linspace(0, len(vals) - 1, 200).round().astype(int))
            vals = [vals[i] for i in idx]
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
        The choices (passed to ``render`` as strings).
    default : str
        Initial choice.
    """

    name: str
    label: str
    options: tuple[str, ...]
    default: str

    def __post_init__(self) -> None:
        if self.default not in self.options:
            raise ValueError(f"dropdown {self.name!r}: default not among options")

    def values(self) -> list[str]:
        """Every option."""
        return list(self.options)


Control = Slider | Dropdown
RenderResult = tuple[Figure, str]


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
    """

    name: str
    title: str
    controls: tuple[Control, ...]
    render: Callable[..., RenderResult] = field(repr=False)

    def __post_init__(self) -> None:
        if not self.controls:
            raise ValueError("a widget needs at least one control")
        names = [c.name for c in self.controls]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate control names in {self.name!r}")

    @property
    def defaults(self) -> dict[str, Any]:
        """The control values at start-up."""
        return {c.name: c.default for c in self.controls}


_RENDERERS: dict[tuple[int, int, float], Any] = {}


def figure_png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes (opaque white background).

    The figure is drawn once with the Agg canvas and encoded by Pillow at a low zlib level:
    ``Figure.savefig`` draws twice (layout, then pixels) and compresses hard.  The Agg
    renderer is shared between figures of the same pixel size, so its mathtext parser
    and text-metrics caches survive from one widget update to the next (a fresh renderer
    re-parsed every ``$...$`` tick label: about 40 % of a log-axis figure's time).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    width, height = canvas.get_width_height(physical=True)
    key = (width, height, fig.dpi)
    if key in _RENDERERS:  # what FigureCanvasAgg.get_renderer does for its own renderer
        canvas.renderer = _RENDERERS[key]
        canvas._lastKey = key  # noqa: SLF001
    else:
        _RENDERERS[key] = canvas.get_renderer()
    canvas.draw()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    background = Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    buf = io.BytesIO()
    background.save(buf, format="png", compress_level=1)
    return buf.getvalue()


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
    state depends on that state only (a figure of another size or axes count keeps its
    own constrained layout).
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
    return [_thin(c.values(), c.default, MAX_POSITIONS) for c in spec.controls]


def _default_index(spec: WidgetSpec, positions: list[list[Any]]) -> tuple[int, ...]:
    return tuple(p.index(c.default) for c, p in zip(spec.controls, positions, strict=True))


def static_states(spec: WidgetSpec) -> tuple[str, list[tuple[int, ...]]]:
    """The mode (``"grid"`` or ``"axis"``) and the states, as position indices per control.

    The first state is the default.  See the module docstring for the rule.
    """
    positions = static_positions(spec)
    default = _default_index(spec, positions)
    if math.prod(len(p) for p in positions) <= MAX_GRID:
        states = list(itertools.product(*(range(len(p)) for p in positions)))
        states.remove(default)
        return "grid", [default, *states]
    states = [default]
    for i, p in enumerate(positions):
        for j in range(len(p)):
            if j != default[i]:
                states.append(default[:i] + (j,) + default[i + 1 :])
    return "axis", states


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

    Holds no picture and no float beyond formatted labels, so its text is the same on
    every machine (strict nbval compares it).
    """
    positions = static_positions(spec)
    mode, states = static_states(spec)
    default = _default_index(spec, positions)
    controls = []
    for c, p, d in zip(spec.controls, positions, default, strict=True):
        kind = "select" if isinstance(c, Dropdown) else "slider"
        labels = [_label(c, v) for v in p]
        controls.append(
            {"name": c.name, "label": c.label, "kind": kind, "labels": labels, "default": d}
        )
    return {
        "version": 1,
        "widget": spec.name,
        "title": spec.title,
        "mode": mode,
        "states": len(states),
        "controls": controls,
    }


class _StaticBundle:
    """``_repr_mimebundle_`` of a static figure: adds the manifest to the usual outputs."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        self.text = json.dumps(manifest, ensure_ascii=False, sort_keys=True)

    def __call__(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {STATIC_MIME: self.text}


def static_figure(spec: WidgetSpec) -> Figure:
    """The figure the widget shows at its default settings (for the static book).

    Displayed in a notebook (as a cell's last expression) it gives the usual PNG and text
    of a figure, which JupyterLab and Colab show, plus the manifest of
    :func:`static_manifest` under the mime type :data:`STATIC_MIME`, which they ignore:
    the HTML book replaces the figure by the kernel-free control it describes.
    """
    fig, _ = spec.render(**spec.defaults)
    bundle = _StaticBundle(static_manifest(spec))
    if isinstance(fig, BookFigure):  # it displays itself, with its extra outputs
        fig.extra_data = {STATIC_MIME: bundle.text}
    else:
        fig._repr_mimebundle_ = bundle  # type: ignore[attr-defined]
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


def build(spec: WidgetSpec) -> Any:
    """Build the live widget: controls, figure (PNG, updated in place) and summary.

    Sliders update while dragged; drawing is throttled so that the latest position wins
    (:class:`_LatestWins`), and the states next to the one shown are drawn ahead by a
    worker process (:class:`cheaplib.widgets._ahead.Ahead`, widgets of the registry
    only) so that the next step's picture is usually ready.

    Parameters
    ----------
    spec : WidgetSpec
        The widget declaration.

    Returns
    -------
    ipywidgets.VBox
        Display it as the last expression of a cell.
    """
    import ipywidgets as w

    from cheaplib.widgets import _ahead

    controls = [_control_widget(c) for c in spec.controls]
    controls[0].add_class(CSS_MAIN)
    image = w.Image(format="png", layout=w.Layout(max_width="100%"))
    image.add_class(CSS_FIGURE)
    summary = w.HTML()
    summary.add_class(CSS_SUMMARY)
    shown: dict[str, Any] = {}
    loop: list[asyncio.AbstractEventLoop] = []  # the kernel's, once an update ran in it

    def wake() -> None:  # from the worker's thread: update in the kernel's loop
        if loop:
            loop[0].call_soon_threadsafe(throttled)
        else:
            throttled()

    registered = all_specs().get(spec.name) is spec  # the worker finds it by name
    ahead = _ahead.Ahead(spec, _ahead.shared_executor() if registered else None, wake=wake)

    def update() -> None:
        if not loop:
            try:
                loop.append(asyncio.get_running_loop())
            except RuntimeError:
                pass
        raw = {c.name: ctl.value for c, ctl in zip(spec.controls, controls, strict=True)}
        values = _ahead.canonical(spec.controls, raw)
        if values == shown:
            return
        result = ahead.result(values)
        if result is None:  # the worker is drawing this state: wake() comes back
            return
        ahead.moved(dict(shown) if shown else None, values)
        shown.clear()
        shown.update(values)
        kind, payload, text = result
        if kind == "error":  # an invalid combination: say so, keep the old figure
            summary.value = f"<b>Not available:</b> {payload}"
        else:
            image.value = payload
            summary.value = text
        ahead.ahead(values)

    throttled = _LatestWins(update)
    for ctl in controls:
        ctl.observe(throttled, names="value")
    update()
    box = _live_box_class()([w.HTML(f"<b>{spec.title}</b>"), *controls, summary, image])
    box._cheap_text = live_text(spec)
    box._cheap_ahead = ahead  # the cache, for tests and benchmarks
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
