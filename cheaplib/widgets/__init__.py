"""Interactive widgets of the book, one module per chapter, over one small framework.

Each chapter's widget is declared as a :class:`WidgetSpec`: its controls (sliders and
dropdowns with defaults) and a ``render`` function, a cheaplib call that turns the
control values into a figure and a one-line summary.  From a spec the framework builds

* :func:`build` — the live ipywidgets UI: controls, an :class:`ipywidgets.Image` holding
  the rendered PNG (updated in place, so no flicker), and a summary label;
* :func:`static_figure` — the figure at the default settings, which the static HTML book
  shows in place of the live widget;
* :func:`timed_render` — one timed update, used by the latency benchmark.

The callback does nothing but call ``render``.  A ``ValueError`` raised by ``render``
(an invalid combination of values) is shown in the summary label instead of a figure,
so no slider position can break the widget.

Chapter modules (``cheaplib.widgets.<name>``) expose ``SPECS``, a tuple of specs; the
registry :func:`all_specs` finds them without any list to keep in sync.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "Dropdown",
    "Slider",
    "WidgetSpec",
    "all_specs",
    "build",
    "extreme_settings",
    "figure_png",
    "main_control_values",
    "static_figure",
    "timed_render",
    "widget_png",
]

# CSS classes the browser tests look for.
CSS_ROOT = "cheap-widget"
CSS_MAIN = "cheap-widget-main"
CSS_SUMMARY = "cheap-widget-summary"
CSS_FIGURE = "cheap-widget-figure"


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


_LAYOUTS: dict[tuple[Any, ...], list[Any]] = {}


def widget_png(spec: WidgetSpec, fig: Figure) -> bytes:
    """PNG of a widget's figure, reusing the widget's first constrained layout.

    Solving the constrained layout costs about as much as drawing the figure.  Between two
    positions of a slider the axes, labels and figure size stay the same, so the axes
    positions found for the first figure of a widget (keyed by its name, figure size and
    number of axes) are applied to later ones and the layout engine is switched off.
    """
    key = (spec.name, tuple(np.round(fig.get_size_inches(), 3)), len(fig.axes))
    cached = _LAYOUTS.get(key)
    if cached is not None:
        fig.set_layout_engine("none")
        for ax, pos in zip(fig.axes, cached, strict=True):
            ax.set_position(pos)
    png = figure_png(fig)
    if cached is None:
        _LAYOUTS[key] = [ax.get_position(original=False) for ax in fig.axes]
    return png


def static_figure(spec: WidgetSpec) -> Figure:
    """The figure the widget shows at its default settings (for the static book)."""
    fig, _ = spec.render(**spec.defaults)
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
            continuous_update=False,
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
        continuous_update=False,
        style=style,
        layout=layout,
        **kwargs,
    )


def build(spec: WidgetSpec) -> Any:
    """Build the live widget: controls, figure (PNG, updated in place) and summary.

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

    controls = [_control_widget(c) for c in spec.controls]
    controls[0].add_class(CSS_MAIN)
    image = w.Image(format="png", layout=w.Layout(max_width="100%"))
    image.add_class(CSS_FIGURE)
    summary = w.HTML()
    summary.add_class(CSS_SUMMARY)

    def update(_: Any = None) -> None:
        values = {c.name: ctl.value for c, ctl in zip(spec.controls, controls, strict=True)}
        try:
            fig, text = spec.render(**values)
        except ValueError as exc:  # an invalid combination: say so, keep the old figure
            summary.value = f"<b>Not available:</b> {exc}"
            return
        image.value = widget_png(spec, fig)
        summary.value = text

    for ctl in controls:
        ctl.observe(update, names="value")
    update()
    box = w.VBox([w.HTML(f"<b>{spec.title}</b>"), *controls, summary, image])
    box.add_class(CSS_ROOT)
    return box


def all_specs() -> dict[str, WidgetSpec]:
    """Every widget of the book, by name, found in the ``cheaplib.widgets`` submodules."""
    found: dict[str, WidgetSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
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
    settings = []
    for control in spec.controls:
        vals = control.values()
        ends = vals if isinstance(control, Dropdown) else [vals[0], vals[-1]]
        settings.extend(spec.defaults | {control.name: v} for v in ends)
    return settings
