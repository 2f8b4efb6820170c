"""Widget of the ERG-Bayes chapter: the normal posterior as a heat kernel in tau = 1/T.

The reader moves the inverse observation time :math:`\\tau = 1/T` and the noise scale
:math:`\\sigma`; :func:`render_bayesian_diffusion` draws the posterior
:math:`\\pi_\\tau = N(\\mu^*, \\sigma^2\\tau)` of eq. (46) from
:func:`cheaplib.inference.normal_mean_posterior` and, as the heat-kernel view, the same density
obtained by letting the heat equation :math:`\\partial_\\tau\\pi = (\\sigma^2/2)\\,\\pi''` act
for a time :math:`\\tau - \\tau_0` on the posterior at :math:`\\tau_0 = \\tau/4` (the posterior
after four times as many observations): throwing data away is diffusion.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cheaplib.flows import grid_weights, heat_flow
from cheaplib.inference import normal_mean_posterior
from cheaplib.plotting import new_figure
from cheaplib.validation import check_real
from cheaplib.widgets import RenderResult, Slider, WidgetSpec

__all__ = ["SPECS", "BayesianDiffusionView", "render_bayesian_diffusion"]

_MU_STAR = 0.5
_TAU_RANGE = (0.01, 1.0)
_SIGMA_RANGE = (0.2, 2.0)
_UNIT_GRID = np.linspace(-10.0, 10.0, 512, endpoint=False)  # in units of sigma sqrt(tau)


def _state(tau: float, sigma: float) -> dict[str, Any]:
    """Every number a state shows (validated); the figure is not touched."""
    lo, hi = _TAU_RANGE
    tau = check_real("tau", tau, lo * (1 - 1e-9), hi * (1 + 1e-9))
    lo, hi = _SIGMA_RANGE
    sigma = check_real("sigma", sigma, lo * (1 - 1e-9), hi * (1 + 1e-9))
    width = sigma * np.sqrt(tau)
    x = _MU_STAR + width * _UNIT_GRID  # periodic grid; the tails beyond 10 widths are < 1e-20
    tau0 = tau / 4
    start = normal_mean_posterior(1 / tau0, _MU_STAR, sigma, x)
    target = normal_mean_posterior(1 / tau, _MU_STAR, sigma, x)
    right, wrong = heat_flow(start, x, [sigma**2 / 2 * (tau - tau0), sigma**2 * (tau - tau0)])
    w = grid_weights(x)
    return {
        "tau": tau,
        "sigma": sigma,
        "width": width,
        "tau0": tau0,
        "x": x,
        "start": start,
        "target": target,
        "right": right,
        "wrong": wrong,
        "err_right": float(np.sum(w * np.abs(right - target))),
        "err_wrong": float(np.sum(w * np.abs(wrong - target))),
    }


class BayesianDiffusionView:
    """The figure of :func:`render_bayesian_diffusion`, built once and updated in place.

    The axes, axis labels and line styles are drawn once; a state sets the four curves,
    the visible range, the title and the two legend entries that quote :math:`T`.
    """

    def __init__(self) -> None:
        fig, ax = new_figure(width=6.0, height=3.2)
        self.figure, self.ax = fig, ax
        x = _UNIT_GRID
        (self.start,) = ax.plot(x, x, color="0.6", lw=1.2, label=self._label_start(1.0))
        (self.target,) = ax.plot(x, x, color="C0", lw=2.2, label=self._label_target(1.0))
        (self.right,) = ax.plot(
            x[::8], x[::8], "o", ms=4, color="C3", label=r"heat flow, $D=\sigma^2/2$"
        )
        (self.wrong,) = ax.plot(
            x, x, "--", color="C2", lw=1.2, label=r"heat flow, $D=\sigma^2$ (slides)"
        )
        ax.set_xlabel(r"mean parameter $\mu$")
        # the density times the posterior width sigma sqrt(tau): the same tick labels in
        # every state, so no state's labels leave the layout of the default state
        ax.set_ylabel(r"density $\pi_\tau(\mu)\cdot\sigma\sqrt{\tau}$")
        self.legend = ax.legend(fontsize=8, loc="upper right")

    @staticmethod
    def _label_start(tau0: float) -> str:
        return rf"posterior at $\tau_0=\tau/4$ ($T={1 / tau0:.0f}$)"

    @staticmethod
    def _label_target(tau: float) -> str:
        return rf"posterior at $\tau$ ($T={1 / tau:.0f}$)"

    def update(self, tau: float, sigma: float) -> str:
        """Show a state; return its summary (see :func:`render_bayesian_diffusion`)."""
        return self.show(_state(tau, sigma))

    def show(self, st: dict[str, Any]) -> str:
        """Show the numbers of :func:`_state`; return the summary."""
        ax, x = self.ax, st["x"]
        tau, sigma, width = st["tau"], st["sigma"], st["width"]
        self.start.set_data(x, st["start"] * width)
        self.target.set_data(x, st["target"] * width)
        self.right.set_data(x[::8], st["right"][::8] * width)
        self.wrong.set_data(x, st["wrong"] * width)
        labels = (self._label_start(st["tau0"]), self._label_target(tau))
        for line, text, label in zip(
            (self.start, self.target), self.legend.get_texts(), labels, strict=False
        ):
            line.set_label(label)
            text.set_text(label)
        ax.relim()
        ax.autoscale_view()
        ax.set_xlim(_MU_STAR - 4 * width, _MU_STAR + 4 * width)
        ticks = _MU_STAR + width * np.array([-3.0, 0.0, 3.0])  # inside the axes
        ax.set_xticks(ticks, [f"{t:.2f}".replace("-", "\u2212") for t in ticks])
        ax.set_title(rf"Bayesian diffusion, $\sigma={sigma:.2f}$, $\tau={tau:.3g}$")
        return (
            f"&tau; = {tau:.3g} (T = 1/&tau; = {1 / tau:.3g} observations), "
            f"&sigma; = {sigma:.3g}: posterior sd &sigma;&radic;&tau; = {width:.3g}; "
            f"heat flow from &tau;/4 with diffusivity &sigma;&sup2;/2 = {sigma**2 / 2:.3g} "
            f"lands within L1 distance {st['err_right']:.1e} of the posterior, "
            f"with the slides' &sigma;&sup2; it misses by {st['err_wrong']:.2f}."
        )


def render_bayesian_diffusion(tau: float, sigma: float) -> RenderResult:
    """Posterior of a normal mean at inverse time ``tau``, and its heat-kernel construction.

    Parameters
    ----------
    tau : float
        Inverse observation time :math:`\\tau = 1/T`, in ``[0.01, 1]``.
    sigma : float
        Noise standard deviation :math:`\\sigma`, in ``[0.2, 2]``.

    Returns
    -------
    (Figure, str)
        The posteriors at :math:`\\tau_0 = \\tau/4` and :math:`\\tau` (lines), the heat flow
        of the first for a time :math:`\\tau - \\tau_0` with diffusivity :math:`\\sigma^2/2`
        (dots), and for contrast the flow with the slides' diffusivity :math:`\\sigma^2`
        (dashed), as densities times the posterior width :math:`\\sigma\\sqrt\\tau`
        (the same scale in every state).  The summary gives :math:`T`, the posterior
        width and how far each flow lands from the posterior.  The figure is a fresh
        :class:`BayesianDiffusionView`'s (the live widget keeps one).

    Raises
    ------
    TypeError, ValueError
        If ``tau`` or ``sigma`` is not a finite real in its range.
    """
    st = _state(tau, sigma)
    view = BayesianDiffusionView()
    return view.figure, view.show(st)


SPECS = (
    WidgetSpec(
        name="erg-bayesian-diffusion",
        title="Bayesian diffusion: the posterior of a normal mean in τ = 1/T",
        controls=(
            Slider(
                "tau", "inverse time τ = 1/T", _TAU_RANGE[0], _TAU_RANGE[1], 0.25, 0.1, log=True
            ),
            Slider(
                "sigma",
                "noise σ",
                _SIGMA_RANGE[0],
                _SIGMA_RANGE[1],
                0.1,
                1.0,
                static=(0.2, 0.5, 0.8, 1.0, 1.3, 1.6, 2.0),
            ),
        ),
        render=render_bayesian_diffusion,
        view=BayesianDiffusionView,
    ),
)
