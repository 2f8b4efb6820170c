"""Shared figure style: opaque backgrounds, readable sizes, labelled axes.

Every figure of the book is made through :func:`new_figure`, so that all chapters share
one look and every figure has an opaque white background (readable in the book's dark
theme) whether it is shown inline, saved to PNG for a widget, or embedded in the HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from cheaplib.nets import Network

__all__ = ["STYLE", "new_figure"]

STYLE: dict[str, Any] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "axes.titlesize": 11,
    "legend.fontsize": 9,
    "figure.dpi": 96,
}
"""Matplotlib rc parameters applied to every book figure."""


def new_figure(
    nrows: int = 1, ncols: int = 1, *, width: float = 6.4, height: float = 3.6, **kwargs: Any
) -> tuple[Figure, Any]:
    """Create a styled figure and its axes without touching pyplot's global state.

    The figure is not registered with pyplot, so it is safe to create from widget
    callbacks (no figure leaks, no implicit display).  In a notebook, ``display(fig)``
    or returning it as the last expression shows it.

    Parameters
    ----------
    nrows, ncols : int
        Grid of subplots.
    width, height : float
        Size in inches.
    **kwargs
        Passed to :meth:`matplotlib.figure.Figure.subplots`.

    Returns
    -------
    (Figure, axes)
        The figure and an Axes or array of Axes.
    """
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
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
        If ``net`` is not a :class:`~cheaplib.nets.Network` or ``fmt`` is not callable.
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
    from matplotlib.patches import Circle, Rectangle

    from cheaplib.nets import Network

    if not isinstance(net, Network):
        raise TypeError(f"net must be a cheaplib.nets.Network, got {type(net).__name__}")
    if not callable(fmt):
        raise TypeError(f"fmt must be callable, got {type(fmt).__name__}")
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
