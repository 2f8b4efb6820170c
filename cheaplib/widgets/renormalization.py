"""Widget of the renormalization chapter: block-averaging a Gaussian random field.

The reader picks the block size ``b``, the microscopic irrelevant coupling ``y2`` and a
random seed; :func:`render_gaussian_blocking` samples a field of eq. (23) on a
``64 b x 64 b`` lattice (so the coarse field is always ``64 x 64``), block-averages it,
measures :math:`y_0', y_1', y_2'` from the coarse spectrum and sets them beside the exact
expectation (all aliases included) and the scaling law of eq. (24).
"""

from __future__ import annotations

from functools import lru_cache

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

__all__ = ["SPECS", "render_gaussian_blocking"]

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
        the numbers.

    Raises
    ------
    ValueError
        If a control is out of range.
    """
    b = check_int("b", b, 1, _B_MAX)
    y2 = check_real("y2", y2, 0.0, 2.0)
    seed = check_int("seed", seed, 0, 9)
    y = np.array([_Y0, _Y1, float(y2)])
    shape = (_COARSE * b, _COARSE * b)
    field = gaussian_field(shape, y, np.random.default_rng([seed, b]))
    coarse = block_average(field, b)
    measured, stderr = measure_couplings(coarse, 3, _LAM_MAX, return_stderr=True)
    expected = np.array(_expected(b, float(y2)))
    law = y * float(b) ** (2 - 2 * np.arange(3))

    fig, (ax0, ax1) = new_figure(1, 2, width=7.2, height=3.0)
    vmax = 3 * float(coarse.std())
    ax0.imshow(coarse, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
    ax0.set_title(f"coarse field, b = {b} ({shape[0]}² → 64²)")
    ax0.set_xlabel("64 coarse sites")
    ax0.set_ylabel("64 coarse sites")
    ax0.set_xticks([])
    ax0.set_yticks([])
    ax0.grid(False)

    idx = np.arange(3)
    w = 0.27
    ax1.bar(idx - w, measured, w, yerr=stderr, color="C0", capsize=3, label="measured")
    ax1.bar(idx, expected, w, color="C1", label="exact (block mean)")
    ax1.bar(idx + w, law, w, color="0.6", label=r"eq. (24): $b^{2-2i}y_i$")
    ax1.axhline(0.0, color="k", lw=0.6)
    ax1.set_xticks(idx, ["$y_0'$", "$y_1'$", "$y_2'$"])
    ax1.set_xlabel("coupling")
    ax1.set_ylabel("value after blocking")
    ax1.set_ylim(min(-0.2, float((measured - stderr).min()) - 0.1), 2.2)
    ax1.set_title("couplings of the coarse field")
    ax1.legend(loc="upper right", fontsize=8)

    summary = (
        f"b = {b}, y = (0.01, 1, {y2:.2f}): measured "
        f"y0' = {measured[0]:.3f} ± {stderr[0]:.3f}, y1' = {measured[1]:.2f} ± {stderr[1]:.2f}, "
        f"y2' = {measured[2]:.2f} ± {stderr[2]:.2f}; exact {expected[0]:.3f}, "
        f"{expected[1]:.3f}, {expected[2]:.3f}; eq. (24) {law[0]:.3f}, {law[1]:.3f}, "
        f"{law[2]:.3f}."
    )
    return fig, summary


SPECS = (
    WidgetSpec(
        name="rg-gaussian-blocking",
        title="Block-averaging a Gaussian random field: relevant and irrelevant couplings",
        controls=(
            Slider("b", "block size b", 1, _B_MAX, 1, 4),
            Slider("y2", "microscopic y₂", 0.0, 2.0, 0.25, 1.0),
            Slider("seed", "field seed", 0, 9, 1, 0),
        ),
        render=render_gaussian_blocking,
    ),
)
