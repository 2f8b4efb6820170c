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

import numpy as np

from cheaplib.plotting import new_figure
from cheaplib.swindle import GaussianClasses, bayes_error_rate, decision_boundaries
from cheaplib.validation import check_real
from cheaplib.widgets import RenderResult, Slider, WidgetSpec

__all__ = ["SPECS", "render_bayes_softmax"]

_X = np.linspace(-6.0, 6.0, 241)
_MARK = slice(None, None, 12)  # every 12th grid point is marked with eq. (1)


def _in(name: str, value: float, low: float, high: float) -> float:
    # a finite real (bool and str refused), with slack for slider round-off at the ends
    x = check_real(name, value)
    if not low - 1e-9 * max(1.0, abs(low)) <= x <= high + 1e-9 * max(1.0, abs(high)):
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got {value!r}")
    return min(max(x, low), high)


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
        error rate and the largest difference between the two posteriors.

    Raises
    ------
    ValueError
        If a value is out of range.
    """
    p0 = _in("prior0", prior0, 0.01, 0.99)
    sep = _in("separation", separation, 0.0, 6.0)
    r = _in("width_ratio", width_ratio, 0.25, 4.0)
    classes = GaussianClasses(
        np.array([-sep / 2, sep / 2]), np.array([1.0, r]), np.array([p0, 1.0 - p0])
    )
    post = classes.posterior_softmax(_X)
    bayes = classes.posterior_bayes(_X[_MARK])
    dev = float(np.abs(post[_MARK] - bayes).max())
    joint = np.exp(-classes.hamiltonians(_X) - classes.mu)

    bounds = decision_boundaries(classes)
    bounds = bounds[np.abs(bounds) <= _X[-1]]
    error = bayes_error_rate(classes)

    fig, (ax0, ax1) = new_figure(2, 1, width=6.0, height=4.0, sharex=True)
    for y, color in ((0, "C0"), (1, "C3")):
        ax0.plot(_X, joint[:, y], color=color, label=f"class {y}: exp(−H{y} − μ{y})")
    ax0.set_ylabel("p(x|y) p(y)")
    ax0.legend(loc="upper right", fontsize=8)
    ax1.plot(_X, post[:, 0], color="C0", label="softmax(−H − μ)₀, eq. (8)")
    ax1.plot(_X[_MARK], bayes[:, 0], "o", ms=4, color="k", label="Bayes, eq. (1)")
    for b in bounds:
        ax0.axvline(b, color="0.5", lw=0.8, ls="--")
        ax1.axvline(b, color="0.5", lw=0.8, ls="--")
    ax1.set_ylim(-0.05, 1.05)
    ax1.set_xlabel("x")
    ax1.set_ylabel("p(y = 0 | x)")
    ax1.legend(loc="center right", fontsize=8)

    where = ", ".join(f"{b:.2f}" for b in bounds) if len(bounds) else "none on [-6, 6]"
    summary = (
        f"p(y=0) = {p0:.2f}: &mu; = ({classes.mu[0]:.2f}, {classes.mu[1]:.2f}); "
        f"separation {sep:.2f}, width ratio {r:.2f}. "
        f"Decision boundary at x = {where}; Bayes error rate {error:.3f}; "
        f"max |softmax &minus; Bayes| = {dev:.1e}."
    )
    return fig, summary


SPECS = (
    WidgetSpec(
        name="swindle-bayes-softmax",
        title="Bayes' theorem as a softmax: priors and separation",
        controls=(
            Slider("prior0", "prior p(y=0)", 0.01, 0.99, 0.01, 0.5),
            Slider("separation", "separation of the means", 0.0, 6.0, 0.25, 2.0),
            Slider("width_ratio", "width of class 1", 0.25, 4.0, 0.25, 1.0),
        ),
        render=render_bayes_softmax,
    ),
)
