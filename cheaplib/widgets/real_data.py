"""Widget of the real-data chapter: exact maximum-entropy models of image patches.

The reader picks a bundled image, the patch size and the order of the model;
:func:`render_real_data` shows the pair couplings of the fitted order-``k`` model as a
coupling map (the mean coupling at each displacement between two pixels of a patch) and
the multi-information split by order, with the share the chosen order keeps.  Every
number comes from :func:`cheaplib.maxent.information_by_order` (exact over the
:math:`2^9` or :math:`2^{16}` states); the fits of one image and size are made once and
kept (all orders come from one call), so moving the order slider costs no fit.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from cheaplib.maxent import (
    OrderInformation,
    displacement_couplings,
    image_patterns,
    information_by_order,
)
from cheaplib.plotting import new_figure
from cheaplib.validation import check_choice, check_int
from cheaplib.widgets import Dropdown, RenderResult, Slider, WidgetSpec

__all__ = ["SPECS", "RealDataView", "render_real_data"]

#: The images the widget offers (a subset of :data:`cheaplib.maxent.IMAGES`: 5 images x
#: 2 sizes x 3 orders = 30 states for the static book).
WIDGET_IMAGES = ("camera", "grass", "brick", "coffee", "hubble")
_LIMIT = 1.0  # colour range of the coupling map
_PARTS = ("pairs", "triplets", "higher")


@lru_cache(maxsize=len(WIDGET_IMAGES) * 2)
def _information(image: str, size: int) -> OrderInformation:
    """Orders 1-3 of one image and patch size (fitted once, kept)."""
    return information_by_order(image_patterns(image, size), 3)


def _state(image: str, size: int, order: int) -> dict[str, Any]:
    """Every number a state shows (validated); the figure is not touched."""
    image = check_choice("image", image, WIDGET_IMAGES)
    size = check_int("size", size, 3, 4)
    order = check_int("order", order, 1, 3)
    info = _information(image, size)
    if order == 1:
        J = np.zeros((size * size, size * size))
    else:
        J = info.models[order - 2].couplings()
    parts = info.connected  # I2, I3, rest
    total = info.multi_information
    kept = float(parts[: order - 1].sum() / total)
    return {
        "image": image,
        "size": size,
        "order": order,
        "kernel": displacement_couplings(J, size),
        "parts": parts,
        "total": total,
        "kept": kept,
        "n_params": sum(
            int(np.prod(range(size * size - k + 1, size * size + 1)) // np.prod(range(1, k + 1)))
            for k in range(1, order + 1)
        ),
        "n_table": 2 ** (size * size) - 1,
        "n_patterns": info.n_patterns,
    }


class RealDataView:
    """The figure of :func:`render_real_data`, built once and updated in place.

    Axes, labels, colour bar and bar colours are drawn once; a state sets the coupling
    map (its data, extent and ticks), the three bar heights and colours, the right
    panel's height and both titles.
    """

    def __init__(self) -> None:
        fig, (ax0, ax1) = new_figure(1, 2, width=6.4, height=3.2)
        self.figure, self.axes = fig, (ax0, ax1)
        self.map = ax0.imshow(
            np.zeros((7, 7)),
            cmap="RdBu_r",
            vmin=-_LIMIT,
            vmax=_LIMIT,
            interpolation="nearest",
            extent=(-3.5, 3.5, 3.5, -3.5),
        )
        fig.colorbar(self.map, ax=ax0, shrink=0.8, label="mean coupling J")
        ax0.set_xlabel("column shift")
        ax0.set_ylabel("row shift")
        ax0.grid(False)

        self.bars = ax1.bar(np.arange(3), np.ones(3), color=["C0", "C1", "0.6"])
        ax1.set_xticks(np.arange(3), ["2 (pairs)", "3", "≥ 4"])
        ax1.set_xlabel("order")
        ax1.set_ylabel("share of multi-information")
        ax1.set_ylim(0.0, 1.0)

    def update(self, image: str, size: int = 4, order: int = 2) -> str:
        """Show a state; return its summary (see :func:`render_real_data`)."""
        return self.show(_state(image, size, order))

    def show(self, st: dict[str, Any]) -> str:
        """Show the numbers of :func:`_state`; return the summary."""
        ax0, ax1 = self.axes
        size, order = st["size"], st["order"]
        reach = size - 0.5
        self.map.set_data(st["kernel"])
        self.map.set_extent((-reach, reach, reach, -reach))
        ticks = np.arange(-(size - 1), size)
        ax0.set_xticks(ticks)
        ax0.set_yticks(ticks)
        ax0.set_xlim(-reach, reach)
        ax0.set_ylim(reach, -reach)
        ax0.set_title(f"{st['image']}, {size}×{size}, order {order}")
        shares = st["parts"] / st["total"]
        for k, (bar, share) in enumerate(zip(self.bars, shares, strict=True)):
            bar.set_height(float(share))
            bar.set_alpha(1.0 if k < order - 1 else 0.35)
        ax1.set_title(f"order {order} keeps {100 * st['kept']:.1f} %")
        return (
            f"{st['image']}, {size}×{size} patches ({st['n_patterns']:,} of them), order "
            f"{order}: {st['n_params']:,} parameters instead of the {st['n_table']:,} of the "
            f"full table keep {100 * st['kept']:.1f} % of the multi-information "
            f"I_N = {st['total']:.2f} bits (pairs {100 * shares[0]:.1f} %, triplets "
            f"{100 * shares[1]:.2f} %, four pixels and more {100 * shares[2]:.1f} %)."
        )


def render_real_data(image: str, size: int = 4, order: int = 2) -> RenderResult:
    """Coupling map and information by order of an exact maximum-entropy model of patches.

    Parameters
    ----------
    image : str
        One of :data:`WIDGET_IMAGES`.
    size : int, optional
        Patch side, 3 or 4.
    order : int, optional
        Order of the model, 1 (independent pixels), 2 (pairwise, Ising) or 3.

    Returns
    -------
    (Figure, str)
        Left: the mean pair coupling of the order-``order`` model at each displacement
        (zero for order 1); right: the shares of the multi-information carried by pairs,
        triplets and higher orders, those the model keeps drawn solid.  The figure is a
        fresh :class:`RealDataView`'s (the live widget keeps one).

    Raises
    ------
    ValueError
        If a control is out of range.
    """
    st = _state(image, size, order)
    view = RealDataView()
    return view.figure, view.show(st)


SPECS = (
    WidgetSpec(
        name="real-data-maxent",
        title="Exact maximum-entropy models of image patches: couplings and information kept",
        controls=(
            Dropdown("image", "image", WIDGET_IMAGES, "camera"),
            Slider("size", "patch side", 3, 4, 1, 4),
            Slider("order", "order of the model", 1, 3, 1, 2),
        ),
        render=render_real_data,
        view=RealDataView,
    ),
)
