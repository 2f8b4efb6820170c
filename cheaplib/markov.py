"""The generative hierarchy as a Markov chain (Sections III A and III C, eqs. 15-17).

A generative hierarchy :math:`y_0 \\to y_1 \\to \\dots \\to y_n` is a Markov chain: the
distribution of level :math:`i` is a probability vector :math:`\\mathbf p_i` and each step a
column-stochastic matrix, :math:`(\\mathbf M_i)_{ab} = p(y_i = a | y_{i-1} = b)`, so that
:math:`\\mathbf p_i = \\mathbf M_i \\mathbf p_{i-1}` (eq. 15) and
:math:`\\mathbf p_n = \\mathbf M_n \\cdots \\mathbf M_1 \\mathbf p_0` (eq. 16).

* the chain: :func:`markov_chain`, :func:`transfer_matrix`, :func:`chain_joint`,
  :func:`joints_to`, :func:`path_joint` (every level at once, small chains only),
  :func:`backward_markov_gap` (eq. 17) and :func:`sample_chain`;
* :func:`animal_hierarchy`, the chapter's toy version of the right panel of Fig. 3: a
  cat-or-dog bit, its traits, a drawing on a ring of pixels, a random placement and
  pixel noise; and :func:`parity_hierarchy`, a chain whose minimal sufficient statistics
  shrink at every stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from cheaplib._numerics import check_column_stochastic, check_distribution
from cheaplib._typing import FloatArray, IntArray
from cheaplib.validation import MAX_BYTES, check_budget, check_instance, check_int, check_real
from cheaplib.validation import check_rng as _check_rng

__all__ = [
    "Hierarchy",
    "animal_hierarchy",
    "animal_templates",
    "backward_markov_gap",
    "chain_joint",
    "joints_to",
    "markov_chain",
    "parity_hierarchy",
    "path_joint",
    "sample_chain",
    "transfer_matrix",
]

MAX_JOINT = 2**24
"""Largest number of entries of a multi-level joint distribution built in memory."""


def _chain(p0: ArrayLike, matrices: Sequence[ArrayLike]) -> tuple[FloatArray, list[FloatArray]]:
    p = check_distribution("p0", p0, 1)
    if isinstance(matrices, np.ndarray | str | bytes) or not isinstance(matrices, Sequence):
        raise TypeError("matrices must be a sequence (list or tuple) of 2-D arrays")
    mats: list[FloatArray] = []
    n_in = p.size
    for i, m in enumerate(matrices, start=1):
        mat = check_column_stochastic(f"M_{i}", m, n_in)
        mats.append(mat)
        n_in = mat.shape[0]
    return p, mats


def _level(name: str, value: object, n: int) -> int:
    return check_int(name, value, 0, n)


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

    Examples
    --------
    >>> p = markov_chain([1.0, 0.0], [np.array([[0.9, 0.2], [0.1, 0.8]])])
    >>> p[1]
    array([0.9, 0.1])
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
    mats = [check_column_stochastic(f"M_{k}", m) for k, m in enumerate(matrices, start=1)]
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

    Examples
    --------
    >>> chain_joint([0.5, 0.5], [np.array([[0.9, 0.2], [0.1, 0.8]])], 0, 1)
    array([[0.45, 0.05],
           [0.1 , 0.4 ]])
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
    if n - i < 1:
        raise ValueError(f"i must leave a level below it: i = {i}, n = {n}")
    k = check_int("k", k, 1, n - i)
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
    size = check_int("size", size, 1, 10**7)
    check_budget("size", 8.0 * size * (len(mats) + 3), MAX_BYTES)
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


# --- the chapter's toy hierarchy (Fig. 3, right) ---------------------------------------------


TRAIT_LENGTHS = (2, 3, 4, 5)
"""Body lengths (pixels) of the toy animals."""


def animal_templates(n_pixels: int = 8) -> IntArray:
    """The 8 drawings of the toy hierarchy as ``n_pixels``-bit integers (bit j = pixel j).

    Trait ``t = 2 (length - 2) + texture``: a *solid* animal is a run of ``length`` lit
    pixels starting at pixel 0; a *spotted* one has pixel 1 dark.  So the spotted animal of
    length 2 is a single pixel.
    """
    n_pixels = check_int("n_pixels", n_pixels, 6, 10)
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

    Raises
    ------
    TypeError, ValueError
        As :func:`markov_chain` for ``p0`` and ``matrices``; if ``names`` is not a
        sequence of strings with one name per level (``depth + 1``).
    """

    p0: FloatArray
    matrices: tuple[FloatArray, ...]
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        p, mats = _chain(self.p0, self.matrices)
        if isinstance(self.names, str | bytes) or not isinstance(self.names, Sequence):
            raise TypeError("names must be a sequence of strings, one per level")
        for name in self.names:
            check_instance("names", name, str, "a sequence of strings")
        if len(self.names) != len(mats) + 1:
            raise ValueError(
                f"names must hold one name per level ({len(mats) + 1}), got {len(self.names)}"
            )
        object.__setattr__(self, "p0", p)
        object.__setattr__(self, "matrices", tuple(mats))
        object.__setattr__(self, "names", tuple(self.names))

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

    Examples
    --------
    >>> h = animal_hierarchy()
    >>> [m.shape for m in h.matrices]
    [(8, 2), (256, 8), (256, 256), (256, 256)]
    """
    templates = animal_templates(n_pixels)
    trait_noise = check_real("trait_noise", trait_noise, 0.0, 1.0)
    flip = check_real("flip", flip, 0.0, 0.5)
    p_cat = check_real("p_cat", p_cat, 0.0, 1.0, low_open=True, high_open=True)
    shift_range = check_int("shift_range", shift_range, 0, int(n_pixels) - 1)
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


def parity_hierarchy(depth: int = 3, flip: float = 0.05) -> Hierarchy:
    """A hierarchy whose minimal sufficient statistics shrink at every stage.

    Level 0 is one bit :math:`s`.  Each step doubles the bits: every bit :math:`c` of
    level :math:`i-1` becomes a pair :math:`(a, a \\oplus c)` with :math:`a` a fair coin, so
    level :math:`i` has :math:`2^i` bits whose pairwise XORs are level :math:`i-1`.  A last
    step observes the :math:`2^{\\text{depth}}` bits of level ``depth`` through independent
    bit flips of probability ``flip``.  The posterior of level :math:`i` given the
    observation depends on it only through the pairwise XORs taken ``depth - i`` times
    (a symmetry of the fair coins), so the minimal sufficient statistics have
    :math:`2^{2^i}` values, and each map :math:`f_i` of Theorem 2 is many-to-one.

    Parameters
    ----------
    depth : int
        Number of doubling steps, 1 to 3 (level ``depth`` has :math:`2^{2^{depth}}`
        states: 256 for 3).
    flip : float
        Observation noise in ``[0, 0.5]``.

    Returns
    -------
    Hierarchy
        ``depth + 2`` levels: the bit, the doubled levels and the observation.

    Examples
    --------
    >>> h = parity_hierarchy(2, 0.1)
    >>> [m.shape for m in h.matrices]
    [(4, 2), (16, 4), (16, 16)]
    """
    depth = check_int("depth", depth, 1, 3)
    flip = check_real("flip", flip, 0.0, 0.5)
    mats = []
    for i in range(1, depth + 1):
        pairs = 2 ** (i - 1)
        child = np.arange(2 ** (2**i), dtype=np.int64)
        j = np.arange(pairs)
        parent_bits = ((child[:, None] >> (2 * j)) ^ (child[:, None] >> (2 * j + 1))) & 1
        parent = (parent_bits << j).sum(axis=1)
        m = np.zeros((child.size, 2**pairs))
        m[child, parent] = 2.0**-pairs
        mats.append(m)
    n_bits = 2**depth
    states = np.arange(2**n_bits, dtype=np.int64)
    dist = np.bitwise_count(states[:, None] ^ states[None, :]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        noise = np.where(dist > 0, flip**dist, 1.0) * (1 - flip) ** (n_bits - dist)
    mats.append(noise)
    names = ("bit",) + tuple(f"{2**i} bits" for i in range(1, depth + 1)) + ("observed",)
    return Hierarchy(p0=np.array([0.5, 0.5]), matrices=tuple(mats), names=names)
