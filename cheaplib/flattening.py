"""No-flattening theorems: what it costs to make a deep network shallow (Sections III F-H, App. A).

The flattening cost of a network :math:`f` (eqs. 25-26) compares a shallower network
:math:`f^\\ell_\\epsilon` approximating it with :math:`f` itself:

.. math:: C_n = \\frac{N_n(f^\\ell_\\epsilon)}{N_n(f)}, \\qquad
          C_s = \\frac{N_s(f^\\ell_\\epsilon)}{N_s(f)},

neurons :math:`N_n` (hidden units) and synapses :math:`N_s` (non-zero weights); the paper
minimises over all flattenings, and :func:`neuron_flattening_cost` /
:func:`synapse_flattening_cost` evaluate the ratio for a given pair of
:class:`cheaplib.nets.Network` objects.

Linear networks (Sec. III G) are lists of sparse matrices, *rightmost applied first*
(``factors[0] @ factors[1] @ ... @ factors[-1]`` is the map).  Their flattening with
:math:`\\ell = \\epsilon = 0` is unique: the product matrix.  Provided here:

* :func:`fft_factors`, :func:`walsh_hadamard_factors` — sparse butterfly factorisations
  (:math:`2n\\log_2 n` synapses against :math:`n^2`);
* :func:`strassen_factors`, :func:`strassen_synapses` — matrix multiplication by a fixed
  matrix, with Strassen's 7 products per level;
* :func:`low_rank_cost`, :func:`sparse_product_cost` (eq. 27) and its Monte Carlo check
  :func:`sparse_product_cost_mc`.

The polynomial theorem (Sec. III H, App. A): sizes of the shallow and deep product networks
of :mod:`cheaplib.gates`, their error, and the linear algebra of the journal proof
(:func:`subset_product_matrix` is the matrix :math:`A_{Sj}`; :func:`taylor_monomials`
expands a one-hidden-layer network into monomials).  :func:`smallest_mlp_width` trains
scikit-learn's :class:`~sklearn.neural_network.MLPRegressor` on the same task.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln

from cheaplib._typing import FloatArray, IntArray
from cheaplib.nets import Layer, Network
from cheaplib.validation import (
    MAX_BYTES,
    check_array,
    check_budget,
    check_finite_result,
    check_real,
    refuse_overflow,
)
from cheaplib.validation import check_int as _int
from cheaplib.validation import check_rng as _check_rng

__all__ = [
    "StrassenCounts",
    "deep_product_size",
    "factor_synapses",
    "fft_factors",
    "flattened_synapses",
    "halved_product_network",
    "linear_flattening_cost",
    "linear_network",
    "low_rank_cost",
    "mlp_product_error",
    "neuron_flattening_cost",
    "product_error",
    "shallow_product_size",
    "smallest_mlp_width",
    "sparse_break_even",
    "sparse_product_cost",
    "sparse_product_cost_mc",
    "sparse_product_samples",
    "strassen_counts",
    "strassen_factors",
    "strassen_synapses",
    "subset_product_matrix",
    "synapse_flattening_cost",
    "taylor_monomials",
    "walsh_hadamard_factors",
]

SparseFactors = list[sp.csr_array]

MAX_LINEAR_SIZE = 4096
"""Largest transform size ``n`` for :func:`fft_factors` and :func:`walsh_hadamard_factors`."""


# --- validation helpers ------------------------------------------------------------------


def _power_of_two(name: str, value: object, high: int) -> int:
    n = _int(name, value, 2, high)
    if n & (n - 1):
        raise ValueError(f"{name} must be a power of two, got {n}")
    return n


# --- flattening cost on networks (eqs. 25-26) ---------------------------------------------


def _check_pair(deep: Network, flat: Network) -> None:
    if not isinstance(deep, Network):
        raise TypeError(f"deep must be a cheaplib.nets.Network, got {type(deep).__name__}")
    if not isinstance(flat, Network):
        raise TypeError(f"flat must be a cheaplib.nets.Network, got {type(flat).__name__}")
    if (deep.n_in, deep.n_out) != (flat.n_in, flat.n_out):
        raise ValueError(
            f"the networks compute different shapes: deep {deep.n_in}->{deep.n_out}, "
            f"flat {flat.n_in}->{flat.n_out}"
        )
    if flat.depth >= deep.depth:
        raise ValueError(
            f"a flattening has fewer hidden layers: flat depth {flat.depth} >= "
            f"deep depth {deep.depth}"
        )


def neuron_flattening_cost(deep: Network, flat: Network) -> float:
    """Neuron flattening cost :math:`N_n(f^\\ell)/N_n(f)` of one flattening (eq. 25).

    Eq. (25) minimises this ratio over all flattenings with error at most
    :math:`\\epsilon`; for a given candidate ``flat`` the ratio is an upper bound on
    :math:`C_n`, and equals it when ``flat`` is optimal (as the :math:`2^n`-neuron product
    network is, by the theorem of Appendix A).

    Parameters
    ----------
    deep : Network
        The network :math:`f`.
    flat : Network
        A network with fewer hidden layers computing (approximately) the same map.

    Returns
    -------
    float
        ``flat.neurons / deep.neurons``.

    Raises
    ------
    TypeError
        If either argument is not a :class:`~cheaplib.nets.Network`.
    ValueError
        If the input/output sizes differ, ``flat`` is not shallower, or ``deep`` has no
        hidden neuron.
    """
    _check_pair(deep, flat)
    if deep.neurons == 0:
        raise ValueError("the deep network has no hidden neuron: C_n is undefined")
    return flat.neurons / deep.neurons


def synapse_flattening_cost(deep: Network, flat: Network) -> float:
    """Synapse flattening cost :math:`N_s(f^\\ell)/N_s(f)` of one flattening (eq. 26).

    Synapses are non-zero weights (biases are not counted), as in
    :attr:`cheaplib.nets.Network.synapses`.  See :func:`neuron_flattening_cost`.

    Raises
    ------
    TypeError
        If either argument is not a :class:`~cheaplib.nets.Network`.
    ValueError
        If the sizes differ, ``flat`` is not shallower, or ``deep`` has no synapse.
    """
    _check_pair(deep, flat)
    if deep.synapses == 0:
        raise ValueError("the deep network has no synapse: C_s is undefined")
    return flat.synapses / deep.synapses


# --- linear networks (Sec. III G) ----------------------------------------------------------


def _check_factors(factors: Sequence[object]) -> list[sp.csr_array]:
    if isinstance(factors, str | bytes) or not isinstance(factors, Sequence):
        raise TypeError(f"factors must be a sequence of matrices, got {type(factors).__name__}")
    if len(factors) == 0:
        raise ValueError("factors: a linear network needs at least one factor")
    mats = []
    for i, f in enumerate(factors):
        if sp.issparse(f):
            m = sp.csr_array(f)
            if m.dtype.kind not in "biufc":
                raise TypeError(f"factors[{i}] must be numeric, got dtype {m.dtype}")
            if not np.all(np.isfinite(m.data)):
                raise ValueError(f"factors[{i}] must be finite (no NaN or inf)")
            mats.append(m)
        elif isinstance(f, np.ndarray) and f.ndim == 2:
            arr = check_array(
                f"factors[{i}]", f, ndim=2, dtype=f.dtype if f.dtype.kind == "c" else float
            )
            mats.append(sp.csr_array(arr))
        else:
            raise TypeError(f"factors[{i}] must be a 2-D array or scipy.sparse matrix")
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise ValueError(
                f"factors: factor {i} has {mats[i].shape[1]} columns but factor {i + 1} has "
                f"{mats[i + 1].shape[0]} rows"
            )
    return mats


def _nnz(mat: sp.csr_array, rtol: float = 0.0) -> int:
    data = np.abs(mat.data)
    if data.size == 0:
        return 0
    return int(np.count_nonzero(data > rtol * data.max()))


def factor_synapses(factors: Sequence[object]) -> int:
    """Synapses of a linear network: the non-zero entries of all its factors.

    Complex entries count once each (a complex weight is one synapse, as in the paper's
    count for the FFT).  Stored zeros are not counted.

    Raises
    ------
    TypeError, ValueError
        If the factors are not 2-D matrices or their shapes do not chain.
    """
    return sum(_nnz(m) for m in _check_factors(factors))


def flattened_synapses(factors: Sequence[object], rtol: float = 1e-9) -> int:
    """Synapses of the flattened (:math:`\\ell = 0`) network: non-zeros of the product.

    Parameters
    ----------
    factors : sequence of matrices
        Rightmost applied first.
    rtol : float, optional
        Entries with modulus at most ``rtol`` times the largest count as zero (round-off of
        exact cancellations, e.g. in Strassen's scheme), by default ``1e-9``.

    Returns
    -------
    int
        Number of non-zero entries of ``factors[0] @ ... @ factors[-1]``.
    """
    rtol = check_real("rtol", rtol, 0.0, 1.0, high_open=True)
    mats = _check_factors(factors)
    rows, inner = mats[0].shape[0], mats[-1].shape[1]
    check_budget("factors", 16 * rows * inner, MAX_BYTES)
    prod = mats[0]
    for m in mats[1:]:
        prod = prod @ m
    return _nnz(sp.csr_array(prod), rtol)


def linear_flattening_cost(factors: Sequence[object], rtol: float = 1e-9) -> float:
    """Synapse flattening cost :math:`C_s` of a linear network at :math:`\\ell=\\epsilon=0`.

    For a linear network the flattening to zero hidden layers is unique (the product
    matrix), so eq. (26) needs no minimisation: :math:`C_s` = non-zeros of the product
    over the non-zeros of the factors.

    Returns
    -------
    float
        ``flattened_synapses(factors) / factor_synapses(factors)``.
    """
    deep = factor_synapses(factors)
    if deep == 0:
        raise ValueError("factors have no non-zero entry")
    return flattened_synapses(factors, rtol) / deep


def linear_network(factors: Sequence[object]) -> Network:
    """The linear network (identity activation, zero biases) of real factors.

    ``factors[-1]`` becomes the first layer, so the network computes
    ``factors[0] @ ... @ factors[-1] @ x``; it has ``len(factors) - 1`` hidden layers.

    Raises
    ------
    TypeError
        If a factor is complex (a :class:`~cheaplib.nets.Network` holds real weights) or
        not a matrix.
    ValueError
        If the shapes do not chain.
    """
    mats = _check_factors(factors)
    if any(np.iscomplexobj(m.data) for m in mats):
        raise TypeError("factors must be real for linear_network; count complex ones directly")
    check_budget("factors", sum(8 * m.shape[0] * m.shape[1] for m in mats), MAX_BYTES)
    layers = tuple(Layer(m.toarray(), np.zeros(m.shape[0])) for m in reversed(mats))
    return Network(layers, activation="identity")


def fft_factors(n: int) -> SparseFactors:
    """Sparse radix-2 factors of the DFT matrix used by :func:`numpy.fft.fft` (Sec. III G).

    The Cooley-Tukey (decimation in time) factorisation
    :math:`F_n = A_t \\cdots A_2 (A_1 P)`, :math:`t = \\log_2 n`, with
    :math:`A_q = I_{n/L} \\otimes \\begin{pmatrix} I & \\Omega \\\\ I & -\\Omega
    \\end{pmatrix}`, :math:`L = 2^q`, :math:`\\Omega = \\mathrm{diag}(e^{-2\\pi i k/L})_{k<L/2}`
    and :math:`P` the bit-reversal permutation (merged into the first butterfly, which
    changes no count).  Each factor has exactly :math:`2n` non-zeros, so the deep linear
    network has :math:`2n\\log_2 n` synapses against the :math:`n^2` of the dense DFT.

    Parameters
    ----------
    n : int
        Transform size, a power of two, ``2 <= n <= 4096``.

    Returns
    -------
    list of scipy.sparse.csr_array
        ``[A_t, ..., A_2, A_1 P]``; their product in list order (rightmost applied first)
        is :math:`F_{jk} = e^{-2\\pi i jk/n}`, the matrix of ``numpy.fft.fft``.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is not a power of two in range.

    Examples
    --------
    >>> f = fft_factors(8)
    >>> factor_synapses(f), flattened_synapses(f)
    (48, 64)
    """
    n = _power_of_two("n", n, MAX_LINEAR_SIZE)
    t = n.bit_length() - 1
    rows = np.arange(n)
    factors = []
    for q in range(1, t + 1):
        L = 2**q
        half = L // 2
        block, pos = np.divmod(rows, L)
        k = pos % half
        twiddle = np.exp(-2j * np.pi * k / L)
        sign = np.where(pos < half, 1.0, -1.0)
        cols = np.concatenate([block * L + k, block * L + k + half])
        data = np.concatenate([np.ones(n, dtype=complex), sign * twiddle])
        factors.append(sp.csr_array((data, (np.concatenate([rows, rows]), cols)), shape=(n, n)))
    rev = np.zeros(n, dtype=int)
    for b in range(t):  # bit reversal, one pass per bit
        rev |= ((rows >> b) & 1) << (t - 1 - b)
    perm = sp.csr_array((np.ones(n), (rows, rev)), shape=(n, n))
    factors[0] = sp.csr_array(factors[0] @ perm)
    return factors[::-1]


def walsh_hadamard_factors(n: int) -> SparseFactors:
    """Sparse factors of the Walsh-Hadamard matrix :math:`H_n = H_2^{\\otimes t}` (Sec. III G).

    :math:`H_n = \\prod_{q=0}^{t-1} (I_{2^q} \\otimes H_2 \\otimes I_{n/2^{q+1}})`, each factor
    with :math:`2n` entries :math:`\\pm 1`: :math:`2n\\log_2 n` synapses against :math:`n^2`.

    Parameters
    ----------
    n : int
        Size, a power of two, ``2 <= n <= 4096``.

    Returns
    -------
    list of scipy.sparse.csr_array
        Factors whose product is :func:`scipy.linalg.hadamard` ``(n)`` (Sylvester order).

    Raises
    ------
    TypeError, ValueError
        If ``n`` is not a power of two in range.
    """
    n = _power_of_two("n", n, MAX_LINEAR_SIZE)
    t = n.bit_length() - 1
    h2 = sp.csr_array(np.array([[1.0, 1.0], [1.0, -1.0]]))
    return [
        sp.csr_array(sp.kron(sp.kron(sp.eye_array(2**q), h2), sp.eye_array(n // 2 ** (q + 1))))
        for q in range(t)
    ]


def low_rank_cost(n: int, k: int) -> float:
    """Synapse flattening cost of a rank-``k`` linear map of ``n`` variables (Sec. III G).

    The map :math:`A = BC` with :math:`B` of shape :math:`n\\times k` and :math:`C` of
    shape :math:`k\\times n` (the text swaps the two shapes) costs :math:`2nk` synapses
    through a bottleneck of :math:`k` neurons, against :math:`n^2` for the dense
    :math:`A`: :math:`C_s = n^2/2nk = n/2k`, above 1 when :math:`k < n/2`.

    Raises
    ------
    TypeError
        If ``n`` or ``k`` is not an integer.
    ValueError
        Unless ``1 <= k <= n``; if ``n / 2k`` is beyond float64 (``n`` near 1e308).
    """
    n = _int("n", n, 1)
    k = _int("k", k, 1, n)
    with refuse_overflow("n"):
        return n / (2 * k)


# --- Strassen ----------------------------------------------------------------------------

# Strassen (1969) for C = A B on 2x2 blocks, vectors ordered (11, 12, 21, 22):
# products M_p = (U_p . a)(V_p . b), then C = W M.
_STRASSEN_U = np.array(
    [[1, 0, 0, 1], [0, 0, 1, 1], [1, 0, 0, 0], [0, 0, 0, 1], [1, 1, 0, 0], [-1, 0, 1, 0],
     [0, 1, 0, -1]], dtype=float,
)  # fmt: skip
_STRASSEN_V = np.array(
    [[1, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, -1], [-1, 0, 1, 0], [0, 0, 0, 1], [1, 1, 0, 0],
     [0, 0, 1, 1]], dtype=float,
)  # fmt: skip
_STRASSEN_W = np.array(
    [[1, 0, 0, 1, -1, 0, 1], [0, 0, 1, 0, 1, 0, 0], [0, 1, 0, 1, 0, 0, 0],
     [1, -1, 1, 0, 0, 1, 0]], dtype=float,
)  # fmt: skip


class StrassenCounts(NamedTuple):
    """Exact counts for multiplying by a fixed dense :math:`n\\times n` matrix."""

    multiplications: int
    """Scalar multiplications of the deep network (:math:`7^t m^3`)."""
    naive_multiplications: int
    """Scalar multiplications of the schoolbook product (:math:`n^3`)."""
    synapses: int
    """Non-zero weights of the deep (Strassen) linear network."""
    flat_synapses: int
    """Non-zero weights of the flattened network :math:`N\\otimes I` (:math:`n^3`)."""


def _kron_stages(mat: NDArray, t: int, inner: int) -> list[sp.csr_array]:
    """Factors of :math:`M^{\\otimes t}\\otimes I_{inner}`, in application order."""
    r, c = mat.shape
    m = sp.csr_array(mat)
    return [
        sp.csr_array(
            sp.kron(sp.kron(sp.eye_array(r**k), m), sp.eye_array(c ** (t - 1 - k) * inner))
        )
        for k in range(t)
    ]


def _strassen_levels(n: int, levels: int | None) -> tuple[int, int]:
    n = _power_of_two("n", n, 2**20)
    t_max = n.bit_length() - 1
    t = t_max if levels is None else _int("levels", levels, 0, t_max)
    return t, n >> t


def strassen_synapses(n: int, levels: int | None = None) -> StrassenCounts:
    """Exact counts of :func:`strassen_factors` without building it.

    With :math:`t` Strassen levels and blocks of size :math:`m = n/2^t` multiplied the
    schoolbook way, the deep network has :math:`4(7^t-4^t)m^2` synapses in the
    additions of the inputs, :math:`7^t m^3` multiplications and :math:`4(7^t-4^t)m^2` in
    the additions of the outputs; the flat network :math:`N\\otimes I_n` has :math:`n^3`.

    Parameters
    ----------
    n : int
        Matrix size, a power of two (at most :math:`2^{20}`).
    levels : int, optional
        Strassen levels :math:`t`, ``0 <= t <= log2(n)``; by default all of them.

    Returns
    -------
    StrassenCounts
        Python integers (exact).

    Examples
    --------
    >>> c = strassen_synapses(64, 1)
    >>> c.multiplications, c.synapses, c.flat_synapses
    (229376, 253952, 262144)
    """
    t, m = _strassen_levels(n, levels)
    adds = 4 * (7**t - 4**t) * m**2
    mults = 7**t * m**3
    return StrassenCounts(mults, n**3, 2 * adds + mults, n**3)


def strassen_counts(n: int) -> StrassenCounts:
    """Counts of the full Strassen recursion (``levels = log2 n``), see :func:`strassen_synapses`.

    The multiplications are :math:`7^{\\log_2 n} = n^{\\log_2 7}` against :math:`8^{\\log_2 n}
    = n^3`; the synapses are :math:`9\\cdot 7^t - 8\\cdot 4^t`.
    """
    return strassen_synapses(n, None)


def strassen_factors(N: ArrayLike, levels: int | None = None) -> SparseFactors:
    """A deep linear network computing :math:`M \\mapsto NM` with Strassen's scheme.

    Inputs and outputs are the matrices flattened row by row, so the flattened network is
    :math:`N \\otimes I_n` (:math:`n^3` synapses for a dense :math:`N`).  The deep network
    reorders the entries into :math:`t` levels of 2x2 blocks, forms Strassen's 7 sums of
    blocks per level (:math:`V^{\\otimes t}`, factored into :math:`t` sparse stages), multiplies
    by the fixed numbers :math:`U^{\\otimes t}\\,\\mathrm{vec}(N)` (blocks of size
    :math:`m = n/2^t` the schoolbook way), and adds the products back
    (:math:`W^{\\otimes t}`, :math:`t` stages).

    Parameters
    ----------
    N : array_like
        The fixed :math:`n\\times n` matrix, ``n`` a power of two, ``2 <= n <= 64``.
    levels : int, optional
        Strassen levels, ``0 <= levels <= log2 n``; by default all.

    Returns
    -------
    list of scipy.sparse.csr_array
        Rightmost applied first; the product is ``numpy.kron(N, numpy.eye(n))``.

    Raises
    ------
    ValueError
        If ``N`` is not square with a power-of-two size in range, or not finite, or so
        large that the Strassen sums overflow.
    """
    N = check_array("N", N, ndim=2)
    if N.shape[0] != N.shape[1]:
        raise ValueError(f"N must be a square matrix, got shape {N.shape}")
    n = _power_of_two("N.shape[0]", N.shape[0], 64)
    t, m = _strassen_levels(n, levels)
    # permutation: row-major (i, j) -> (Morton index of the top t bits, row-major block)
    i, j = np.divmod(np.arange(n * n), n)
    hi_i, lo_i = np.divmod(i, m)
    hi_j, lo_j = np.divmod(j, m)
    morton = np.zeros_like(i)
    for b in range(t):
        morton += (2 * ((hi_i >> b) & 1) + ((hi_j >> b) & 1)) * 4**b
    new = morton * m * m + lo_i * m + lo_j
    p_in = sp.csr_array((np.ones(n * n), (new, np.arange(n * n))), shape=(n * n, n * n))
    # the fixed factors: blocks D_p = sum_q U^{(x)t}_{pq} N_q, each acting as D_p (x) I_m
    blocks = (p_in @ N.reshape(-1)).reshape(4**t, m * m)
    for stage in _kron_stages(_STRASSEN_U, t, 1):
        blocks = stage @ blocks
    middle = sp.block_diag(
        [sp.kron(sp.csr_array(d.reshape(m, m)), sp.eye_array(m)) for d in blocks], format="csr"
    )
    v_stages = _kron_stages(_STRASSEN_V, t, m * m)
    w_stages = _kron_stages(_STRASSEN_W, t, m * m)
    applied = [*v_stages, sp.csr_array(middle), *w_stages]
    applied[0] = sp.csr_array(applied[0] @ p_in)
    applied[-1] = sp.csr_array(p_in.T @ applied[-1])
    check_finite_result([f.data for f in applied], "N")
    return applied[::-1]


# --- sparse random factors (eq. 27) -------------------------------------------------------


def _check_p(p: ArrayLike) -> NDArray:
    if isinstance(p, bool | np.bool_):
        raise TypeError("p must be a real number or array, got bool")
    arr = check_array("p", p)
    if np.any(arr <= 0) or np.any(arr > 1):
        raise ValueError(f"p must lie in (0, 1], got {p!r}")
    return arr


def sparse_product_cost(n: ArrayLike, p: ArrayLike) -> FloatArray | float:
    """Eq. (27): expected :math:`C_s` of flattening a product of two sparse random matrices.

    :math:`A, B` are :math:`n\\times n` with independent entries equal to 1 with
    probability :math:`p`.  The deep network has :math:`2n^2p` synapses on average, the
    flattened :math:`AB` has an entry zero with probability :math:`(1-p^2)^n`, so

    .. math:: C_s = \\frac{1-(1-p^2)^n}{2p} \\le \\frac{1}{2p},

    the bound approached once :math:`n \\gg 1/p^2`.

    Parameters
    ----------
    n : int or array_like of int
        Matrix size(s), ``n >= 1``.
    p : float or array_like
        Density in :math:`(0, 1]`; broadcast against ``n``.

    Returns
    -------
    float or numpy.ndarray
        The cost, with the broadcast shape of ``n`` and ``p``.

    Raises
    ------
    TypeError, ValueError
        If ``p`` is outside :math:`(0, 1]` or ``n`` is not a positive integer.

    Examples
    --------
    >>> round(sparse_product_cost(10**6, 0.01), 6)
    50.0
    """
    n_arr = np.asarray(n)
    if n_arr.dtype.kind not in "iu":
        raise TypeError(f"n must be integer(s), got dtype {n_arr.dtype}")
    if n_arr.size == 0 or np.any(n_arr < 1):
        raise ValueError(f"n must be positive integer(s), got {n!r}")
    p_arr = _check_p(p)
    try:
        np.broadcast_shapes(n_arr.shape, p_arr.shape)
    except ValueError:
        raise ValueError(f"n {n_arr.shape} and p {p_arr.shape} do not broadcast") from None
    # 1 - (1 - p^2)^n without cancellation for small p^2 n
    with np.errstate(divide="ignore"):  # p = 1: log1p(-1) = -inf, expm1(-inf) = -1
        out = -np.expm1(n_arr * np.log1p(-(p_arr**2))) / (2.0 * p_arr)
    return float(out) if out.ndim == 0 else out


def sparse_break_even(p: float) -> int | None:
    """The smallest ``n`` at which eq. (27) exceeds 1, or None if it never does.

    :math:`C_s > 1 \\iff (1-p^2)^n < 1 - 2p`, so for :math:`0 < p < 1/2`

    .. math:: n^* = \\left\\lfloor \\frac{\\ln(1-2p)}{\\ln(1-p^2)} \\right\\rfloor + 1
              \\approx \\frac{2}{p} + 2 ,

    and for :math:`p \\ge 1/2` the ceiling :math:`1/(2p) \\le 1` is never exceeded:
    flattening never costs synapses.  Below :math:`n^*` the product of the sparse factors
    has fewer non-zeros than the two factors together (:math:`C_s < 1`).

    Parameters
    ----------
    p : float
        Density in :math:`[10^{-18}, 1]`: below it :math:`n^* \\approx 2/p` would not
        fit a 64-bit integer (and :math:`p^2` underflows for :math:`p < 10^{-154}`).

    Returns
    -------
    int or None

    Raises
    ------
    TypeError, ValueError
        If ``p`` is not a real number in :math:`[10^{-18}, 1]`.

    Examples
    --------
    >>> sparse_break_even(0.01), sparse_break_even(0.5)
    (203, None)
    """
    p = check_real("p", p, 1e-18, 1.0)
    if p >= 0.5:
        return None
    ratio = math.log1p(-2.0 * p) / math.log1p(-(p**2))
    n = math.floor(ratio) + 1
    # guard the floor against round-off at an exact tie: C_s(n) > 1 >= C_s(n - 1)
    while n > 1 and sparse_product_cost(n - 1, p) > 1.0:
        n -= 1
    while sparse_product_cost(n, p) <= 1.0:
        n += 1
    return n


def sparse_product_samples(
    n: int, p: float, rng: np.random.Generator, trials: int
) -> tuple[IntArray, IntArray]:
    """Synapse counts of sampled deep (:math:`A`, :math:`B`) and flat (:math:`AB`) networks.

    Parameters
    ----------
    n : int
        Matrix size, ``1 <= n <= 1024``.
    p : float
        Density in :math:`(0, 1]`.
    rng : numpy.random.Generator
        Source of randomness.
    trials : int
        Number of independent pairs, ``1 <= trials`` and ``trials * n**2 <= 2**24``.

    Returns
    -------
    (deep, flat) : tuple of numpy.ndarray
        Per trial: ``nnz(A) + nnz(B)`` and ``nnz(A @ B)``.
    """
    n = _int("n", n, 1, 1024)
    p = float(_check_p(p))
    rng = _check_rng(rng)
    trials = _int("trials", trials, 1)
    if trials * n * n > 2**24:
        raise ValueError(f"trials * n^2 = {trials * n * n} exceeds 2^24; use fewer trials")
    A = (rng.random((trials, n, n)) < p).astype(np.float32)
    B = (rng.random((trials, n, n)) < p).astype(np.float32)
    deep = (A.sum(axis=(1, 2)) + B.sum(axis=(1, 2))).astype(np.int64)
    flat = np.count_nonzero(A @ B, axis=(1, 2)).astype(np.int64)
    return deep, flat


def sparse_product_cost_mc(n: int, p: float, rng: np.random.Generator, trials: int = 20) -> float:
    """Monte Carlo estimate of eq. (27): total flat synapses over total deep synapses.

    The ratio of sums estimates the ratio of expectations that eq. (27) computes.

    Parameters
    ----------
    n, p, rng, trials
        As in :func:`sparse_product_samples`.

    Returns
    -------
    float
        :math:`\\sum \\mathrm{nnz}(AB) / \\sum [\\mathrm{nnz}(A)+\\mathrm{nnz}(B)]`.

    Raises
    ------
    ValueError
        For bad arguments, or if every sampled matrix is empty (raise ``trials``).
    """
    deep, flat = sparse_product_samples(n, p, rng, trials)
    if deep.sum() == 0:
        raise ValueError("every sampled matrix is empty; use more trials or a larger p")
    return float(flat.sum() / deep.sum())


# --- the polynomial no-flattening theorem (Sec. III H, App. A) ----------------------------


def shallow_product_size(n: int) -> tuple[int, int]:
    """Neurons and synapses of :func:`cheaplib.gates.shallow_product_network` (exact ints).

    :math:`2^n` hidden neurons, each with :math:`n` input weights and one output weight:
    :math:`(n+1)2^n` synapses.  Works for ``1 <= n <= 4096`` (e.g. ``n = 32``, where
    the network itself is too big to build); larger ``n`` is refused rather than left to
    compute :math:`2^n` for ever.

    Examples
    --------
    >>> shallow_product_size(32)
    (4294967296, 141733920768)
    """
    n = _int("n", n, 1, 4096)  # exact integers; 2**n for astronomically large n would hang
    return 2**n, (n + 1) * 2**n


def deep_product_size(n: int) -> tuple[int, int]:
    """Neurons and synapses of :func:`cheaplib.gates.deep_product_network` (exact ints).

    Counted level by level: a gate has 4 neurons; a first-level neuron sees 2 inputs (1 for
    a gate padded with the constant 1), a later neuron sees the 8 neurons of the two gates
    below it (4 when padded), and the output sums 4 neurons.  For ``n`` a power of two:
    :math:`4(n-1)` neurons and :math:`20n-28` synapses.
    """
    n = _int("n", n, 2, 2**62)
    neurons = synapses = 0
    k, first = n, True
    while k > 1:
        pairs, odd = divmod(k, 2)
        neurons += 4 * (pairs + odd)
        fan_in = 2 if first else 8
        synapses += 4 * fan_in * pairs + 4 * (fan_in // 2) * odd
        k, first = pairs + odd, False
    return neurons, synapses + 4


def product_error(net: Network, X: ArrayLike) -> float:
    """Largest absolute error :math:`\\max |f(x) - \\prod_i x_i|` over the rows of ``X``.

    Raises
    ------
    ValueError
        If ``X`` does not match the network's inputs or the network has several outputs.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a cheaplib.nets.Network, got {type(net).__name__}")
    if net.n_out != 1:
        raise ValueError(f"net: a product network has one output, this one has {net.n_out}")
    X = check_array("X", X, shape=(None, net.n_in))
    out = net(X)
    return float(np.max(np.abs(out[:, 0] - X.prod(axis=1))))


def halved_product_network(net: Network) -> Network:
    """Keep the hidden neurons of a one-hidden-layer product network with :math:`s_1 = +1`.

    Each neuron :math:`\\sigma(b + \\lambda s\\cdot x)` of
    :func:`cheaplib.gates.shallow_product_network` has a partner with :math:`-s`.  When
    :math:`\\sigma_k(b) = 0` for every :math:`1 \\le k \\le n` of the other parity than
    :math:`n` (``tanh`` at 0 and odd ``n``; ``softplus`` at 0 and even ``n >= 4``), the
    partners contribute equally, so half of them, with doubled output weights, compute
    the same product: :math:`2^{n-1}` neurons, below the :math:`2^n` of the theorem —
    whose hypothesis :math:`\\sigma_k \\ne 0` for all :math:`k\\le n` fails there.

    Raises
    ------
    ValueError
        If ``net`` is not a one-hidden-layer network with ±λ input weights.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a cheaplib.nets.Network, got {type(net).__name__}")
    if net.depth != 1:
        raise ValueError(f"net must have exactly one hidden layer, got {net.depth}")
    first, last = net.layers
    keep = first.W[:, 0] > 0
    if 2 * np.count_nonzero(keep) != first.n_out or np.any(first.W[:, 0] == 0):
        raise ValueError("net: the first input weights are not +lam and -lam in equal numbers")
    hidden = Layer(first.W[keep], first.b[keep])
    out = Layer(2.0 * last.W[:, keep], last.b)
    return Network((hidden, out), net.activation, net.output)


def subset_product_matrix(a: ArrayLike) -> FloatArray:
    """The :math:`2^n \\times m` matrix :math:`A_{Sj} = \\prod_{h\\in S} a_{hj}` (journal eq. A7).

    The journal proof shows that any one-hidden-layer network approximating
    :math:`x_1\\cdots x_n` (with :math:`\\sigma_k \\ne 0`, :math:`k\\le n`) has this matrix of
    full row rank :math:`2^n`, hence :math:`m \\ge 2^n` neurons.

    Parameters
    ----------
    a : array_like
        Input weights :math:`a_{ij}`, shape ``(n, m)`` (input ``i``, neuron ``j``),
        ``1 <= n <= 14``.

    Returns
    -------
    numpy.ndarray
        Row ``s`` belongs to the subset :math:`S = \\{h : \\text{bit } h \\text{ of } s\\}`
        (row 0 is :math:`S = \\emptyset`, all ones).

    Raises
    ------
    TypeError, ValueError
        For ``a`` not a finite 2-D array with 1 to 14 rows, or weights so large that a
        product overflows.
    """
    a = check_array("a", a, ndim=2)
    n = _int("n (rows of a)", a.shape[0], 1, 14)
    check_budget("a", 8 * 2**n * n * a.shape[1], MAX_BYTES)
    bits = ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)
    factors = np.where(bits[:, :, None], a[None, :, :], 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        out: FloatArray = factors.prod(axis=1)
    return check_finite_result(out, "a")


def _multi_indices(n: int, degree: int) -> IntArray:
    """All exponent vectors of ``n`` variables with total degree at most ``degree``."""
    R = np.zeros((1, 0), dtype=np.int64)
    for _ in range(n):
        room = degree - R.sum(axis=1)
        reps = room + 1
        R = np.repeat(R, reps, axis=0)
        starts = np.repeat(np.cumsum(reps) - reps, reps)
        new = np.arange(R.shape[0]) - starts
        R = np.column_stack([R, new])
    return R


def taylor_monomials(a: ArrayLike, w: ArrayLike, coeffs: ArrayLike) -> tuple[IntArray, FloatArray]:
    """Monomial coefficients of :math:`\\sum_j w_j \\sum_{k\\le K} \\sigma_k (a_j\\cdot x)^k`.

    This is the left-hand side of the journal's eqs. (A2)-(A3): a one-hidden-layer network
    expanded to degree :math:`K` = ``len(coeffs) - 1``.  The coefficient of
    :math:`x^r = \\prod_i x_i^{r_i}` is
    :math:`\\sigma_{|r|}\\,\\frac{|r|!}{\\prod_i r_i!} \\sum_j w_j \\prod_i a_{ij}^{r_i}`.

    Parameters
    ----------
    a : array_like
        Input weights, shape ``(n, m)``.
    w : array_like
        Output weights, shape ``(m,)``.
    coeffs : array_like
        Taylor coefficients :math:`\\sigma_0..\\sigma_K` (plain, not derivatives).

    Returns
    -------
    (R, values) : tuple
        ``R`` of shape ``(M, n)``, the exponent vectors with :math:`|r| \\le K`, and their
        coefficients.

    Raises
    ------
    ValueError
        On inconsistent shapes or when more than 200,000 monomials would be needed.
    """
    a = check_array("a", a, ndim=2)
    w = check_array("w", w, shape=(a.shape[1],))
    c = check_array("coeffs", coeffs, ndim=1)
    n, K = a.shape[0], c.size - 1
    if math.comb(n + K, n) > 200_000:
        raise ValueError(
            f"a, coeffs: {math.comb(n + K, n)} monomials are too many (n={n}, degree={K})"
        )
    check_budget("a", 8 * math.comb(n + K, n) * a.shape[1] * (n + 1), MAX_BYTES)
    R = _multi_indices(n, K)
    deg = R.sum(axis=1)
    log_multinomial = _log_multinomial(R)
    powers = np.prod(a.T[None, :, :] ** R[:, None, :], axis=2)  # (M, m)
    values: FloatArray = c[deg] * np.exp(log_multinomial) * (powers @ w)
    return R, values


def _log_multinomial(R: IntArray) -> FloatArray:
    out: FloatArray = gammaln(R.sum(axis=1) + 1.0) - gammaln(R + 1.0).sum(axis=1)
    return out


# --- beyond the paper: trained networks ---------------------------------------------------


def mlp_product_error(
    n: int,
    hidden: tuple[int, ...],
    rng: np.random.Generator,
    n_train: int = 1024,
    n_test: int = 1024,
    max_iter: int = 300,
) -> float:
    """Train an :class:`sklearn.neural_network.MLPRegressor` to multiply ``n`` inputs.

    Inputs are uniform on :math:`[-1, 1]^n`; the target :math:`3^{n/2}\\prod_i x_i` has
    unit variance.  The network uses ``tanh`` units and the L-BFGS solver (small, smooth
    problems); the returned error is the relative RMS error on fresh test points.

    Parameters
    ----------
    n : int
        Number of inputs, ``1 <= n <= 12``.
    hidden : tuple of int
        Hidden layer widths, e.g. ``(8,)`` (shallow) or ``(8, 8)``.
    rng : numpy.random.Generator
        Draws the data and the initialisation seed.
    n_train, n_test, max_iter : int
        Sample sizes and L-BFGS iterations.

    Returns
    -------
    float
        :math:`\\sqrt{\\langle (f-y)^2\\rangle / \\langle y^2\\rangle}` on the test set.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor
    from threadpoolctl import threadpool_limits

    n = _int("n", n, 1, 12)
    if not isinstance(hidden, tuple | list) or not hidden:
        raise TypeError("hidden must be a non-empty tuple of positive widths")
    hidden = tuple(_int("hidden", h, 1, 4096) for h in hidden)
    rng = _check_rng(rng)
    n_train = _int("n_train", n_train, 8, 10**6)
    n_test = _int("n_test", n_test, 8, 10**6)
    max_iter = _int("max_iter", max_iter, 1, 10**5)
    X = rng.uniform(-1.0, 1.0, size=(n_train + n_test, n))
    y = X.prod(axis=1) * 3.0 ** (n / 2)
    model = MLPRegressor(
        hidden_layer_sizes=tuple(int(h) for h in hidden),
        activation="tanh",
        solver="lbfgs",
        max_iter=max_iter,
        tol=1e-10,
        random_state=int(rng.integers(2**31 - 1)),
    )
    # one BLAS thread: the L-BFGS path, hence the result, does not depend on the core count
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:n_train], y[:n_train])
        resid = model.predict(X[n_train:]) - y[n_train:]
    return float(np.sqrt(np.mean(resid**2) / np.mean(y[n_train:] ** 2)))


def smallest_mlp_width(
    n: int,
    depth: int,
    widths: Sequence[int],
    rng: np.random.Generator,
    target: float = 0.1,
    **kwargs: int,
) -> tuple[int | None, float]:
    """Smallest width (from ``widths``, increasing) whose trained MLP reaches ``target``.

    Every hidden layer of the ``depth``-layer network has the same width.  Widths are
    tried in order and the search stops at the first success.

    Parameters
    ----------
    n : int
        Number of inputs.
    depth : int
        Number of hidden layers, ``>= 1``.
    widths : sequence of int
        Candidate widths, increasing.
    rng : numpy.random.Generator
        Passed to :func:`mlp_product_error`.
    target : float, optional
        Relative RMS error to reach, by default 0.1.
    **kwargs
        ``n_train``, ``n_test``, ``max_iter`` for :func:`mlp_product_error`.

    Returns
    -------
    (width, error) : tuple
        The first width reaching the target and its error, or ``(None, best error)``.
    """
    depth = _int("depth", depth, 1, 16)
    if isinstance(widths, str | bytes) or not isinstance(widths, Sequence):
        raise TypeError("widths must be a sequence of integers")
    ws = [_int("widths", w, 1, 4096) for w in widths]
    if not ws or any(b <= a for a, b in zip(ws[:-1], ws[1:], strict=False)):
        raise ValueError("widths must be a non-empty increasing sequence")
    target = check_real("target", target, low=0.0, low_open=True)
    best = np.inf
    for w in ws:
        err = mlp_product_error(n, (w,) * depth, rng, **kwargs)
        best = min(best, err)
        if err <= target:
            return w, err
    return None, float(best)
