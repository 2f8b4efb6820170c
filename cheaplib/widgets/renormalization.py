"""Widget of the renormalization chapter: block-averaging a Gaussian random field.

The reader picks the block size ``b``, the microscopic irrelevant coupling ``y2`` and a
random seed; :func:`render_gaussian_blocking` samples a field of eq. (23) on a
``64 b x 64 b`` lattice (so the coarse field is always ``64 x 64``), block-averages it,
measures :math:`y_0', y_1', y_2'` from the coarse spectrum and sets them beside the exact
expectation (all aliases included) and the scaling law of eq. (24).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from cheaplib.plotting import new_figure
from cheaplib.rg import (
    block_average,
    coarse_spectrum,
    fit_couplings,
    gaussian_field,
    measure_couplings,
)
from cheaplib.validation import check_int, check_real
from cheaplib.widgets import RenderResult, Slider, WidgetSpec

__all__ = ["SPECS", "GaussianBlockingView", "render_gaussian_blocking"]

_COARSE = 64
_B_MAX = 8
_Y0, _Y1 = 0.01, 1.0
_LAM_MAX = 2.0


@lru_cache(maxsize=128)
def _expected(b: int, y2: float) -> tuple[float, float, float]:
    """Exact expectation of the fitted couplings (depends only on ``b`` and ``y2``)."""
    shape = (_COARSE * b, _COARSE * b)
    fit = fit_couplings(coarse_spectrum(shape, [_Y0, _Y1, y2], b), 3, _LAM_MAX)
    return float(fit[0]), float(fit[1]), float(fit[2])


def _state(b: int, y2: float, seed: int) -> dict[str, Any]:
    """Every number a state shows (validated); the figure is not touched."""
    b = check_int("b", b, 1, _B_MAX)
    y2 = check_real("y2", y2, 0.0, 2.0)
    seed = check_int("seed", seed, 0, 9)
    y = np.array([_Y0, _Y1, float(y2)])
    shape = (_COARSE * b, _COARSE * b)
    field = gaussian_field(shape, y, np.random.default_rng([seed, b]))
    coarse = block_average(field, b)
    measured, stderr = measure_couplings(coarse, 3, _LAM_MAX, return_stderr=True)
    return {
        "b": b,
        "y2": y2,
        "side": shape[0],
        "coarse": coarse,
        "measured": measured,
        "stderr": stderr,
        "expected": np.array(_expected(b, float(y2))),
        "law": y * float(b) ** (2 - 2 * np.arange(3)),
    }


_W = 0.27  # width of one bar of a group


class GaussianBlockingView:
    """The figure of :func:`render_gaussian_blocking`, built once and updated in place.

    Axes, labels, legend and colours are drawn once; a state sets the coarse field and
    its colour range, the nine bar heights, the error bars of the measured couplings,
    the right panel's lower limit and the left panel's title.
    """

    def __init__(self) -> None:
        fig, (ax0, ax1) = new_figure(1, 2, width=7.2, height=3.0)
        self.figure, self.axes = fig, (ax0, ax1)
        self.image = ax0.imshow(
            np.zeros((_COARSE, _COARSE)),
            cmap="RdBu_r",
            vmin=-1.0,
            vmax=1.0,
            interpolation="nearest",
        )
        ax0.set_xlabel("64 coarse sites")
        ax0.set_ylabel("64 coarse sites")
        ax0.set_xticks([])
        ax0.set_yticks([])
        ax0.grid(False)

        idx = np.arange(3)
        ones = np.ones(3)
        self.measured = ax1.bar(
            idx - _W, ones, _W, yerr=0.5 * ones, color="C0", capsize=3, label="measured"
        )
        self.expected = ax1.bar(idx, ones, _W, color="C1", label="exact (block mean)")
        self.law = ax1.bar(idx + _W, ones, _W, color="0.6", label=r"eq. (24): $b^{2-2i}y_i$")
        _, caps, (self.errbars,) = self.measured.errorbar.lines
        # the cap lines were drawn at 1 - 0.5 and 1 + 0.5: tell the lower from the upper
        self.caps = sorted(caps, key=lambda line: float(np.mean(line.get_ydata())))
        ax1.axhline(0.0, color="k", lw=0.6)
        ax1.set_xticks(idx, ["$y_0'$", "$y_1'$", "$y_2'$"])
        ax1.set_xlabel("coupling")
        ax1.set_ylabel("value after blocking")
        ax1.set_title("couplings of the coarse field")
        ax1.legend(loc="upper right", fontsize=8)

    def update(self, b: int, y2: float = 1.0, seed: int = 0) -> str:
        """Show a state; return its summary (see :func:`render_gaussian_blocking`)."""
        return self.show(_state(b, y2, seed))

    def show(self, st: dict[str, Any]) -> str:
        """Show the numbers of :func:`_state`; return the summary."""
        ax0, ax1 = self.axes
        b, y2, coarse = st["b"], st["y2"], st["coarse"]
        measured, stderr, expected, law = st["measured"], st["stderr"], st["expected"], st["law"]
        vmax = 3 * float(coarse.std())
        self.image.set_data(coarse)
        self.image.set_clim(-vmax, vmax)
        ax0.set_title(f"coarse field, b = {b} ({st['side']}² → 64²)")

        for bars, heights in (
            (self.measured, measured),
            (self.expected, expected),
            (self.law, law),
        ):
            for bar, height in zip(bars, heights, strict=True):
                bar.set_height(float(height))
        x = np.arange(3) - _W
        low, high = measured - stderr, measured + stderr
        self.caps[0].set_ydata(low)
        self.caps[1].set_ydata(high)
        self.errbars.set_segments(
            [[(xi, lo), (xi, hi)] for xi, lo, hi in zip(x, low, high, strict=True)]
        )
        ax1.set_ylim(min(-0.2, float((measured - stderr).min()) - 0.1), 2.2)
        return (
            f"b = {b}, y = (0.01, 1, {y2:.2f}): measured "
            f"y0' = {measured[0]:.3f} ± {stderr[0]:.3f}, "
            f"y1' = {measured[1]:.2f} ± {stderr[1]:.2f}, "
            f"y2' = {measured[2]:.2f} ± {stderr[2]:.2f}; exact {expected[0]:.3f}, "
            f"{expected[1]:.3f}, {expected[2]:.3f}; eq. (24) {law[0]:.3f}, {law[1]:.3f}, "
            f"{law[2]:.3f}."
        )


def render_gaussian_blocking(b: int, y2: float = 1.0, seed: int = 0) -> RenderResult:
    """Coarse field and measured couplings after ``b x b`` block averaging (eqs. 23-24).

    Parameters
    ----------
    b : int
        Block size, 1 to 8.
    y2 : float, optional
        Microscopic coupling :math:`y_2` of :math:`(\\nabla^2 x)^2`, in ``[0, 2]``
        (:math:`y_0 = 0.01`, :math:`y_1 = 1` are fixed).
    seed : int, optional
        Seed of the field, 0 to 9.

    Returns
    -------
    (Figure, str)
        Left: the ``64 x 64`` coarse field; right: :math:`y_i'` measured (with one standard
        error), expected exactly for block averaging, and by eq. (24).  The summary gives
        the numbers.  The figure is a fresh :class:`GaussianBlockingView`'s (the live
        widget keeps one).

    Raises
    ------
    ValueError
        If a control is out of range.
    """
    st = _state(b, y2, seed)
    view = GaussianBlockingView()
    return view.figure, view.show(st)


SPECS = (
    WidgetSpec(
        name="rg-gaussian-blocking",
        title="Block-averaging a Gaussian random field: relevant and irrelevant couplings",
        controls=(
            Slider("b", "block size b", 1, _B_MAX, 1, 4, static=(1, 2, 4, 8)),
            Slider("y2", "microscopic y₂", 0.0, 2.0, 0.25, 1.0, static=(0.0, 0.5, 1.0, 1.5, 2.0)),
            Slider("seed", "field seed", 0, 9, 1, 0, static=(0, 1, 2)),
        ),
        render=render_gaussian_blocking,
        view=GaussianBlockingView,
    ),
)
