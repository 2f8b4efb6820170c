"""Widget of the hierarchies chapter: noise at each step of a generative hierarchy.

The reader sets the noise of the three random steps of the toy cat-or-dog hierarchy of
:func:`cheaplib.markov.animal_hierarchy` (pixel flips, trait mixing, random placement);
:func:`render_hierarchy_noise` shows the information :math:`I(y_0; y_i)` left at each level
and the number of values of the minimal sufficient statistic :math:`T_i` of
:math:`P(y_i|y_4)`, next to the number of possible states of each level.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cheaplib.information import mutual_information
from cheaplib.markov import animal_hierarchy, chain_joint, joints_to
from cheaplib.plotting import new_figure
from cheaplib.sufficiency import minimal_sufficient_statistic
from cheaplib.validation import check_int, check_real
from cheaplib.widgets import RenderResult, Slider, WidgetSpec

__all__ = ["SPECS", "HierarchyNoiseView", "hierarchy_summary", "render_hierarchy_noise"]

_N_PIXELS = 8


def hierarchy_summary(
    flip: float, trait_noise: float, shift_range: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Information per level, sizes of the minimal sufficient statistics, support sizes.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``info[i] = I(y_0; y_i)`` in bits for ``i = 0..4``; ``stat[i]`` = number of values
        of :math:`T_i` (the minimal sufficient statistic of :math:`P(y_i|y_4)`) for
        ``i = 0..3`` and the number of possible observations for ``i = 4``;
        ``support[i]`` = number of states of level ``i`` with positive probability.
    """
    h = animal_hierarchy(trait_noise, shift_range, flip, _N_PIXELS)
    info = np.array([mutual_information(chain_joint(h.p0, h.matrices, 0, i)) for i in range(5)])
    to_obs = joints_to(h.p0, h.matrices, 4)
    stat = [int(minimal_sufficient_statistic(j).max()) + 1 for j in to_obs[:4]]
    support = np.array([int(np.count_nonzero(m > 0)) for m in h.marginals()])
    stat.append(int(support[4]))
    return info, np.array(stat), support


def _state(flip: float, trait_noise: float, shift_range: int) -> dict[str, Any]:
    """Every number a state shows (validated); the figure is not touched."""
    flip = min(check_real("flip", flip, 0.0, 0.5 + 1e-12), 0.5)
    trait_noise = min(check_real("trait_noise", trait_noise, 0.0, 1.0 + 1e-12), 1.0)
    shift: object = shift_range
    if isinstance(shift, float) and shift.is_integer():
        shift = int(shift)  # a slider may deliver 3.0
    shift_range = check_int("shift_range", shift, 0, _N_PIXELS - 1)
    info, stat, support = hierarchy_summary(flip, trait_noise, shift_range)
    return {
        "flip": flip,
        "trait_noise": trait_noise,
        "shift_range": shift_range,
        "info": info,
        "stat": stat,
        "support": support,
    }


class HierarchyNoiseView:
    """The figure of :func:`render_hierarchy_noise`, built once and updated in place.

    Both panels have fixed axes; a state sets the three curves.
    """

    def __init__(self) -> None:
        levels = np.arange(5)
        fig, (ax0, ax1) = new_figure(1, 2, width=7.2, height=2.9)
        self.figure = fig
        (self.info,) = ax0.plot(levels, np.zeros(5), "o-", color="C0")
        ax0.axhline(1.0, color="0.5", lw=0.8, ls=":")
        ax0.set_xticks(levels)
        ax0.set_xlabel("level $i$ of the hierarchy")
        ax0.set_ylabel(r"$I(y_0; y_i)$ (bits)")
        ax0.set_ylim(-0.03, 1.05)
        ax0.set_title("information about the class")

        # a log2 axis drawn as a linear one with explicit ticks (log locators are slow)
        (self.support,) = ax1.plot(
            levels, np.zeros(5), "s--", color="C3", label="possible states of $y_i$"
        )
        (self.stat,) = ax1.plot(
            levels, np.zeros(5), "o-", color="C2", label="values of $T_i$ (from $y_4$)"
        )
        ax1.set_yticks(range(0, _N_PIXELS + 1, 2), [str(2**k) for k in range(0, _N_PIXELS + 1, 2)])
        ax1.set_ylim(-0.4, _N_PIXELS + 0.6)
        ax1.set_xticks(levels)
        ax1.set_xlabel("level $i$ of the hierarchy")
        ax1.set_ylabel("number of values")  # a longer label did not fit the height
        ax1.set_title("minimal sufficient statistics")
        ax1.legend(loc="upper left", fontsize=8)

    def update(self, flip: float, trait_noise: float, shift_range: int) -> str:
        """Show a state; return its summary (see :func:`render_hierarchy_noise`)."""
        return self.show(_state(flip, trait_noise, shift_range))

    def show(self, st: dict[str, Any]) -> str:
        """Show the numbers of :func:`_state`; return the summary."""
        info, stat, support = st["info"], st["stat"], st["support"]
        self.info.set_ydata(info)
        self.support.set_ydata(np.log2(support))
        self.stat.set_ydata(np.log2(stat))
        info_txt = ", ".join(f"{v:.3f}" for v in info)
        stat_txt = ", ".join(str(int(s)) for s in stat[:4])
        return (
            f"pixel noise {st['flip']:.2f}, trait noise {st['trait_noise']:.2f}, "
            f"shift range {st['shift_range']}: "
            f"I(y<sub>0</sub>; y<sub>i</sub>) = {info_txt} bits for i = 0..4; "
            f"minimal sufficient statistics T<sub>0</sub>..T<sub>3</sub> take {stat_txt} "
            f"values (of {int(stat[4])} possible observations)."
        )


def render_hierarchy_noise(flip: float, trait_noise: float, shift_range: int) -> RenderResult:
    """Information and minimal sufficient statistics along the toy hierarchy.

    Parameters
    ----------
    flip : float
        Probability that each pixel is flipped in the last step, in ``[0, 0.5]``.
    trait_noise : float
        Probability that the traits ignore the class, in ``[0, 1]``.
    shift_range : int
        Largest random shift of the drawing around the ring, in ``[0, 7]``.

    Returns
    -------
    (Figure, str)
        Left: :math:`I(y_0; y_i)` against the level ``i``.  Right: number of values of
        :math:`T_i` (going back up) and of possible states of :math:`y_i` (going down),
        log scale.  The summary lists both.  The figure is a fresh
        :class:`HierarchyNoiseView`'s (the live widget keeps one).

    Raises
    ------
    ValueError
        If a value is out of range.
    """
    st = _state(flip, trait_noise, shift_range)
    view = HierarchyNoiseView()
    return view.figure, view.show(st)


SPECS = (
    WidgetSpec(
        name="hierarchy-noise",
        title="Noise along a generative hierarchy: information and sufficient statistics",
        controls=(
            Slider(
                "flip",
                "pixel noise (flip probability)",
                0.0,
                0.5,
                0.05,
                0.05,
                static=(0.0, 0.05, 0.15, 0.3, 0.5),
            ),
            Slider("trait_noise", "trait noise", 0.0, 1.0, 0.1, 0.2, static=(0.0, 0.2, 0.5, 1.0)),
            Slider(
                "shift_range", "largest shift (pixels)", 0, _N_PIXELS - 1, 1, 7, static=(0, 3, 7)
            ),
        ),
        render=render_hierarchy_noise,
        view=HierarchyNoiseView,
    ),
)
