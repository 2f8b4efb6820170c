"""Exact renormalization as the inverse of Bayesian inference, computed in one dimension.

The slides of Berman and Klinger (source 003; arXiv:2212.11379) relate two flows on a space
of probability densities:

* the **exact renormalization group** in Wegner-Morris form, which they write as a
  Fokker-Planck (convection-diffusion) equation, a Wasserstein-2 gradient flow of the
  relative entropy (eqs. 15-26), with its stochastic-process side (eqs. 27-37);
* **dynamical Bayesian inference**, the posterior :math:`\\pi_T` as a function of the number
  of observations :math:`T` (eq. 42), whose run backwards in :math:`\\tau = 1/T` is a
  diffusion (eqs. 44-57).

Everything here works on a one-dimensional grid ``x`` (strictly increasing) with the
trapezoid rule (:func:`grid_weights`); a density is an array ``p`` with ``p >= 0`` and
``sum(grid_weights(x) * p) == 1``.

Provided:

* grid functionals: :func:`kl_divergence`, :func:`entropy`, :func:`free_energy`,
  :func:`dirichlet_energy`;
* flows: :func:`heat_flow` (the :math:`\\ell^2` gradient flow of the Dirichlet energy,
  eqs. 15-16), :func:`fokker_planck` (eq. 22, a mass-conserving Scharfetter-Gummel
  finite-volume scheme solved exactly in time), :func:`ou_transition_density` (the
  Ornstein-Uhlenbeck heat kernel, eq. 34);
* the Wasserstein geometry of eqs. (17)-(20): :func:`w2_potential_gradient`,
  :func:`w2_inner`, :func:`w2_gradient`;
* stochastic processes: :func:`euler_maruyama` (eq. 27);
* Bayesian inference: :func:`dynamical_bayes` (eq. 42, integrated with
  :func:`scipy.integrate.solve_ivp`), :func:`posterior_from_divergence` (its closed form),
  divergences and inverse Fisher metrics of the Bernoulli, categorical and normal families,
  :func:`isserlis_moment` and :func:`posterior_moment` (eq. 43),
  :func:`normal_mean_posterior` (eqs. 45-46), :func:`normal_posterior_predictive`
  (eq. 51), :func:`running_mean` and :func:`normal_map_trajectory` (eqs. 47-50),
  :func:`petz_recovery` (the classical Petz map);
* beyond the slides: :class:`GaussianMixture` and :func:`reverse_diffusion`, a diffusion
  model with the exact score.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp
from scipy.linalg import expm
from scipy.special import exprel, logsumexp, rel_entr, xlogy

from cheaplib.validation import check_rng as _check_rng

__all__ = [
    "GaussianMixture",
    "bayes_update_matrix",
    "bernoulli_divergence",
    "bernoulli_inverse_fisher",
    "categorical_divergence",
    "categorical_inverse_fisher",
    "dirichlet_energy",
    "dynamical_bayes",
    "entropy",
    "euler_maruyama",
    "fokker_planck",
    "fokker_planck_matrix",
    "free_energy",
    "grid_weights",
    "heat_flow",
    "isserlis_moment",
    "kl_divergence",
    "neumann_laplacian",
    "normal_map_trajectory",
    "normal_mean_divergence",
    "normal_mean_posterior",
    "normal_posterior_predictive",
    "normalize",
    "ou_transition_density",
    "pairings",
    "periodic_laplacian",
    "petz_recovery",
    "posterior_from_divergence",
    "posterior_moment",
    "reverse_diffusion",
    "running_mean",
    "w2_gradient",
    "w2_inner",
    "w2_potential_gradient",
]

FloatArray = NDArray[np.float64]
Grid = FloatArray | tuple[FloatArray, ...]

SQRT2 = math.sqrt(2.0)

MASS_TOL = 1e-6
"""Largest allowed ``|integral of p - 1|`` for a density passed to this module."""


# --- validation helpers ------------------------------------------------------------------


def _grid(x: ArrayLike, name: str = "x") -> FloatArray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1 or arr.size < 3:
        raise ValueError(f"{name} must be a 1-D grid of at least 3 points, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    if not np.all(np.diff(arr) > 0):
        raise ValueError(f"{name} must be strictly increasing (sorted, no repeats)")
    return arr


def _positive(name: str, value: object) -> float:
    v = float(value)  # type: ignore[arg-type]
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return v


def _on_grid(name: str, values: ArrayLike | Callable[..., ArrayLike], x: FloatArray) -> FloatArray:
    arr = np.asarray(values(x) if callable(values) else values, dtype=float)
    if arr.shape != x.shape:
        raise ValueError(f"{name} must have the shape of the grid {x.shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def _density(name: str, p: ArrayLike, w: FloatArray, tol: float = MASS_TOL) -> FloatArray:
    arr = np.asarray(p, dtype=float)
    if arr.shape != w.shape:
        raise ValueError(f"{name} must have the shape of the grid {w.shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    if np.any(arr < 0):
        raise ValueError(f"{name} is not a density: it has negative values (min {arr.min():.3g})")
    mass = float(np.sum(w * arr))
    if abs(mass - 1.0) > tol:
        raise ValueError(
            f"{name} is not a density: it integrates to {mass:.8g}, not 1 (use normalize())"
        )
    return arr


def _times(name: str, t: ArrayLike) -> FloatArray:
    arr = np.atleast_1d(np.asarray(t, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    if np.any(np.diff(arr) < 0):
        raise ValueError(f"{name} must be sorted in increasing order")
    return arr


# --- grids and functionals ----------------------------------------------------------------


def grid_weights(grid: ArrayLike | tuple[ArrayLike, ...]) -> FloatArray:
    """Trapezoid quadrature weights of a grid (a product grid for a tuple of axes).

    Parameters
    ----------
    grid : array_like or tuple of array_like
        A strictly increasing 1-D grid, or a tuple of them for a product grid.

    Returns
    -------
    ndarray
        ``w`` with ``sum(w * f)`` the trapezoid rule for ``f`` sampled on the grid; for a
        tuple of axes, the outer product of the axes' weights.

    Raises
    ------
    ValueError
        If an axis is not strictly increasing or has fewer than 3 points.
    """
    if isinstance(grid, tuple):
        w = np.ones(())
        for k, axis in enumerate(grid):
            w = np.multiply.outer(w, grid_weights(_grid(axis, f"grid axis {k}")))
        return w
    x = _grid(grid)
    h = np.diff(x)
    w = np.zeros_like(x)
    w[:-1] += h / 2
    w[1:] += h / 2
    return w


def normalize(p: ArrayLike, grid: ArrayLike | tuple[ArrayLike, ...]) -> FloatArray:
    """Scale non-negative values on a grid so that they integrate to one (eq. 12).

    Raises
    ------
    ValueError
        If ``p`` has negative or non-finite values, the wrong shape, or zero mass.
    """
    w = grid_weights(grid)
    arr = np.asarray(p, dtype=float)
    if arr.shape != w.shape:
        raise ValueError(f"p must have the shape of the grid {w.shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("p must be finite and non-negative")
    mass = float(np.sum(w * arr))
    if mass <= 0:
        raise ValueError("p has zero mass on the grid")
    return arr / mass


def kl_divergence(p: ArrayLike, q: ArrayLike, x: ArrayLike) -> float:
    """Relative entropy :math:`D_{KL}(p\\,\\|\\,q) = \\int p\\ln(p/q)` on a grid (eq. 23).

    Points with ``p = 0`` contribute nothing; ``p > 0`` where ``q = 0`` gives ``inf``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a density on ``x``.
    """
    w = grid_weights(x)
    p, q = _density("p", p, w), _density("q", q, w)
    return float(np.sum(w * rel_entr(p, q)))


def entropy(p: ArrayLike, x: ArrayLike) -> float:
    """Differential entropy :math:`S[p] = -\\int p \\ln p` on a grid (eq. 19).

    Raises
    ------
    ValueError
        If ``p`` is not a density on ``x``.
    """
    w = grid_weights(x)
    p = _density("p", p, w)
    return float(-np.sum(w * xlogy(p, p)))


def free_energy(p: ArrayLike, V: ArrayLike | Callable[..., ArrayLike], x: ArrayLike) -> float:
    """Free energy :math:`\\int p\\ln p + \\int pV = -S[p] + \\mathcal V[p]` (eqs. 21, 23).

    With :math:`q = e^{-V}/Z` this equals :math:`D_{KL}(p\\|q) - \\ln Z`; note the sign of
    the entropy, which eq. (21) of the slides writes as :math:`+S`.

    Raises
    ------
    ValueError
        If ``p`` is not a density on ``x`` or ``V`` has the wrong shape.
    """
    xg = _grid(x)
    w = grid_weights(xg)
    p = _density("p", p, w)
    Vg = _on_grid("V", V, xg)
    return float(np.sum(w * (xlogy(p, p) + p * Vg)))


def dirichlet_energy(p: ArrayLike, x: ArrayLike) -> float:
    """Dirichlet energy :math:`E[p] = \\tfrac12\\int |\\nabla p|^2` on a periodic grid (eq. 15).

    ``x`` is a uniform periodic grid (the point ``x[-1] + h`` is identified with
    ``x[0]``); the derivative is the forward difference, so that :func:`periodic_laplacian`
    is exactly minus the :math:`\\ell^2` gradient of this energy.

    Raises
    ------
    ValueError
        If ``x`` is not uniform or ``p`` has the wrong shape.
    """
    arr, h = _periodic_field(p, x)
    grad = (np.roll(arr, -1) - arr) / h
    return float(0.5 * h * np.sum(grad**2))


def _uniform_step(x: ArrayLike) -> float:
    xg = _grid(x)
    h = np.diff(xg)
    if not np.allclose(h, h[0], rtol=1e-9, atol=0):
        raise ValueError("the grid must be uniform")
    return float(h.mean())


def _periodic_field(p: ArrayLike, x: ArrayLike) -> tuple[FloatArray, float]:
    """``p`` as a float array on the uniform grid ``x``, and the grid step."""
    h = _uniform_step(x)
    arr = np.asarray(p, dtype=float)
    if arr.shape != np.shape(x):
        raise ValueError("p must have the shape of the grid")
    return arr, h


def periodic_laplacian(p: ArrayLike, x: ArrayLike) -> FloatArray:
    """Second-difference Laplacian :math:`\\Delta p` on a uniform periodic grid (eq. 15).

    Raises
    ------
    ValueError
        If ``x`` is not uniform or ``p`` has the wrong shape.
    """
    arr, h = _periodic_field(p, x)
    return (np.roll(arr, -1) - 2 * arr + np.roll(arr, 1)) / h**2


def heat_flow(
    p0: ArrayLike, x: ArrayLike, t_values: ArrayLike, diffusivity: float = 1.0
) -> FloatArray:
    """Heat equation :math:`\\partial_t p = D\\,\\Delta p`, the :math:`\\ell^2` flow of eq. (16).

    Solved exactly in time for the periodic second-difference Laplacian (each Fourier mode
    :math:`k` decays as :math:`e^{-D\\lambda_k t}` with
    :math:`\\lambda_k = (2 - 2\\cos kh)/h^2`, using :func:`numpy.fft.rfft`).

    Parameters
    ----------
    p0 : array_like
        Initial values on the uniform periodic grid ``x`` (need not be a density).
    x : array_like
        Uniform grid.
    t_values : array_like
        Sorted non-negative times.
    diffusivity : float
        :math:`D > 0`; eq. (16) is :math:`D = 1`.

    Returns
    -------
    ndarray, shape (len(t_values), len(x))

    Raises
    ------
    ValueError
        On a non-uniform grid, unsorted or negative times, or non-positive ``diffusivity``.
    """
    h = _uniform_step(x)
    arr = np.asarray(p0, dtype=float)
    if arr.shape != np.shape(x) or not np.all(np.isfinite(arr)):
        raise ValueError("p0 must be finite with the shape of the grid")
    D = _positive("diffusivity", diffusivity)
    t = _times("t_values", t_values)
    n = arr.size
    k = 2 * np.pi * np.fft.rfftfreq(n, d=h)
    lam = (2 - 2 * np.cos(k * h)) / h**2
    spec = np.fft.rfft(arr)
    return np.fft.irfft(spec[None, :] * np.exp(-D * np.outer(t, lam)), n=n, axis=1)


# --- Wasserstein geometry (eqs. 17-20) ----------------------------------------------------
#
# Discretisation: values live on the grid points with control volumes grid_weights(x);
# fluxes live on the midpoints.  The density on a midpoint is the logarithmic mean of its
# neighbours (as in Maas's discrete optimal transport), the choice for which the
# Wasserstein gradient of the entropy is exactly the discrete Laplacian.


def _log_mean(a: FloatArray, b: FloatArray) -> FloatArray:
    """Logarithmic mean (b - a) / (ln b - ln a), with L(a, a) = a and L(0, b) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = b / a
        out = np.where(np.abs(r - 1) < 1e-6, a * (1 + (r - 1) / 2), (b - a) / np.log(r))
    return np.where((a > 0) & (b > 0), out, 0.0)


def _divergence(flux: FloatArray, w: FloatArray) -> FloatArray:
    """(F_{i+1/2} - F_{i-1/2}) / w_i with no flux through the ends."""
    padded = np.concatenate([[0.0], flux, [0.0]])
    return np.diff(padded) / w


def neumann_laplacian(p: ArrayLike, x: ArrayLike) -> FloatArray:
    """Finite-volume Laplacian :math:`\\Delta p` with no flux through the grid's ends.

    ``(F_{i+1/2} - F_{i-1/2}) / w_i`` with :math:`F_{i+1/2} = (p_{i+1}-p_i)/h_i` and
    ``w = grid_weights(x)``; it integrates to zero exactly.

    Raises
    ------
    ValueError
        On a bad grid or a shape mismatch.
    """
    xg = _grid(x)
    arr = _on_grid("p", p, xg)
    return _divergence(np.diff(arr) / np.diff(xg), grid_weights(xg))


def w2_potential_gradient(eta: ArrayLike, p: ArrayLike, x: ArrayLike) -> FloatArray:
    """Gradient :math:`\\hat\\eta'` of the potential of a tangent vector, eq. (18), 1-D.

    Eq. (18) writes a tangent vector :math:`\\eta` (with :math:`\\int\\eta = 0`, eq. 13) as
    :math:`\\eta = (p\\,\\hat\\eta')'`.  In one dimension, with no flux through the ends,
    the flux :math:`p\\,\\hat\\eta'` at midpoint :math:`i+\\tfrac12` is
    :math:`\\sum_{j\\le i} w_j\\eta_j`; dividing by the midpoint density (logarithmic mean)
    gives :math:`\\hat\\eta'` there.

    Returns
    -------
    ndarray, shape (len(x) - 1,)
        :math:`\\hat\\eta'` on the midpoints.

    Raises
    ------
    ValueError
        If ``eta`` does not integrate to zero, or ``p`` is not a positive density.
    """
    xg = _grid(x)
    w = grid_weights(xg)
    p = _density("p", p, w)
    if np.any(p <= 0):
        raise ValueError("p must be positive on the grid to invert eq. (18)")
    e = _on_grid("eta", eta, xg)
    flux = np.cumsum(w * e)
    scale = float(np.sum(w * np.abs(e))) or 1.0
    if abs(flux[-1]) > 1e-9 * scale:
        raise ValueError("eta is not a tangent vector: it must integrate to zero (eq. 13)")
    return flux[:-1] / _log_mean(p[:-1], p[1:])


def w2_inner(eta1: ArrayLike, eta2: ArrayLike, p: ArrayLike, x: ArrayLike) -> float:
    """Wasserstein-2 inner product :math:`\\int p\\,\\hat\\eta_1'\\hat\\eta_2'` (eq. 17).

    Eq. (17), as a midpoint sum :math:`\\sum_i h_i\\,p_{i+1/2}\\,\\hat\\eta'_{1}\\hat\\eta'_{2}`;
    summation by parts makes it equal :math:`-\\sum_i w_i\\,\\eta_{1,i}\\hat\\eta_{2,i}` exactly.

    Raises
    ------
    ValueError
        As :func:`w2_potential_gradient`.
    """
    xg = _grid(x)
    g1 = w2_potential_gradient(eta1, p, xg)
    g2 = w2_potential_gradient(eta2, p, xg)
    pa = np.asarray(p, dtype=float)
    return float(np.sum(np.diff(xg) * _log_mean(pa[:-1], pa[1:]) * g1 * g2))


def w2_gradient(dF: ArrayLike, p: ArrayLike, x: ArrayLike, sign: int = -1) -> FloatArray:
    """Wasserstein-2 gradient :math:`-(p\\,(\\delta F/\\delta p)')'` (eqs. 14, 17, 20).

    With the metric (17) and the definition (14) of a gradient,
    :math:`G(\\mathrm{grad}\\,F, \\eta) = \\delta F(\\eta)` forces
    :math:`\\widehat{\\mathrm{grad}\\,F} = -\\delta F/\\delta p`, hence the minus sign;
    eq. (20) of the slides prints it with a plus sign, which ``sign=+1`` reproduces for
    comparison.  Discretised as in :func:`w2_potential_gradient`, so that
    :func:`w2_inner` of the result with any tangent :math:`\\eta` is
    :math:`\\sum_i w_i (\\delta F/\\delta p)_i\\,\\eta_i` to round-off, and the gradient of the
    entropy (:math:`\\delta S/\\delta p = -\\ln p - 1`) is :func:`neumann_laplacian` of ``p``.

    Parameters
    ----------
    dF : array_like
        The first variation :math:`\\delta F/\\delta p` on the grid.
    p : array_like
        A positive density on ``x``.
    x : array_like
        The grid.
    sign : {-1, +1}
        ``-1`` (consistent with eqs. 14 and 17, default) or ``+1`` (as printed in eq. 20).

    Returns
    -------
    ndarray
        A tangent vector (integrates to zero).

    Raises
    ------
    ValueError
        If ``p`` is not a density, shapes differ or ``sign`` is not +-1.
    """
    if sign not in (-1, 1):
        raise ValueError("sign must be -1 or +1")
    xg = _grid(x)
    w = grid_weights(xg)
    p = _density("p", p, w)
    d = _on_grid("dF", dF, xg)
    flux = _log_mean(p[:-1], p[1:]) * np.diff(d) / np.diff(xg)
    return sign * _divergence(flux, w)


# --- Fokker-Planck (eq. 22) and the Ornstein-Uhlenbeck kernel (eq. 34) --------------------


def _bernoulli(z: FloatArray) -> FloatArray:
    """B(z) = z / (e^z - 1), the Scharfetter-Gummel weight, stable for all z."""
    with np.errstate(over="ignore"):
        return 1.0 / exprel(z)


def fokker_planck_matrix(V: ArrayLike | Callable[..., ArrayLike], x: ArrayLike) -> sp.csr_array:
    """Sparse generator :math:`L` of the finite-volume Fokker-Planck scheme, ``dp/dt = L p``.

    Discretises :math:`\\partial_t p = \\partial_x(\\partial_x p + pV')` (eq. 22 in 1-D) with
    control volumes of width ``grid_weights(x)`` and the Scharfetter-Gummel flux
    :math:`F_{i+1/2} = [B(-\\Delta V_i)\\,p_{i+1} - B(\\Delta V_i)\\,p_i]/h_i`,
    :math:`B(z) = z/(e^z-1)`, and no flux through the ends.  Consequences, exact in
    floating point up to round-off: the weighted column sums of :math:`L` vanish (mass is
    conserved), the off-diagonal entries are non-negative (positivity is preserved), and
    :math:`q \\propto e^{-V}` is annihilated (the stationary state is exact).

    Raises
    ------
    ValueError
        On a bad grid or a non-finite potential.
    """
    xg = _grid(x)
    Vg = _on_grid("V", V, xg)
    h = np.diff(xg)
    dV = np.diff(Vg)
    bp, bm = _bernoulli(dV) / h, _bernoulli(-dV) / h
    main = np.zeros_like(xg)
    main[:-1] -= bp
    main[1:] -= bm
    L = sp.diags([bp, main, bm], [-1, 0, 1], format="csr")
    return sp.csr_array(sp.diags(1.0 / grid_weights(xg)) @ L)


def fokker_planck(
    p0: ArrayLike,
    V: ArrayLike | Callable[..., ArrayLike],
    x: ArrayLike,
    t_values: ArrayLike,
) -> FloatArray:
    """Solve the Fokker-Planck equation :math:`\\partial_t p = \\Delta p + (pV')'` (eq. 22).

    Eq. (22) of the slides, the Wasserstein-2 gradient flow (descent) of
    :math:`D_{KL}(p\\|q)`, :math:`q\\propto e^{-V}` (eqs. 23-24).  The space discretisation
    is :func:`fokker_planck_matrix`; time is exact, ``p(t) = expm(t L) p0`` with the dense
    :func:`scipy.linalg.expm` (one propagator per distinct time step, so equally spaced
    times cost one matrix exponential; an eigenvector expansion of the symmetrised
    :math:`L` was tried and loses all accuracy once :math:`V` varies by ~100).  The
    propagator of a Metzler matrix is non-negative and preserves the mass
    ``sum(grid_weights(x) * p)``; both properties are restored exactly after
    :func:`~scipy.linalg.expm` (tiny negative entries clipped, columns rescaled), so mass is
    conserved to round-off and densities stay non-negative.

    Parameters
    ----------
    p0 : array_like
        Initial density on ``x`` (non-negative, integrating to one).
    V : array_like or callable
        Potential on the grid, or a function of ``x``.
    x : array_like
        Strictly increasing grid; the ends are reflecting walls.
    t_values : array_like
        Sorted non-negative output times.

    Returns
    -------
    ndarray, shape (len(t_values), len(x))
        The density at each time.

    Raises
    ------
    ValueError
        If ``p0`` is not a density, the grid is unsorted, or times are negative/unsorted.
    """
    xg = _grid(x)
    p = _density("p0", p0, grid_weights(xg))
    t = _times("t_values", t_values)
    L = fokker_planck_matrix(V, xg).toarray()
    w = grid_weights(xg)
    propagators: dict[float, FloatArray] = {}
    out = np.empty((t.size, xg.size))
    now = 0.0
    for k, tk in enumerate(t):
        if tk > now:
            dt = float(f"{tk - now:.12g}")  # equal steps share one propagator
            if dt not in propagators:
                prop = np.maximum(expm(L * dt), 0.0)
                # the exact propagator keeps w @ p: rescale its columns to undo the
                # O(1e-11) round-off that scaling-and-squaring accumulates at large dt
                propagators[dt] = prop * (w / (w @ prop))[None, :]
            p = propagators[dt] @ p
            now = tk
        out[k] = p
    return out


def ou_transition_density(
    x: ArrayLike, y: ArrayLike, t: float, theta: float = 1.0, diffusivity: float = 1.0
) -> FloatArray:
    """Ornstein-Uhlenbeck transition density :math:`U(x, y; t)` from ``y`` to ``x`` (eq. 34).

    For :math:`dX = -\\theta X\\,dt + \\sqrt{2D}\\,dW` (eq. 31 with :math:`V = \\theta x^2/2`,
    :math:`D = 1`), :math:`X_t \\mid X_0 = y` is normal with mean :math:`y e^{-\\theta t}` and
    variance :math:`(D/\\theta)(1 - e^{-2\\theta t})`.

    Returns
    -------
    ndarray
        ``U`` broadcast over ``x`` and ``y``.

    Raises
    ------
    ValueError
        If ``t``, ``theta`` or ``diffusivity`` is not positive.
    """
    t = _positive("t", t)
    theta = _positive("theta", theta)
    D = _positive("diffusivity", diffusivity)
    mean = np.asarray(y, dtype=float) * math.exp(-theta * t)
    var = D / theta * -math.expm1(-2 * theta * t)
    return np.exp(-((np.asarray(x, dtype=float) - mean) ** 2) / (2 * var)) / math.sqrt(
        2 * math.pi * var
    )


# --- stochastic differential equations (eq. 27) -------------------------------------------


def euler_maruyama(
    drift: Callable[[FloatArray, float], ArrayLike],
    x0: ArrayLike,
    dt: float,
    n_steps: int,
    rng: np.random.Generator,
    *,
    sigma: float | Callable[[FloatArray, float], ArrayLike] = SQRT2,
    record_every: int | None = None,
    t0: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Euler-Maruyama integration of the Ito SDE :math:`dX = m(X,t)\\,dt + \\sigma(X,t)\\,dW`.

    Eq. (27) in one dimension, vectorised over independent samples (the shape of ``x0``);
    the default :math:`\\sigma = \\sqrt2` is eq. (31), whose densities solve eq. (22).

    Parameters
    ----------
    drift : callable
        ``drift(x, t)`` returning an array of the shape of ``x``.
    x0 : array_like
        Initial values, one per sample.
    dt : float
        Time step (positive).
    n_steps : int
        Number of steps (positive).
    rng : numpy.random.Generator
        Source of the Brownian increments.
    sigma : float or callable
        Noise amplitude, a constant or ``sigma(x, t)``.
    record_every : int, optional
        Store the state every this many steps (default: only the start and the end).
    t0 : float
        Starting time.

    Returns
    -------
    (times, states)
        ``times`` of shape ``(R,)`` and ``states`` of shape ``(R, *x0.shape)``.

    Raises
    ------
    ValueError
        If ``dt`` or ``n_steps`` is not positive, ``x0`` is not finite, or the drift returns
        the wrong shape or a non-finite value.
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`.
    """
    _check_rng(rng)
    dt = _positive("dt", dt)
    if isinstance(n_steps, bool) or not isinstance(n_steps, int | np.integer) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    every = int(n_steps) if record_every is None else int(record_every)
    if every < 1:
        raise ValueError("record_every must be a positive integer")
    x = np.array(x0, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite")
    sq = math.sqrt(dt)
    times, states = [t0], [x.copy()]
    for k in range(int(n_steps)):
        t = t0 + k * dt
        m = np.asarray(drift(x, t), dtype=float)
        if m.shape != x.shape:
            raise ValueError(f"drift returned shape {m.shape}, expected {x.shape}")
        s = sigma(x, t) if callable(sigma) else sigma
        x = x + m * dt + np.asarray(s, dtype=float) * sq * rng.standard_normal(x.shape)
        if (k + 1) % every == 0 or k + 1 == n_steps:
            if not np.all(np.isfinite(x)):
                raise ValueError(f"the SDE blew up (non-finite state) by step {k + 1}")
            times.append(t0 + (k + 1) * dt)
            states.append(x.copy())
    return np.array(times), np.array(states)


# --- dynamical Bayesian inference (eqs. 5-8, 42) ------------------------------------------


def _field(name: str, values: ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != shape:
        raise ValueError(f"{name} must have the grid's shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def _prior_and_divergence(
    prior: ArrayLike, divergence: ArrayLike, grid: ArrayLike | tuple[ArrayLike, ...]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    w = grid_weights(grid)
    pi0 = _density("prior", prior, w)
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
    if not np.isfinite(T) or T < 0:
        raise ValueError(f"T must be finite and non-negative, got {T!r}")
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
        Tolerances passed to :func:`scipy.integrate.solve_ivp`.

    Returns
    -------
    ndarray, shape (len(T_values), *prior.shape)

    Raises
    ------
    ValueError
        If the prior is not a density, the divergence is negative or has the wrong shape,
        the grid is unsorted, or ``T_values`` are negative or unsorted.
    """
    pi0, D, w = _prior_and_divergence(prior, divergence, grid)
    T = _times("T_values", T_values)
    Dw, wf, Df = (w * D).ravel(), w.ravel(), D.ravel()

    def rhs(_: float, pi: FloatArray) -> FloatArray:
        mean_D = (Dw @ pi) / (wf @ pi)
        return -(Df - mean_D) * pi

    if T[-1] == 0:
        return np.repeat(pi0[None], T.size, axis=0)
    sol = solve_ivp(
        rhs, (0.0, float(T[-1])), pi0.ravel(), method="DOP853", t_eval=T, rtol=rtol, atol=atol
    )
    if not sol.success:  # pragma: no cover - DOP853 on a linear ODE
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return sol.y.T.reshape((T.size, *pi0.shape))


def bernoulli_divergence(theta_star: float, theta: ArrayLike) -> FloatArray:
    """:math:`D_{KL}(\\mathrm{Bern}(\\theta^*)\\,\\|\\,\\mathrm{Bern}(\\theta))` (the D of eq. 42).

    Raises
    ------
    ValueError
        If ``theta_star`` or any ``theta`` is outside (0, 1).
    """
    ts = float(theta_star)
    th = np.asarray(theta, dtype=float)
    if not 0 < ts < 1 or np.any(~((th > 0) & (th < 1))):
        raise ValueError("Bernoulli parameters must lie strictly between 0 and 1")
    return rel_entr(ts, th) + rel_entr(1 - ts, 1 - th)


def bernoulli_inverse_fisher(theta: ArrayLike) -> FloatArray:
    """Inverse Fisher metric :math:`I^{-1}(\\theta) = \\theta(1-\\theta)` of the Bernoulli family.

    Raises
    ------
    ValueError
        If ``theta`` is outside (0, 1).
    """
    th = np.asarray(theta, dtype=float)
    if np.any(~((th > 0) & (th < 1))):
        raise ValueError("theta must lie strictly between 0 and 1")
    return th * (1 - th)


def categorical_divergence(p_star: ArrayLike, p: ArrayLike) -> FloatArray:
    """:math:`D_{KL}(p^*\\,\\|\\,p)` for categorical distributions (last axis = categories).

    Entries of ``p`` outside the simplex (negative, or summing above one in the free
    coordinates) give ``inf``, so a grid may cover a window around :math:`p^*` freely.

    Raises
    ------
    ValueError
        If ``p_star`` is not a probability vector with positive entries.
    """
    ps = np.asarray(p_star, dtype=float)
    if ps.ndim != 1 or np.any(ps <= 0) or abs(ps.sum() - 1) > 1e-12:
        raise ValueError("p_star must be a probability vector with positive entries")
    pp = np.asarray(p, dtype=float)
    if pp.shape[-1] != ps.size:
        raise ValueError("the last axis of p must have one entry per category")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pp > 0, rel_entr(ps, pp), np.inf)
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
    th = np.asarray(theta, dtype=float)
    if th.ndim != 1 or np.any(th <= 0) or th.sum() >= 1:
        raise ValueError("theta must hold the k-1 free probabilities, positive, sum < 1")
    return np.diag(th) - np.outer(th, th)


def normal_mean_divergence(mu_star: float, sigma: float, mu: ArrayLike) -> FloatArray:
    """:math:`D_{KL}(N(\\mu^*,\\sigma^2)\\,\\|\\,N(\\mu,\\sigma^2)) = (\\mu-\\mu^*)^2/2\\sigma^2`.

    Raises
    ------
    ValueError
        If ``sigma`` is not positive.
    """
    s = _positive("sigma", sigma)
    return (np.asarray(mu, dtype=float) - float(mu_star)) ** 2 / (2 * s**2)


def pairings(n: int) -> Iterator[tuple[tuple[int, int], ...]]:
    """All perfect matchings of ``range(n)`` (the set :math:`P^2_{n}` of eq. 43).

    There are :math:`(n-1)!!` of them for even ``n`` and none for odd ``n``.

    Raises
    ------
    ValueError
        If ``n`` is negative or larger than 16.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 0 <= n <= 16:
        raise ValueError(f"n must be an integer in [0, 16], got {n!r}")

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
    C = np.atleast_2d(np.asarray(cov, dtype=float))
    if C.ndim != 2 or C.shape[0] != C.shape[1] or not np.allclose(C, C.T):
        raise ValueError("cov must be a symmetric square matrix")
    idx = list(indices)
    if any(not 0 <= i < C.shape[0] for i in idx):
        raise ValueError("index out of range of cov")
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
    p = _density("pi", pi, w)
    axes = grid if isinstance(grid, tuple) else (grid,)
    c = np.atleast_1d(np.asarray(center, dtype=float))
    if c.size != len(axes):
        raise ValueError("center needs one entry per grid axis")
    f = np.ones(w.shape)
    for i in indices:
        if not 0 <= i < len(axes):
            raise ValueError(f"index {i} out of range")
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

    Raises
    ------
    ValueError
        If ``T`` or ``sigma`` is not positive, or the grid is not strictly increasing.
    """
    mu = _grid(grid, "grid")
    s = _positive("sigma", sigma)
    Ta = np.asarray(T, dtype=float)
    if not np.all(np.isfinite(Ta)) or np.any(Ta <= 0):
        raise ValueError(f"T must be positive and finite, got {T!r}")
    var = (s**2 / Ta)[..., None] if Ta.ndim else s**2 / float(Ta)
    return np.exp(-((mu - float(mu_star)) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)


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
        If ``tau`` is negative or ``sigma`` not positive.
    """
    s = _positive("sigma", sigma)
    ta = np.asarray(tau, dtype=float)
    if not np.all(np.isfinite(ta)) or np.any(ta < 0):
        raise ValueError("tau must be finite and non-negative")
    yy = np.asarray(y, dtype=float)
    var = (s**2 * (1 + ta))[..., None] if ta.ndim else s**2 * (1 + float(ta))
    return np.exp(-((yy - float(mu_star)) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)


def running_mean(y: ArrayLike) -> FloatArray:
    """Partial means :math:`\\mu(E; n) = \\frac1n\\sum_{i\\le n} Y_i`, n = 1..N (eq. 47).

    Works along the last axis (one ordering per row).

    Raises
    ------
    ValueError
        If ``y`` is empty or not finite.
    """
    arr = np.asarray(y, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] == 0 or not np.all(np.isfinite(arr)):
        raise ValueError("y must be a non-empty finite array")
    return np.cumsum(arr, axis=-1) / np.arange(1, arr.shape[-1] + 1)


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
        If ``sigma`` or ``prior_var`` is not positive, or ``y`` is empty.
    """
    s = _positive("sigma", sigma)
    v0 = _positive("prior_var", prior_var)
    arr = np.asarray(y, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] == 0 or not np.all(np.isfinite(arr)):
        raise ValueError("y must be a non-empty finite array")
    zero = np.zeros((*arr.shape[:-1], 1))
    sums = np.concatenate([zero, np.cumsum(arr, axis=-1)], axis=-1)
    n = np.arange(arr.shape[-1] + 1)
    return (prior_mean / v0 + sums / s**2) / (1 / v0 + n / s**2)


def bayes_update_matrix(channel: ArrayLike, prior: ArrayLike) -> FloatArray:
    """Bayes' posterior table :math:`P(x\\mid y) \\propto P(y\\mid x)\\,\\pi(x)` (eq. 6).

    ``channel[y, x]`` is :math:`P(y\\mid x)` (columns sum to one); returns ``post[x, y]``.

    Raises
    ------
    ValueError
        As :func:`petz_recovery`.
    """
    E, pi = _channel_and_reference(channel, prior)
    joint = E * pi[None, :]
    return (joint / joint.sum(axis=1, keepdims=True)).T


def _channel_and_reference(channel: ArrayLike, ref: ArrayLike) -> tuple[FloatArray, FloatArray]:
    E = np.asarray(channel, dtype=float)
    r = np.asarray(ref, dtype=float)
    if E.ndim != 2 or r.ndim != 1 or E.shape[1] != r.size:
        raise ValueError("channel must be (n_out, n_in) and the reference a vector of n_in")
    if np.any(E < 0) or not np.allclose(E.sum(axis=0), 1):
        raise ValueError("channel must be column-stochastic: channel[y, x] = P(y | x)")
    if np.any(r <= 0) or abs(r.sum() - 1) > 1e-12:
        raise ValueError("the reference must be a probability vector with positive entries")
    return E, r


def petz_recovery(channel: ArrayLike, reference: ArrayLike) -> FloatArray:
    """Petz recovery map of a classical channel, built from matrix functions.

    The Petz map :math:`R(\\sigma) = \\rho^{1/2} E^\\dagger\\bigl(E(\\rho)^{-1/2}\\,\\sigma\\,
    E(\\rho)^{-1/2}\\bigr)\\rho^{1/2}` is evaluated with density *matrices* (diagonal here,
    a commutative algebra) and :func:`scipy.linalg.fractional_matrix_power`, on each
    output basis state :math:`\\sigma = |y\\rangle\\langle y|`; the diagonal of
    :math:`R(|y\\rangle\\langle y|)` is returned as column ``y``.  The slides state that it
    reproduces Bayes' law (:func:`bayes_update_matrix`).

    Parameters
    ----------
    channel : array_like, shape (n_out, n_in)
        ``channel[y, x]`` = :math:`P(y\\mid x)`, column-stochastic.
    reference : array_like, shape (n_in,)
        The reference (prior) state :math:`\\rho`, positive.

    Returns
    -------
    ndarray, shape (n_in, n_out)

    Raises
    ------
    ValueError
        If the channel is not column-stochastic or the reference not a positive
        probability vector.
    """
    from scipy.linalg import fractional_matrix_power

    E, r = _channel_and_reference(channel, reference)
    n_out, n_in = E.shape
    rho_half = fractional_matrix_power(np.diag(r), 0.5)
    out_inv_half = fractional_matrix_power(np.diag(E @ r), -0.5)

    def adjoint(m: FloatArray) -> FloatArray:  # E^dagger on diagonal operators
        return np.diag(E.T @ np.diag(m))

    R = np.empty((n_in, n_out))
    for y in range(n_out):
        sigma = np.zeros((n_out, n_out))
        sigma[y, y] = 1.0
        R[:, y] = np.real(
            np.diag(rho_half @ adjoint(out_inv_half @ sigma @ out_inv_half) @ rho_half)
        )
    return R


# --- beyond the slides: a diffusion model with the exact score ----------------------------


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
        w, m, s = (np.asarray(a, dtype=float) for a in (self.weights, self.means, self.sds))
        if not (w.ndim == m.ndim == s.ndim == 1 and w.size == m.size == s.size >= 1):
            raise ValueError("weights, means and sds must be equal-length 1-D sequences")
        if np.any(w <= 0) or abs(w.sum() - 1) > 1e-12:
            raise ValueError("weights must be positive and sum to one")
        if np.any(s <= 0) or not np.all(np.isfinite(m)):
            raise ValueError("sds must be positive and means finite")

    def _arrays(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        return (
            np.asarray(self.weights, float),
            np.asarray(self.means, float),
            np.asarray(self.sds, float),
        )

    def _noised_arrays(self, t: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        if not np.isfinite(t) or t < 0:
            raise ValueError("t must be finite and non-negative")
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
        lc = _log_components(np.asarray(x, dtype=float), *self._arrays())
        return np.exp(logsumexp(lc, axis=-1))

    def score(self, x: ArrayLike) -> FloatArray:
        """Score :math:`\\partial_x \\ln p(x)`, exact (responsibility-weighted)."""
        return _mixture_score(np.asarray(x, dtype=float), *self._arrays())

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        """``n`` independent draws."""
        _check_rng(rng)
        w, m, s = self._arrays()
        k = rng.choice(w.size, size=int(n), p=w)
        return m[k] + s[k] * rng.standard_normal(int(n))


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

    Raises
    ------
    ValueError
        If ``t_max`` or the counts are not positive.
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`.
    """
    _check_rng(rng)
    T = _positive("t_max", t_max)
    if int(n_samples) < 1:
        raise ValueError("n_samples must be positive")
    y0 = rng.standard_normal(int(n_samples))

    def drift(y: FloatArray, s: float) -> FloatArray:
        return y + 2 * _mixture_score(y, *data._noised_arrays(max(T - s, 0.0)))

    s_times, states = euler_maruyama(
        drift, y0, T / n_steps, n_steps, rng, record_every=record_every
    )
    return T - s_times, states
