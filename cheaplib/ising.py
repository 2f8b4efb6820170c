"""The nearest-neighbour Ising model: exact sums, decimation, cluster Monte Carlo, block spins.

Conventions (used by every function here).  Spins :math:`s_r = \\pm 1` sit on a periodic
lattice of ``shape`` ``(L,)`` or ``(L1, L2)``; the reduced Hamiltonian (energy over
:math:`k_B T`) is

.. math:: H(s) = -K \\sum_r \\sum_{\\mu} s_r s_{r + e_\\mu} - h \\sum_r s_r ,

one bond from every site in every lattice direction (so ``N d`` bonds; on a side of length
2 the two bonds between the same pair are both counted), and the Boltzmann weight is
:math:`e^{-H}`, as in eq. (B1) of the preprint (unit temperature, couplings absorbed into
:math:`H`).  :math:`K > 0` is ferromagnetic.

Provided:

* :func:`exact_partition_function` — :math:`Z` by vectorised enumeration of all
  :math:`2^N` states (refused above :data:`MAX_ENUMERATION_SITES` sites);
  :func:`exact_distribution` gives the states and their probabilities;
* :func:`partition_function_1d` — the ring by the transfer matrix,
  :math:`Z = \\operatorname{tr} T^N = \\lambda_+^N + \\lambda_-^N`;
* :func:`decimate_1d` and :func:`decimation_constant_1d` — summing out every other spin of
  the chain, :math:`\\tanh K' = \\tanh^2 K` (Section III E's renormalization, done exactly);
* :func:`kaufman_partition_function` — Kaufman's exact :math:`Z` of the finite 2-D torus
  and :func:`onsager_log_z_per_site` — Onsager's infinite-lattice free energy; both are
  singular at :data:`K_CRITICAL` :math:`= \\tfrac12\\ln(1+\\sqrt2)`;
* :func:`swendsen_wang` — cluster Monte Carlo, the clusters found by
  :func:`scipy.sparse.csgraph.connected_components`;
* :func:`majority_block_spins` — Kadanoff's majority-rule block spins;
* :func:`pseudolikelihood_couplings` — the couplings of a nearest- plus next-nearest-
  neighbour Ising model fitted to samples (e.g. to block spins) by maximum pseudolikelihood;
* :func:`block_spin_flow` — the projected block-spin flow :math:`K \\to K' \\to K''` of
  several independent Swendsen–Wang chains at once.

Every public function validates its arguments through :mod:`cheaplib.validation`; log
paths (``log=True``) are computed in log space and do not overflow for large couplings.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.sparse.csgraph import connected_components

from cheaplib._numerics import damped_newton
from cheaplib._typing import FloatArray, IntArray, SpinArray
from cheaplib.validation import (
    MAX_BYTES,
    MAX_OPERATIONS,
    check_array,
    check_budget,
    check_finite_result,
    check_int,
    check_real,
)
from cheaplib.validation import check_rng as _check_rng

__all__ = [
    "K_CRITICAL",
    "MAX_ENUMERATION_SITES",
    "all_spin_states",
    "block_spin_flow",
    "bond_sum",
    "decimate_1d",
    "decimation_constant_1d",
    "exact_distribution",
    "exact_partition_function",
    "ising_energy",
    "kaufman_partition_function",
    "majority_block_spins",
    "nn_correlation",
    "onsager_log_z_per_site",
    "partition_function_1d",
    "pseudolikelihood_couplings",
    "swendsen_wang",
]

K_CRITICAL = 0.5 * math.log(1.0 + math.sqrt(2.0))
"""Onsager's critical coupling of the square lattice, :math:`\\sinh 2K_c = 1`."""

MAX_ENUMERATION_SITES = 20
"""Largest number of spins :func:`exact_partition_function` enumerates (2**20 states)."""


# --- validation ----------------------------------------------------------------------------


def _shape(shape: object, *, min_side: int = 1, name: str = "shape") -> tuple[int, ...]:
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        shape = (shape,)
    if isinstance(shape, str) or not isinstance(shape, Sequence) or len(shape) not in (1, 2):
        raise ValueError(f"{name} must be (L,) or (L1, L2), got {shape!r}")
    return tuple(check_int(f"{name} (lattice side)", side, min_side) for side in shape)


def _real(name: str, value: object) -> float:
    return check_real(name, value)


def _spins(spins: ArrayLike, ndim: int, name: str = "spins") -> SpinArray:
    s = np.asarray(spins)
    if s.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of +1/-1 numbers, got dtype {s.dtype}")
    if s.ndim < ndim or s.size == 0:
        raise ValueError(f"{name} needs at least {ndim} lattice axes, got shape {s.shape}")
    if not np.all((s == 1) | (s == -1)):
        raise ValueError(f"{name} must be +1 or -1")
    return s.astype(np.int8, copy=False)


def _reals(name: str, x: ArrayLike, **kwargs: object) -> FloatArray:
    """A finite real array (``bool`` refused), via :func:`cheaplib.validation.check_array`."""
    if np.asarray(x).dtype.kind == "b":
        raise TypeError(f"{name} must be real, got bool")
    return check_array(name, x, **kwargs)  # type: ignore[arg-type]


# --- energies and exact sums ---------------------------------------------------------------


def bond_sum(spins: ArrayLike, ndim: int = 2) -> IntArray:
    """:math:`\\sum_r \\sum_\\mu s_r s_{r+e_\\mu}` over the periodic lattice.

    Parameters
    ----------
    spins : array_like of +1/-1
        Shape ``(..., *lattice)``; the last ``ndim`` axes are the lattice.
    ndim : int
        Lattice dimension, 1 or 2.

    Returns
    -------
    numpy.ndarray of int
        One bond sum per configuration (shape of the leading axes).
    """
    ndim = check_int("ndim", ndim, 1, 2)
    s = _spins(spins, ndim).astype(np.int64)
    axes = tuple(range(s.ndim - ndim, s.ndim))
    total = sum(s * np.roll(s, -1, axis=ax) for ax in axes)
    return np.asarray(total).sum(axis=axes)


def ising_energy(spins: ArrayLike, K: float, h: float = 0.0, ndim: int = 2) -> FloatArray:
    """Reduced Ising energy :math:`H(s) = -K\\sum s_r s_{r+e_\\mu} - h \\sum s_r` (eq. B1).

    Parameters
    ----------
    spins : array_like of +1/-1
        Shape ``(..., *lattice)``.
    K, h : float
        Coupling and field in units of :math:`k_B T`.
    ndim : int
        Lattice dimension (the last ``ndim`` axes of ``spins``).

    Returns
    -------
    numpy.ndarray
        Energies, one per configuration.

    Raises
    ------
    TypeError, ValueError
        For spins that are not ±1, a bad ``ndim``, or couplings so large that an energy
        overflows float64.
    """
    K, h = _real("K", K), _real("h", h)
    ndim = check_int("ndim", ndim, 1, 2)
    s = _spins(spins, ndim)
    axes = tuple(range(s.ndim - ndim, s.ndim))
    mag = s.astype(np.int64).sum(axis=axes)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.asarray(-K * bond_sum(s, ndim) - h * mag, dtype=float)
    return check_finite_result(out, "K, h")


def all_spin_states(n: int) -> IntArray:
    """All :math:`2^n` configurations of ``n`` spins, shape ``(2**n, n)``, entries +-1.

    Row ``j`` is the binary expansion of ``j`` (bit ``i`` set means spin ``i`` is -1), so
    row 0 is all +1 and the last row all -1.

    Examples
    --------
    >>> all_spin_states(2)
    array([[ 1,  1],
           [-1,  1],
           [ 1, -1],
           [-1, -1]], dtype=int8)

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is not in ``[1, MAX_ENUMERATION_SITES]``.
    """
    n = check_int("n", n, 1)
    if n > MAX_ENUMERATION_SITES:
        raise ValueError(
            f"refusing to enumerate 2**n = 2**{n} states: at most {MAX_ENUMERATION_SITES} spins "
            f"({2**MAX_ENUMERATION_SITES:,} states) enumerate in about a second"
        )
    idx = np.arange(2 ** int(n), dtype=np.int64)
    bits = (idx[:, None] >> np.arange(int(n))) & 1
    return (1 - 2 * bits).astype(np.int8)


def exact_distribution(
    shape: int | Sequence[int], K: float, h: float = 0.0
) -> tuple[IntArray, FloatArray, float]:
    """Every state of the periodic Ising lattice with its Boltzmann probability.

    Parameters
    ----------
    shape : int or tuple of int
        ``(L,)`` or ``(L1, L2)``, at most :data:`MAX_ENUMERATION_SITES` sites.
    K, h : float
        Coupling and field (units of :math:`k_B T`).

    Returns
    -------
    states : numpy.ndarray of int8, shape ``(2**N, *shape)``
        The configurations (order of :func:`all_spin_states`).
    p : numpy.ndarray, shape ``(2**N,)``
        :math:`e^{-H(s)}/Z` (eq. B1).
    log_z : float
        :math:`\\ln Z`.

    Raises
    ------
    ValueError
        If the shape is malformed or has more than :data:`MAX_ENUMERATION_SITES` sites,
        or ``K``, ``h`` are so large that an energy overflows float64.
    """
    shape, n = _enumerable(shape)
    states = all_spin_states(n).reshape(-1, *shape)
    log_z, log_w = _log_weights(shape, K, h)
    top = float(log_w.max())
    if abs(top) > _EXACT_SHIFT:  # ln Z = top + ln(sum) would round ln(sum) away: shift first
        p = np.exp(log_w - top)
        return states, p / p.sum(), log_z
    return states, np.exp(log_w - log_z), log_z


def _enumerable(shape: object) -> tuple[tuple[int, ...], int]:
    """The checked lattice shape and its number of sites, refusing what cannot enumerate."""
    shape = _shape(shape)
    n = math.prod(shape)
    if n > MAX_ENUMERATION_SITES:
        raise ValueError(
            f"refusing to enumerate a shape {shape} lattice: {n} spins means 2**{n} states; "
            f"at most {MAX_ENUMERATION_SITES} spins enumerate in about a second "
            "(use kaufman_partition_function or Monte Carlo for larger lattices)"
        )
    return shape, n


def _bonds_and_magnetisation(shape: tuple[int, ...]) -> tuple[IntArray, IntArray]:
    """Bond sum and magnetisation of every state, read off the bits of the state index.

    State ``j`` has spin ``i`` down iff bit ``i`` of ``j`` is set (:func:`all_spin_states`).
    Rotating the bits of ``j`` so that bit ``i`` holds the neighbour of site ``i`` turns
    each bond into an XOR: :math:`s_i s_{i'} = 1 - 2\\,(b_i \\oplus b_{i'})`.  A handful of
    integer operations over the :math:`2^N` indices replace an ``(2^N, N)`` array of spins
    (same neighbours as :func:`bond_sum`, including the doubled bonds of a side of 2).
    """
    n = math.prod(shape)
    mask = (1 << n) - 1
    j = np.arange(2**n, dtype=np.int64)
    last = shape[-1]
    # neighbour along the last axis: (.., c) -> (.., (c + 1) % last)
    tail = sum(1 << (r * last + last - 1) for r in range(n // last))
    along = ((j >> 1) & (mask & ~tail)) | ((j << (last - 1)) & tail)
    flips = np.bitwise_count(j ^ along).astype(np.int64)
    if len(shape) == 2:  # neighbour along the first axis: index + last (mod n)
        down = (j >> last) | ((j << (n - last)) & mask)
        flips += np.bitwise_count(j ^ down)
    bonds = len(shape) * n - 2 * flips
    magnetisation = n - 2 * np.bitwise_count(j).astype(np.int64)
    return bonds, magnetisation


#: Beyond this size of the largest log-weight, probabilities are normalised after
#: subtracting it (exact for the most probable states) rather than ``ln Z``, whose
#: last bits would swallow ``ln`` of the number of such states.
_EXACT_SHIFT = 2.0**20


def _log_weights(shape: tuple[int, ...], K: float, h: float) -> tuple[float, FloatArray]:
    """``(ln Z, -H(s) for every state)`` of the periodic lattice ``shape``."""
    K, h = _real("K", K), _real("h", h)
    bonds, magnetisation = _bonds_and_magnetisation(shape)
    with np.errstate(over="ignore", invalid="ignore"):
        log_w = check_finite_result(K * bonds + h * magnetisation, "K, h")
    top = float(log_w.max())  # plain NumPy: scipy's logsumexp costs ~1 ms more on 2^16
    return top + math.log(float(np.exp(log_w - top).sum())), log_w


def exact_partition_function(
    shape: int | Sequence[int], K: float, h: float = 0.0, *, log: bool = False
) -> float:
    """Partition function :math:`Z = \\sum_s e^{-H(s)}` of the periodic Ising lattice.

    Enumerates all :math:`2^N` states at once (vectorised), so it is exact but limited to
    :data:`MAX_ENUMERATION_SITES` spins; for example the 2x2 torus (8 bonds, each pair
    counted twice) gives :math:`2e^{8K} + 12 + 2e^{-8K}`.

    Parameters
    ----------
    shape : int or tuple of int
        ``(L,)`` for a ring or ``(L1, L2)`` for a torus.
    K : float
        Nearest-neighbour coupling over :math:`k_B T`.
    h : float, optional
        Uniform field over :math:`k_B T`.
    log : bool, optional
        Return :math:`\\ln Z` instead (no overflow for large lattices or couplings).

    Returns
    -------
    float
        :math:`Z` (or :math:`\\ln Z`).

    Examples
    --------
    >>> K = 0.37
    >>> z = exact_partition_function((2, 2), K)
    >>> abs(z / (2 * math.exp(8 * K) + 12 + 2 * math.exp(-8 * K)) - 1) < 1e-13
    True

    Raises
    ------
    ValueError
        If the lattice has more than :data:`MAX_ENUMERATION_SITES` spins, a malformed
        shape, or non-finite couplings (or couplings whose energies overflow float64).
    """
    shape, _ = _enumerable(shape)
    log_z, _ = _log_weights(shape, K, h)
    return log_z if log else _exp("ln Z", log_z)


def partition_function_1d(n: int, K: float, h: float = 0.0, *, log: bool = False) -> float:
    """Ising ring of ``n`` spins by the transfer matrix: :math:`Z = \\lambda_+^n + \\lambda_-^n`.

    :math:`T_{ss'} = e^{K s s' + h(s+s')/2}` has eigenvalues
    :math:`\\lambda_\\pm = e^K\\cosh h \\pm \\sqrt{e^{2K}\\sinh^2 h + e^{-2K}}`, which at
    :math:`h = 0` are :math:`2\\cosh K` and :math:`2\\sinh K`.

    Parameters
    ----------
    n : int
        Number of spins, ``n >= 1`` (any size: no enumeration).
    K, h : float
        Coupling and field over :math:`k_B T`.
    log : bool, optional
        Return :math:`\\ln Z`.

    Returns
    -------
    float
        :math:`Z` or :math:`\\ln Z`.

    Examples
    --------
    >>> K = 0.37
    >>> z = partition_function_1d(5, K)
    >>> abs(z / ((2 * math.cosh(K)) ** 5 + (2 * math.sinh(K)) ** 5) - 1) < 1e-13
    True
    >>> round(partition_function_1d(10, 1000.0, log=True), 6)  # 10 K + ln 2, no overflow
    10000.693147

    Raises
    ------
    TypeError, ValueError
        For a bad ``n``, ``K`` or ``h``; if :math:`\\ln Z` itself overflows float64
        (``n |K|`` or ``n |h|`` near 1e308), or :math:`Z` does without ``log=True``.
    """
    n = check_int("n", n, 1)
    K, h = _real("K", K), _real("h", h)
    # ln lambda_+ = K + ln(cosh h + r), r = sqrt(sinh^2 h + e^{-4K}), and
    # ratio = lambda_-/lambda_+ = (1 - e^{-4K}) / (cosh h + r)^2, in log space (no overflow)
    a = abs(h)
    log_cosh = a + math.log1p(math.exp(-2 * a)) - math.log(2.0)
    log_sinh2 = -math.inf if a == 0 else 2 * _log_sinh(a)
    log_r = 0.5 * float(np.logaddexp(log_sinh2, -4 * K))
    log_den = float(np.logaddexp(log_cosh, log_r))
    # 1 - |ratio| = 2 r / (cosh h + r) for K > 0 and 2 cosh h / (cosh h + r) for K < 0,
    # so |ratio|^n = exp(n log1p(-delta)) keeps its precision when |ratio| is close to 1
    log_delta = math.log(2.0) + (log_r if K > 0 else log_cosh) - log_den
    if K == 0 or log_delta >= 0.0:  # ratio = 0 (to round-off)
        tail = 0.0
    else:
        log_abs_power = n * math.log1p(-math.exp(log_delta))
        if K > 0 or n % 2 == 0:
            tail = math.log1p(math.exp(log_abs_power))
        else:  # antiferromagnet, odd ring: lambda_-^n < 0
            if log_delta < -40:  # 1 - |ratio|^n = n delta (1 + O(n delta))
                tail = math.log(n) + log_delta
            else:
                tail = math.log(-math.expm1(log_abs_power))
    log_z = float(check_finite_result(n * (K + log_den) + tail, "n, K, h"))
    return log_z if log else _exp("ln Z", log_z)


def _exp(what: str, log_value: float) -> float:
    """``exp(log_value)``, refusing an overflow (the caller should ask for ``log=True``)."""
    if log_value > 709.0:
        raise ValueError(f"{what} = {log_value:.6g} overflows a float: pass log=True")
    return math.exp(log_value)


def decimate_1d(K: ArrayLike) -> FloatArray | float:
    """Coupling after summing out every other spin of the chain: :math:`\\tanh K' = \\tanh^2 K`.

    Summing :math:`s_2` in :math:`e^{K s_1 s_2 + K s_2 s_3}` gives
    :math:`2\\cosh K(s_1+s_3) = A\\,e^{K' s_1 s_3}` with :math:`K' = \\tfrac12\\ln\\cosh 2K`,
    the same law as :math:`\\tanh K' = \\tanh^2 K`; so :math:`Z_{2n}(K) = A^n Z_n(K')` with
    :math:`A` from :func:`decimation_constant_1d`.  The flow runs to the trivial fixed point
    :math:`K = 0` from every finite :math:`K` (the chain has no phase transition).

    Parameters
    ----------
    K : float or array_like
        Couplings (any sign: the law is even in :math:`K`).

    Returns
    -------
    float or numpy.ndarray
        :math:`K'`; for :math:`|K|` beyond about 9e307 (where :math:`2|K|` overflows)
        its limit :math:`|K| - \\tfrac12\\ln 2`, exact in float64 there.

    Examples
    --------
    >>> K = 0.8
    >>> abs(math.tanh(decimate_1d(K)) - math.tanh(K) ** 2) < 1e-15
    True
    >>> decimate_1d(1e308)  # no overflow
    1e+308
    """
    k = _reals("K", K, min_size=0)
    # 0.5 ln cosh 2K, written to avoid overflow for large |K|
    with np.errstate(over="ignore", invalid="ignore"):
        a = 2.0 * np.abs(k)
        out = 0.5 * (a + np.log1p(np.exp(-2.0 * a)) - math.log(2.0))
    if not np.all(np.isfinite(a)):  # 2|K| overflowed: ln cosh 2K = 2|K| - ln 2 exactly
        out = np.where(np.isfinite(a), out, np.abs(k) - 0.5 * math.log(2.0))
    return float(out) if out.ndim == 0 else out


def decimation_constant_1d(K: ArrayLike) -> FloatArray | float:
    """:math:`\\ln A`, :math:`A = 2\\sqrt{\\cosh 2K}`: the spin-independent factor of a decimation.

    Parameters
    ----------
    K : float or array_like
        Couplings.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln A = \\ln 2 + K'`, so that :math:`\\ln Z_{2n}(K) = n\\ln A + \\ln Z_n(K')`.
    """
    kp = np.asarray(decimate_1d(K), dtype=float)
    out = math.log(2.0) + kp
    return float(out) if out.ndim == 0 else out


# --- the exact 2-D solutions ---------------------------------------------------------------


def kaufman_partition_function(shape: Sequence[int], K: float, *, log: bool = False) -> float:
    """Kaufman's exact partition function of the ``m x n`` periodic square lattice (h = 0).

    .. math:: Z = \\tfrac12 (2\\sinh 2K)^{mn/2} \\sum_{i=1}^{4} Z_i, \\quad
              Z_{1,2} = \\prod_{r=0}^{n-1} 2\\,\\{\\cosh,\\sinh\\}(m\\gamma_{2r+1}/2), \\quad
              Z_{3,4} = \\prod_{r=0}^{n-1} 2\\,\\{\\cosh,\\sinh\\}(m\\gamma_{2r}/2),

    with :math:`\\cosh\\gamma_k = \\cosh 2K\\coth 2K - \\cos(\\pi k/n)` and
    :math:`\\gamma_0 = 2K + \\ln\\tanh K`, which changes sign at Onsager's :math:`K_c`.
    An independent check of :func:`exact_partition_function` on lattices too large to
    enumerate (sides ``>= 2``, ``K > 0``).

    Parameters
    ----------
    shape : tuple of int
        ``(m, n)``.
    K : float
        Coupling, ``K > 0``.
    log : bool, optional
        Return :math:`\\ln Z`.

    Returns
    -------
    float
        :math:`Z` or :math:`\\ln Z`.

    Examples
    --------
    >>> z4 = kaufman_partition_function((4, 4), 0.3, log=True)
    >>> abs(z4 - exact_partition_function((4, 4), 0.3, log=True)) < 1e-12
    True
    """
    sides = _shape(shape, min_side=2)
    if len(sides) != 2:
        raise ValueError(f"shape must be (m, n), got {shape!r}")
    m, n = sides
    K = check_real("K", K, low=0.0, low_open=True)
    check_budget("shape", 64 * n, MAX_BYTES)
    k = np.arange(2 * n)
    cos = np.cos(np.pi * k / n)
    log_a = _log_cosh2_over_sinh(2 * K)  # ln(cosh 2K coth 2K)
    if log_a < 700:
        gamma = np.arccosh(np.maximum(math.exp(log_a) - cos, 1.0))
    else:  # arccosh c = ln c + ln(1 + sqrt(1 - c^-2)), c = A - cos with A > e^700
        log_c = log_a + np.log1p(-cos * math.exp(-log_a))
        gamma = log_c + np.log1p(np.sqrt(-np.expm1(-2 * log_c)))
    gamma[0] = 2 * K + math.log(math.tanh(K))
    half = m * gamma / 2
    odd, even = half[1::2], half[0::2]
    # log of each product, with the sign of the sinh products tracked separately
    terms = []
    for arr, fn in ((odd, "cosh"), (odd, "sinh"), (even, "cosh"), (even, "sinh")):
        if fn == "cosh":
            logs = np.abs(arr) + np.log1p(np.exp(-2 * np.abs(arr)))
            sign = 1.0
        else:
            if np.any(arr == 0):
                terms.append((-np.inf, 0.0))
                continue
            logs = np.abs(arr) + np.log1p(-np.exp(-2 * np.abs(arr)))
            sign = float(np.prod(np.sign(arr)))
        terms.append((float(logs.sum()), sign))
    log_terms = np.array([t[0] for t in terms])
    signs = np.array([t[1] for t in terms])
    top = float(log_terms.max())
    total = float(np.sum(signs * np.exp(log_terms - top)))
    if not total > 0:
        raise ValueError("Kaufman sum is not positive (numerical cancellation)")
    log_2sinh = math.log(2.0) + _log_sinh(2 * K)
    log_z = -math.log(2) + 0.5 * m * n * log_2sinh + top + math.log(total)
    return log_z if log else _exp("ln Z", log_z)


def _log_sinh(x: float) -> float:
    """``ln sinh x`` for ``x > 0`` without overflow."""
    return math.log(math.sinh(x)) if x < 20 else x + math.log1p(-math.exp(-2 * x)) - math.log(2)


def _log_cosh2_over_sinh(x: float) -> float:
    """``ln(cosh^2 x / sinh x)`` for ``x > 0`` without overflow."""
    log_cosh = x + math.log1p(math.exp(-2 * x)) - math.log(2)
    return 2 * log_cosh - _log_sinh(x)


def onsager_log_z_per_site(K: float, n_grid: int = 512) -> float:
    """Onsager's :math:`\\lim_{N\\to\\infty} \\ln Z / N` of the square lattice (h = 0).

    .. math:: \\frac{\\ln Z}{N} = \\ln 2 + \\frac{1}{8\\pi^2}\\int_0^{2\\pi}\\!\\!\\int_0^{2\\pi}
              \\ln\\left[\\cosh^2 2K - \\sinh 2K(\\cos\\theta_1 + \\cos\\theta_2)\\right]
              d\\theta_1 d\\theta_2,

    by the midpoint rule on an ``n_grid`` square grid (exponentially accurate away from
    :math:`K_c`, where the integrand's minimum :math:`(\\sinh 2K - 1)^2` touches zero).

    Parameters
    ----------
    K : float
        Coupling, ``K >= 0``.
    n_grid : int, optional
        Quadrature points per angle.

    Returns
    -------
    float
        :math:`\\ln Z / N`.

    Raises
    ------
    ValueError
        If ``K < 0`` or the grid needs more than :data:`cheaplib.validation.MAX_BYTES`,
        or ``K`` is so large (about 4e307) that :math:`\\ln Z/N \\approx 2K` overflows.

    Examples
    --------
    >>> f = onsager_log_z_per_site(0.3)
    >>> abs(f - kaufman_partition_function((256, 256), 0.3, log=True) / 256**2) < 1e-10
    True
    """
    K = check_real("K", K, low=0.0)
    n_grid = check_int("n_grid", n_grid, 8)
    check_budget("n_grid", 3 * 8 * n_grid**2, MAX_BYTES)
    theta = 2 * np.pi * (np.arange(n_grid) + 0.5) / n_grid
    c = np.cos(theta)
    s = c[:, None] + c[None, :]
    if K == 0:
        return math.log(2.0)
    # ln[cosh^2 2K - sinh 2K (c1 + c2)] = ln sinh 2K + ln(A - c1 - c2), A = cosh^2/sinh
    log_a = _log_cosh2_over_sinh(2 * K)
    if log_a < 700:
        log_arg = np.log(math.exp(log_a) - s)
    else:
        log_arg = log_a + np.log1p(-s * math.exp(-log_a))
    out = math.log(2.0) + 0.5 * (_log_sinh(2 * K) + float(np.mean(log_arg)))
    return float(check_finite_result(out, "K"))


# --- Monte Carlo ---------------------------------------------------------------------------


def _neighbour_index(shape: tuple[int, ...]) -> list[IntArray]:
    idx = np.arange(math.prod(shape)).reshape(shape)
    return [np.roll(idx, -1, axis=ax).ravel() for ax in range(len(shape))]


def swendsen_wang(
    shape: int | Sequence[int],
    K: float,
    n_samples: int,
    rng: np.random.Generator,
    *,
    n_burn: int = 50,
    thin: int = 1,
    init: ArrayLike | None = None,
    n_chains: int | None = None,
) -> SpinArray:
    """Samples of the zero-field Ising model by Swendsen–Wang cluster updates.

    One sweep: every satisfied bond (equal neighbours) is frozen with probability
    :math:`1 - e^{-2K}`; the clusters of frozen bonds are found at once by
    :func:`scipy.sparse.csgraph.connected_components`, and each cluster takes a fresh random
    sign.  This leaves :math:`e^{-H}` invariant and, unlike single-spin flips, barely slows
    down at :math:`K_c`.  Fully vectorised: no Python loop over sites or clusters.

    Parameters
    ----------
    shape : int or tuple of int
        Periodic lattice ``(L,)`` or ``(L1, L2)``.
    K : float
        Coupling, ``K >= 0`` (ferromagnetic).
    n_samples : int
        Number of configurations returned.
    rng : numpy.random.Generator
        Source of randomness.
    n_burn : int, optional
        Sweeps discarded first.
    thin : int, optional
        Sweeps between stored samples.
    init : array_like, optional
        Starting configuration (default: random); with ``n_chains``, shape
        ``(n_chains, *shape)``.
    n_chains : int, optional
        Run this many independent chains at once (one block-diagonal bond graph, so one
        call of ``connected_components`` per sweep serves all of them).

    Returns
    -------
    numpy.ndarray of int8
        Shape ``(n_samples, *shape)``, or ``(n_chains, n_samples, *shape)``.

    Raises
    ------
    ValueError, TypeError
        For a malformed shape, ``K < 0``, counts out of range, or a request whose samples
        or sweeps exceed :data:`cheaplib.validation.MAX_BYTES` /
        :data:`cheaplib.validation.MAX_OPERATIONS`.

    Examples
    --------
    >>> s = swendsen_wang((8, 8), 0.3, 4, np.random.default_rng(0), n_burn=5)
    >>> s.shape, s.dtype
    ((4, 8, 8), dtype('int8'))
    """
    shape = _shape(shape)
    K = check_real("K", K, low=0.0)
    rng = _check_rng(rng)
    n_samples = check_int("n_samples", n_samples, 1)
    n_burn = check_int("n_burn", n_burn, 0)
    thin = check_int("thin", thin, 1)
    chains = 1 if n_chains is None else check_int("n_chains", n_chains, 1)
    n_one = math.prod(shape)
    n = chains * n_one
    total = n_burn + n_samples * thin
    check_budget("n_samples", n_samples * n, MAX_BYTES)
    check_budget(
        "n_burn, n_samples, thin", total * n * len(shape), MAX_OPERATIONS, unit="operations"
    )
    if init is None:
        s = rng.choice(np.array([-1, 1], dtype=np.int8), size=n)
    else:
        want = shape if n_chains is None else (chains, *shape)
        s = _spins(init, len(shape), "init")
        if s.shape != want:
            raise ValueError(f"init must have shape {want}, got {s.shape}")
        s = s.ravel().copy()
    offsets = np.repeat(np.arange(chains) * n_one, n_one)
    nbrs = [np.tile(nb, chains) + offsets for nb in _neighbour_index(shape)]
    rows = np.concatenate([np.arange(n)] * len(nbrs))
    cols = np.concatenate(nbrs)
    p_freeze = -math.expm1(-2.0 * K)
    out = np.empty((n_samples, n), dtype=np.int8)
    for sweep in range(total):  # sweeps are sequential by nature; each is vectorised
        frozen = (s[rows] == s[cols]) & (rng.random(rows.size) < p_freeze)
        graph = sp.coo_matrix(
            (np.ones(int(frozen.sum()), dtype=np.int8), (rows[frozen], cols[frozen])),
            shape=(n, n),
        )
        n_clusters, labels = connected_components(graph, directed=False)
        s = rng.choice(np.array([-1, 1], dtype=np.int8), size=n_clusters)[labels]
        done = sweep - n_burn
        if done >= 0 and (done + 1) % thin == 0:
            out[done // thin] = s
    if n_chains is None:
        return out.reshape(n_samples, *shape)
    return np.moveaxis(out.reshape(n_samples, chains, *shape), 1, 0)


def nn_correlation(spins: ArrayLike, ndim: int = 2) -> FloatArray | float:
    """Mean nearest-neighbour correlation :math:`\\langle s_r s_{r+e_\\mu}\\rangle` per state."""
    ndim = check_int("ndim", ndim, 1, 2)
    s = _spins(spins, ndim)
    lattice = s.shape[s.ndim - ndim :]
    out = bond_sum(s, ndim) / (ndim * math.prod(lattice))
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=float)


# --- block spins ---------------------------------------------------------------------------


def majority_block_spins(
    spins: ArrayLike, b: int, rng: np.random.Generator | None = None
) -> IntArray:
    """Kadanoff block spins: each ``b x b`` block replaced by the sign of its sum.

    Parameters
    ----------
    spins : array_like of +1/-1
        Shape ``(..., L1, L2)`` with both sides divisible by ``b``.
    b : int
        Block side, ``b >= 1``.  For odd ``b`` there are no ties.
    rng : numpy.random.Generator, optional
        For even ``b``, ties are broken by a fair coin from ``rng``; without ``rng`` a tie
        takes the block's top-left spin (deterministic).

    Returns
    -------
    numpy.ndarray of int8, shape ``(..., L1 // b, L2 // b)``
        The block spins.
    """
    b = check_int("b", b, 1)
    s = _spins(spins, 2)
    L1, L2 = s.shape[-2:]
    if L1 % b or L2 % b:
        raise ValueError(f"spins: lattice {L1}x{L2} is not divisible into b x b = {b}x{b} blocks")
    lead = s.shape[:-2]
    blocks = s.reshape(*lead, L1 // b, b, L2 // b, b).astype(np.int64)
    total = blocks.sum(axis=(-3, -1))
    out = np.sign(total).astype(np.int8)
    ties = total == 0
    if np.any(ties):
        if rng is None:
            tie_value = blocks[..., :, 0, :, 0].astype(np.int8)
        else:
            tie_value = _check_rng(rng).choice(np.array([-1, 1], dtype=np.int8), size=out.shape)
        out = np.where(ties, tie_value, out)
    return out


def pseudolikelihood_couplings(
    samples: ArrayLike, *, nnn: bool = True, n_iter: int = 50
) -> FloatArray:
    """Couplings of an Ising model fitted to 2-D samples by maximum pseudolikelihood.

    The model is :math:`H = -K_1\\sum_{\\langle rr'\\rangle} s_r s_{r'} - K_2
    \\sum_{\\langle\\langle rr'\\rangle\\rangle} s_r s_{r'}` (nearest and diagonal
    next-nearest neighbours on the torus).  Each spin's conditional law given the rest is
    :math:`p(s_r|\\cdot) = e^{s_r u_r}/(2\\cosh u_r)` with :math:`u_r = K_1 f^{(1)}_r + K_2
    f^{(2)}_r` (sums of the neighbours' spins); the sum of their logarithms is concave in
    :math:`K` and is maximised by Newton's method.  Applied to block spins, this projects
    the renormalised Hamiltonian onto the two couplings.

    Parameters
    ----------
    samples : array_like of +1/-1, shape ``(n_samples, L1, L2)``
        Configurations (sides ``>= 3``).
    nnn : bool, optional
        Fit the diagonal coupling :math:`K_2` too (else only :math:`K_1`).
    n_iter : int, optional
        Maximum Newton iterations (``>= 1``); a fit that has not converged by then
        raises a :class:`RuntimeWarning` naming ``n_iter``.

    Returns
    -------
    numpy.ndarray
        ``[K1, K2]`` (or ``[K1]``).

    Raises
    ------
    ValueError
        For malformed samples, or samples that are all aligned (the fit diverges).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> S = swendsen_wang((32, 32), 0.3, 40, rng, n_burn=10)
    >>> k1 = pseudolikelihood_couplings(S, nnn=False)[0]
    >>> bool(abs(k1 / 0.3 - 1) < 0.03)
    True
    """
    n_iter = check_int("n_iter", n_iter, 1)
    if not isinstance(nnn, bool | np.bool_):
        raise TypeError(f"nnn must be a bool, got {type(nnn).__name__}")
    s = _spins(samples, 2, "samples")
    if s.ndim != 3 or min(s.shape[1:]) < 3:
        raise ValueError(f"samples must have shape (n, L1, L2) with sides >= 3, got {s.shape}")
    x = s.astype(np.int8)

    def _shift(a: SpinArray, d1: int, d2: int) -> SpinArray:
        return np.roll(np.roll(a, d1, axis=1), d2, axis=2)

    f1 = _shift(x, 1, 0) + _shift(x, -1, 0) + _shift(x, 0, 1) + _shift(x, 0, -1)
    feats = [f1]
    if nnn:
        feats.append(_shift(x, 1, 1) + _shift(x, 1, -1) + _shift(x, -1, 1) + _shift(x, -1, -1))
    # The pseudolikelihood depends on each site only through g = s_r * f_r (ln cosh is
    # even), and each g lies in {-4, ..., 4}: reduce the sites to counts of the 9 or 81
    # possible values (a bincount), then fit on those.
    gs = [(x * f).ravel().astype(np.int64) + 4 for f in feats]
    if np.all(gs[0] == 8) or np.all(gs[0] == 0):
        raise ValueError("samples are perfectly (anti-)aligned: the couplings diverge")
    code = gs[0] if len(gs) == 1 else gs[0] + 9 * gs[1]
    counts = np.bincount(code, minlength=9 ** len(gs))
    present = np.nonzero(counts)[0]
    w = counts[present].astype(float)
    G = np.stack([present % 9 - 4, present // 9 - 4][: len(gs)], axis=1).astype(float)

    def objective(th: FloatArray) -> float:
        u = G @ th
        # sum over sites of ln p(s_r | rest) = g.K - ln(2 cosh g.K), written stably
        return float(w @ (u - np.logaddexp(u, -u)))

    def grad_hess(th: FloatArray) -> tuple[FloatArray, FloatArray]:
        t = np.tanh(G @ th)
        return G.T @ (w * (1.0 - t)), (G * (w * (1.0 - t**2))[:, None]).T @ G

    theta, ok = damped_newton(
        objective,
        grad_hess,
        np.zeros(G.shape[1]),
        max_iter=n_iter,
        converged=lambda th, step: bool(np.max(np.abs(step)) < 1e-12),
        ridge=1e-12,
    )
    if not ok:
        warnings.warn(
            f"pseudolikelihood fit did not converge in n_iter = {n_iter} Newton steps",
            RuntimeWarning,
            stacklevel=2,
        )
    return theta


def block_spin_flow(
    L: int,
    K: ArrayLike,
    rng: np.random.Generator,
    *,
    b: int = 3,
    n_levels: int = 2,
    n_chains: int = 8,
    n_samples: int = 40,
    n_burn: int = 20,
    return_samples: bool = False,
) -> FloatArray | tuple[FloatArray, SpinArray]:
    """The projected majority-rule flow :math:`K \\to K^{(1)} \\to K^{(2)} \\dots` of a 2-D torus.

    For each coupling in ``K``, ``n_chains`` independent Swendsen–Wang chains on an
    ``L x L`` torus (all run at once, :func:`swendsen_wang` with ``n_chains``) give
    ``n_samples`` configurations each; they are blocked ``n_levels`` times with
    :func:`majority_block_spins` (``b x b`` blocks) and, at every level, projected on a
    nearest-neighbour coupling by :func:`pseudolikelihood_couplings`.  Chains are fitted
    separately, so the spread over chains is the statistical error of one chain.

    Parameters
    ----------
    L : int
        Lattice side, divisible by ``b**n_levels`` with a coarsest side ``>= 3``.
    K : array_like
        Couplings of the samples (``>= 0``), 1-D.
    rng : numpy.random.Generator
        Source of randomness (one stream for all chains).
    b, n_levels, n_chains, n_samples, n_burn : int, optional
        Block side, number of blockings, chains, samples per chain, burn-in sweeps.
    return_samples : bool, optional
        Also return the unblocked samples, shape ``(len(K), n_chains, n_samples, L, L)``.

    Returns
    -------
    numpy.ndarray, shape ``(n_chains, len(K), n_levels + 1)``
        Fitted couplings; ``[..., 0]`` is the fit to the unblocked samples.  With
        ``return_samples``, the pair ``(flow, samples)``.

    Examples
    --------
    >>> flow = block_spin_flow(27, [0.3], np.random.default_rng(0), n_chains=2,
    ...                        n_samples=10, n_levels=1)
    >>> flow.shape
    (2, 1, 2)
    """
    L = check_int("L", L, 3)
    b = check_int("b", b, 2)
    n_levels = check_int("n_levels", n_levels, 0, L.bit_length())  # b**n_levels <= L
    n_chains = check_int("n_chains", n_chains, 1)
    ks = _reals("K", K, ndim=1)
    if np.any(ks < 0):
        raise ValueError("K must be >= 0 (ferromagnet)")
    coarsest = L // b**n_levels
    if L % b**n_levels or coarsest < 3:
        raise ValueError(
            f"L = {L} must be divisible by b**n_levels = {b**n_levels} with a coarsest side >= 3"
        )
    if not isinstance(return_samples, bool | np.bool_):
        raise TypeError("return_samples must be a bool")
    n_samples = check_int("n_samples", n_samples, 1)
    check_budget("n_samples", float(ks.size) * n_chains * n_samples * L * L, MAX_BYTES)
    out = np.empty((n_chains, ks.size, n_levels + 1))
    kept = np.empty((ks.size, n_chains, n_samples, L, L), dtype=np.int8) if return_samples else None
    for j, k in enumerate(ks):  # one vectorised multi-chain run per coupling
        S = swendsen_wang((L, L), float(k), n_samples, rng, n_burn=n_burn, n_chains=n_chains)
        if kept is not None:
            kept[j] = S
        for level in range(n_levels + 1):
            for c in range(n_chains):
                out[c, j, level] = pseudolikelihood_couplings(S[c], nnn=False)[0]
            if level < n_levels:
                S = majority_block_spins(S, b)  # type: ignore[assignment]
    return out if kept is None else (out, kept)
