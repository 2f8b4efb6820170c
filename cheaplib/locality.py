"""Which Hamiltonians we want: low order, locality and symmetry (001 Sec. II D).

* **Maximum entropy** (Sec. II D 1): :func:`max_entropy` maximises the entropy over every
  distribution on a grid under moment constraints, so that the low-degree Hamiltonian
  :math:`-\\ln p` can be read off the numbers rather than assumed.
* **Locality** (Sec. II D 2-3): monomial counts of the microphone example
  (:func:`chain_monomial_counts`); the edge-list Ising model on a square lattice
  (:func:`square_lattice_edges`, :func:`edge_ising_energy`); its clique cover and the
  paper's neuron bound (:func:`clique_cover_bound`, checked by the brute-force
  :func:`clique_cover_bruteforce`); its bit-polynomial coefficients clique by clique
  (:func:`ising_edge_tables`, :func:`clique_coefficients`), ready for
  :func:`cheaplib.bitfunctions.monomial_network`.
* **Translation symmetry** (Sec. II D 3): the maps that commute with a shift
  (:func:`shift_commutant_basis`) are convolutions, computed by FFT
  (:func:`fft_convolve`); :func:`apply_factors` runs a vector through a product of
  (sparse) factors, as a deep linear network does.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from cheaplib._typing import FloatArray, IntArray
from cheaplib.bitfunctions import bit_coefficients, bit_strings
from cheaplib.polynomials import monomial_exponents
from cheaplib.validation import (
    MAX_BYTES,
    MAX_OPERATIONS,
    check_array,
    check_budget,
    check_finite_result,
    check_int,
    check_real,
    check_size,
    check_tolerance,
)

__all__ = [
    "ChainCounts",
    "CliqueCover",
    "MaxEntResult",
    "apply_factors",
    "chain_monomial_counts",
    "clique_coefficients",
    "clique_cover_bound",
    "clique_cover_bruteforce",
    "edge_ising_energy",
    "fft_convolve",
    "ising_edge_tables",
    "max_entropy",
    "shift_commutant_basis",
    "square_lattice_edges",
]


# --- Section II D 3: the microphone -------------------------------------------------------


class ChainCounts(NamedTuple):
    """Parameter counts of a degree-``d`` Hamiltonian of a chain of ``n`` variables."""

    general: int
    """Every monomial of degree <= d."""
    local: int
    """Monomials whose variables are neighbours: support inside some {i, i+1}."""
    symmetric: int
    """Local monomials up to translation along the chain (one coefficient per shape)."""


def chain_monomial_counts(n: int, d: int = 2, linear_terms: bool = True) -> ChainCounts:
    """Count the coefficients of the microphone example (Section II D 3), by enumeration.

    Variables :math:`x_1..x_n` are samples of a signal in time.  The counts are made by
    listing monomials (:func:`monomial_exponents`), not by formula: all of degree at most
    ``d``; those whose variables all lie within one nearest-neighbour pair
    :math:`\\{i, i+1\\}` (locality, on an open chain); and the classes of local monomials
    under translation (each monomial shifted so that its first variable is :math:`x_1`;
    translation symmetry gives every class one coefficient).  The constant term is counted.

    Parameters
    ----------
    n : int
        Number of variables, ``2 <= n <= 200``.
    d : int, optional
        Degree, by default 2.
    linear_terms : bool, optional
        Count the degree-1 terms (default).  Without them (a signal symmetric under
        :math:`x\\to-x`) the degree-2 counts are :math:`1+n(n+1)/2`, :math:`2n` and 3.

    Returns
    -------
    ChainCounts
        ``(general, local, symmetric)``.

    Raises
    ------
    TypeError, ValueError
        For ``n`` or ``d`` not integers in range, or ``linear_terms`` not a bool.

    Examples
    --------
    >>> chain_monomial_counts(8)  # (n+1)(n+2)/2, 3n, 4
    ChainCounts(general=45, local=24, symmetric=4)
    """
    n = check_int("n", n, 2, 200)
    d = check_int("d", d, 0, 6)
    if not isinstance(linear_terms, bool | np.bool_):
        raise TypeError(f"linear_terms must be a bool, got {type(linear_terms).__name__}")
    E = monomial_exponents(n, d)
    if not linear_terms:
        E = E[E.sum(axis=1) != 1]
    present = E > 0
    idx = np.arange(n)
    first = np.where(present, idx, n).min(axis=1)
    last = np.where(present, idx, -1).max(axis=1)
    local = ~present.any(axis=1) | (last - first <= 1)
    L = E[local]
    first_local = np.where(L.any(axis=1), first[local], 0)
    # shift each local monomial so its first variable is x_0 (rows rolled individually)
    cols = (idx[None, :] + first_local[:, None]) % n
    canon = np.take_along_axis(L, cols, axis=1)
    return ChainCounts(len(E), int(local.sum()), len(np.unique(canon, axis=0)))


# --- Section II D 2: locality, Markov networks and clique covers ----------------------------


def square_lattice_edges(rows: int, cols: int, periodic: bool = False) -> IntArray:
    """Nearest-neighbour pairs of a ``rows`` x ``cols`` square lattice (a 2-D Ising model).

    Site ``(r, c)`` has index ``r * cols + c``.

    Parameters
    ----------
    rows, cols : int
        Lattice size, each ``>= 1`` (``>= 3`` along a periodic direction, so that no pair
        is listed twice).
    periodic : bool, optional
        Wrap around both directions (a torus), by default False.

    Returns
    -------
    numpy.ndarray
        Shape ``(E, 2)``, each row ``(i, j)`` with ``i < j``; sorted.

    Raises
    ------
    TypeError, ValueError
        For sizes that are not integers in ``[1, 4096]``, a non-bool ``periodic``, or a
        periodic direction shorter than 3.

    Examples
    --------
    >>> square_lattice_edges(2, 2).tolist()
    [[0, 1], [0, 2], [1, 3], [2, 3]]
    """
    rows, cols = check_int("rows", rows, 1, 4096), check_int("cols", cols, 1, 4096)
    if not isinstance(periodic, bool | np.bool_):
        raise TypeError(f"periodic must be a bool, got {type(periodic).__name__}")
    if periodic and min(rows, cols) < 3:
        raise ValueError("periodic needs rows, cols >= 3 (a pair would be listed twice)")
    site = np.arange(rows * cols).reshape(rows, cols)
    if periodic:
        right, down = np.roll(site, -1, axis=1), np.roll(site, -1, axis=0)
        pairs = [(site, right), (site, down)]
    else:
        pairs = [(site[:, :-1], site[:, 1:]), (site[:-1, :], site[1:, :])]
    e = np.concatenate([np.stack([a.ravel(), b.ravel()], axis=1) for a, b in pairs])
    e = np.sort(e, axis=1)
    return e[np.lexsort((e[:, 1], e[:, 0]))]


def _check_edges(edges: ArrayLike, n: int) -> IntArray:
    e = np.asarray(edges)
    if e.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if e.dtype.kind not in "iu":
        raise TypeError(f"edges must be an integer array, got dtype {e.dtype}")
    if e.ndim != 2 or e.shape[1] != 2:
        raise ValueError(f"edges must have shape (E, 2), got {e.shape}")
    if e.size and (e.min() < 0 or e.max() >= n):
        raise ValueError(f"edges name sites outside 0..{n - 1}")
    if np.any(e[:, 0] == e[:, 1]):
        raise ValueError("edges: an edge joins a site to itself")
    s = np.sort(e, axis=1)
    if len(np.unique(s, axis=0)) != len(s):
        raise ValueError("edges: an edge is listed twice")
    return e.astype(np.int64)


class CliqueCover(NamedTuple):
    """A minimum clique cover of a triangle-free Markov network and the paper's bound."""

    cover_number: int
    """N_c: fewest cliques whose union is the whole network (every edge and site)."""
    largest_clique: int
    """S_c: size of the largest clique."""
    bound: int
    """N_c * 2^S_c, the paper's bound on the neurons needed (Section II D 2)."""
    triangles: int
    """Number of triangles found (0: the graph is triangle-free)."""


def clique_cover_bound(edges: ArrayLike, n: int) -> CliqueCover:
    """Clique cover number and the neuron bound :math:`N_c 2^{S_c}` of a triangle-free graph.

    The bound of Section II D 2 counts, for each clique of a cover, one product neuron per
    subset of the clique (eq. 12 restricted to the clique).  The cover must contain every
    edge (an interaction term lives on the clique containing its variables), so it is an
    *edge* clique cover.  Computing one is hard in general; for a triangle-free graph (no
    3 mutually adjacent sites: verified here as :math:`\\mathrm{tr}A^3 = 0` with
    :mod:`scipy.sparse`), every clique is a single edge or site, so the minimum cover is
    the edges plus the isolated sites, and :math:`S_c = 2`.  The square lattice is
    bipartite, hence triangle-free.

    Parameters
    ----------
    edges : array_like
        Integer array ``(E, 2)`` of distinct pairs.
    n : int
        Number of sites.

    Returns
    -------
    CliqueCover

    Raises
    ------
    TypeError, ValueError
        If the graph has a triangle (not handled) or the edges are malformed, or ``n``
        sites would need more than :data:`cheaplib.validation.MAX_BYTES`.

    Examples
    --------
    >>> clique_cover_bound(square_lattice_edges(2, 2), 4)
    CliqueCover(cover_number=4, largest_clique=2, bound=16, triangles=0)
    """
    n = check_size("n", n, 1, bytes_per_item=32)  # the sparse adjacency's per-site arrays
    e = _check_edges(edges, n)
    ones = np.ones(len(e))
    A = sp.csr_array((ones, (e[:, 0], e[:, 1])), shape=(n, n))
    A = A + A.T
    triangles = int(round((A @ A).multiply(A).sum() / 6))
    if triangles:
        raise ValueError(
            f"edges: the graph has {triangles} triangles; only triangle-free graphs "
            "(use clique_cover_bruteforce for small graphs with triangles)"
        )
    isolated = int(np.count_nonzero(np.asarray(A.sum(axis=1)).ravel() == 0))
    size = 2 if len(e) else 1
    cover = len(e) + isolated
    return CliqueCover(cover, size, cover * 2**size, triangles)


def edge_ising_energy(
    spins: ArrayLike, edges: ArrayLike, J: ArrayLike = 1.0, field: ArrayLike = 0.0
) -> FloatArray:
    """Ising energy of spins on a graph given by its edge list, with a coupling per edge.

    :math:`E(s) = -\\sum_{(i,j)} J_{ij} s_i s_j - \\sum_i h_i s_i` with :math:`s = \\pm1`.

    Parameters
    ----------
    spins : array_like
        Shape ``(m, n)`` with entries ``-1`` or ``+1``.
    edges : array_like
        Integer array ``(E, 2)``.
    J : array_like, optional
        Coupling per edge, scalar or ``(E,)``; default 1.
    field : array_like, optional
        Field per site, scalar or ``(n,)``; default 0.

    Returns
    -------
    numpy.ndarray
        Shape ``(m,)``.

    Raises
    ------
    TypeError, ValueError
        For spins that are not a 2-D array of ±1, malformed edges, or couplings and
        fields that are not finite or do not broadcast (or whose energy overflows).

    See Also
    --------
    cheaplib.ising.ising_energy : the periodic square lattice, without an edge list.

    Examples
    --------
    >>> edge_ising_energy([[1, 1], [1, -1]], [[0, 1]], J=2.0)
    array([-2.,  2.])
    """
    s = check_array("spins", spins, ndim=2)
    if not np.all(np.abs(s) == 1):
        raise ValueError("spins must hold -1 and +1 only")
    e = _check_edges(edges, s.shape[1])
    Jv = _per_item("J", J, len(e))
    h = _per_item("field", field, s.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        out: FloatArray = -(s[:, e[:, 0]] * s[:, e[:, 1]]) @ Jv - s @ h
    return check_finite_result(out, "J, field")


def ising_edge_tables(
    edges: ArrayLike, n: int, J: ArrayLike = 1.0, field: ArrayLike = 0.0
) -> FloatArray:
    """The Ising energy as a sum of clique potentials, one table per edge, in bit variables.

    With bits :math:`x = (1+s)/2`, edge :math:`e = (a, b)` carries
    :math:`\\phi_e = -J_e s_a s_b - h_a s_a/\\deg a - h_b s_b/\\deg b` (each site's field
    shared among its edges), so :math:`E = \\sum_e \\phi_e`.  Row ``e`` lists
    :math:`\\phi_e` at the local bit strings ``t = x_a + 2 x_b`` = 0, 1, 2, 3.

    Raises
    ------
    TypeError, ValueError
        For malformed edges, non-finite or mis-shaped ``J`` / ``field``, a site with a
        non-zero field and no edge, ``n`` sites over the memory budget, or couplings so
        large that the tables overflow.

    Examples
    --------
    >>> ising_edge_tables([[0, 1]], 2, J=1.0).tolist()  # -s0 s1 at x = 00, 10, 01, 11
    [[-1.0, 1.0, 1.0, -1.0]]
    """
    n = check_size("n", n, 1, bytes_per_item=32)  # degrees, fields and their shares
    e = _check_edges(edges, n)
    Jv = _per_item("J", J, len(e))
    h = _per_item("field", field, n)
    deg = np.bincount(e.ravel(), minlength=n).astype(float)
    if np.any((deg == 0) & (h != 0)):
        raise ValueError("field: a site with a non-zero field has no edge to carry it")
    t = bit_strings(2)  # local strings (x_a, x_b)
    sa, sb = 2.0 * t[:, 0] - 1.0, 2.0 * t[:, 1] - 1.0
    ha = (h / np.maximum(deg, 1.0))[e[:, 0]]
    hb = (h / np.maximum(deg, 1.0))[e[:, 1]]
    out: FloatArray = (
        -Jv[:, None] * (sa * sb)[None, :] - ha[:, None] * sa[None, :] - hb[:, None] * sb[None, :]
    )
    return check_finite_result(out, "J, field")


def clique_coefficients(
    cliques: ArrayLike, tables: ArrayLike, n: int, tol: float = 1e-12
) -> tuple[sp.csr_array, FloatArray, float]:
    """Bit-polynomial coefficients (eq. 12) of :math:`\\sum_c \\phi_c(x_c)`, clique by clique.

    Each clique potential is Möbius-transformed on its own :math:`2^{S}` values
    (:func:`bit_coefficients` along the table axis), every local subset is mapped to its
    global sites, and equal subsets from different cliques are merged (a site's field may
    come from several edges).  So a Hamiltonian that is a sum over :math:`N_c` cliques of
    size :math:`S` has at most :math:`N_c(2^S - 1)` non-constant coefficients — the bound
    of Section II D 2 — and they are found without enumerating :math:`2^n` states.

    Parameters
    ----------
    cliques : array_like
        Integer array ``(N_c, S)`` of distinct sites per row.
    tables : array_like
        Shape ``(N_c, 2**S)``: ``tables[c, t]`` is :math:`\\phi_c` at the local bit string
        ``t`` (bit ``k`` of ``t`` is the bit of site ``cliques[c, k]``).
    n : int
        Number of sites.
    tol : float, optional
        Coefficients with magnitude at most ``tol`` are dropped, by default 1e-12.

    Returns
    -------
    (masks, coefficients, constant)
        ``masks`` a boolean :class:`scipy.sparse.csr_array` ``(m, n)`` (one row per
        monomial, ordered by its sorted sites), ``coefficients`` ``(m,)`` and the constant;
        ready for :func:`cheaplib.bitfunctions.monomial_network` and
        :func:`cheaplib.bitfunctions.bit_polynomial_value`.

    Raises
    ------
    TypeError, ValueError
        For malformed cliques or tables, non-finite tables, a bad ``tol``, cliques of
        more than 16 sites, or a size over the memory budget.

    Examples
    --------
    >>> masks, coef, const = clique_coefficients([[0, 1]], [[0.0, 0.0, 0.0, 1.0]], 2)
    >>> masks.toarray().tolist(), coef.tolist(), const
    ([[True, True]], [1.0], 0.0)
    """
    n = check_int("n", n, 1)
    tol = check_real("tol", tol, low=0.0)
    C = np.asarray(cliques)
    if C.dtype.kind not in "iu":
        raise TypeError(f"cliques must be an integer array, got dtype {C.dtype}")
    if C.ndim != 2 or C.shape[1] < 1 or C.shape[1] > 16:
        raise ValueError(f"cliques must have shape (N_c, S) with 1 <= S <= 16, got {C.shape}")
    if C.size and (C.min() < 0 or C.max() >= n):
        raise ValueError(f"cliques name sites outside 0..{n - 1}")
    if np.any(np.diff(np.sort(C, axis=1), axis=1) == 0):
        raise ValueError("cliques: a clique lists a site twice")
    S = C.shape[1]
    check_budget("cliques", 8 * 4 * len(C) * 2**S * S, MAX_BYTES)
    T = check_array("tables", tables, shape=(len(C), 2**S))
    h = bit_coefficients(T, axis=1)
    constant = float(h[:, 0].sum())
    local = bit_strings(S).astype(bool)
    keys, vals = [], []
    for K in range(1, 2**S):  # local subsets (2^S of them; not a loop over sites)
        members = np.sort(C[:, local[K]], axis=1)
        pad = np.full((len(C), S - members.shape[1]), -1)
        keys.append(np.hstack([members, pad]))
        vals.append(h[:, K])
    key = np.vstack(keys)
    val = np.concatenate(vals)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    coef = np.bincount(inverse.ravel(), weights=val, minlength=len(uniq))
    keep = np.abs(coef) > tol
    uniq, coef = uniq[keep], coef[keep]
    r, k = np.nonzero(uniq >= 0)
    masks = sp.csr_array((np.ones(len(r), dtype=bool), (r, uniq[r, k])), shape=(len(uniq), n))
    coefficients: FloatArray = coef.astype(np.float64)
    return masks, coefficients, constant


# --- Section II D 1: maximum entropy --------------------------------------------------------


class MaxEntResult(NamedTuple):
    """Solution of :func:`max_entropy`."""

    p: FloatArray
    """The maximum-entropy probabilities on the grid."""
    multipliers: FloatArray
    """Lagrange multipliers (normalisation first, then one per feature)."""
    iterations: int
    """Newton iterations used."""
    residual: float
    """Norm of the optimality (KKT) residual at the end."""


def max_entropy(
    features: ArrayLike, targets: ArrayLike, tol: float = 1e-11, max_iter: int = 500
) -> MaxEntResult:
    """Maximum-entropy distribution on a finite grid with prescribed feature means.

    Solves, over *every* probability vector :math:`p` on the grid (no parametric form),

    .. math:: \\max_p\\; -\\sum_k p_k \\ln p_k \\quad\\text{s.t.}\\quad \\sum_k p_k = 1,\\;
              \\sum_k p_k f_j(x_k) = t_j ,

    with the infeasible-start Newton method for equality-constrained convex problems
    (Boyd & Vandenberghe, *Convex Optimization*, Sec. 10.3): each step solves the KKT
    system with the diagonal Hessian :math:`1/p`, a backtracking line search keeps
    :math:`p > 0`.  Stationarity then says
    :math:`\\ln p_k = -1-\\nu_0-\\sum_j \\nu_j f_j(x_k)`: the Hamiltonian :math:`-\\ln p` is
    a combination of the constrained features — quadratic for first and second moments
    (eq. 14, Section II D 1).  The chapter checks that from the numbers.

    Parameters
    ----------
    features : array_like
        Shape ``(m, k)``: feature ``j`` at grid point ``i`` (e.g. :math:`x, y, x^2, xy, y^2`).
    targets : array_like
        Shape ``(k,)``: the prescribed means.
    tol : float, optional
        Stop when the KKT residual norm is below ``tol``, by default 1e-11.
    max_iter : int, optional
        Iteration limit, by default 500.

    Returns
    -------
    MaxEntResult

    Raises
    ------
    TypeError, ValueError
        On shape errors, non-finite numbers, a bad ``tol`` or ``max_iter``, linearly
        dependent features, a size over the budget, or if Newton's method does not
        converge (e.g. targets that no distribution on the grid can meet).

    Examples
    --------
    >>> res = max_entropy(np.arange(3.0)[:, None], [1.0])  # mean 1 on {0, 1, 2}: uniform
    >>> res.p.round(6).tolist()
    [0.333333, 0.333333, 0.333333]
    """
    F = check_array("features", features, ndim=2)
    t = check_array("targets", targets, shape=(F.shape[1],))
    tol = check_tolerance("tol", tol)
    max_iter = check_int("max_iter", max_iter, 1, 100_000)
    check_budget("features", 8 * 4 * F.size, MAX_BYTES)
    check_budget("max_iter", max_iter * 4 * F.size * (F.shape[1] + 1), 100 * MAX_OPERATIONS)
    m = F.shape[0]
    A = np.vstack([np.ones(m), F.T])
    b = np.concatenate([[1.0], t])
    p, nu = np.full(m, 1.0 / m), np.zeros(A.shape[0])

    def residual(p: FloatArray, nu: FloatArray) -> FloatArray:
        return np.concatenate([np.log(p) + 1.0 + A.T @ nu, A @ p - b])

    norm = np.inf
    for it in range(max_iter):
        r = residual(p, nu)
        norm = float(np.linalg.norm(r))
        if norm < tol:
            return MaxEntResult(p, nu, it, norm)
        rd, rp = r[:m], r[m:]
        AP = A * p
        try:
            dnu = np.linalg.solve(AP @ A.T, rp - AP @ rd)
        except np.linalg.LinAlgError:
            raise ValueError(
                "features are linearly dependent (with the constant): drop a redundant one"
            ) from None
        dp = -p * (rd + A.T @ dnu)
        step = 1.0
        while np.any(p + step * dp <= 0):
            step *= 0.5
        while (
            np.linalg.norm(residual(p + step * dp, nu + step * dnu)) > (1 - 0.01 * step) * norm
            and step > 1e-14
        ):
            step *= 0.5
        p, nu = p + step * dp, nu + step * dnu
    raise ValueError(
        f"max_entropy did not converge in {max_iter} iterations (residual {norm:.2e}); "
        "are the targets reachable on this grid?"
    )


# --- Section II D 3: translation symmetry ---------------------------------------------------


def shift_commutant_basis(n: int) -> FloatArray:
    """A basis of the linear maps on :math:`\\mathbb{R}^n` that commute with the cyclic shift.

    Translation symmetry of a linear map :math:`M` means :math:`MS = SM` for the shift
    :math:`S`.  The condition is linear in the :math:`n^2` entries of :math:`M`; its
    solutions are computed as the null space of
    :math:`I\\otimes S - S^{\\mathsf T}\\otimes I` (:func:`scipy.linalg.null_space`), with
    no assumption about their form.  The result has dimension :math:`n` and consists of
    circulant matrices (a convolution), as the chapter checks.

    Parameters
    ----------
    n : int
        Size, ``1 <= n <= 32``.

    Returns
    -------
    numpy.ndarray
        Shape ``(dim, n, n)``, an orthonormal basis (Frobenius inner product).

    Raises
    ------
    TypeError, ValueError
        If ``n`` is not an integer in ``[1, 32]``.

    Examples
    --------
    >>> shift_commutant_basis(4).shape  # dimension n: the circulant matrices
    (4, 4, 4)
    """
    from scipy.linalg import null_space

    n = check_int("n", n, 1, 32)
    S = np.roll(np.eye(n), 1, axis=0)  # (S x)_i = x_{i-1}
    eye = np.eye(n)
    K = np.kron(eye, S) - np.kron(S.T, eye)  # acts on vec(M), column-major
    basis = null_space(K, rcond=1e-10)
    out: FloatArray = basis.T.reshape(-1, n, n).transpose(0, 2, 1)  # un-vec column-major
    return out


def fft_convolve(kernel: ArrayLike, x: ArrayLike) -> Any:
    """Circular convolution :math:`y_i = \\sum_j k_{(i-j) \\bmod n}\\, x_j` by FFT.

    A translation-invariant linear map is this convolution (its matrix is circulant with
    first column ``kernel``); :func:`numpy.fft.fft` turns it into a pointwise product,
    :math:`O(n\\log n)` work instead of :math:`n^2` (Section II D 3).

    Parameters
    ----------
    kernel : array_like
        Shape ``(n,)``.
    x : array_like
        Shape ``(n,)`` or ``(m, n)`` (convolved along the last axis).

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; real when both inputs are real.

    Raises
    ------
    TypeError, ValueError
        For non-numeric or non-finite inputs, shapes that do not match, or a size over
        the memory budget.

    Examples
    --------
    >>> fft_convolve([1.0, 1.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0]).round(12)  # y_i = x_i + x_{i-1}
    array([5., 3., 5., 7.])
    """
    k = _real_or_complex("kernel", kernel)
    v = _real_or_complex("x", x)
    if k.ndim != 1:
        raise ValueError(f"kernel must be 1-D, got shape {k.shape}")
    if v.ndim not in (1, 2) or v.shape[-1] != k.shape[0]:
        raise ValueError(f"x must have shape ({k.shape[0]},) or (m, {k.shape[0]}), got {v.shape}")
    check_budget("x", 16 * 4 * v.size, MAX_BYTES)
    y = check_finite_result(
        np.fft.ifft(np.fft.fft(k) * np.fft.fft(v, axis=-1), axis=-1), "kernel, x"
    )
    if np.isrealobj(k) and np.isrealobj(v):
        real: FloatArray = y.real
        return real
    return y


def clique_cover_bruteforce(edges: ArrayLike, n: int) -> CliqueCover:
    """Minimum clique cover of a small graph by exhaustive search, for any graph.

    An independent reference for :func:`clique_cover_bound`: every subset of the
    :math:`n \\le 16` sites is tested for being a clique (all pairs adjacent), and the
    fewest cliques covering every edge and every site is found by an exact integer
    program (:func:`scipy.optimize.milp`) over all maximal cliques.  No assumption about
    triangles is made, so graphs with triangles are handled too.

    Parameters
    ----------
    edges : array_like
        Integer array ``(E, 2)`` of distinct pairs.
    n : int
        Number of sites, ``1 <= n <= 16``.

    Returns
    -------
    CliqueCover
        ``cover_number`` the minimum :math:`N_c`, ``largest_clique`` :math:`S_c` the
        largest clique of the graph, ``bound`` :math:`N_c 2^{S_c}`, ``triangles`` the
        number of 3-cliques.

    Raises
    ------
    TypeError, ValueError
        For malformed edges or ``n`` out of range.

    Examples
    --------
    >>> clique_cover_bruteforce([[0, 1], [1, 2], [0, 2]], 3)  # a triangle: one clique
    CliqueCover(cover_number=1, largest_clique=3, bound=8, triangles=1)
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = check_int("n", n, 1, 16)
    e = _check_edges(edges, n)
    adj = np.zeros((n, n), dtype=bool)
    adj[e[:, 0], e[:, 1]] = adj[e[:, 1], e[:, 0]] = True
    members = bit_strings(n).astype(bool)  # row S: the sites of subset S
    is_clique = np.ones(2**n, dtype=bool)
    for a, b in itertools.combinations(range(n), 2):
        if not adj[a, b]:
            is_clique &= ~(members[:, a] & members[:, b])
    is_clique[0] = False
    cliques = np.flatnonzero(is_clique)
    sizes = members[cliques].sum(axis=1)
    # maximal cliques suffice for a minimum cover
    maximal = [
        S for S in cliques if not any(is_clique[S | (1 << j)] for j in range(n) if not S >> j & 1)
    ]
    M = members[maximal]
    # universe: every edge and every site; clique c covers edge (a, b) iff both in c
    cover_rows = [M[:, a] & M[:, b] for a, b in e] + [M[:, i] for i in range(n)]
    A = np.array(cover_rows, dtype=float)
    res = milp(
        c=np.ones(len(maximal)),
        constraints=LinearConstraint(A, lb=np.ones(len(A)), ub=np.inf),
        integrality=np.ones(len(maximal)),
        bounds=Bounds(0, 1),
    )
    cover = int(round(res.fun))
    largest = int(sizes.max())
    return CliqueCover(cover, largest, cover * 2**largest, int(np.sum(sizes == 3)))


def _per_item(name: str, value: ArrayLike, size: int) -> FloatArray:
    """A finite scalar or length-``size`` vector, broadcast to ``(size,)``."""
    arr = check_array(name, value)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != size):
        raise ValueError(f"{name} must be a scalar or have shape ({size},), got {arr.shape}")
    out: FloatArray = np.broadcast_to(arr, (size,))
    return out


def _real_or_complex(name: str, value: ArrayLike, min_size: int = 1) -> Any:
    raw = np.asarray(value)
    dtype = np.complex128 if raw.dtype.kind == "c" else np.float64
    return check_array(name, raw, dtype=dtype, min_size=min_size)


def apply_factors(factors: Sequence[Any], x: ArrayLike) -> Any:
    """Apply the product :math:`F_1 F_2 \\cdots F_L` of matrices to ``x``, rightmost first.

    A deep linear network with these factors as its layers computes exactly this; with
    sparse factors (e.g. :func:`cheaplib.flattening.fft_factors`) each step costs the
    factor's non-zeros.

    Parameters
    ----------
    factors : sequence of matrices
        Dense arrays or :mod:`scipy.sparse` matrices, shapes chaining
        (``F_i.shape[1] == F_{i+1}.shape[0]``); at least one.
    x : array_like
        Vector (or matrix of column vectors) with ``F_L.shape[1]`` rows; real or
        complex, finite.

    Returns
    -------
    numpy.ndarray
        :math:`F_1(F_2(\\cdots(F_L x)))`.

    Raises
    ------
    TypeError, ValueError
        For an empty or non-matrix factor list, a factor with a NaN or inf entry, shapes
        that do not chain, a scalar or non-finite ``x``, or a product that overflows.

    Examples
    --------
    >>> apply_factors([np.array([[0.0, 1.0], [1.0, 0.0]]), np.diag([2.0, 3.0])], [1.0, 1.0])
    array([3., 2.])
    """
    if isinstance(factors, np.ndarray) or not isinstance(factors, Sequence) or not factors:
        raise TypeError("factors must be a non-empty sequence of matrices")
    for i, f in enumerate(factors):
        if not (sp.issparse(f) or isinstance(f, np.ndarray)) or len(f.shape) != 2:
            raise TypeError(f"factors[{i}] must be a 2-D array or sparse matrix")
        _real_or_complex(f"factors[{i}]", f.data if sp.issparse(f) else f, min_size=0)
    for i in range(len(factors) - 1):
        if factors[i].shape[1] != factors[i + 1].shape[0]:
            raise ValueError(
                f"factors[{i}] has {factors[i].shape[1]} columns but factors[{i + 1}] has "
                f"{factors[i + 1].shape[0]} rows"
            )
    vec = _real_or_complex("x", x)
    if vec.ndim == 0 or vec.shape[0] != factors[-1].shape[1]:
        raise ValueError(f"x must have {factors[-1].shape[1]} rows, got shape {vec.shape}")
    for f in reversed(factors):  # the rightmost factor acts first
        vec = f @ vec
    return check_finite_result(vec, "factors, x")
