"""Shared figure style: opaque backgrounds, readable sizes, labelled axes.

Every figure of the book is made through :func:`new_figure`, so that all chapters share
one look and every figure has an opaque white background (readable in the book's dark
theme) whether it is shown inline, saved to PNG for a widget, or embedded in the HTML.
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

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
