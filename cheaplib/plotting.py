"""Shared figure style: opaque backgrounds, legible text at phone width, sharp pixels.

Every figure of the book is made through :func:`new_figure`, so that all chapters share
one look and every figure has an opaque white background (readable in the book's dark
theme) whether it is shown inline, saved to PNG for a widget, or embedded in the HTML.

Two rules for the reader, enforced here rather than figure by figure:

* **Sharp on high-density screens.** Figures are drawn at :data:`BOOK_DPI` (twice the
  96 dpi of a CSS pixel), so a PNG has two device pixels per CSS pixel once the book's
  column scales it to its width.
* **Legible at phone width.** On a 390 px phone the book shows a figure
  :data:`PHONE_FIGURE_PX` CSS pixels wide, whatever its size in inches.  Text of ``s``
  points in a figure ``w`` inches wide is then ``s * PHONE_FIGURE_PX / (72 w)`` CSS pixels
  tall.  Before every draw, a :class:`BookFigure` raises any smaller text (tick labels,
  legends, annotations, even an explicit ``fontsize=8``) to :func:`min_font_size`, the
  size that reads as :data:`MIN_TEXT_PX` on the phone.  Wide figures therefore get large
  text: prefer figures at most 6.4 inches wide, and stack panels (``nrows=2``) rather than
  put three side by side.

A figure shown in a notebook also publishes, in its output metadata under
:data:`DIGEST_KEY`, a digest of what it plots (:func:`figure_digest`: each line's,
collection's, image's and bar's data, down-sampled and rounded), so that strict nbval
(``tools.nbval_figures``) compares figures by their data as well as by their pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text

from cheaplib.validation import MAX_BYTES, check_budget, check_instance, check_int, check_real

if TYPE_CHECKING:
    from matplotlib.backend_bases import RendererBase

    from cheaplib.nets import Network

__all__ = [
    "BOOK_DPI",
    "MAX_FIGURE_INCHES",
    "MAX_SUBPLOTS",
    "MIN_TEXT_PX",
    "PHONE_FIGURE_PX",
    "SCREEN_DPI",
    "STYLE",
    "BookFigure",
    "DIGEST_KEY",
    "enforce_legible_text",
    "figure_bundle",
    "figure_digest",
    "min_font_size",
    "new_figure",
    "smallest_text_px",
]

SCREEN_DPI = 96.0
"""Pixels per inch of a CSS pixel (matplotlib's inch is 96 CSS pixels in the book)."""
BOOK_DPI = 2 * SCREEN_DPI
"""Resolution of the book's figures: two device pixels per CSS pixel (high-density screens)."""
PHONE_FIGURE_PX = 340.0
"""Width in CSS pixels of a figure in the book on a 390 px wide phone (measured: 342)."""
MIN_TEXT_PX = 9.0
"""Smallest text height, in CSS pixels, that a figure may show on a phone."""
MAX_FIGURE_INCHES = 100.0
"""Largest figure width or height, in inches (9,600 CSS pixels): beyond it, a mistake."""
MAX_SUBPLOTS = 20
"""Most rows (and most columns) of subplots in one figure."""

STYLE: dict[str, Any] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.dpi": BOOK_DPI,
}
"""Matplotlib rc parameters applied to every book figure."""


def min_font_size(width: float) -> float:
    """Smallest font size (points) legible on a phone for a figure ``width`` inches wide.

    Parameters
    ----------
    width : float
        Figure width in inches, in ``(0, MAX_FIGURE_INCHES]``.

    Returns
    -------
    float
        ``MIN_TEXT_PX * 72 * width / PHONE_FIGURE_PX``.

    Raises
    ------
    TypeError, ValueError
        For a width that is not a finite real in ``(0, MAX_FIGURE_INCHES]``.
    """
    width = check_real("width", width, 0.0, MAX_FIGURE_INCHES, low_open=True)
    return MIN_TEXT_PX * 72.0 * width / PHONE_FIGURE_PX


def _texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(match=Text) if t.get_visible() and t.get_text().strip()]


def enforce_legible_text(fig: Figure) -> int:
    """Raise every visible text of ``fig`` smaller than :func:`min_font_size` to that size.

    Returns
    -------
    int
        How many texts were enlarged.

    Raises
    ------
    TypeError
        If ``fig`` is not a :class:`matplotlib.figure.Figure`.
    """
    check_instance("fig", fig, Figure, "a matplotlib Figure")
    floor = min_font_size(float(fig.get_figwidth()))
    raised = 0
    for text in fig.findobj(match=Text):  # empty tick labels too: the formatter fills them
        if float(text.get_fontsize()) < floor:
            text.set_fontsize(floor)
            raised += 1
    for ax in fig.axes:  # ticks made during the draw copy the axis's tick settings
        pairs: tuple[tuple[Literal["x", "y"], Any], ...] = (("x", ax.xaxis), ("y", ax.yaxis))
        for name, axis in pairs:
            for which, ticks in (
                ("major", axis.get_major_ticks()),
                ("minor", axis.get_minor_ticks()),
            ):
                if ticks and float(ticks[0].label1.get_fontsize()) < floor:
                    ax.tick_params(axis=name, which=which, labelsize=floor)
    return raised


def smallest_text_px(fig: Figure) -> float:
    """Height in CSS pixels of the smallest visible text of ``fig`` shown on a phone.

    Draws the figure first (ticks and legends exist only once drawn).

    Raises
    ------
    TypeError
        If ``fig`` is not a :class:`matplotlib.figure.Figure`.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    check_instance("fig", fig, Figure, "a matplotlib Figure")
    FigureCanvasAgg(fig).draw()
    sizes = [float(t.get_fontsize()) for t in _texts(fig)]
    if not sizes:
        return float("inf")
    return float(min(sizes)) * PHONE_FIGURE_PX / (72.0 * float(fig.get_figwidth()))


def figure_bundle(fig: Figure) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """The notebook output of ``fig``: a PNG at the figure's dpi, shown at 96 dpi.

    Returns the display data (``image/png`` base64 with the tight bounding box the inline
    backend uses, and the usual ``text/plain`` repr) and its metadata: the PNG's ``width``
    in CSS pixels, so that the book, JupyterLab and Colab show a :data:`BOOK_DPI` figure at
    its natural size with two device pixels per CSS pixel (a column narrower than that,
    as on a phone, scales it down).

    Raises
    ------
    TypeError
        If ``fig`` is not a :class:`matplotlib.figure.Figure`.
    """
    import base64
    import io

    check_instance("fig", fig, Figure, "a matplotlib Figure")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=fig.dpi)
    png = buf.getvalue()
    width_px = int.from_bytes(png[16:20], "big")  # IHDR: width, then height
    css_width = round(width_px * SCREEN_DPI / float(fig.dpi))
    data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": repr(fig)}
    return data, {"image/png": {"width": css_width}}


DIGEST_KEY = "deep-and-cheap"
"""Output-metadata key under which a displayed figure stores ``{"figure": digest}``."""
DIGEST_POINTS = 64
"""Most points per series in a figure digest (evenly spaced indices, ends included)."""
DIGEST_DIGITS = 6
"""Significant digits of the numbers in a figure digest."""


def _digest_column(values: Any, points: int, digits: int) -> list[float | str | None]:
    import numpy as np

    flat: np.ndarray = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan).ravel()
    if flat.size > points:
        flat = flat[np.unique(np.linspace(0, flat.size - 1, points).round().astype(int))]
    out: list[float | str | None] = []
    for v in flat.tolist():
        if v != v:
            out.append(None)
        elif v in (float("inf"), float("-inf")):
            out.append("inf" if v > 0 else "-inf")
        else:
            out.append(float(f"{v:.{digits}g}"))
    return out


def _series(kind: str, label: str, columns: dict[str, Any], points: int, digits: int) -> dict:
    import numpy as np

    n = int(np.size(next(iter(columns.values())))) if columns else 0
    return {
        "kind": kind,
        "label": label,
        "n": n,
        "data": {k: _digest_column(v, points, digits) for k, v in columns.items()},
    }


def figure_digest(
    fig: Figure, points: int = DIGEST_POINTS, digits: int = DIGEST_DIGITS
) -> dict[str, Any]:
    """What ``fig`` plots, per axes, down-sampled and rounded: a JSON-able digest.

    For every axes: each line's x and y (``Line2D.get_xydata``), each collection's
    offsets (scatter) or path vertices (fills, line collections) and colour values, each
    image's array, and the rectangles of bars and histograms (x, y, width, height). Each
    series keeps at most ``points`` evenly spaced points (its length ``n`` is recorded)
    and ``digits`` significant digits; NaN is ``None``, infinities ``"inf"``/``"-inf"``.
    The axes' scales and limits are recorded too.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    points : int, optional
        Most points per series, in ``2..4096`` (default :data:`DIGEST_POINTS`).
    digits : int, optional
        Significant digits, in ``1..17`` (default :data:`DIGEST_DIGITS`).

    Returns
    -------
    dict
        ``{"axes": [{"xscale", "yscale", "xlim", "ylim", "series": [...]}, ...]}``.

    Raises
    ------
    TypeError, ValueError
        If ``fig`` is not a Figure, or ``points``/``digits`` are out of range.
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    check_instance("fig", fig, Figure, "a matplotlib Figure")
    points = check_int("points", points, 2, 4096)
    digits = check_int("digits", digits, 1, 17)
    axes = []
    for ax in fig.axes:
        series = []
        for line in ax.get_lines():
            xy = np.asarray(line.get_xydata(), dtype=float).reshape(-1, 2)
            series.append(
                _series(
                    "line", str(line.get_label()), {"x": xy[:, 0], "y": xy[:, 1]}, points, digits
                )
            )
        for coll in ax.collections:
            columns: dict[str, Any] = {}
            offsets = np.asarray(coll.get_offsets(), dtype=float).reshape(-1, 2)
            if offsets.shape[0] > 1 or (offsets.shape[0] == 1 and np.any(offsets != 0)):
                columns = {"x": offsets[:, 0], "y": offsets[:, 1]}
            else:
                paths = [np.asarray(p.vertices, dtype=float) for p in coll.get_paths()]
                paths = [v for v in paths if v.size]
                if paths:
                    verts = np.concatenate(paths).reshape(-1, 2)
                    columns = {"x": verts[:, 0], "y": verts[:, 1]}
            values = coll.get_array()
            if values is not None and np.size(values):
                columns["values"] = values
            if columns:
                kind = type(coll).__name__
                series.append(_series(kind, str(coll.get_label()), columns, points, digits))
        for image in ax.get_images():
            values = image.get_array()
            if values is not None and np.size(values):
                series.append(_series("image", str(image.get_label()), {"values": values},
                                      points, digits))  # fmt: skip
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        if bars:
            box = np.array([[b.get_x(), b.get_y(), b.get_width(), b.get_height()] for b in bars])
            cols = {"x": box[:, 0], "y": box[:, 1], "width": box[:, 2], "height": box[:, 3]}
            series.append(_series("bars", "", cols, points, digits))
        axes.append(
            {
                "xscale": ax.get_xscale(),
                "yscale": ax.get_yscale(),
                "xlim": _digest_column(ax.get_xlim(), points, digits),
                "ylim": _digest_column(ax.get_ylim(), points, digits),
                "series": series,
            }
        )
    return {"axes": axes}


class BookFigure(Figure):
    """A matplotlib Figure that keeps its text legible at phone width (see module doc).

    In a notebook it displays itself through :func:`figure_bundle` (a sharp PNG with its
    CSS width), whether it is the last expression of a cell or passed to ``display``, with
    the :func:`figure_digest` of its data in the output metadata.
    """

    def draw(self, renderer: RendererBase) -> None:
        """Enlarge too-small text (:func:`enforce_legible_text`), then draw."""
        enforce_legible_text(self)
        super().draw(renderer)

    #: Further outputs published beside the PNG (mime type -> text), e.g. the manifest of
    #: a static widget that the HTML book turns into a kernel-free control.
    extra_data: dict[str, str] = {}

    def _ipython_display_(self) -> None:
        from IPython.display import publish_display_data

        data, metadata = figure_bundle(self)
        meta: dict[str, Any] = {**metadata, DIGEST_KEY: {"figure": figure_digest(self)}}
        publish_display_data(data={**data, **self.extra_data}, metadata=meta)


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    width: float = 6.4,
    height: float = 3.6,
    dpi: float = BOOK_DPI,
    **kwargs: Any,
) -> tuple[Figure, Any]:
    """Create a styled figure and its axes without touching pyplot's global state.

    The figure is not registered with pyplot, so it is safe to create from widget
    callbacks (no figure leaks, no implicit display).  In a notebook, ``display(fig)``
    or returning it as the last expression shows it.

    Parameters
    ----------
    nrows, ncols : int
        Grid of subplots, each in ``1..MAX_SUBPLOTS``.
    width, height : float
        Size in inches (one inch is 96 CSS pixels at the figure's natural size), each in
        ``(0, MAX_FIGURE_INCHES]``; the picture (4 bytes a pixel at ``dpi``) must fit
        :data:`cheaplib.validation.MAX_BYTES`.
    dpi : float
        Pixels per inch of the PNG: :data:`BOOK_DPI` (2x, sharp on high-density screens)
        by default; :data:`SCREEN_DPI` renders a quarter of the pixels, for a widget
        whose update time matters more than its sharpness.
    **kwargs
        Passed to :meth:`matplotlib.figure.Figure.subplots`.

    Returns
    -------
    (BookFigure, axes)
        The figure and an Axes or array of Axes.

    Raises
    ------
    TypeError, ValueError
        For a grid, size or dpi out of range (NaN, non-positive, absurdly large).
    """
    nrows = check_int("nrows", nrows, 1, MAX_SUBPLOTS)
    ncols = check_int("ncols", ncols, 1, MAX_SUBPLOTS)
    width = check_real("width", width, 0.0, MAX_FIGURE_INCHES, low_open=True)
    height = check_real("height", height, 0.0, MAX_FIGURE_INCHES, low_open=True)
    dpi = check_real("dpi", dpi, 24.0, 600.0)
    check_budget("width, height, dpi", 4.0 * width * height * dpi * dpi, MAX_BYTES)
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]  # rc keys are Literal-typed
        fig = BookFigure(figsize=(width, height), layout="constrained", dpi=dpi)
        axes = fig.subplots(nrows, ncols, **kwargs)
    fig.patch.set_facecolor("white")
    return fig, axes


# --- Fig. 2 of 001: drawing a small network ---------------------------------------------


def draw_network(
    net: Network,
    ax: Any,
    input_labels: Sequence[str] | None = None,
    edge_labels: Sequence[Mapping[tuple[int, int], str]] | None = None,
    show_bias: bool = True,
    fmt: Callable[[float], str] = lambda w: f"{w:.3g}",
) -> None:
    """Draw a small network in the style of Fig. 2: circles sum, squares apply σ.

    Inputs are at the bottom, the output on top; every non-zero weight is a line labelled
    with its value (or with ``edge_labels``); a "1" node feeds the biases.

    Parameters
    ----------
    net : Network
        At most 12 nodes per layer.
    ax : matplotlib.axes.Axes
        Where to draw (its axis frame is switched off).
    input_labels : sequence of str, optional
        Names of the inputs, by default :math:`x_0, x_1, \\dots`.
    edge_labels : sequence of mapping, optional
        For layer ``l``, a mapping ``(out, in) -> text`` overriding the numbers; use
        ``in = -1`` for the bias line.
    show_bias : bool, optional
        Draw the bias node and lines (default).
    fmt : callable, optional
        Formats a weight for its label.

    Raises
    ------
    TypeError
        If ``net`` is not a :class:`~cheaplib.nets.Network`, ``ax`` not a matplotlib
        Axes, ``input_labels`` not a sequence of strings, ``edge_labels`` not a sequence
        of mappings, ``show_bias`` not a bool, or ``fmt`` not callable.
    ValueError
        If a layer has more than 12 nodes, or ``input_labels`` has the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> from cheaplib.nets import Layer, Network
    >>> net = Network((Layer(np.ones((2, 1)), np.zeros(2)), Layer(np.ones((1, 2)), np.zeros(1))))
    >>> fig, ax = new_figure()
    >>> draw_network(net, ax)
    """
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.patches import Circle, Rectangle

    from cheaplib.nets import Network

    if not isinstance(net, Network):
        raise TypeError(f"net must be a cheaplib.nets.Network, got {type(net).__name__}")
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    if not callable(fmt):
        raise TypeError(f"fmt must be callable, got {type(fmt).__name__}")
    check_instance("show_bias", show_bias, bool)
    if input_labels is not None:
        if isinstance(input_labels, str) or not isinstance(input_labels, Sequence):
            raise TypeError("input_labels must be a sequence of strings")
        for label in input_labels:
            check_instance("input_labels", label, str, "a sequence of strings")
    if edge_labels is not None:
        if isinstance(edge_labels, str) or not isinstance(edge_labels, Sequence):
            raise TypeError("edge_labels must be a sequence of mappings (out, in) -> text")
        for layer_labels in edge_labels:
            check_instance("edge_labels", layer_labels, Mapping, "a sequence of mappings")
    sizes = [net.n_in] + [layer.n_out for layer in net.layers]
    if max(sizes) > 12:
        raise ValueError("net is too wide: draw_network draws at most 12 nodes per layer")
    names = (
        list(input_labels) if input_labels is not None else [f"$x_{i}$" for i in range(net.n_in)]
    )
    if len(names) != net.n_in:
        raise ValueError(f"input_labels must have {net.n_in} entries, got {len(names)}")
    width = max(sizes)

    def pos(level: int, i: int) -> tuple[float, float]:
        k = sizes[level]
        return (i - (k - 1) / 2.0) * (width / max(k, 1)) * 1.6, 2.2 * level

    r = 0.32
    for lvl, layer in enumerate(net.layers):
        labels = edge_labels[lvl] if edge_labels is not None and lvl < len(edge_labels) else {}
        for (o, i), w in np.ndenumerate(layer.W):
            if w == 0:
                continue
            (x0, y0), (x1, y1) = pos(lvl, i), pos(lvl + 1, o)
            ax.plot([x0, x1], [y0, y1], color="0.45", lw=1.0, zorder=1)
            text = labels.get((o, i), fmt(w))
            xm, ym = x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0)  # near the sending node
            ax.text(
                xm,
                ym,
                text,
                fontsize=8,
                ha="center",
                va="center",
                zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
            )
        if show_bias and np.any(layer.b != 0):
            bx, by = pos(lvl, sizes[lvl] - 1)[0] + 1.4, 2.2 * lvl + 0.7
            ax.add_patch(Circle((bx, by), r * 0.8, fc="0.92", ec="0.3", zorder=2))
            ax.text(bx, by, "1", ha="center", va="center", fontsize=9, zorder=4)
            for o, bias in enumerate(layer.b):
                if bias == 0:
                    continue
                x1, y1 = pos(lvl + 1, o)
                ax.plot([bx, x1], [by, y1], color="0.7", lw=0.8, ls="--", zorder=1)
                if (o, -1) in labels:
                    ax.text(
                        bx + 0.4 * (x1 - bx),
                        by + 0.4 * (y1 - by),
                        labels[(o, -1)],
                        fontsize=7,
                        ha="center",
                        va="center",
                        zorder=3,
                        color="0.3",
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"},
                    )
    for lvl, k in enumerate(sizes):
        for i in range(k):
            x, y = pos(lvl, i)
            if lvl == 0:
                ax.add_patch(Circle((x, y), r, fc="#dbe9f6", ec="0.2", zorder=2))
                ax.text(x, y, names[i], ha="center", va="center", fontsize=10, zorder=4)
            elif lvl < len(sizes) - 1:
                ax.add_patch(
                    Rectangle((x - r, y - r), 2 * r, 2 * r, fc="#fde2c8", ec="0.2", zorder=2)
                )
                ax.text(x, y, "σ", ha="center", va="center", fontsize=11, zorder=4)
            else:
                if net.output == "logistic":
                    ax.add_patch(
                        Rectangle((x - r, y - r), 2 * r, 2 * r, fc="#fde2c8", ec="0.2", zorder=3)
                    )
                    sym = "σ"
                else:
                    ax.add_patch(Circle((x, y), r, fc="#e3f1dc", ec="0.2", zorder=2))
                    sym = "Σ" if net.output == "identity" else "soft\nmax"
                ax.text(x, y, sym, ha="center", va="center", fontsize=10, zorder=4)
    xs = [pos(lvl, i)[0] for lvl, k in enumerate(sizes) for i in range(k)]
    ax.set_xlim(min(xs) - 1.0, max(xs) + 2.2)
    ax.set_ylim(-0.8, 2.2 * (len(sizes) - 1) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")


__all__ += ["draw_network"]
