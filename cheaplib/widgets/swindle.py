"""Widget of the swindle chapter: Bayes' theorem as a softmax for two Gaussian classes.

The reader sets the prior of class 0, the separation of the two class means and the width
of class 1; :func:`render_bayes_softmax` computes the Hamiltonians
:math:`H_y(x) = -\\ln p(x|y)` and :math:`\\mu_y = -\\ln p(y)` of
:class:`cheaplib.swindle.GaussianClasses`, the posterior
:math:`\\mathrm{softmax}(-H - \\mu)` (eq. 8) and, independently, Bayes' rule (eq. 1) with
the densities of :mod:`scipy.stats`; the decision boundaries and the Bayes error rate are
exact (:func:`cheaplib.swindle.decision_boundaries`, :func:`cheaplib.swindle.bayes_error_rate`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cheaplib.plotting import new_figure
from cheaplib.swindle import GaussianClasses, bayes_error_rate, decision_boundaries
from cheaplib.validation import check_real
from cheaplib.widgets import RenderResult, Slider, WidgetSpec

__all__ = ["SPECS", "BayesSoftmaxView", "render_bayes_softmax"]

_X = np.linspace(-6.0, 6.0, 241)
_MARK = slice(None, None, 12)  # every 12th grid point is marked with eq. (1)


def _in(name: str, value: float, low: float, high: float) -> float:
    # a finite real (bool and str refused), with slack for slider round-off at the ends
    x = check_real(name, value)
    if not low - 1e-9 * max(1.0, abs(low)) <= x <= high + 1e-9 * max(1.0, abs(high)):
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got {value!r}")
    return min(max(x, low), high)


def _state(prior0: float, separation: float, width_ratio: float) -> dict[str, Any]:
    """Every number a state shows (validated); the figure is not touched."""
    p0 = _in("prior0", prior0, 0.01, 0.99)
    sep = _in("separation", separation, 0.0, 6.0)
    r = _in("width_ratio", width_ratio, 0.25, 4.0)
    classes = GaussianClasses(
        np.array([-sep / 2, sep / 2]), np.array([1.0, r]), np.array([p0, 1.0 - p0])
    )
    post = classes.posterior_softmax(_X)
    bayes = classes.posterior_bayes(_X[_MARK])
    bounds = decision_boundaries(classes)
    return {
        "p0": p0,
        "sep": sep,
        "r": r,
        "mu": classes.mu,
        "post": post,
        "bayes": bayes,
        "dev": float(np.abs(post[_MARK] - bayes).max()),
        "joint": np.exp(-classes.hamiltonians(_X) - classes.mu),
        "bounds": bounds[np.abs(bounds) <= _X[-1]],
        "error": bayes_error_rate(classes),
    }


class BayesSoftmaxView:
    """The figure of :func:`render_bayes_softmax`, built once and updated in place.

    The axes, labels and legends are drawn once; a state sets the curves' data, shows
    as many decision boundaries as it has (at most two: the log-ratio of two Gaussian
    densities is quadratic) and rescales the upper panel.
    """

    def __init__(self) -> None:
        fig, (ax0, ax1) = new_figure(2, 1, width=6.0, height=4.0, sharex=True)
        self.figure, self.axes = fig, (ax0, ax1)
        self.joint = [
            ax0.plot(_X, np.zeros_like(_X), color=color, label=f"class {y}: exp(−H{y} − μ{y})")[0]
            for y, color in ((0, "C0"), (1, "C3"))
        ]
        ax0.set_ylabel("p(x|y) p(y)")
        ax0.legend(loc="upper right", fontsize=8)
        (self.post,) = ax1.plot(
            _X, np.zeros_like(_X), color="C0", label="softmax(−H − μ)₀, eq. (8)"
        )
        (self.bayes,) = ax1.plot(
            _X[_MARK], np.zeros_like(_X[_MARK]), "o", ms=4, color="k", label="Bayes, eq. (1)"
        )
        self.bounds = [
            (
                ax0.axvline(0.0, color="0.5", lw=0.8, ls="--"),
                ax1.axvline(0.0, color="0.5", lw=0.8, ls="--"),
            )
            for _ in range(2)
        ]
        ax1.set_ylim(-0.05, 1.05)
        ax1.set_xlabel("x")
        ax1.set_ylabel("p(y = 0 | x)")
        ax1.legend(loc="center right", fontsize=8)

    def update(self, prior0: float, separation: float = 2.0, width_ratio: float = 1.0) -> str:
        """Show a state; return its summary (see :func:`render_bayes_softmax`)."""
        return self.show(_state(prior0, separation, width_ratio))

    def show(self, st: dict[str, Any]) -> str:
        """Show the numbers of :func:`_state`; return the summary."""
        ax0, _ = self.axes
        for y, line in enumerate(self.joint):
            line.set_ydata(st["joint"][:, y])
        self.post.set_ydata(st["post"][:, 0])
        self.bayes.set_ydata(st["bayes"][:, 0])
        bounds = st["bounds"]
        for k, pair in enumerate(self.bounds):
            for line in pair:
                line.set_visible(k < len(bounds))
                line.set_xdata([bounds[k], bounds[k]] if k < len(bounds) else [0.0, 0.0])
        ax0.relim()
        ax0.autoscale_view()

        p0, mu = st["p0"], st["mu"]
        where = ", ".join(f"{b:.2f}" for b in bounds) if len(bounds) else "none on [-6, 6]"
        return (
            f"p(y=0) = {p0:.2f}: &mu; = ({mu[0]:.2f}, {mu[1]:.2f}); "
            f"separation {st['sep']:.2f}, width ratio {st['r']:.2f}. "
            f"Decision boundary at x = {where}; Bayes error rate {st['error']:.3f}; "
            f"max |softmax &minus; Bayes| = {st['dev']:.1e}."
        )


def render_bayes_softmax(
    prior0: float, separation: float = 2.0, width_ratio: float = 1.0
) -> RenderResult:
    """Posterior of two Gaussian classes as a softmax of :math:`-H - \\mu` (eqs. 1-8).

    Class 0 is :math:`\\mathcal N(-\\Delta/2, 1)`, class 1 is
    :math:`\\mathcal N(\\Delta/2, r^2)`, with priors :math:`(p_0, 1 - p_0)`.

    Parameters
    ----------
    prior0 : float
        Prior :math:`p_0 = p(y = 0)`, in ``[0.01, 0.99]``.
    separation : float, optional
        Distance :math:`\\Delta` between the means, in ``[0, 6]``.
    width_ratio : float, optional
        Standard deviation :math:`r` of class 1 (class 0 has 1), in ``[0.25, 4]``.

    Returns
    -------
    (Figure, str)
        Top: the numerators :math:`p(x|y)p(y) = e^{-H_y - \\mu_y}` of eq. (1); bottom:
        :math:`p(y=0|x)` from the softmax (line) and from eq. (1) (markers), with the
        decision boundaries.  The summary lists :math:`\\mu`, the boundaries, the Bayes
        error rate and the largest difference between the two posteriors.  The figure
        is a fresh :class:`BayesSoftmaxView`'s (the live widget keeps one).

    Raises
    ------
    ValueError
        If a value is out of range.
    """
    st = _state(prior0, separation, width_ratio)
    view = BayesSoftmaxView()
    return view.figure, view.show(st)


SPECS = (
    WidgetSpec(
        name="swindle-bayes-softmax",
        title="Bayes' theorem as a softmax: priors and separation",
        controls=(
            Slider(
                "prior0", "prior p(y=0)", 0.01, 0.99, 0.01, 0.5, static=(0.1, 0.25, 0.5, 0.75, 0.9)
            ),
            Slider(
                "separation",
                "separation of the means",
                0.0,
                6.0,
                0.25,
                2.0,
                static=(0.0, 1.0, 2.0, 4.0),
            ),
            Slider("width_ratio", "width of class 1", 0.25, 4.0, 0.25, 1.0, static=(0.5, 1.0, 2.0)),
        ),
        render=render_bayes_softmax,
        view=BayesSoftmaxView,
    ),
)
