"""Flows on one-dimensional densities: the ERG side of source 003, computed on a grid.

The slides of Berman and Klinger (source 003; arXiv:2212.11379) write the exact
renormalization group in Wegner-Morris form as a Fokker-Planck (convection-diffusion)
equation, a Wasserstein-2 gradient flow of the relative entropy (eqs. 9-26), with its
stochastic-process side (eqs. 27-37). This module computes those flows.

Everything works on a one-dimensional grid ``x`` (strictly increasing) with the trapezoid
rule (:func:`grid_weights`); a density is an array ``p`` with ``p >= 0`` and
``sum(grid_weights(x) * p) == 1``. All logarithms are natural: entropies and divergences
here are in **nats** and act on densities on a grid (:mod:`cheaplib.information` has the
discrete, base-2 versions under the names ``entropy`` and ``kl_divergence``).

Provided:

* grid functionals: :func:`differential_entropy`, :func:`relative_entropy`,
  :func:`relative_fisher_information`, :func:`free_energy`, :func:`dirichlet_energy`;
* flows: :func:`heat_flow` (the :math:`\\ell^2` gradient flow of the Dirichlet energy,
  eqs. 15-16), :func:`fokker_planck` (eq. 22, a mass-conserving Scharfetter-Gummel
  finite-volume scheme solved exactly in time), :func:`ou_transition_density` (the
  Ornstein-Uhlenbeck heat kernel, eq. 34);
* the Wasserstein geometry of eqs. (17)-(20): :func:`w2_potential_gradient`,
  :func:`w2_inner`, :func:`w2_gradient`; the variational (JKO) time step of the
  Wasserstein gradient flow, :func:`jko_step`, with :func:`density_quantiles` to compare
  particles with grid densities;
* the exact Wegner-Morris/Polchinski flow of one mode of a free field (eqs. 9-11):
  :func:`wegner_morris_gaussian_mode`;
* stochastic processes: :func:`euler_maruyama` (eq. 27).

Layering: imports only :mod:`cheaplib.validation`, :mod:`cheaplib._typing` and
:mod:`cheaplib._numerics` (the grid and density checks it shares with them);
:mod:`cheaplib.inference` and :mod:`cheaplib.diffusion` build on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.linalg import expm, solveh_banded
from scipy.sparse.linalg import spsolve
from scipy.special import exprel, rel_entr, xlogy

from cheaplib._numerics import MASS_TOL, check_density, check_grid, check_positive, check_times
from cheaplib._typing import FloatArray
from cheaplib.validation import (
    MAX_BYTES,
    MAX_OPERATIONS,
    check_array,
    check_budget,
    check_finite_result,
    check_int,
    check_real,
    check_rng,
)

__all__ = [
    "MASS_TOL",
    "density_quantiles",
    "differential_entropy",
    "dirichlet_energy",
    "euler_maruyama",
    "fokker_planck",
    "fokker_planck_matrix",
    "free_energy",
    "grid_weights",
    "heat_flow",
    "jko_step",
    "neumann_laplacian",
    "normalize",
    "ou_transition_density",
    "periodic_laplacian",
    "relative_entropy",
    "relative_fisher_information",
    "w2_gradient",
    "w2_inner",
    "w2_potential_gradient",
    "wegner_morris_gaussian_mode",
]

SQRT2 = math.sqrt(2.0)

#: Largest grid for the dense matrix exponential of :func:`fokker_planck` (about 0.2 GiB
#: per propagator; ``expm`` needs a few such matrices).
MAX_FP_POINTS = 4000


# --- validation helpers ------------------------------------------------------------------


def _on_grid(name: str, values: ArrayLike | Callable[..., ArrayLike], x: FloatArray) -> FloatArray:
    if callable(values):
        values = values(x)
    return check_array(name, values, shape=x.shape)


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
            w = np.multiply.outer(w, grid_weights(check_grid(axis, f"grid axis {k}")))
        return w
    x = check_grid(grid, "grid")
    h = np.diff(x)
    w = np.zeros_like(x)
    w[:-1] += h / 2
    w[1:] += h / 2
    return w


def normalize(p: ArrayLike, grid: ArrayLike | tuple[ArrayLike, ...]) -> FloatArray:
    """Scale non-negative values on a grid so that they integrate to one (eq. 12).

    Values whose mass overflows float64 (entries near 1e308) or underflows to 0 are
    divided by their maximum first, so the result is the density they are proportional
    to, never zeros or NaN; other values are divided by their mass directly.

    Examples
    --------
    >>> x = np.linspace(0.0, 10.0, 6)
    >>> normalize(np.full(6, 1e308), x)  # the mass, 1e309, overflows: scaled first
    array([0.1, 0.1, 0.1, 0.1, 0.1, 0.1])

    Raises
    ------
    ValueError
        If ``p`` has negative or non-finite values, the wrong shape, or zero mass, or the
        density itself is beyond float64 (a grid of total width below about 1e-308).
    """
    w = grid_weights(grid)
    arr = check_array("p", p, shape=w.shape)
    if np.any(arr < 0):
        raise ValueError("p must be non-negative")
    with np.errstate(over="ignore", under="ignore"):
        mass = float(np.sum(w * arr))
    top = float(arr.max())
    if not np.finfo(float).tiny <= mass < np.inf and top > 0:  # over- or underflow: scale
        arr = arr / top
        mass = float(np.sum(w * arr))
    if mass <= 0:
        raise ValueError("p has zero mass on the grid")
    with np.errstate(over="ignore"):
        return check_finite_result(arr / mass, "p, grid")


def relative_entropy(p: ArrayLike, q: ArrayLike, x: ArrayLike) -> float:
    """Relative entropy :math:`D_{KL}(p\\,\\|\\,q) = \\int p\\ln(p/q)` in nats, on a grid (eq. 23).

    Points with ``p = 0`` contribute nothing; ``p > 0`` where ``q = 0`` gives ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-10, 10, 2001)
    >>> p = normalize(np.exp(-((x - 1) ** 2) / 2), x)
    >>> q = normalize(np.exp(-(x**2) / 2), x)
    >>> round(relative_entropy(p, q, x), 6)  # shift^2 / 2 for unit Gaussians
    0.5

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a density on ``x``.
    """
    w = grid_weights(check_grid(x))
    p, q = check_density("p", p, w), check_density("q", q, w)
    return float(np.sum(w * rel_entr(p, q)))


def differential_entropy(p: ArrayLike, x: ArrayLike) -> float:
    """Differential entropy :math:`S[p] = -\\int p \\ln p` in nats, on a grid (eq. 19).

    Raises
    ------
    ValueError
        If ``p`` is not a density on ``x``.
    """
    w = grid_weights(check_grid(x))
    p = check_density("p", p, w)
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
    xg = check_grid(x)
    w = grid_weights(xg)
    p = check_density("p", p, w)
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
    xg = check_grid(x)
    h = np.diff(xg)
    if not np.allclose(h, h[0], rtol=1e-9, atol=0):
        raise ValueError("x must be a uniform grid (equal steps)")
    return float(h.mean())


def _periodic_field(p: ArrayLike, x: ArrayLike) -> tuple[FloatArray, float]:
    """``p`` as a float array on the uniform grid ``x``, and the grid step."""
    h = _uniform_step(x)
    arr = check_array("p", p, shape=np.shape(x))
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
    arr = check_array("p0", p0, shape=np.shape(x))
    D = check_positive("diffusivity", diffusivity)
    t = check_times("t_values", t_values)
    n = arr.size
    check_budget("t_values", 8.0 * 4 * t.size * n, MAX_BYTES)
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
    xg = check_grid(x)
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
    return _potential_gradient(eta, p, x, "eta")


def _potential_gradient(eta: ArrayLike, p: ArrayLike, x: ArrayLike, name: str) -> FloatArray:
    xg = check_grid(x)
    w = grid_weights(xg)
    p = check_density("p", p, w)
    if np.any(p <= 0):
        raise ValueError("p must be positive on the grid to invert eq. (18)")
    e = _on_grid(name, eta, xg)
    flux = np.cumsum(w * e)
    scale = float(np.sum(w * np.abs(e))) or 1.0
    if abs(flux[-1]) > 1e-9 * scale:
        raise ValueError(f"{name} is not a tangent vector: it must integrate to zero (eq. 13)")
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
    xg = check_grid(x)
    g1 = _potential_gradient(eta1, p, xg, "eta1")
    g2 = _potential_gradient(eta2, p, xg, "eta2")
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
    if isinstance(sign, bool) or sign not in (-1, 1):
        raise ValueError(f"sign must be -1 or +1, got {sign!r}")
    xg = check_grid(x)
    w = grid_weights(xg)
    p = check_density("p", p, w)
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
    xg = check_grid(x)
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

    Examples
    --------
    The Ornstein-Uhlenbeck case :math:`V = x^2/2`: the mean of a Gaussian decays as
    :math:`e^{-t}`.

    >>> import numpy as np
    >>> x = np.linspace(-6, 6, 301)
    >>> p0 = normalize(np.exp(-((x - 2) ** 2) / 0.18), x)
    >>> p1 = fokker_planck(p0, x**2 / 2, x, [1.0])[0]
    >>> round(float(grid_weights(x) @ (x * p1)), 3), round(2 * float(np.exp(-1)), 3)
    (0.736, 0.736)

    Raises
    ------
    ValueError
        If ``p0`` is not a density, the grid is unsorted, times are negative/unsorted, or
        a time is so large that the matrix exponential overflows.
    """
    xg = check_grid(x)
    p = check_density("p0", p0, grid_weights(xg))
    t = check_times("t_values", t_values)
    check_budget("x", 8.0 * 6 * xg.size**2, 6 * 8 * MAX_FP_POINTS**2)
    check_budget("t_values", 8.0 * t.size * xg.size, MAX_BYTES)
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
    return check_finite_result(out, "t_values")


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
        If ``t``, ``theta`` or ``diffusivity`` is not positive, or so extreme that the
        variance underflows (the density would be inf) or overflows.
    """
    t = check_positive("t", t)
    theta = check_positive("theta", theta)
    D = check_positive("diffusivity", diffusivity)
    xa = check_array("x", x, min_size=0)
    ya = check_array("y", y, min_size=0)
    try:
        shape = np.broadcast_shapes(xa.shape, ya.shape)
    except ValueError:
        raise ValueError(f"x and y must broadcast, got shapes {xa.shape} and {ya.shape}") from None
    check_budget("x, y", 8.0 * math.prod(shape), MAX_BYTES)
    mean = ya * math.exp(-theta * t)
    var = D / theta * -math.expm1(-2 * theta * t)
    if not 0 < var < np.inf:
        raise ValueError(
            f"t, theta, diffusivity out of range: the variance {var:.3g} is not a positive float64"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.exp(-((xa - mean) ** 2) / (2 * var)) / math.sqrt(2 * math.pi * var)
    return check_finite_result(out, "t, theta, diffusivity, x, y")


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

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t, X = euler_maruyama(lambda x, t: -x, np.full(4000, 2.0), 0.01, 100, rng)
    >>> float(t[-1]), round(float(X[-1].mean()), 1)  # E X_1 = 2 e^{-1}
    (1.0, 0.7)

    Raises
    ------
    ValueError
        If ``dt`` or ``n_steps`` is not positive, ``x0`` is not finite, or the drift returns
        the wrong shape or a non-finite value.
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`.
    """
    check_rng(rng)
    dt = check_positive("dt", dt)
    n_steps = check_int("n_steps", n_steps, 1)
    every = n_steps if record_every is None else check_int("record_every", record_every, 1)
    t0 = check_real("t0", t0)
    if not callable(drift):
        raise TypeError(f"drift must be callable, got {type(drift).__name__}")
    if not callable(sigma):
        sigma = check_positive("sigma", sigma)
    x = np.array(check_array("x0", x0), dtype=float)
    check_budget("n_steps", float(n_steps) * x.size, MAX_OPERATIONS, unit="operations")
    check_budget("record_every", 8.0 * x.size * (n_steps // every + 2), MAX_BYTES)
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


# --- beyond eqs. 22-26: the rate of the descent, and its variational time step ------------


def relative_fisher_information(p: ArrayLike, q: ArrayLike, x: ArrayLike) -> float:
    """Relative Fisher information :math:`I(p\\,|\\,q) = \\int p\\,|\\partial_x\\ln(p/q)|^2`.

    The squared Wasserstein-2 length of :math:`\\mathrm{grad}_{W_2}D_{KL}(p\\|q)`: along
    the Fokker-Planck flow (eq. 22) :math:`\\tfrac{d}{dt}D_{KL}(p_t\\|q) = -I(p_t|q)`.
    Evaluated by a quadrature independent of :func:`fokker_planck_matrix`: the
    derivative of :math:`\\ln(p/q)` by second-order centred differences
    (:func:`numpy.gradient`) and the trapezoid rule.

    A density may vanish in its tails (or elsewhere), where :math:`\\ln p` does not exist.
    Then the equivalent form :math:`I(p\\,|\\,q) = 4\\int q\\,|\\partial_x\\sqrt{p/q}|^2`
    is evaluated instead (same differences and quadrature, :math:`\\sqrt{p/q} = 0` where
    :math:`p = 0`): a tail that vanishes smoothly contributes what it should (nothing
    once it underflows), while a jump of :math:`p` to 0 gives a large value that grows
    as the grid is refined, as it must (the Fisher information of a discontinuous
    density is infinite). :math:`q` must be positive wherever :math:`p > 0`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-10, 10, 2001)
    >>> p = normalize(np.exp(-((x - 1) ** 2) / 2), x)
    >>> q = normalize(np.exp(-(x**2) / 2), x)
    >>> round(relative_fisher_information(p, q, x), 6)  # |shift|^2 for unit Gaussians
    1.0

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a density on ``x`` or ``q`` vanishes where ``p > 0``.
    """
    xg = check_grid(x)
    w = grid_weights(xg)
    p, q = check_density("p", p, w), check_density("q", q, w)
    support = p > 0
    if np.any(q[support] <= 0):
        raise ValueError("q must be positive wherever p > 0 (the score ln(p/q) is needed)")
    if np.all(support):
        score = np.gradient(np.log(p) - np.log(q), xg)
        return float(check_finite_result(np.sum(w * p * score**2), "p, q"))
    root = np.zeros_like(p)  # sqrt(p/q), 0 where p = 0
    root[support] = np.sqrt(p[support] / q[support])
    with np.errstate(over="ignore", invalid="ignore"):
        total = 4.0 * np.sum(w * q * np.gradient(root, xg) ** 2)
    return float(check_finite_result(total, "p, q"))


def density_quantiles(p: ArrayLike, x: ArrayLike, levels: ArrayLike) -> FloatArray:
    """Quantiles :math:`F^{-1}(u)` of a density on a grid, by the trapezoid CDF.

    In one dimension the Wasserstein-2 distance is the :math:`L^2` distance of quantile
    functions, :math:`W_2^2(p, r) = \\int_0^1 |F_p^{-1}(u) - F_r^{-1}(u)|^2\\,du`; this
    turns a grid density into the particle positions :func:`jko_step` works with.

    Raises
    ------
    ValueError
        If ``p`` is not a density or a level is outside (0, 1).
    """
    xg = check_grid(x)
    w = grid_weights(xg)
    p = check_density("p", p, w)
    u = check_array("levels", levels, ndim=1)
    if np.any((u <= 0) | (u >= 1)):
        raise ValueError("levels must lie strictly between 0 and 1")
    cdf = np.concatenate([[0.0], np.cumsum(np.diff(xg) * (p[1:] + p[:-1]) / 2)])
    cdf /= cdf[-1]
    keep = np.concatenate([[True], np.diff(cdf) > 0])
    return np.interp(u, cdf[keep], xg[keep])


#: Newton decrement, relative to the objective, below which :func:`jko_step` stops: about
#: four units of round-off of a sum of a few hundred terms.
_ROUNDOFF_DECREMENT = 1e-15


def jko_step(
    particles: ArrayLike,
    V: Callable[[FloatArray], ArrayLike],
    dV: Callable[[FloatArray], ArrayLike],
    d2V: Callable[[FloatArray], ArrayLike],
    h: float,
    *,
    tol: float = 1e-13,
    max_iter: int = 100,
) -> FloatArray:
    """One Jordan-Kinderlehrer-Otto step: the variational form of the gradient flow (eq. 24).

    The Wasserstein-2 gradient flow of :math:`F[p] = \\int p\\ln p + \\int pV` (the free
    energy of eq. 23, whose *descent* is the Fokker-Planck equation) is the limit
    :math:`h\\to0` of the minimising-movement scheme

    .. math:: p_{k+1} = \\arg\\min_p\\;\\frac{W_2^2(p, p_k)}{2h} + F[p].

    In one dimension a density is its quantile function: with :math:`N` equal-mass
    particles :math:`X_1 < \\dots < X_N` the step minimises

    .. math:: \\frac1N\\sum_j\\Bigl[\\frac{(X_j - Y_j)^2}{2h} + V(X_j)\\Bigr]
              + \\frac1N\\sum_{j<N}\\ln\\frac{1/N}{X_{j+1}-X_j},

    the last sum being the :math:`\\int p\\ln p` of the density :math:`(1/N)/(X_{j+1}-X_j)`
    between neighbours. The objective is strictly convex for convex :math:`V` and its
    Hessian is tridiagonal: Newton's method (:func:`scipy.linalg.solveh_banded`) with a
    step-halving line search that keeps the particles ordered.

    Parameters
    ----------
    particles : array_like, shape (N,)
        Strictly increasing positions :math:`Y_j` of the previous step, ``N >= 3``.
    V, dV, d2V : callable
        The potential and its first two derivatives (vectorised).
    h : float
        Time step, positive.
    tol : float
        Stop when the Newton decrement is below ``tol``.
    max_iter : int
        Newton iterations allowed.

    Returns
    -------
    ndarray, shape (N,)

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import norm
    >>> y = norm.ppf((np.arange(400) + 0.5) / 400, 2.0, 0.5)
    >>> z = jko_step(y, lambda x: x**2 / 2, lambda x: x, np.ones_like, 0.01)
    >>> round(float(z.mean() - y.mean()), 4)  # the mean drifts by -h * mean / (1 + h)
    -0.0198

    Raises
    ------
    ValueError
        For unsorted or non-finite particles, a non-positive ``h`` or ``tol``, or if
        Newton's method fails (where :math:`V'' < 0` makes the step non-convex; then
        shrink ``h``).
    """
    y = check_array("particles", particles, ndim=1, min_size=3)
    if not np.all(np.diff(y) > 0):
        raise ValueError("particles must be strictly increasing")
    h = check_positive("h", h)
    tol = check_positive("tol", tol)
    max_iter = check_int("max_iter", max_iter, 1, 10_000)
    if not (callable(V) and callable(dV) and callable(d2V)):
        raise TypeError("V, dV and d2V must be callable")
    n = y.size

    def objective(z: FloatArray) -> float:
        gaps = np.diff(z)
        if np.any(gaps <= 0):
            return math.inf
        pot = check_array("V(x)", V(z), shape=z.shape)
        return float(np.sum((z - y) ** 2) / (2 * h) + np.sum(pot) - np.sum(np.log(gaps)))

    z = y.copy()
    for _ in range(max_iter):
        gaps = np.diff(z)
        inv, inv2 = 1.0 / gaps, 1.0 / gaps**2
        grad = (z - y) / h + check_array("dV(x)", dV(z), shape=z.shape)
        grad[:-1] += inv
        grad[1:] -= inv
        diag = 1.0 / h + check_array("d2V(x)", d2V(z), shape=z.shape)
        diag[:-1] += inv2
        diag[1:] += inv2
        ab = np.zeros((2, n))
        ab[0, 1:] = -inv2
        ab[1] = diag
        try:
            step = solveh_banded(ab, -grad)
        except np.linalg.LinAlgError:
            raise ValueError("h: the JKO step is not convex here (V'' < -1/h); shrink h") from None
        decrement = float(-grad @ step)
        base = objective(z)
        # Converged at tol, or when the predicted decrease (decrement / 2) is below what
        # the objective resolves in floating point: no line search can then tell a
        # descent from round-off, and whether tol itself is reached depends on the CPU's
        # summation order (AVX-512 against AVX2, say).
        if decrement < max(tol, _ROUNDOFF_DECREMENT * max(1.0, abs(base))):
            return z
        s = 1.0
        while s > 1e-12 and objective(z + s * step) > base - 0.25 * s * decrement:
            s /= 2
        z = z + s * step
    raise ValueError(f"max_iter: the JKO step did not converge in {max_iter} iterations")


# --- the Wegner-Morris/Polchinski flow of a free field (eqs. 9-11) ------------------------


def wegner_morris_gaussian_mode(
    p0: ArrayLike,
    phi: ArrayLike,
    C: Callable[[float], float],
    C_dot: Callable[[float], float],
    log_lambda: ArrayLike,
    *,
    sigma_factor: float = 2.0,
    psi_factor: float = 0.5,
) -> FloatArray:
    """Integrate eqs. (9)-(11) for one Fourier mode of a free field, as a PDE in :math:`\\phi`.

    With the seed action :math:`\\hat S_\\Lambda = \\phi^2/2C_\\Lambda` (the regulated
    kinetic term, :math:`C_\\Lambda` the regulated propagator of the mode) and
    :math:`S = -\\ln P`, eqs. (9)-(11) read

    .. math:: -\\frac{\\partial P}{\\partial\\ln\\Lambda}
              = \\partial_\\phi(\\Psi P),\\quad
              \\Psi = -c_\\Psi\\,\\dot C\\,\\partial_\\phi\\Sigma,\\quad
              \\Sigma = S - c_\\Sigma\\,\\hat S,

    with :math:`\\dot C = dC_\\Lambda/d\\ln\\Lambda` and the slides' factors
    :math:`c_\\Psi = 1/2` (``psi_factor``), :math:`c_\\Sigma = 2` (``sigma_factor``).
    Then :math:`-\\partial_{\\ln\\Lambda}P = c_\\Psi\\dot C\\,\\partial_\\phi(P' + c_\\Sigma\\,
    \\phi P/C)`, a Fokker-Planck equation in :math:`s = -\\ln\\Lambda` with diffusion
    :math:`c_\\Psi\\dot C` and potential :math:`c_\\Sigma\\phi^2/2C`. It is solved on the
    grid ``phi`` with :func:`fokker_planck_matrix`, one step per interval of
    ``log_lambda`` by the Crank-Nicolson rule with the coefficients frozen at the step's
    midpoint (second order in the step; mass is conserved exactly). The factors are
    parameters so that a check can show what other values do.

    Parameters
    ----------
    p0 : array_like
        Density of the mode at ``log_lambda[0]``, on ``phi``.
    phi : array_like
        Strictly increasing grid of field values.
    C, C_dot : callable
        :math:`C_\\Lambda` and :math:`dC_\\Lambda/d\\ln\\Lambda` as functions of
        :math:`\\ln\\Lambda`; ``C`` must be positive.
    log_lambda : array_like
        Strictly decreasing values of :math:`\\ln\\Lambda` (the flow lowers the cutoff).
    sigma_factor, psi_factor : float
        :math:`c_\\Sigma` and :math:`c_\\Psi`.

    Returns
    -------
    ndarray, shape (len(log_lambda), len(phi))

    Raises
    ------
    ValueError
        For a bad grid or density, a non-decreasing schedule, or a non-positive
        ``C`` or ``psi_factor * C_dot``.
    """
    xg = check_grid(phi, "phi")
    w = grid_weights(xg)
    p = check_density("p0", p0, w)
    ll = check_array("log_lambda", log_lambda, ndim=1, min_size=2)
    if not np.all(np.diff(ll) < 0):
        raise ValueError("log_lambda must be strictly decreasing (the cutoff is lowered)")
    c_sigma = check_real("sigma_factor", sigma_factor)
    c_psi = check_positive("psi_factor", psi_factor)
    check_budget("log_lambda", 30.0 * ll.size * xg.size, MAX_OPERATIONS, unit="operations")
    if not (callable(C) and callable(C_dot)):
        raise TypeError("C and C_dot must be callable")
    eye = sp.identity(xg.size, format="csc")
    out = np.empty((ll.size, xg.size))
    out[0] = p
    for k in range(ll.size - 1):
        mid = 0.5 * (ll[k] + ll[k + 1])
        c_mid = check_real("C", C(mid), low=0.0, low_open=True)
        diff = c_psi * check_real("C_dot", C_dot(mid), low=0.0, low_open=True)
        gen = fokker_planck_matrix(c_sigma * xg**2 / (2 * c_mid), xg).tocsc()
        half = 0.5 * diff * (ll[k] - ll[k + 1]) * gen
        p = spsolve(eye - half, (eye + half) @ p)
        out[k + 1] = p
    return out
