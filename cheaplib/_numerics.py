"""Helpers shared by several chapter modules of cheaplib: argument checks and one solver.

What it holds
-------------
* Checks of the objects of chapter 6's grid calculus, used by :mod:`cheaplib.flows`,
  :mod:`cheaplib.inference` and :mod:`cheaplib.diffusion`: :func:`check_grid` (a strictly
  increasing 1-D grid), :func:`check_positive` (a real ``> 0``), :func:`check_density` (a
  density on a grid, total mass within :data:`MASS_TOL` of 1) and :func:`check_times`
  (sorted non-negative times).
* Checks of chapter 3's finite distributions, used by :mod:`cheaplib.information`,
  :mod:`cheaplib.markov` and :mod:`cheaplib.sufficiency`: :func:`check_distribution`
  (entries ``>= 0`` summing to 1 within :data:`SUM_TOL`), :func:`check_column_stochastic`
  (a Markov matrix, eq. 15, each column a distribution) and :func:`check_labels` (the
  labels of a statistic); and :func:`xlogx_ratio`, the summand :math:`p\\log(p/q)` of
  eq. (22) and of every divergence built on it.
* :func:`damped_newton`, the Newton maximiser of a concave log-likelihood shared by the
  maximum-(pseudo)likelihood fits of chapter 4 (:func:`cheaplib.ising.pseudolikelihood_couplings`
  and :func:`cheaplib.rg.fit_couplings`).

Why one private module
----------------------
These are the working parts of public functions, not results a reader calls: their
arguments are positional and terse (the argument's *name* first, for the error message),
and they assume what the public function has already settled.  Each is used by more than
one module, so it cannot stay private to one of them (importing another module's ``_x``
ties the two together behind the reader's back), and making each public in the module
of its first use would put chapter-3 or chapter-6 checks in a chapter's API and its
documentation.  So they live here, in one module at the bottom of the layering (it
imports only :mod:`cheaplib.validation` and :mod:`cheaplib._typing`), private to the
package by its leading underscore; the names in it carry no underscore because every
module of cheaplib may import them.  The generic checks (integers, reals, arrays, budgets)
stay in :mod:`cheaplib.validation`; the checks here are built on them, so every error
still names the argument.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from cheaplib._typing import FloatArray, IntArray
from cheaplib.validation import check_array, check_real

__all__ = [
    "MASS_TOL",
    "SUM_TOL",
    "check_column_stochastic",
    "check_density",
    "check_distribution",
    "check_grid",
    "check_labels",
    "check_positive",
    "check_times",
    "damped_newton",
    "xlogx_ratio",
]

MASS_TOL = 1e-6
"""Largest allowed ``|integral of p - 1|`` of a density on a grid (flows, inference)."""

SUM_TOL = 1e-9
"""Allowed deviation of a total probability (or a column sum of a Markov matrix) from 1."""


# --- densities on a grid (chapter 6) -------------------------------------------------------


def check_grid(x: ArrayLike, name: str = "x") -> FloatArray:
    """``x`` as a strictly increasing 1-D float array of at least 3 points."""
    arr = check_array(name, x, ndim=1, min_size=3)
    if not np.all(np.diff(arr) > 0):
        raise ValueError(f"{name} must be strictly increasing (sorted, no repeats)")
    return arr


def check_positive(name: str, value: object) -> float:
    """``value`` as a finite real ``> 0``."""
    return check_real(name, value, low=0.0, low_open=True)


def check_density(name: str, p: ArrayLike, w: FloatArray, tol: float = MASS_TOL) -> FloatArray:
    """``p >= 0`` as a density on a grid of trapezoid weights ``w`` (mass 1 within ``tol``)."""
    arr = check_array(name, p, shape=w.shape)
    if np.any(arr < 0):
        raise ValueError(f"{name} is not a density: it has negative values (min {arr.min():.3g})")
    mass = float(np.sum(w * arr))
    if abs(mass - 1.0) > tol:
        raise ValueError(
            f"{name} is not a density: it integrates to {mass:.8g}, not 1 (use normalize())"
        )
    return arr


def check_times(name: str, t: ArrayLike) -> FloatArray:
    """``t`` (a scalar or a sequence) as a sorted 1-D array of non-negative times."""
    arr = check_array(name, np.atleast_1d(np.asarray(t)), ndim=1)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative")
    if np.any(np.diff(arr) < 0):
        raise ValueError(f"{name} must be sorted in increasing order")
    return arr


# --- finite distributions (chapter 3) ------------------------------------------------------


def _array(name: str, value: ArrayLike, ndim: int | None = None) -> FloatArray:
    arr: FloatArray = check_array(name, value, ndim=ndim)
    return arr


def check_distribution(name: str, value: ArrayLike, ndim: int | None = None) -> FloatArray:
    """``value`` as a float array of any shape whose entries are >= 0 and sum to 1."""
    arr = _array(name, value, ndim)
    if arr.min() < 0:
        raise ValueError(f"{name} must be non-negative, got an entry {arr.min():.3g}")
    total = arr.sum()
    if abs(total - 1.0) > SUM_TOL:
        raise ValueError(f"{name} must sum to 1 (a distribution), sums to {total:.12g}")
    return arr


def check_column_stochastic(name: str, value: ArrayLike, n_in: int | None = None) -> FloatArray:
    """A 2-D column-stochastic matrix (every column a distribution)."""
    mat = _array(name, value, 2)
    if mat.min() < 0:
        raise ValueError(f"{name} must be non-negative, got an entry {mat.min():.3g}")
    sums = mat.sum(axis=0)
    bad = np.abs(sums - 1.0) > SUM_TOL
    if bad.any():
        j = int(np.argmax(bad))
        raise ValueError(
            f"{name} is not column-stochastic: column {j} sums to {sums[j]:.12g} "
            "(p_i = M_i p_(i-1) needs every column of M_i to be a distribution)"
        )
    if n_in is not None and mat.shape[1] != n_in:
        raise ValueError(
            f"{name} has {mat.shape[1]} columns but the previous level has {n_in} states"
        )
    return mat


def check_labels(name: str, labels: ArrayLike, m: int) -> IntArray:
    """Integer labels of a statistic, one per column, >= -1, with a budgeted maximum."""
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size != m:
        raise ValueError(f"{name} must be 1-D with one label per column ({m}), got {arr.shape}")
    if arr.size and arr.min() < -1:
        raise ValueError(f"{name} holds a label below -1")
    if arr.size and arr.max() >= 2**31:
        raise ValueError(f"{name} holds a label of {int(arr.max()):,}, over 2**31")
    return arr.astype(np.int64)


def xlogx_ratio(p: FloatArray, q: FloatArray) -> FloatArray:
    """Elementwise p log(p/q) in nats with 0 log 0 = 0 (q > 0 wherever p > 0)."""
    out = np.zeros(np.broadcast_shapes(p.shape, q.shape))
    p_b, q_b = np.broadcast_arrays(p, q)
    pos = p_b > 0
    out[pos] = p_b[pos] * np.log(p_b[pos] / q_b[pos])
    return out


# --- maximum likelihood (chapter 4) --------------------------------------------------------


def damped_newton(
    objective: Callable[[FloatArray], float],
    grad_hess: Callable[[FloatArray], tuple[FloatArray, FloatArray]],
    x0: FloatArray,
    *,
    max_iter: int,
    converged: Callable[[FloatArray, FloatArray], bool],
    ridge: float = 0.0,
) -> tuple[FloatArray, bool]:
    """Maximise a concave ``objective`` by Newton steps with a halving line search.

    Shared by :func:`cheaplib.ising.pseudolikelihood_couplings` and
    :func:`cheaplib.rg.fit_couplings`.
    Each step solves ``(H + ridge I) d = g`` (``H`` the negated Hessian) and halves the
    step until the objective does not decrease (at most 34 halvings).  Returns the
    maximiser and whether it converged: ``converged(x, step)`` held, or no step along the
    Newton direction increases the objective any more (the maximum at machine precision).
    """
    x = np.array(x0, dtype=float)
    cur = objective(x)
    for _ in range(max_iter):
        grad, hess = grad_hess(x)
        step = np.linalg.solve(hess + ridge * np.eye(len(x)), grad)
        t = 1.0
        new = objective(x + step)
        while new < cur and t > 1e-10:
            t /= 2
            new = objective(x + t * step)
        if new < cur:
            return x, True
        x, cur = np.asarray(x + t * step, dtype=np.float64), new
        if converged(x, np.asarray(t * step, dtype=np.float64)):
            return x, True
    return x, False
