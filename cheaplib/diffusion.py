"""A diffusion model in one dimension with the exact score (beyond the slides of source 003).

The slide "Diffusion Learning" of Berman and Klinger (source 003; arXiv:2212.11379)
compares the ERG/Bayes correspondence with diffusion models: a forward diffusion destroys
the structure of a data distribution, and a backward process driven by the score rebuilds
it. For a Gaussian mixture under the Ornstein-Uhlenbeck flow every noised law is again a
mixture, so the score is known exactly: :class:`GaussianMixture` (with
:meth:`GaussianMixture.noised` and :meth:`GaussianMixture.score`) and
:func:`reverse_diffusion`, integrated with :func:`cheaplib.flows.euler_maruyama`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import logsumexp

from cheaplib._numerics import check_positive
from cheaplib._typing import FloatArray
from cheaplib.flows import euler_maruyama
from cheaplib.validation import (
    MAX_BYTES,
    MAX_OPERATIONS,
    check_array,
    check_budget,
    check_int,
    check_real,
    check_rng,
)

__all__ = ["GaussianMixture", "reverse_diffusion"]


def _log_components(x: FloatArray, w: FloatArray, m: FloatArray, s: FloatArray) -> FloatArray:
    z = (x[..., None] - m) / s
    return np.log(w) - 0.5 * z**2 - np.log(s) - 0.5 * math.log(2 * math.pi)


def _mixture_score(x: FloatArray, w: FloatArray, m: FloatArray, s: FloatArray) -> FloatArray:
    lc = _log_components(x, w, m, s)
    lc -= lc.max(axis=-1, keepdims=True)
    resp = np.exp(lc)
    resp /= resp.sum(axis=-1, keepdims=True)
    return np.sum(resp * (m - x[..., None]) / s**2, axis=-1)


@dataclass(frozen=True)
class GaussianMixture:
    """A one-dimensional Gaussian mixture, and its law under Ornstein-Uhlenbeck noising.

    Parameters
    ----------
    weights, means, sds : tuple of float
        Mixture weights (positive, summing to one), component means and standard
        deviations (positive).
    """

    weights: tuple[float, ...]
    means: tuple[float, ...]
    sds: tuple[float, ...]

    def __post_init__(self) -> None:
        w = check_array("weights", self.weights, ndim=1)
        m = check_array("means", self.means, ndim=1)
        s = check_array("sds", self.sds, ndim=1)
        if not w.size == m.size == s.size:
            raise ValueError("weights, means and sds must be equal-length 1-D sequences")
        if np.any(w <= 0) or abs(w.sum() - 1) > 1e-12:
            raise ValueError("weights must be positive and sum to one")
        if np.any(s <= 0):
            raise ValueError("sds must be positive")

    def _arrays(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        return (
            np.asarray(self.weights, float),
            np.asarray(self.means, float),
            np.asarray(self.sds, float),
        )

    def _noised_arrays(self, t: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        t = check_real("t", t, low=0.0)
        w, m, s = self._arrays()
        var = s**2 * math.exp(-2 * t) - math.expm1(-2 * t)
        return w, m * math.exp(-t), np.sqrt(var)

    def noised(self, t: float) -> GaussianMixture:
        """Law at time ``t`` of :math:`dX = -X\\,dt + \\sqrt2\\,dW` started from this mixture.

        Each component :math:`N(m, s^2)` becomes
        :math:`N(m e^{-t}, s^2 e^{-2t} + 1 - e^{-2t})` (the kernel of
        :func:`ou_transition_density`); as :math:`t\\to\\infty`, :math:`N(0,1)`.

        Raises
        ------
        ValueError
            If ``t`` is negative or not finite.
        """
        w, m, s = self._noised_arrays(t)
        return GaussianMixture(tuple(w), tuple(m), tuple(s))

    def pdf(self, x: ArrayLike) -> FloatArray:
        """Density at ``x``."""
        xa = check_array("x", x, min_size=0)
        check_budget("x", 8.0 * 3 * xa.size * len(self.weights), MAX_BYTES)
        return np.exp(logsumexp(_log_components(xa, *self._arrays()), axis=-1))

    def score(self, x: ArrayLike) -> FloatArray:
        """Score :math:`\\partial_x \\ln p(x)`, exact (responsibility-weighted)."""
        xa = check_array("x", x, min_size=0)
        check_budget("x", 8.0 * 3 * xa.size * len(self.weights), MAX_BYTES)
        return _mixture_score(xa, *self._arrays())

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        """``n`` independent draws from ``rng``.

        Raises
        ------
        TypeError, ValueError
            If ``n`` is not a positive integer (within budget) or ``rng`` not a Generator.
        """
        n = check_int("n", n, 1)
        check_budget("n", 8.0 * 3 * n, MAX_BYTES)
        check_rng(rng)
        w, m, s = self._arrays()
        k = rng.choice(w.size, size=n, p=w)
        return m[k] + s[k] * rng.standard_normal(n)


def reverse_diffusion(
    data: GaussianMixture,
    n_samples: int,
    t_max: float,
    n_steps: int,
    rng: np.random.Generator,
    *,
    record_every: int | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Sample a diffusion model backwards with the exact score (beyond the slides).

    Forward process: :math:`dX = -X\\,dt + \\sqrt2\\,dW` (eq. 31 with :math:`V = x^2/2`),
    which turns ``data`` into nearly :math:`N(0,1)` by ``t_max``.  Reverse process, in
    :math:`s = t_{\\max} - t`:
    :math:`dY = [Y + 2\\,\\partial_y\\ln p_{t_{\\max}-s}(Y)]\\,ds + \\sqrt2\\,dW`, started from
    :math:`N(0,1)` and integrated with :func:`euler_maruyama`; the score is exact
    (:meth:`GaussianMixture.score` of :meth:`GaussianMixture.noised`).

    Returns
    -------
    (times, states)
        Forward times :math:`t_{\\max} - s` of the records and the samples there.

    Examples
    --------
    >>> import numpy as np
    >>> bumps = GaussianMixture((0.3, 0.7), (-2.0, 1.5), (0.3, 0.4))
    >>> t, Y = reverse_diffusion(bumps, 4000, 4.0, 200, np.random.default_rng(1))
    >>> round(float(np.mean(Y[-1] < 0)), 1)  # the left bump's weight
    0.3

    Raises
    ------
    ValueError
        If ``t_max`` or the counts are not positive.
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`.
    """
    if not isinstance(data, GaussianMixture):
        raise TypeError(f"data must be a GaussianMixture, got {type(data).__name__}")
    check_rng(rng)
    T = check_positive("t_max", t_max)
    n_samples = check_int("n_samples", n_samples, 1)
    n_steps = check_int("n_steps", n_steps, 1)
    check_budget(
        "n_samples",
        10.0 * n_samples * n_steps * len(data.weights),
        MAX_OPERATIONS,
        unit="operations",
    )
    y0 = rng.standard_normal(n_samples)

    def drift(y: FloatArray, s: float) -> FloatArray:
        return y + 2 * _mixture_score(y, *data._noised_arrays(max(T - s, 0.0)))

    s_times, states = euler_maruyama(
        drift, y0, T / n_steps, n_steps, rng, record_every=record_every
    )
    return T - s_times, states
