"""Sufficient statistics and information distillation (Sections III C-D, eqs. 18-21).

A statistic :math:`T(x)` is sufficient for :math:`y` when :math:`p(y|x) = p(y|T(x))`.
Labels of a statistic are integer arrays over the columns :math:`x` of a joint
distribution ``joint[y, x]``; ``-1`` marks observations of probability zero, which no
statistic needs to classify.

* sufficient statistics (Theorem 2, Corollary 2, eqs. 18-20): :func:`posterior`,
  :func:`minimal_sufficient_statistic`, :func:`statistic_joint`, :func:`is_sufficient`,
  :func:`induced_map` (the maps :math:`f_i` with :math:`T_i = f_i \\circ T_{i+1}`);
* approximate distillation (Sec. III D): :func:`distillation_curve` (greedy agglomerative
  merging), :func:`optimal_binary_distillation` (the exact optimum for a binary target)
  and :func:`best_partition_brute_force` (every partition, for small cases).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cheaplib._numerics import check_distribution, check_labels, xlogx_ratio
from cheaplib._typing import FloatArray, IntArray
from cheaplib.information import mutual_information
from cheaplib.validation import (
    MAX_BYTES,
    MAX_OPERATIONS,
    check_budget,
    check_int,
    check_tolerance,
)

__all__ = [
    "DistillationCurve",
    "best_partition_brute_force",
    "distillation_curve",
    "induced_map",
    "is_sufficient",
    "minimal_sufficient_statistic",
    "optimal_binary_distillation",
    "posterior",
    "statistic_joint",
]


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
    pj = check_distribution("joint", joint, 2)
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

    Examples
    --------
    >>> joint = np.array([[0.2, 0.2, 0.1], [0.1, 0.1, 0.3]])
    >>> minimal_sufficient_statistic(joint)  # columns 0 and 1 share a posterior
    array([0, 0, 1])
    """
    atol = check_tolerance("atol", atol)
    if not atol < 0.5:
        raise ValueError(f"atol must lie in (0, 0.5), got {atol!r}")
    pj = check_distribution("joint", joint, 2)
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
    pj = check_distribution("joint", joint, 2)
    lab = check_labels("labels", labels, pj.shape[1])
    if np.any(pj[:, lab < 0] > 0):
        raise ValueError("label -1 is reserved for observations of probability zero")
    k = int(lab.max()) + 1
    if k == 0:
        raise ValueError("labels has no non-negative label")
    check_budget("labels", 8.0 * pj.shape[0] * k, MAX_BYTES)
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
    atol = check_tolerance("atol", atol)
    pj = check_distribution("joint", joint, 2)
    lab = check_labels("labels", labels, pj.shape[1])
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

    Examples
    --------
    >>> induced_map([0, 1, 2, 2], [0, 0, 1, 1])  # coarse = f(fine) with f = [0, 0, 1]
    array([0, 0, 1])
    """
    f_lab = np.asarray(fine)
    c_lab = np.asarray(coarse)
    if f_lab.ndim != 1 or c_lab.shape != f_lab.shape:
        raise ValueError(
            f"fine and coarse must be 1-D of equal length: {f_lab.shape}, {c_lab.shape}"
        )
    f_lab = check_labels("fine", f_lab, f_lab.size)
    c_lab = check_labels("coarse", c_lab, f_lab.size)
    if np.any((f_lab < 0) != (c_lab < 0)):
        raise ValueError("fine and coarse disagree on which observations are impossible")
    ok = f_lab >= 0
    check_budget("fine", 8.0 * (int(f_lab.max()) + 1), MAX_BYTES)
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
        xlogx_ratio(cols[:, [a]], np.full((cols.shape[0], 1), wa)).sum()
        + xlogx_ratio(cols, w[None, :]).sum(axis=0)
        - xlogx_ratio(merged, wm[None, :]).sum(axis=0)
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
    pj = check_distribution("joint", joint, 2)
    lab = (
        minimal_sufficient_statistic(pj)
        if start is None
        else check_labels("start", start, pj.shape[1])
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

    Examples
    --------
    >>> joint = np.array([[0.3, 0.1, 0.05, 0.05], [0.05, 0.05, 0.1, 0.3]])
    >>> info, labels = optimal_binary_distillation(joint, 2)
    >>> labels.tolist()
    [0, 0, 1, 1]
    """
    pj = check_distribution("joint", joint, 2)
    if pj.shape[0] != 2:
        raise ValueError(
            f"optimal_binary_distillation needs a binary target, got {pj.shape[0]} rows"
        )
    size = check_int("size", size, 1)
    mss = minimal_sufficient_statistic(pj)
    cols = statistic_joint(pj, mss)
    m = cols.shape[1]
    if m > 4096:
        raise ValueError(f"joint has too many distinct posteriors ({m} > 4096)")
    check_budget("joint", 8.0 * 5 * (m + 1) ** 2, MAX_BYTES)  # the (s, e) tables
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


def _partition_count(m: int, k: int) -> int:
    """Number of partitions of ``m`` items into at most ``k`` blocks (Stirling numbers)."""
    # S(n, j) = j S(n-1, j) + S(n-1, j-1), exact integers
    row = [1] + [0] * k  # S(0, j)
    for _ in range(m):
        row = [0] + [j * row[j] + row[j - 1] for j in range(1, k + 1)]
    return sum(row[1:])


def best_partition_brute_force(joint: ArrayLike, size: int) -> tuple[float, IntArray, int]:
    """The most informative statistic with at most ``size`` values, by trying every partition.

    Every partition of the possible observations (columns of positive probability) into at
    most ``size`` blocks is enumerated as a restricted growth string, and :math:`I(y; T)`
    is evaluated for all of them at once.  This is the independent check of
    :func:`optimal_binary_distillation` (and of the interval theorem it relies on), for
    any number of target values but only for a handful of observations.

    Parameters
    ----------
    joint : array_like
        2-D ``joint[y, x]`` summing to 1.
    size : int
        Maximum number of values of the statistic, ``>= 1``.

    Returns
    -------
    (float, numpy.ndarray, int)
        The best information in bits, the labels of a best statistic (``-1`` on columns of
        probability zero) and the number of partitions tried.

    Raises
    ------
    ValueError
        If ``joint`` is not a 2-D distribution, ``size < 1``, or the partitions to try
        exceed the operation budget (about 12 observations for ``size >= 4``).

    Examples
    --------
    >>> joint = np.array([[0.3, 0.1, 0.05, 0.05], [0.05, 0.05, 0.1, 0.3]])
    >>> info, labels, tried = best_partition_brute_force(joint, 2)
    >>> tried, labels.tolist()
    (8, [0, 0, 1, 1])
    """
    pj = check_distribution("joint", joint, 2)
    size = check_int("size", size, 1)
    cols = np.flatnonzero(pj.sum(axis=0) > 0)
    m = cols.size
    k = min(size, m)
    count = _partition_count(m, k)
    ops = float(count) * m * (pj.shape[0] + 1)
    check_budget("joint", ops, MAX_OPERATIONS, unit="operations")
    check_budget("joint", 8.0 * count * (m + k * pj.shape[0]), MAX_BYTES)
    rgs = np.zeros((1, 1), dtype=np.int64)  # restricted growth strings: block per item
    top = np.zeros(1, dtype=np.int64)  # largest block index used so far
    for _ in range(1, m):
        choices = np.minimum(top + 1, k - 1) + 1
        rep = np.repeat(np.arange(rgs.shape[0]), choices)
        offs = np.arange(rep.size) - np.repeat(np.cumsum(choices) - choices, choices)
        rgs = np.hstack([rgs[rep], offs[:, None]])
        top = np.maximum(top[rep], offs)
    sub = pj[:, cols]  # (ny, m)
    onehot = np.zeros((rgs.shape[0], k, m))
    np.put_along_axis(onehot, rgs[:, None, :], 1.0, axis=1)
    cells = np.einsum("pkm,ym->pyk", onehot, sub)  # p(y, T = block)
    py = sub.sum(axis=1)
    pt = cells.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(cells > 0, cells * np.log(cells / (py[None, :, None] * pt)), 0.0)
    info = terms.sum(axis=(1, 2)) / np.log(2)
    best = int(np.argmax(info))
    labels = np.full(pj.shape[1], -1, dtype=np.int64)
    labels[cols] = rgs[best]
    return max(0.0, float(info[best])), _renumber(labels), int(rgs.shape[0])
