"""Dynamical Bayesian inference: the Bayes side of source 003, computed on parameter grids.

The slides of Berman and Klinger (source 003; arXiv:2212.11379) follow the posterior
:math:`\\pi_T` as a function of the number of observations :math:`T` (eq. 42) and show
that, run backwards in :math:`\\tau = 1/T`, it diffuses (eqs. 44-57). This module holds
that side: :func:`dynamical_bayes` (eq. 42, integrated with
:func:`scipy.integrate.solve_ivp`) and :func:`posterior_from_divergence` (its closed form);
divergences (in nats) and inverse Fisher metrics of the Bernoulli, Poisson, categorical
and normal families; :func:`isserlis_moment` and :func:`posterior_moment` (eq. 43);
:func:`normal_mean_posterior` (eqs. 45-46), :func:`normal_posterior_predictive`
(eq. 51), :func:`running_mean` and :func:`normal_map_trajectory` (eqs. 47-50); and
:func:`bayes_update_matrix` with :func:`petz_recovery`, the classical Petz map.

Parameter grids and densities follow :mod:`cheaplib.flows` (trapezoid weights from
:func:`cheaplib.flows.grid_weights`; a tuple of axes is a product grid).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp
from scipy.special import logsumexp, rel_entr

from cheaplib._numerics import check_density, check_grid, check_positive, check_times
from cheaplib._typing import FloatArray
from cheaplib.flows import grid_weights
from cheaplib.validation import (
    MAX_BYTES,
    MAX_OPERATIONS,
    check_array,
    check_budget,
    check_finite_result,
    check_int,
    check_probability_vector,
    check_real,
    check_stochastic_matrix,
    refuse_overflow,
)

__all__ = [
    "bayes_update_matrix",
    "bernoulli_divergence",
    "bernoulli_inverse_fisher",
    "categorical_divergence",
    "categorical_inverse_fisher",
    "dynamical_bayes",
    "isserlis_moment",
    "normal_map_trajectory",
    "normal_mean_divergence",
    "normal_mean_posterior",
    "normal_posterior_predictive",
    "pairings",
    "petz_recovery",
    "poisson_divergence",
    "posterior_from_divergence",
    "posterior_moment",
    "running_mean",
]


# --- dynamical Bayesian inference (eqs. 5-8, 42) ----------------------------------------


def _field(name: str, values: ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    return check_array(name, values, shape=shape)


def _prior_and_divergence(
    prior: ArrayLike, divergence: ArrayLike, grid: ArrayLike | tuple[ArrayLike, ...]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    w = grid_weights(grid)
    pi0 = check_density("prior", prior, w)
    D = _field("divergence", divergence, w.shape)
    if np.any(D < -1e-12):
        raise ValueError("a KL divergence is non-negative; divergence has negative values")
    return pi0, D, w


def posterior_from_divergence(
    prior: ArrayLike, divergence: ArrayLike, T: float, grid: ArrayLike | tuple[ArrayLike, ...]
) -> FloatArray:
    """Closed-form solution :math:`\\pi_T \\propto \\pi_0\\,e^{-T D}` of eq. (42).

    Computed in log space (stable for large ``T``).  For data whose empirical distribution
    equals the data-generating one it is the ordinary posterior (6) after ``T``
    observations.

    Raises
    ------
    ValueError
        As :func:`dynamical_bayes`.
    """
    pi0, D, w = _prior_and_divergence(prior, divergence, grid)
    T = check_real("T", T, low=0.0)
    with np.errstate(divide="ignore"):
        log_post = np.log(pi0) - float(T) * D
    log_post -= logsumexp(log_post, b=w)
    return np.exp(log_post)


def dynamical_bayes(
    prior: ArrayLike,
    divergence: ArrayLike,
    T_values: ArrayLike,
    grid: ArrayLike | tuple[ArrayLike, ...],
    *,
    rtol: float = 1e-10,
    atol: float = 1e-14,
) -> FloatArray:
    """Integrate dynamical Bayesian inference, eq. (42), on a parameter grid.

    .. math:: \\partial_T\\pi_T(u) = -\\bigl(D(u) - \\mathbb E_{\\pi_T}D\\bigr)\\,\\pi_T(u),
              \\qquad D(u) = D_{KL}(p^*_Y\\,\\|\\,p_{Y|U=u}),

    with :func:`scipy.integrate.solve_ivp` (explicit Runge-Kutta ``DOP853``).  The
    right-hand side integrates to zero exactly, a linear invariant that Runge-Kutta methods
    keep, so :math:`\\int\\pi_T = 1` to round-off.

    Parameters
    ----------
    prior : array_like
        :math:`\\pi_0` on the grid (non-negative, integrating to one).
    divergence : array_like
        :math:`D(u)` on the grid (non-negative).
    T_values : array_like
        Sorted non-negative "times" (numbers of observations).
    grid : array_like or tuple of array_like
        The parameter grid (a tuple of axes for several parameters).
    rtol, atol : float
        Tolerances passed to :func:`scipy.integrate.solve_ivp`, each in ``(0, 1)``.

    Returns
    -------
    ndarray, shape (len(T_values), *prior.shape)

    Examples
    --------
    A Bernoulli model with typical data: eq. (42) gives the Beta posterior.

    >>> import numpy as np
    >>> from cheaplib.flows import normalize
    >>> th = np.linspace(0.001, 0.999, 999)
    >>> pi = dynamical_bayes(normalize(np.ones_like(th), th),
    ...                      bernoulli_divergence(0.3, th), [50.0], th)[0]
    >>> round(float(th[np.argmax(pi)]), 3)  # the mode of Beta(16, 36)
    0.3

    Raises
    ------
    ValueError
        If the prior is not a density, the divergence is negative or has the wrong shape,
        the grid is unsorted, ``T_values`` are negative or unsorted, a tolerance is not in
        ``(0, 1)``, or the last time needs more than
        :data:`cheaplib.validation.MAX_OPERATIONS`: an explicit method takes at least
        :math:`T\\,\\Delta D/6` steps (:math:`\\Delta D` the spread of the divergence,
        6 about the stability interval of ``DOP853``), each of 12 evaluations.
    """
    pi0, D, w = _prior_and_divergence(prior, divergence, grid)
    T = check_times("T_values", T_values)
    rtol = check_real("rtol", rtol, 0.0, 1.0, low_open=True, high_open=True)
    atol = check_real("atol", atol, 0.0, 1.0, low_open=True, high_open=True)
    check_budget("T_values", 8.0 * T.size * pi0.size, MAX_BYTES)
    spread = float(np.max(D) - np.min(D)) if D.size else 0.0
    check_budget(
        "T_values", 2.0 * float(T[-1]) * spread * pi0.size, MAX_OPERATIONS, unit="operations"
    )
    Dw, wf, Df = (w * D).ravel(), w.ravel(), D.ravel()

    def rhs(_: float, pi: FloatArray) -> FloatArray:
        mean_D = (Dw @ pi) / (wf @ pi)
        return -(Df - mean_D) * pi

    if T[-1] == 0:
        return np.repeat(pi0[None], T.size, axis=0)
    sol = solve_ivp(
        rhs, (0.0, float(T[-1])), pi0.ravel(), method="DOP853", t_eval=T, rtol=rtol, atol=atol
    )
    if not sol.success:
        raise ValueError(f"T_values, rtol, atol: solve_ivp failed ({sol.message})")
    return check_finite_result(sol.y.T.reshape((T.size, *pi0.shape)), "T_values, rtol, atol")


def bernoulli_divergence(theta_star: float, theta: ArrayLike) -> FloatArray:
    """:math:`D_{KL}(\\mathrm{Bern}(\\theta^*)\\,\\|\\,\\mathrm{Bern}(\\theta))` (the D of eq. 42).

    Raises
    ------
    ValueError
        If ``theta_star`` or any ``theta`` is outside (0, 1).
    """
    ts = check_real("theta_star", theta_star, 0.0, 1.0, low_open=True, high_open=True)
    th = check_array("theta", theta, min_size=0)
    if np.any((th <= 0) | (th >= 1)):
        raise ValueError("theta must lie strictly between 0 and 1")
    return rel_entr(ts, th) + rel_entr(1 - ts, 1 - th)


def poisson_divergence(lam_star: float, lam: ArrayLike) -> FloatArray:
    """Poisson divergence :math:`D_{KL}(\\mathrm{Pois}(\\lambda^*)\\|\\mathrm{Pois}(\\lambda))`.

    In nats it equals :math:`\\lambda^*\\ln(\\lambda^*/\\lambda) - \\lambda^* + \\lambda`;
    the inverse Fisher metric of the family is :math:`I^{-1}(\\lambda) = \\lambda`.

    Examples
    --------
    >>> float(poisson_divergence(2.0, 2.0))
    0.0

    Raises
    ------
    ValueError
        If ``lam_star`` or any ``lam`` is not positive and finite, or the divergence
        overflows float64.
    """
    ls = check_positive("lam_star", lam_star)
    la = check_array("lam", lam, min_size=0)
    if np.any(la <= 0):
        raise ValueError("lam must be positive")
    with np.errstate(over="ignore", invalid="ignore"):
        return check_finite_result(rel_entr(ls, la) - ls + la, "lam_star, lam")


def bernoulli_inverse_fisher(theta: ArrayLike) -> FloatArray:
    """Inverse Fisher metric :math:`I^{-1}(\\theta) = \\theta(1-\\theta)` of the Bernoulli family.

    Raises
    ------
    ValueError
        If ``theta`` is outside (0, 1).
    """
    th = check_array("theta", theta, min_size=0)
    if np.any((th <= 0) | (th >= 1)):
        raise ValueError("theta must lie strictly between 0 and 1")
    return th * (1 - th)


def categorical_divergence(p_star: ArrayLike, p: ArrayLike) -> FloatArray:
    """:math:`D_{KL}(p^*\\,\\|\\,p)` in nats for categorical distributions (last axis).

    ``p`` may be an array of candidate distributions (a grid around :math:`p^*`): each
    must sum to one along the last axis; a candidate with a negative entry lies outside
    the simplex and gets :math:`+\\infty` (so that :math:`e^{-TD} = 0` there), which lets a
    grid cover a window around :math:`p^*` freely.

    Examples
    --------
    >>> round(float(categorical_divergence([0.5, 0.5], [0.9, 0.1])), 4)
    0.5108

    Raises
    ------
    ValueError
        If ``p_star`` is not a probability vector with positive entries, or a row of
        ``p`` does not sum to one or has the wrong number of categories.
    """
    ps = check_probability_vector("p_star", p_star, atol=1e-12)
    if ps.ndim != 1 or np.any(ps <= 0):
        raise ValueError("p_star must be a 1-D probability vector with positive entries")
    pp = check_array("p", p)
    if pp.ndim == 0 or pp.shape[-1] != ps.size:
        raise ValueError(f"p must have {ps.size} categories on its last axis, got {pp.shape}")
    sums = pp.sum(axis=-1)
    if np.any(np.abs(sums - 1) > 1e-9):
        raise ValueError(
            f"p must sum to 1 along its last axis, got sums in [{sums.min():.3g}, {sums.max():.3g}]"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pp > 0, rel_entr(ps, np.where(pp > 0, pp, 1.0)), np.inf)
    return terms.sum(axis=-1)


def categorical_inverse_fisher(theta: ArrayLike) -> FloatArray:
    """Inverse Fisher metric :math:`\\mathrm{diag}(\\theta) - \\theta\\theta^{\\mathsf T}`.

    For the categorical family in the coordinates :math:`\\theta_1,\\dots,\\theta_{k-1}`
    (the last probability is :math:`1 - \\sum\\theta_i`); this is also the covariance of
    one one-hot observation.

    Raises
    ------
    ValueError
        If ``theta`` is not in the open simplex.
    """
    th = check_array("theta", theta, ndim=1)
    if np.any(th <= 0) or th.sum() >= 1:
        raise ValueError("theta must hold the k-1 free probabilities, positive, sum < 1")
    return np.diag(th) - np.outer(th, th)


def normal_mean_divergence(mu_star: float, sigma: float, mu: ArrayLike) -> FloatArray:
    """:math:`D_{KL}(N(\\mu^*,\\sigma^2)\\,\\|\\,N(\\mu,\\sigma^2)) = (\\mu-\\mu^*)^2/2\\sigma^2`.

    Raises
    ------
    ValueError
        If ``sigma`` is not positive, or the values are so extreme that the divergence
        overflows float64.
    """
    s = check_positive("sigma", sigma)
    m = check_real("mu_star", mu_star)
    mu_a = check_array("mu", mu, min_size=0)
    with refuse_overflow("sigma"), np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        out = (mu_a - m) ** 2 / (2 * s**2)
    return check_finite_result(out, "mu_star, sigma, mu")


def pairings(n: int) -> Iterator[tuple[tuple[int, int], ...]]:
    """All perfect matchings of ``range(n)`` (the set :math:`P^2_{n}` of eq. 43).

    There are :math:`(n-1)!!` of them for even ``n`` and none for odd ``n``.

    Raises
    ------
    ValueError
        If ``n`` is negative or larger than 16.
    """
    n = check_int("n", n, 0, 16)

    def rec(items: tuple[int, ...]) -> Iterator[tuple[tuple[int, int], ...]]:
        if not items:
            yield ()
            return
        first, rest = items[0], items[1:]
        for k, partner in enumerate(rest):
            for tail in rec(rest[:k] + rest[k + 1 :]):
                yield ((first, partner), *tail)

    if n % 2:
        return iter(())
    return rec(tuple(range(int(n))))


def isserlis_moment(cov: ArrayLike, indices: tuple[int, ...] | list[int]) -> float:
    """Wick-Isserlis moment :math:`\\sum_{\\text{pairings}}\\prod C_{i_r i_s}` (eq. 43).

    For a centred Gaussian with covariance ``cov`` this is
    :math:`\\mathbb E[\\prod_j X_{i_j}]`; eq. (43) uses ``cov`` = inverse Fisher metric
    over ``T``.

    Raises
    ------
    ValueError
        If ``cov`` is not square symmetric or an index is out of range.
    """
    C = np.atleast_2d(check_array("cov", cov))
    if C.ndim != 2 or C.shape[0] != C.shape[1] or not np.allclose(C, C.T):
        raise ValueError("cov must be a symmetric square matrix")
    idx = [check_int("indices", i, 0, C.shape[0] - 1) for i in indices]
    if len(idx) > 16:
        raise ValueError(f"indices: at most 16 factors ((2n-1)!! pairings), got {len(idx)}")
    return float(sum(math.prod(C[idx[r], idx[s]] for r, s in m) for m in pairings(len(idx))))


def posterior_moment(
    pi: ArrayLike,
    grid: ArrayLike | tuple[ArrayLike, ...],
    center: ArrayLike,
    indices: tuple[int, ...] | list[int],
) -> float:
    """Moment :math:`\\mathbb E_\\pi[\\prod_j (U - u^*)_{i_j}]` of a density on a grid (eq. 43).

    Parameters
    ----------
    pi : array_like
        Density on ``grid`` (a 1-D grid, or a tuple of axes for a product grid).
    grid : array_like or tuple
        The grid.
    center : array_like
        :math:`u^*`, one entry per axis.
    indices : sequence of int
        Which coordinate each factor refers to (e.g. ``(0, 0, 1, 1)``).

    Raises
    ------
    ValueError
        If ``pi`` is not a density or an index is out of range.
    """
    w = grid_weights(grid)
    p = check_density("pi", pi, w)
    axes = grid if isinstance(grid, tuple) else (grid,)
    c = np.atleast_1d(check_array("center", center))
    if c.size != len(axes):
        raise ValueError("center needs one entry per grid axis")
    f = np.ones(w.shape)
    for i in indices:
        i = check_int("indices", i, 0, len(axes) - 1)
        shape = [1] * len(axes)
        shape[i] = -1
        f = f * (np.asarray(axes[i], dtype=float) - c[i]).reshape(shape)
    return float(np.sum(w * p * f))


def normal_mean_posterior(
    T: ArrayLike, mu_star: float, sigma: float, grid: ArrayLike
) -> FloatArray:
    """Posterior of a normal mean after ``T`` observations, :math:`N(\\mu^*, \\sigma^2/T)` (eq. 45).

    The solution of eq. (42) for :math:`y = \\mu + n`, :math:`n\\sim N(0,\\sigma^2)`, from a
    flat prior; in :math:`\\tau = 1/T` it is the heat kernel of eq. (46), which solves
    :math:`\\partial_\\tau\\pi = (\\sigma^2/2)\\,\\partial_\\mu^2\\pi` (diffusivity
    :math:`\\sigma^2/2`).

    Parameters
    ----------
    T : float or array_like
        Number(s) of observations, positive (need not be integers).
    mu_star : float
        Data-generating mean.
    sigma : float
        Noise standard deviation, positive.
    grid : array_like
        Strictly increasing grid of :math:`\\mu` values.

    Returns
    -------
    ndarray
        Shape ``grid.shape`` for scalar ``T``, else ``(len(T), len(grid))``.

    Examples
    --------
    >>> import numpy as np
    >>> mu = np.linspace(-5, 5, 1001)
    >>> pi = normal_mean_posterior(4.0, 0.5, 1.2, mu)
    >>> round(float(np.sqrt(np.sum(pi * (mu - 0.5) ** 2) * 0.01)), 4)  # sigma / sqrt(T)
    0.6

    Raises
    ------
    ValueError
        If ``T`` or ``sigma`` is not positive, the grid is not strictly increasing, or
        ``sigma**2 / T`` is beyond float64 (overflows or underflows to 0).
    """
    mu = check_grid(grid, "grid")
    s = check_positive("sigma", sigma)
    mu_star = check_real("mu_star", mu_star)
    Ta = check_array("T", T)
    if np.any(Ta <= 0):
        raise ValueError(f"T must be positive and finite, got {T!r}")
    if Ta.ndim > 1:
        raise ValueError(f"T must be a scalar or a 1-D array, got shape {Ta.shape}")
    check_budget("T", 8.0 * Ta.size * mu.size, MAX_BYTES)
    with refuse_overflow("sigma"), np.errstate(all="ignore"):
        var = (s**2 / Ta)[..., None] if Ta.ndim else s**2 / float(Ta)
        out = np.exp(-((mu - float(mu_star)) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)
    if not np.all(var > 0):
        raise ValueError("sigma, T out of range: the variance sigma**2 / T underflows to 0")
    return check_finite_result(out, "sigma, T")


def normal_posterior_predictive(
    tau: ArrayLike, mu_star: float, sigma: float, y: ArrayLike
) -> FloatArray:
    """Posterior predictive :math:`p_\\tau(y) = N(\\mu^*, \\sigma^2(1+\\tau))` (eq. 51).

    The posterior :math:`N(\\mu^*, \\sigma^2\\tau)` of eq. (46) convolved with the noise
    :math:`p_0 = N(0,\\sigma^2)`; it solves :math:`\\partial_\\tau p = (\\sigma^2/2)\\,p''`,
    i.e. eq. (57) with coefficient :math:`K/2`, :math:`K = I^{-1} = \\sigma^2`.

    Raises
    ------
    ValueError
        If ``tau`` is negative or ``sigma`` not positive, or the variance
        :math:`\\sigma^2(1+\\tau)` is beyond float64.
    """
    s = check_positive("sigma", sigma)
    mu_star = check_real("mu_star", mu_star)
    ta = check_array("tau", tau)
    if np.any(ta < 0):
        raise ValueError("tau must be finite and non-negative")
    if ta.ndim > 1:
        raise ValueError(f"tau must be a scalar or a 1-D array, got shape {ta.shape}")
    yy = check_array("y", y, min_size=0)
    check_budget("tau", 8.0 * ta.size * max(yy.size, 1), MAX_BYTES)
    with refuse_overflow("sigma"), np.errstate(all="ignore"):
        var = (s**2 * (1 + ta))[..., None] if ta.ndim else s**2 * (1 + float(ta))
        out = np.exp(-((yy - float(mu_star)) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)
    if not np.all(var > 0):
        raise ValueError("sigma out of range: the variance sigma**2 (1 + tau) underflows to 0")
    return check_finite_result(out, "sigma, tau")


def running_mean(y: ArrayLike) -> FloatArray:
    """Partial means :math:`\\mu(E; n) = \\frac1n\\sum_{i\\le n} Y_i`, n = 1..N (eq. 47).

    Works along the last axis (one ordering per row).

    Raises
    ------
    ValueError
        If ``y`` is empty or not finite, or its sums overflow float64.
    """
    arr = check_array("y", y)
    if arr.ndim == 0:
        raise ValueError("y must be an array of observations, got a scalar")
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.cumsum(arr, axis=-1) / np.arange(1, arr.shape[-1] + 1)
    return check_finite_result(out, "y")


def normal_map_trajectory(
    y: ArrayLike, sigma: float, prior_mean: float = 0.0, prior_var: float = 1.0
) -> FloatArray:
    """MAP of a normal mean after 0..N observations, in the order given (eqs. 47-50).

    With prior :math:`N(m_0, s_0^2)` and noise :math:`N(0,\\sigma^2)`,
    :math:`\\hat\\mu_n = (m_0/s_0^2 + \\sum_{i\\le n} y_i/\\sigma^2)/(1/s_0^2 + n/\\sigma^2)`.
    Along the last axis; the result has one more entry (:math:`n = 0`, the prior mean).

    Raises
    ------
    ValueError
        If ``sigma`` or ``prior_var`` is not positive, ``y`` is empty, or the values are
        so extreme that the estimate overflows float64.
    """
    s = check_positive("sigma", sigma)
    v0 = check_positive("prior_var", prior_var)
    prior_mean = check_real("prior_mean", prior_mean)
    arr = check_array("y", y)
    if arr.ndim == 0:
        raise ValueError("y must be an array of observations, got a scalar")
    zero = np.zeros((*arr.shape[:-1], 1))
    sums = np.concatenate([zero, np.cumsum(arr, axis=-1)], axis=-1)
    n = np.arange(arr.shape[-1] + 1)
    with refuse_overflow("sigma, prior_var"), np.errstate(all="ignore"):
        out = (prior_mean / v0 + sums / s**2) / (1 / v0 + n / s**2)
    return check_finite_result(out, "y, sigma, prior_mean, prior_var")


def bayes_update_matrix(channel: ArrayLike, prior: ArrayLike) -> FloatArray:
    """Bayes' posterior table :math:`P(x\\mid y) \\propto P(y\\mid x)\\,\\pi(x)` (eq. 6).

    ``channel[y, x]`` is :math:`P(y\\mid x)` (columns sum to one); returns ``post[x, y]``.
    An output with :math:`P(y) = \\sum_x P(y\\mid x)\\pi(x) = 0` never occurs and its
    posterior is undefined; its column is **defined to be the prior** (observing nothing
    new leaves the belief unchanged), so every column is a probability vector. The Petz
    map is completed the same way (:func:`petz_recovery`).

    Examples
    --------
    >>> bayes_update_matrix([[1.0, 1.0], [0.0, 0.0]], [0.5, 0.5]).tolist()
    [[0.5, 0.5], [0.5, 0.5]]

    Raises
    ------
    ValueError
        As :func:`petz_recovery`.
    """
    E, pi = _channel_and_reference(channel, prior, "prior")
    joint = E * pi[None, :]
    evidence = joint.sum(axis=1)
    post = np.repeat(pi[:, None], E.shape[0], axis=1)
    seen = evidence > 0
    post[:, seen] = (joint[seen] / evidence[seen, None]).T
    return post


def _channel_and_reference(
    channel: ArrayLike, ref: ArrayLike, ref_name: str
) -> tuple[FloatArray, FloatArray]:
    E = check_stochastic_matrix("channel", channel, axis=0)
    r = check_probability_vector(ref_name, ref)
    if r.ndim != 1 or E.shape[1] != r.size:
        raise ValueError(
            f"channel must be (n_out, n_in) and {ref_name} a vector of n_in = {E.shape[1]}, "
            f"got {r.shape}"
        )
    if np.any(r <= 0):
        raise ValueError(f"{ref_name} must have positive entries")
    check_budget("channel", 8.0 * 4 * max(E.shape) ** 2, MAX_BYTES)
    return E, r


def petz_recovery(channel: ArrayLike, reference: ArrayLike) -> FloatArray:
    """Petz recovery map of a classical channel, built from matrix functions.

    The Petz map :math:`R(\\sigma) = \\rho^{1/2} E^\\dagger\\bigl(E(\\rho)^{-1/2}\\,\\sigma\\,
    E(\\rho)^{-1/2}\\bigr)\\rho^{1/2}` is evaluated with density *matrices* (diagonal here,
    a commutative algebra), on each output basis state :math:`\\sigma = |y\\rangle\\langle y|`;
    the diagonal of :math:`R(|y\\rangle\\langle y|)` is returned as column ``y``. The slides
    state that it reproduces Bayes' law (:func:`bayes_update_matrix`).

    :math:`E(\\rho)^{-1/2}` is taken on the support of :math:`E(\\rho)`; outputs outside it
    (never produced from :math:`\\rho`) are sent to the reference state, the usual
    completion that makes the map trace-preserving (and equal to the prior column of
    :func:`bayes_update_matrix`).

    Parameters
    ----------
    channel : array_like, shape (n_out, n_in)
        ``channel[y, x]`` = :math:`P(y\\mid x)`, column-stochastic.
    reference : array_like, shape (n_in,)
        The reference (prior) state :math:`\\rho`, positive.

    Returns
    -------
    ndarray, shape (n_in, n_out)

    Examples
    --------
    >>> petz_recovery([[0.9, 0.2], [0.1, 0.8]], [0.5, 0.5]).round(4).tolist()
    [[0.8182, 0.1111], [0.1818, 0.8889]]

    Raises
    ------
    ValueError
        If the channel is not column-stochastic or the reference not a positive
        probability vector.
    """
    from scipy.linalg import fractional_matrix_power

    E, r = _channel_and_reference(channel, reference, "reference")
    n_out, n_in = E.shape
    rho_half = fractional_matrix_power(np.diag(r), 0.5)
    out = E @ r
    support = out > 0
    inv_half = np.zeros(n_out)
    inv_half[support] = out[support] ** -0.5
    out_inv_half = np.diag(inv_half)

    def adjoint(m: FloatArray) -> FloatArray:  # E^dagger on diagonal operators
        return np.diag(E.T @ np.diag(m))

    R = np.empty((n_in, n_out))
    for y in range(n_out):
        if not support[y]:
            R[:, y] = r
            continue
        sigma = np.zeros((n_out, n_out))
        sigma[y, y] = 1.0
        R[:, y] = np.real(
            np.diag(rho_half @ adjoint(out_inv_half @ sigma @ out_inv_half) @ rho_half)
        )
    return R
