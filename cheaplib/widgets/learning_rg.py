"""Widget of the learning-RG chapter: mutual-information RG on the Ising chain.

The reader picks the coupling ``K``, the block length and the buffer;
:func:`render_rsmi` plots the information :math:`I(H;E)` (bits) that a block's coarse
spin keeps about the environment beyond the buffer, for decimation, majority rule (ties
by a fair coin) and the best binary function of the block, as a function of ``K``, and
at the chosen ``K`` sets them beside what the whole block knows, :math:`I(V;E)`.  Every
number comes from :func:`cheaplib.rsmi.mutual_information_rg` (exact, infinite chain).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from cheaplib.information import mutual_information
from cheaplib.plotting import new_figure
from cheaplib.rsmi import block_environment_joint, mutual_information_rg
from cheaplib.validation import check_int, check_real
from cheaplib.widgets import RenderResult, Slider, WidgetSpec

__all__ = ["SPECS", "RsmiView", "render_rsmi"]

_K_MAX = 2.0
_K_GRID = tuple(float(k) for k in np.linspace(0.0, _K_MAX, 21))
_RULES = ("decimation", "majority", "optimal")
_STYLE = {"decimation": ("C0", "-"), "majority": ("C1", "--"), "optimal": ("k", ":")}


@lru_cache(maxsize=64)
def _curves(block: int, buffer: int) -> dict[str, tuple[float, ...]]:
    """I(H;E) on the K grid for each rule (depends only on the block and the buffer)."""
    return {
        rule: tuple(mutual_information_rg(k, rule, block, buffer) for k in _K_GRID)
        for rule in _RULES
    }


def _state(K: float, block: int, buffer: int) -> dict[str, Any]:
    """Every number a state shows (validated); the figure is not touched."""
    K = check_real("K", K, low=0.0, high=_K_MAX)
    block = check_int("block", block, 1, 4)
    buffer = check_int("buffer", buffer, 0, 4)
    return {
        "K": K,
        "block": block,
        "buffer": buffer,
        "curves": _curves(block, buffer),
        "at_k": {rule: mutual_information_rg(K, rule, block, buffer) for rule in _RULES},
        "whole": mutual_information(block_environment_joint(K, block, buffer).T),
    }


class RsmiView:
    """The figure of :func:`render_rsmi`, built once and updated in place.

    Axes, labels, legend and bar colours are drawn once; a state sets the three curves
    (they depend on the block and the buffer only), the marker of ``K``, the four bar
    lengths and the values written at their ends, the right panel's range and both
    titles.
    """

    def __init__(self) -> None:
        fig, (ax0, ax1) = new_figure(1, 2, width=7.2, height=3.2)
        self.figure, self.axes = fig, (ax0, ax1)
        self.curves = {}
        for rule in _RULES:
            color, ls = _STYLE[rule]
            (self.curves[rule],) = ax0.plot(_K_GRID, _K_GRID, color=color, ls=ls, label=rule)
        self.marker = ax0.axvline(0.0, color="0.5", lw=0.8)
        ax0.set_xlabel("coupling K")
        ax0.set_ylabel("I(H; E) [bits]")
        ax0.set_ylim(0.0, 1.02)
        ax0.legend(loc="upper left", fontsize=8)

        # horizontal bars: the labels sit one under the other and never collide
        labels = ["decimation", "majority", "optimal rule", "whole block V"]
        self.bars = ax1.barh(np.arange(4), np.ones(4), color=["C0", "C1", "0.3", "0.7"])
        ax1.set_yticks(np.arange(4), labels)
        ax1.invert_yaxis()
        # each bar's value written at its end, no x tick labels: nothing to collide or
        # to stick out of the figure whatever the scale
        ax1.set_xticks([])
        self.values = [ax1.text(0.0, i, "", va="center", fontsize=9) for i in range(4)]
        ax1.set_xlabel("information about E [bits]")

    def update(self, K: float, block: int = 2, buffer: int = 1) -> str:
        """Show a state; return its summary (see :func:`render_rsmi`)."""
        return self.show(_state(K, block, buffer))

    def show(self, st: dict[str, Any]) -> str:
        """Show the numbers of :func:`_state`; return the summary."""
        ax0, ax1 = self.axes
        K, block, buffer, at_k, whole = st["K"], st["block"], st["buffer"], st["at_k"], st["whole"]
        for rule in _RULES:
            self.curves[rule].set_ydata(st["curves"][rule])
        self.marker.set_xdata([K, K])
        ax0.set_title(f"block {block}, buffer {buffer}")
        values = [at_k["decimation"], at_k["majority"], at_k["optimal"], whole]
        top = max(1e-3, max(values))
        for bar, text, value in zip(self.bars, self.values, values, strict=True):
            bar.set_width(value)
            text.set_x(value + 0.03 * top)
            text.set_text(f"{value:.3g}")
        ax1.set_xlim(0.0, 1.6 * top)
        ax1.set_title(f"at K = {K:.2f}")
        return (
            f"K = {K:.2f}, block {block}, buffer {buffer}: I(H;E) = "
            f"{at_k['decimation']:.4f} bits (decimation), {at_k['majority']:.4f} (majority), "
            f"{at_k['optimal']:.4f} (optimal rule); the whole block keeps {whole:.4f}."
        )


def render_rsmi(K: float, block: int = 2, buffer: int = 1) -> RenderResult:
    """Information kept by three coarse-graining rules of a block of the Ising chain.

    Parameters
    ----------
    K : float
        Coupling, in ``[0, 2]``.
    block : int, optional
        Block length, 1 to 4.
    buffer : int, optional
        Spins between the block and the environment on each side, 0 to 4.

    Returns
    -------
    (Figure, str)
        Left: :math:`I(H;E)` against ``K`` for the three rules; right: the values at
        ``K`` and the whole block's :math:`I(V;E)`.  The summary gives the numbers.  The
        figure is a fresh :class:`RsmiView`'s (the live widget keeps one).

    Raises
    ------
    ValueError
        If a control is out of range.
    """
    st = _state(K, block, buffer)
    view = RsmiView()
    return view.figure, view.show(st)


SPECS = (
    WidgetSpec(
        name="learning-rg-rsmi",
        title="Mutual-information RG on the Ising chain: which coarse spin keeps the most?",
        controls=(
            Slider("K", "coupling K", 0.0, _K_MAX, 0.05, 0.5, static=(0.25, 0.5, 1.0, 1.5, 2.0)),
            Slider("block", "block length", 1, 4, 1, 3),
            Slider("buffer", "buffer", 0, 4, 1, 1, static=(0, 1, 3)),
        ),
        render=render_rsmi,
        view=RsmiView,
    ),
)
