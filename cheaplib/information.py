"""Information theory of hierarchical generative processes (Sections III A-D).

A generative hierarchy :math:`y_0 \\to y_1 \\to \\dots \\to y_n` is a Markov chain: the
distribution of level :math:`i` is a probability vector :math:`\\mathbf p_i` and each step a
column-stochastic matrix, :math:`(\\mathbf M_i)_{ab} = p(y_i = a | y_{i-1} = b)`, so that
:math:`\\mathbf p_i = \\mathbf M_i \\mathbf p_{i-1}` (eq. 15) and
:math:`\\mathbf p_n = \\mathbf M_n \\cdots \\mathbf M_1 \\mathbf p_0` (eq. 16).

Joint distributions are 2-D arrays ``joint[y, x]`` of probabilities summing to one, rows
the quantity to infer (:math:`y`), columns the observation (:math:`x`).  Provided here:

* :func:`entropy`, :func:`mutual_information` (eq. 22), :func:`kl_divergence`;
* the chain: :func:`markov_chain`, :func:`transfer_matrix`, :func:`chain_joint`,
  :func:`path_joint` (every level at once, small chains only), :func:`backward_markov_gap`
  (eq. 17) and :func:`sample_chain`;
* sufficient statistics (Theorem 2, Corollary 2, eqs. 18-20): :func:`posterior`,
  :func:`minimal_sufficient_statistic`, :func:`statistic_joint`, :func:`is_sufficient`,
  :func:`induced_map` (the maps :math:`f_i` with :math:`T_i = f_i \\circ T_{i+1}`);
* approximate distillation (Sec. III D): :func:`distillation_curve` (greedy agglomerative
  merging) and :func:`optimal_binary_distillation` (the exact optimum for a binary target);
* :func:`compressed_bits` and :func:`compression_ratio` (``zlib``/``lzma``), for the
  random-versus-generated argument of Sec. III B;
* :func:`animal_hierarchy`, the chapter's toy version of the right panel of Fig. 3: a
  cat-or-dog bit, its traits, a drawing on a ring of pixels, a random placement and
  pixel noise.

Logarithms are base 2 by default (bits).  Labels of a statistic are integer arrays over the
columns :math:`x`; ``-1`` marks observations of probability zero, which no statistic needs
to classify.
"""

from __future__ import annotations

import lzma
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from cheaplib.validation import check_rng as _check_rng

__all__ = [
    "DistillationCurve",
    "Hierarchy",
    "animal_hierarchy",
    "animal_templates",
    "backward_markov_gap",
    "chain_joint",
    "compressed_bits",
    "compression_ratio",
    "distillation_curve",
    "entropy",
    "induced_map",
    "is_sufficient",
    "joints_to",
    "kl_divergence",
    "markov_chain",
    "minimal_sufficient_statistic",
    "mutual_information",
    "optimal_binary_distillation",
    "path_joint",
    "posterior",
    "sample_chain",
    "statistic_joint",
    "transfer_matrix",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

SUM_TOL = 1e-9
"""Allowed deviation of a total probability (or a column sum of a Markov matrix) from 1."""

MAX_JOINT = 2**24
"""Largest number of entries of a multi-level joint distribution built in memory."""


# --- validation helpers ------------------------------------------------------------------


def _array(name: str, value: ArrayLike, ndim: int | None = None) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    return arr


def _distribution(name: str, value: ArrayLike, ndim: int | None = None) -> FloatArray:
    arr = _array(name, value, ndim)
    if arr.min() < 0:
        raise ValueError(f"{name} has a negative entry ({arr.min():.3g})")
    total = arr.sum()
    if abs(total - 1.0) > SUM_TOL:
        raise ValueError(f"{name} must sum to 1, sums to {total:.12g}")
    return arr


def _base(base: float) -> float:
    if not np.isfinite(base) or base <= 0 or base == 1:
        raise ValueError(f"base must be positive and not 1, got {base!r}")
    return float(base)


def _stochastic(name: str, value: ArrayLike, n_in: int | None = None) -> FloatArray:
    mat = _array(name, value, 2)
    if mat.min() < 0:
        raise ValueError(f"{name} has a negative entry ({mat.min():.3g})")
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


def _chain(p0: ArrayLike, matrices: Sequence[ArrayLike]) -> tuple[FloatArray, list[FloatArray]]:
    p = _distribution("p0", p0, 1)
    if isinstance(matrices, np.ndarray) and matrices.ndim == 2:
        raise TypeError("matrices must be a sequence of 2-D arrays, not one array")
    mats: list[FloatArray] = []
    n_in = p.size
    for i, m in enumerate(matrices, start=1):
        mat = _stochastic(f"M_{i}", m, n_in)
        mats.append(mat)
        n_in = mat.shape[0]
    return p, mats


def _level(name: str, value: object, n: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if not 0 <= value <= n:
        raise ValueError(f"{name} must be a level in [0, {n}], got {value}")
    return int(value)


def _labels(name: str, labels: ArrayLike, m: int) -> IntArray:
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.size != m:
        raise ValueError(f"{name} must be 1-D with one label per column ({m}), got {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.min() < -1:
        raise ValueError(f"{name} holds a label below -1")
    return arr.astype(np.int64)


def _xlogx_ratio(p: FloatArray, q: FloatArray) -> FloatArray:
    """Elementwise p log(p/q) in nats with 0 log 0 = 0 (q > 0 wherever p > 0)."""
    out = np.zeros(np.broadcast_shapes(p.shape, q.shape))
    p_b, q_b = np.broadcast_arrays(p, q)
    pos = p_b > 0
    out[pos] = p_b[pos] * np.log(p_b[pos] / q_b[pos])
    return out


# --- entropy, mutual information, divergence (eq. 22) ---------------------------------------


def entropy(p: ArrayLike, base: float = 2) -> float:
    """Shannon entropy :math:`H = -\\sum p \\log p` of a distribution.

    Parameters
    ----------
    p : array_like
        Probabilities of any shape (a joint distribution gives the joint entropy), non-negative
        and summing to 1 (within :data:`SUM_TOL`).
    base : float, optional
        Base of the logarithm, by default 2 (bits).

    Returns
    -------
    float
        The entropy, with :math:`0 \\log 0 = 0`.

    Raises
    ------
    ValueError
        If ``p`` has a negative entry, does not sum to 1, or ``base`` is invalid.
    """
    arr = _distribution("p", p)
    b = _base(base)
    pos = arr[arr > 0]
    return float(max(0.0, -(pos * np.log(pos)).sum() / np.log(b)))


def mutual_information(joint: ArrayLike, base: float = 2) -> float:
    """Mutual information of a joint distribution (eq. 22).

    .. math:: I(x, y) = \\sum_{x,y} p(x,y) \\log \\frac{p(x,y)}{p(x) p(y)}

    Parameters
    ----------
    joint : array_like
        2-D array ``joint[y, x]`` of probabilities summing to 1.
    base : float, optional
        Base of the logarithm, by default 2 (bits).

    Returns
    -------
    float
        :math:`I \\ge 0`; round-off below zero is clipped to 0.

    Raises
    ------
    ValueError
        If ``joint`` is not 2-D, has a negative entry or does not sum to 1.
    """
    pj = _distribution("joint", joint, 2)
    b = _base(base)
    outer = pj.sum(axis=1, keepdims=True) * pj.sum(axis=0, keepdims=True)
    return float(max(0.0, _xlogx_ratio(pj, outer).sum() / np.log(b)))


def kl_divergence(p: ArrayLike, q: ArrayLike, base: float = 2) -> float:
    """Kullback-Leibler divergence :math:`D(p\\|q) = \\sum p \\log(p/q)`.

    In the dictionary of Table I this is the free-energy difference.

    Parameters
    ----------
    p, q : array_like
        Distributions of the same shape.
    base : float, optional
        Base of the logarithm, by default 2.

    Returns
    -------
    float
        :math:`D \\ge 0`; ``inf`` if ``q`` vanishes somewhere ``p`` does not.

    Raises
    ------
    ValueError
        If the shapes differ or either argument is not a distribution.
    """
    pa, qa = _distribution("p", p), _distribution("q", q)
    if pa.shape != qa.shape:
        raise ValueError(f"p and q have different shapes: {pa.shape} and {qa.shape}")
    b = _base(base)
    if np.any((pa > 0) & (qa == 0)):
        return float("inf")
    return float(max(0.0, _xlogx_ratio(pa, qa).sum() / np.log(b)))


# --- the Markov chain (eqs. 15-17) ----------------------------------------------------------


def markov_chain(p0: ArrayLike, matrices: Sequence[ArrayLike]) -> list[FloatArray]:
    """Marginals of every level of a hierarchy, :math:`\\mathbf p_i = \\mathbf M_i\\mathbf p_{i-1}`.

    Eq. (15) of the preprint prints this relation without its equals sign; iterating it gives
    eq. (16), :math:`\\mathbf p_n = \\mathbf M_n\\cdots\\mathbf M_1\\mathbf p_0`.

    Parameters
    ----------
    p0 : array_like
        Distribution of the top level :math:`y_0`.
    matrices : sequence of array_like
        Column-stochastic matrices :math:`\\mathbf M_1, \\dots, \\mathbf M_n`;
        ``M_i[a, b] = p(y_i = a | y_(i-1) = b)``, so ``M_i`` has as many columns as level
        ``i - 1`` has states.

    Returns
    -------
    list of numpy.ndarray
        ``[p_0, p_1, ..., p_n]``.

    Raises
    ------
    ValueError
        If ``p0`` is not a distribution, a matrix has a negative entry or a column not
        summing to 1, or the shapes do not chain.
    """
    p, mats = _chain(p0, matrices)
    out = [p]
    for mat in mats:
        out.append(mat @ out[-1])
    return out


def transfer_matrix(matrices: Sequence[ArrayLike], i: int, j: int) -> FloatArray:
    """Transition matrix from level ``i`` to level ``j >= i``: :math:`M_j \\cdots M_{i+1}`.

    Its entry ``[a, b]`` is :math:`p(y_j = a | y_i = b)`; for ``i == j`` it is the identity.

    Raises
    ------
    ValueError
        If the levels are out of order or out of range, or a matrix is not stochastic.
    """
    mats = [_stochastic(f"M_{k}", m) for k, m in enumerate(matrices, start=1)]
    n = len(mats)
    i, j = _level("i", i, n), _level("j", j, n)
    if j < i:
        raise ValueError(f"transfer_matrix needs i <= j, got i = {i}, j = {j}")
    for k in range(max(i, 1), j):
        if mats[k].shape[1] != mats[k - 1].shape[0]:
            raise ValueError(f"M_{k + 1} does not chain with M_{k}")
    if i == j:
        size = mats[i - 1].shape[0] if i > 0 else mats[0].shape[1] if mats else 0
        return np.eye(size)
    out = mats[i]
    for k in range(i + 1, j):
        out = mats[k] @ out
    return out


def chain_joint(p0: ArrayLike, matrices: Sequence[ArrayLike], i: int, j: int) -> FloatArray:
    """Joint distribution :math:`p(y_i, y_j)` of two levels of the hierarchy.

    Parameters
    ----------
    p0, matrices
        The chain, as in :func:`markov_chain`.
    i, j : int
        Levels in ``[0, n]`` (any order; ``i == j`` gives the diagonal matrix of
        :math:`\\mathbf p_i`).

    Returns
    -------
    numpy.ndarray
        ``joint[a, b] = p(y_i = a, y_j = b)``: rows level ``i``, columns level ``j``.  With
        ``i = 0`` and ``j = n`` this is the ``joint[y, x]`` of the inference problem.
    """
    p, mats = _chain(p0, matrices)
    n = len(mats)
    i, j = _level("i", i, n), _level("j", j, n)
    if j < i:
        return chain_joint(p, mats, j, i).T
    marg = markov_chain(p, mats)[i]
    return marg[:, None] * transfer_matrix(mats, i, j).T


def _matmul(a: FloatArray, b: FloatArray) -> FloatArray:
    """``a @ b``, through scipy.sparse when ``b`` is mostly zeros (shifts, drawings)."""
    if b.size >= 4096 and np.count_nonzero(b) < 0.1 * b.size:
        return np.asarray((sp.csc_array(b).T @ a.T).T)
    return a @ b


def joints_to(p0: ArrayLike, matrices: Sequence[ArrayLike], j: int) -> list[FloatArray]:
    """Joint distributions :math:`p(y_i, y_j)` of every level ``i = 0..j`` with level ``j``.

    Equivalent to ``[chain_joint(p0, matrices, i, j) for i in range(j + 1)]`` but shares the
    products: the transfer matrices :math:`M_j \\cdots M_{i+1}` are accumulated from level
    ``j`` downwards, so each matrix product is formed once.

    Returns
    -------
    list of numpy.ndarray
        Element ``i`` has rows level ``i`` and columns level ``j``.
    """
    p, mats = _chain(p0, matrices)
    j = _level("j", j, len(mats))
    margs = markov_chain(p, mats)
    out = [np.diag(margs[j])]
    transfer = None
    for i in range(j - 1, -1, -1):
        transfer = mats[i] if transfer is None else _matmul(transfer, mats[i])
        out.append(margs[i][:, None] * transfer.T)
    return out[::-1]


def path_joint(
    p0: ArrayLike, matrices: Sequence[ArrayLike], levels: Sequence[int] | None = None
) -> tuple[FloatArray, list[IntArray]]:
    """Joint distribution of several levels by explicit summation over every path.

    This is the brute-force counterpart of :func:`chain_joint`: it forms the probability
    :math:`p_0(y_0) \\prod_i M_i(y_i|y_{i-1})` of every path through the *supports* of the
    levels (states of probability zero are dropped), one array axis per level, and sums out
    the levels not kept.

    Parameters
    ----------
    p0, matrices
        The chain.
    levels : sequence of int, optional
        Levels to keep, increasing; by default all.

    Returns
    -------
    (numpy.ndarray, list of numpy.ndarray)
        The joint over the kept levels (one axis per level, restricted to its support) and,
        for each kept level, the state indices of that axis.

    Raises
    ------
    ValueError
        If the array of all paths (the product of the support sizes) would exceed
        :data:`MAX_JOINT` entries.
    """
    p, mats = _chain(p0, matrices)
    n = len(mats)
    keep = list(range(n + 1)) if levels is None else [_level("level", k, n) for k in levels]
    if not keep or sorted(set(keep)) != keep:
        raise ValueError("levels must be increasing and distinct")
    supports = [np.flatnonzero(m > 0) for m in markov_chain(p, mats)]
    entries = int(np.prod([float(s.size) for s in supports]))
    if entries > MAX_JOINT:
        raise ValueError(f"the path joint has {entries:,} entries (limit {MAX_JOINT:,})")
    full = p[supports[0]]  # one axis per level so far: full[y_0, ..., y_k] = path probability
    for k in range(1, n + 1):
        step = mats[k - 1][np.ix_(supports[k], supports[k - 1])]  # p(y_k | y_(k-1))
        full = full[..., None] * step.T
    drop = tuple(k for k in range(n + 1) if k not in keep)
    return full.sum(axis=drop), [supports[k] for k in keep]


def backward_markov_gap(p0: ArrayLike, matrices: Sequence[ArrayLike], i: int, k: int) -> float:
    """Largest violation of backward Markovity (eq. 17) for levels ``i``, ``i+1``, ``i+k``.

    Computes :math:`\\max |P(y_i | y_{i+1}, y_{i+k}) - P(y_i | y_{i+1})|` over every pair
    :math:`(y_{i+1}, y_{i+k})` of positive probability, from the three-level joint.  For a
    Markov chain the result is zero up to round-off.

    Parameters
    ----------
    p0, matrices
        The chain.
    i : int
        Level to infer, ``0 <= i``.
    k : int
        Distance of the far level, ``1 <= k`` and ``i + k <= n``.

    Returns
    -------
    float
        The largest absolute difference of the two conditionals.

    Raises
    ------
    ValueError
        If the levels are out of range or the joint on the supports would exceed
        :data:`MAX_JOINT` entries.
    """
    p, mats = _chain(p0, matrices)
    n = len(mats)
    i = _level("i", i, n)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n - i:
        raise ValueError(f"k must be an integer in [1, {n - i}] for i = {i}, got {k!r}")
    margs = markov_chain(p, mats)
    sa, sb, sc = (np.flatnonzero(margs[lev] > 0) for lev in (i, i + 1, i + k))
    if sa.size * sb.size * sc.size > MAX_JOINT:
        raise ValueError(
            f"the three-level joint has {sa.size * sb.size * sc.size:,} entries "
            f"(limit {MAX_JOINT:,})"
        )
    step = mats[i][np.ix_(sb, sa)]  # p(y_{i+1} | y_i)
    far = transfer_matrix(mats, i + 1, i + k)[np.ix_(sc, sb)]  # p(y_{i+k} | y_{i+1})
    joint3 = margs[i][sa][:, None, None] * step.T[:, :, None] * far.T[None, :, :]
    pbc = joint3.sum(axis=0)
    pb = joint3.sum(axis=(0, 2))
    cond_bc = joint3 / np.where(pbc > 0, pbc, 1.0)
    cond_b = joint3.sum(axis=2) / pb
    diff = np.abs(cond_bc - cond_b[:, :, None])
    return float(np.max(np.where(pbc[None] > 0, diff, 0.0)))


def sample_chain(
    p0: ArrayLike, matrices: Sequence[ArrayLike], size: int, rng: np.random.Generator
) -> IntArray:
    """Draw ``size`` independent runs of the generative process.

    Parameters
    ----------
    p0, matrices
        The chain.
    size : int
        Number of runs, ``1 <= size <= 10**7``.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(size, n + 1)``: the state of every level in each run.
    """
    p, mats = _chain(p0, matrices)
    rng = _check_rng(rng)
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or not 1 <= size <= 10**7:
        raise ValueError(f"size must be an integer in [1, 10**7], got {size!r}")
    out = np.empty((int(size), len(mats) + 1), dtype=np.int64)
    cdf = np.cumsum(p)
    out[:, 0] = np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), p.size - 1)
    for lev, mat in enumerate(mats, start=1):
        cdfs = np.cumsum(mat, axis=0)
        u = rng.random(size)
        prev = out[:, lev - 1]
        col = np.empty(size, dtype=np.int64)
        for state in np.unique(prev):  # loop over parent states, not over samples
            idx = np.flatnonzero(prev == state)
            col[idx] = np.searchsorted(cdfs[:, state], u[idx], side="right")
        out[:, lev] = np.minimum(col, mat.shape[0] - 1)
    return out


# --- sufficient statistics (Theorem 2, Corollary 2, eqs. 18-20) -------------------------------


def posterior(joint: ArrayLike) -> FloatArray:
    """Conditional distribution :math:`p(y|x)` of the rows given each column.

    Parameters
    ----------
    joint : array_like
        2-D ``joint[y, x]`` summing to 1.

    Returns
    -------
    numpy.ndarray
        Same shape; column ``x`` is :math:`p(\\cdot|x)`.  Columns of an impossible
        observation (:math:`p(x) = 0`) are all zero.
    """
    pj = _distribution("joint", joint, 2)
    px = pj.sum(axis=0)
    return pj / np.where(px > 0, px, 1.0)


def _renumber(labels: IntArray) -> IntArray:
    """Labels 0, 1, ... in order of first appearance; -1 stays -1."""
    out = np.full(labels.shape, -1, dtype=np.int64)
    ok = labels >= 0
    if not ok.any():
        return out
    uniq, first, inv = np.unique(labels[ok], return_index=True, return_inverse=True)
    rank = np.empty(uniq.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(uniq.size)
    out[ok] = rank[inv]
    return out


def minimal_sufficient_statistic(joint: ArrayLike, atol: float = 1e-9) -> IntArray:
    """The minimal sufficient statistic of :math:`p(y|x)`: group observations by posterior.

    A statistic :math:`T(x)` is sufficient when :math:`p(y|x) = p(y|T(x))` (Sec. III C); the
    coarsest such partition of the observations puts two values of :math:`x` together exactly
    when their posteriors coincide, and every other sufficient statistic refines it
    (:math:`T_* = f(T)`).

    Parameters
    ----------
    joint : array_like
        2-D ``joint[y, x]`` summing to 1.
    atol : float, optional
        Two posteriors are equal when every entry differs by at most ``atol`` (after sorting,
        neighbours closer than ``atol`` are chained), by default ``1e-9``.

    Returns
    -------
    numpy.ndarray
        Integer labels, one per column: ``0, 1, ...`` in order of first appearance; ``-1``
        for columns of probability zero (their posterior is undefined).

    Raises
    ------
    ValueError
        If ``joint`` is not a 2-D distribution or ``atol`` is not in ``[0, 0.5)``.
    """
    if not 0 <= atol < 0.5:
        raise ValueError(f"atol must lie in [0, 0.5), got {atol!r}")
    pj = _distribution("joint", joint, 2)
    cond = posterior(pj)
    cols = np.flatnonzero(pj.sum(axis=0) > 0)
    rows = np.flatnonzero(pj.sum(axis=1) > 0)
    sub = cond[np.ix_(rows, cols)]
    lab = np.zeros(cols.size, dtype=np.int64)
    for r in range(sub.shape[0] - 1):  # the last row is fixed by normalisation
        vals = sub[r]
        order = np.lexsort((vals, lab))
        v, g = vals[order], lab[order]
        start = np.ones(order.size, dtype=bool)
        start[1:] = (g[1:] != g[:-1]) | (np.diff(v) > atol)
        lab[order] = np.cumsum(start) - 1
    labels = np.full(pj.shape[1], -1, dtype=np.int64)
    labels[cols] = lab
    return _renumber(labels)


def statistic_joint(joint: ArrayLike, labels: ArrayLike) -> FloatArray:
    """Joint distribution :math:`p(y, T)` of the target and a statistic :math:`T(x)`.

    Parameters
    ----------
    joint : array_like
        2-D ``joint[y, x]``.
    labels : array_like of int
        The statistic, one label per column; ``-1`` only on columns of probability zero.

    Returns
    -------
    numpy.ndarray
        ``out[y, t] = sum over x with T(x) = t of joint[y, x]``, one column per label
        ``0..max``.

    Raises
    ------
    ValueError
        If the labels do not match the columns or ``-1`` marks a possible observation.
    """
    pj = _distribution("joint", joint, 2)
    lab = _labels("labels", labels, pj.shape[1])
    if np.any(pj[:, lab < 0] > 0):
        raise ValueError("label -1 is reserved for observations of probability zero")
    k = int(lab.max()) + 1
    if k == 0:
        raise ValueError("labels has no non-negative label")
    ok = lab >= 0
    out = np.zeros((pj.shape[0], k))
    np.add.at(out.T, lab[ok], pj[:, ok].T)
    return out


def is_sufficient(joint: ArrayLike, labels: ArrayLike, atol: float = 1e-9) -> bool:
    """Whether a statistic satisfies :math:`p(y|x) = p(y|T(x))` for every possible ``x``.

    Parameters
    ----------
    joint : array_like
        2-D ``joint[y, x]``.
    labels : array_like of int
        The statistic (see :func:`statistic_joint`).
    atol : float, optional
        Tolerance on each posterior entry, by default ``1e-9``.
    """
    pj = _distribution("joint", joint, 2)
    lab = _labels("labels", labels, pj.shape[1])
    cond_t = posterior(statistic_joint(pj, lab))
    ok = pj.sum(axis=0) > 0
    return bool(np.all(np.abs(posterior(pj)[:, ok] - cond_t[:, lab[ok]]) <= atol))


def induced_map(fine: ArrayLike, coarse: ArrayLike) -> IntArray:
    """The function :math:`f` with ``coarse = f(fine)``, if there is one (Theorem 2).

    Given two statistics of the same observations, ``coarse`` is a function of ``fine``
    when every label of ``fine`` meets a single label of ``coarse``.  Theorem 2 asserts this
    for consecutive minimal sufficient statistics, :math:`T_i = f_i \\circ T_{i+1}`.

    Parameters
    ----------
    fine, coarse : array_like of int
        Labels over the same columns (``-1`` = impossible observation, ignored).

    Returns
    -------
    numpy.ndarray
        ``f`` with ``f[t] = coarse label of every x with fine label t``; ``f[t] = -1`` for a
        fine label that never occurs.

    Raises
    ------
    ValueError
        If the lengths differ, the ``-1`` marks disagree, or some fine label meets two
        coarse labels (``coarse`` is not a function of ``fine``).
    """
    f_lab = np.asarray(fine)
    c_lab = np.asarray(coarse)
    if f_lab.ndim != 1 or c_lab.shape != f_lab.shape:
        raise ValueError(
            f"fine and coarse must be 1-D of equal length: {f_lab.shape}, {c_lab.shape}"
        )
    f_lab = _labels("fine", f_lab, f_lab.size)
    c_lab = _labels("coarse", c_lab, f_lab.size)
    if np.any((f_lab < 0) != (c_lab < 0)):
        raise ValueError("fine and coarse disagree on which observations are impossible")
    ok = f_lab >= 0
    out = np.full(int(f_lab.max()) + 1 if ok.any() else 0, -1, dtype=np.int64)
    out[f_lab[ok]] = c_lab[ok]
    clash = out[f_lab[ok]] != c_lab[ok]
    if clash.any():
        t = int(f_lab[ok][np.argmax(clash)])
        raise ValueError(
            f"coarse is not a function of fine: fine label {t} meets coarse labels "
            f"{sorted(set(c_lab[ok][f_lab[ok] == t].tolist()))}"
        )
    return out


# --- approximate distillation (Sec. III D) ---------------------------------------------------


class DistillationCurve(NamedTuple):
    """Information kept by ever coarser statistics.

    Attributes
    ----------
    sizes : numpy.ndarray
        Number of values of each statistic, decreasing to 1.
    information : numpy.ndarray
        :math:`I(y; T)` in bits for each size.
    labels : numpy.ndarray
        One row per size: the statistic's labels over the original columns.
    """

    sizes: IntArray
    information: FloatArray
    labels: IntArray


def _merge_losses(cols: FloatArray, a: int, alive: NDArray[np.bool_]) -> FloatArray:
    """Information (nats) lost by merging column ``a`` with every column (inf where dead)."""
    wa = cols[:, a].sum()
    w = cols.sum(axis=0)
    merged = cols + cols[:, [a]]
    wm = wa + w
    loss = (
        _xlogx_ratio(cols[:, [a]], np.full((cols.shape[0], 1), wa)).sum()
        + _xlogx_ratio(cols, w[None, :]).sum(axis=0)
        - _xlogx_ratio(merged, wm[None, :]).sum(axis=0)
    )
    loss = np.maximum(loss, 0.0)
    loss[~alive] = np.inf
    loss[a] = np.inf
    return loss


def distillation_curve(joint: ArrayLike, start: ArrayLike | None = None) -> DistillationCurve:
    """Greedy agglomerative distillation: merge the two cheapest values, step by step.

    Starting from a statistic (by default the minimal sufficient one, which keeps all of
    :math:`I(y;x)`), repeatedly merge the two values whose merger loses the least
    information, :math:`\\Delta I = (w_a+w_b)\\,\\mathrm{JS}_{\\pi}(p(y|a), p(y|b))`, down to a
    single value (the agglomerative information bottleneck of Slonim and Tishby).  Each
    step is a cheaper, non-sufficient statistic; eq. (21) guarantees the information only
    falls.

    Parameters
    ----------
    joint : array_like
        2-D ``joint[y, x]``.
    start : array_like of int, optional
        Initial statistic (labels over the columns); default
        :func:`minimal_sufficient_statistic`.

    Returns
    -------
    DistillationCurve
        Sizes ``k, k-1, ..., 1``, the information in bits, the labels at every size.

    Raises
    ------
    ValueError
        If the start statistic has more than 2048 values.
    """
    pj = _distribution("joint", joint, 2)
    lab = (
        minimal_sufficient_statistic(pj) if start is None else _labels("start", start, pj.shape[1])
    )
    cols = statistic_joint(pj, lab)
    k = cols.shape[1]
    if k > 2048:
        raise ValueError(f"too many starting values for greedy merging ({k} > 2048)")
    alive = np.ones(k, dtype=bool)
    owner = np.arange(k)  # current cluster of each starting value
    loss = np.full((k, k), np.inf)
    for a in range(k):
        loss[a] = _merge_losses(cols, a, alive)
    sizes, info, rows = (
        [k],
        [mutual_information(cols)],
        [_renumber(np.where(lab >= 0, owner[lab], -1))],
    )
    total = info[0]
    lost = 0.0
    for size in range(k - 1, 0, -1):
        flat = int(np.argmin(loss))
        a, b = divmod(flat, k)
        a, b = min(a, b), max(a, b)
        lost += float(loss[a, b]) / np.log(2)
        cols[:, a] += cols[:, b]
        cols[:, b] = 0.0
        alive[b] = False
        owner[owner == b] = a
        loss[b, :] = np.inf
        loss[:, b] = np.inf
        loss[a] = _merge_losses(cols, a, alive)
        loss[:, a] = loss[a]
        sizes.append(size)
        info.append(max(0.0, total - lost))
        rows.append(_renumber(np.where(lab >= 0, owner[lab], -1)))
    # recompute exactly at each size rather than trusting the accumulated losses
    exact = [mutual_information(statistic_joint(pj, r)) for r in rows]
    return DistillationCurve(np.array(sizes), np.array(exact), np.array(rows))


def optimal_binary_distillation(joint: ArrayLike, size: int) -> tuple[float, IntArray]:
    """The most informative statistic with at most ``size`` values, for a binary target.

    For two classes the best deterministic quantiser of :math:`x` groups observations into
    intervals of the posterior :math:`p(y_0 = 0|x)` (Burshtein, Della Pietra, Kanevsky and
    Nadas 1992; Kurkoski and Yagi 2014), so a dynamic programme over the sorted distinct
    posteriors finds the exact optimum of :math:`I(y;T)`.

    Parameters
    ----------
    joint : array_like
        ``joint[y, x]`` with exactly two rows.
    size : int
        Maximum number of values of the statistic, ``>= 1``.

    Returns
    -------
    (float, numpy.ndarray)
        The optimal information in bits and the labels of an optimal statistic.

    Raises
    ------
    ValueError
        If ``joint`` does not have two rows, ``size < 1``, or there are more than 4096
        distinct posteriors.
    """
    pj = _distribution("joint", joint, 2)
    if pj.shape[0] != 2:
        raise ValueError(
            f"optimal_binary_distillation needs a binary target, got {pj.shape[0]} rows"
        )
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    mss = minimal_sufficient_statistic(pj)
    cols = statistic_joint(pj, mss)
    m = cols.shape[1]
    if m > 4096:
        raise ValueError(f"too many distinct posteriors ({m} > 4096)")
    order = np.argsort(cols[0] / cols.sum(axis=0), kind="stable")
    c = cols[:, order]
    cum = np.concatenate([np.zeros((2, 1)), np.cumsum(c, axis=1)], axis=1)  # (2, m+1)
    py = pj.sum(axis=1)
    # value of the cell (s, e]: sum_y p(y, cell) log(p(y, cell) / (p(y) p(cell)))
    cell = cum[:, None, :] - cum[:, :, None]  # (2, s, e)
    w = cell.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.where(cell > 0, cell * np.log(cell / (py[:, None, None] * w[None])), 0.0).sum(0)
    val = np.where(np.triu(np.ones((m + 1, m + 1), dtype=bool), 1), val, -np.inf)
    kmax = min(int(size), m)
    best = np.full((kmax + 1, m + 1), -np.inf)
    arg = np.zeros((kmax + 1, m + 1), dtype=np.int64)
    best[0, 0] = 0.0
    for q in range(1, kmax + 1):
        cand = best[q - 1][:, None] + val  # (s, e)
        arg[q] = np.argmax(cand, axis=0)
        best[q] = cand[arg[q], np.arange(m + 1)]
    q = int(np.argmax(best[:, m]))
    value = float(best[q, m]) / np.log(2)
    cells = np.empty(m, dtype=np.int64)
    e = m
    while q > 0:
        s = int(arg[q, e])
        cells[s:e] = q - 1
        e, q = s, q - 1
    of_mss = np.empty(m, dtype=np.int64)
    of_mss[order] = cells
    labels = np.where(mss >= 0, of_mss[np.maximum(mss, 0)], -1)
    return max(0.0, value), _renumber(labels)


# --- compression (Sec. III B) ----------------------------------------------------------------


def _as_bytes(data: bytes | ArrayLike) -> tuple[bytes, int]:
    if isinstance(data, bytes | bytearray):
        return bytes(data), 8 * len(data)
    arr = np.asarray(data)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("data must be bytes or a non-empty 1-D array of bits")
    if arr.dtype.kind not in "biu" or np.any((arr != 0) & (arr != 1)):
        raise ValueError("a data array must hold bits (0 or 1)")
    return np.packbits(arr.astype(np.uint8)).tobytes(), int(arr.size)


def compressed_bits(data: bytes | ArrayLike, method: str = "lzma") -> int:
    """Length in bits of ``data`` after lossless compression.

    Parameters
    ----------
    data : bytes or array_like of bits
        Raw bytes, or a 1-D array of 0/1 packed 8 to a byte.
    method : {"lzma", "zlib"}
        ``lzma`` (xz format, the default preset 6) or ``zlib`` (level 9), both from the
        standard library.

    Returns
    -------
    int
        Compressed length in bits, container headers included.
    """
    raw, _ = _as_bytes(data)
    if method == "lzma":
        return 8 * len(lzma.compress(raw, preset=6))
    if method == "zlib":
        return 8 * len(zlib.compress(raw, 9))
    raise ValueError(f"method must be 'lzma' or 'zlib', got {method!r}")


def compression_ratio(data: bytes | ArrayLike, method: str = "lzma") -> float:
    """Compressed length over raw length (in bits); about 1 or above for random data.

    See :func:`compressed_bits`.
    """
    _, n_bits = _as_bytes(data)
    return compressed_bits(data, method) / n_bits


# --- the chapter's toy hierarchy (Fig. 3, right) ---------------------------------------------


TRAIT_LENGTHS = (2, 3, 4, 5)
"""Body lengths (pixels) of the toy animals."""


def animal_templates(n_pixels: int = 8) -> IntArray:
    """The 8 drawings of the toy hierarchy as ``n_pixels``-bit integers (bit j = pixel j).

    Trait ``t = 2 (length - 2) + texture``: a *solid* animal is a run of ``length`` lit
    pixels starting at pixel 0; a *spotted* one has pixel 1 dark.  So the spotted animal of
    length 2 is a single pixel.
    """
    if isinstance(n_pixels, bool) or not isinstance(n_pixels, int | np.integer):
        raise TypeError(f"n_pixels must be an integer, got {type(n_pixels).__name__}")
    if not 6 <= n_pixels <= 10:
        raise ValueError(f"n_pixels must be in [6, 10], got {n_pixels}")
    out = []
    for length in TRAIT_LENGTHS:
        solid = (1 << length) - 1
        out.extend([solid, solid & ~0b10])
    return np.array(out, dtype=np.int64)


def _rotate(x: IntArray, s: int, n_pixels: int) -> IntArray:
    mask = (1 << n_pixels) - 1
    return ((x << s) | (x >> (n_pixels - s))) & mask if s else x


@dataclass(frozen=True)
class Hierarchy:
    """A generative hierarchy: top-level distribution and Markov matrices (eqs. 15-16).

    Attributes
    ----------
    p0 : numpy.ndarray
        Distribution of :math:`y_0`.
    matrices : tuple of numpy.ndarray
        Column-stochastic :math:`\\mathbf M_1, \\dots, \\mathbf M_n`.
    names : tuple of str
        A name for each level ``0..n``.
    """

    p0: FloatArray
    matrices: tuple[FloatArray, ...]
    names: tuple[str, ...]

    @property
    def depth(self) -> int:
        """Number of steps :math:`n`."""
        return len(self.matrices)

    def marginals(self) -> list[FloatArray]:
        """:func:`markov_chain` of this hierarchy."""
        return markov_chain(self.p0, self.matrices)

    def joint(self, i: int, j: int) -> FloatArray:
        """:func:`chain_joint` of levels ``i`` and ``j``."""
        return chain_joint(self.p0, self.matrices, i, j)


def animal_hierarchy(
    trait_noise: float = 0.2,
    shift_range: int = 7,
    flip: float = 0.05,
    n_pixels: int = 8,
    p_cat: float = 0.5,
) -> Hierarchy:
    """The chapter's toy version of the cat-or-dog hierarchy of Fig. 3 (right).

    Five levels, :math:`y_0 \\to y_1 \\to y_2 \\to y_3 \\to y_4`:

    0. *class*: cat (0) or dog (1), ``P(cat) = p_cat``;
    1. *traits* (8 states): body length 2-5 and texture solid/spotted.  Cats are short
       (2-3) and mostly spotted (3/4), dogs long (4-5) and mostly solid (3/4); with
       probability ``trait_noise`` the traits are instead drawn uniformly from all 8;
    2. *drawing*: the animal drawn at pixel 0 of a ring of ``n_pixels`` pixels, a
       deterministic, invertible step (:func:`animal_templates`);
    3. *placed*: rotated around the ring by a uniform random shift in ``0..shift_range``;
    4. *observed*: every pixel flipped independently with probability ``flip``.

    Levels 2-4 are images, states ``0 .. 2**n_pixels - 1`` (bit j = pixel j).

    Parameters
    ----------
    trait_noise : float
        In ``[0, 1]``.
    shift_range : int
        In ``[0, n_pixels - 1]``; ``0`` leaves the drawing in place.
    flip : float
        Pixel noise in ``[0, 0.5]``.
    n_pixels : int
        Ring size in ``[6, 10]``.
    p_cat : float
        Prior probability of a cat, in ``(0, 1)``.

    Returns
    -------
    Hierarchy
    """
    templates = animal_templates(n_pixels)
    for name, val, low, high in (("trait_noise", trait_noise, 0, 1), ("flip", flip, 0, 0.5)):
        if not np.isfinite(val) or not low <= val <= high:
            raise ValueError(f"{name} must lie in [{low}, {high}], got {val!r}")
    if not np.isfinite(p_cat) or not 0 < p_cat < 1:
        raise ValueError(f"p_cat must lie in (0, 1), got {p_cat!r}")
    if (
        isinstance(shift_range, bool)
        or not isinstance(shift_range, int | np.integer)
        or not 0 <= shift_range < n_pixels
    ):
        raise ValueError(
            f"shift_range must be an integer in [0, {n_pixels - 1}], got {shift_range!r}"
        )
    n_img = 1 << n_pixels
    p0 = np.array([p_cat, 1.0 - p_cat])
    clean = np.zeros((8, 2))
    clean[0:4, 0] = [1 / 8, 3 / 8, 1 / 8, 3 / 8]  # cat: lengths 2, 3; (solid, spotted)
    clean[4:8, 1] = [3 / 8, 1 / 8, 3 / 8, 1 / 8]  # dog: lengths 4, 5; (solid, spotted)
    m1 = (1 - trait_noise) * clean + trait_noise / 8
    m2 = np.zeros((n_img, 8))
    m2[templates, np.arange(8)] = 1.0
    images = np.arange(n_img, dtype=np.int64)
    m3 = np.zeros((n_img, n_img))
    for s in range(shift_range + 1):  # loop over shifts, vectorised over images
        np.add.at(m3, (_rotate(images, s, n_pixels), images), 1.0 / (shift_range + 1))
    dist = np.bitwise_count(images[:, None] ^ images[None, :]).astype(float)
    with np.errstate(divide="ignore"):
        m4 = flip**dist * (1 - flip) ** (n_pixels - dist)
    return Hierarchy(
        p0=p0,
        matrices=(m1, m2, m3, m4),
        names=("class", "traits", "drawing", "placed", "observed"),
    )
