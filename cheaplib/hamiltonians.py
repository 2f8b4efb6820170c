"""Hamiltonians and the networks that compute them (Sections II B-D).

In the paper's language a class-conditional density is written as a Boltzmann factor,
:math:`p(x|y) = e^{-H_y(x)}` (eq. 4), and the prior as :math:`p(y) = e^{-\\mu_y}` (eq. 5
with the normalisation absorbed); Bayes' theorem then becomes a softmax (eqs. 6-8).

Section II C asks which Hamiltonians a small network can compute, and this module builds
the answers as :class:`cheaplib.nets.Network` objects:

* **bits** (eq. 12): any function of :math:`n` bits is a polynomial with :math:`2^n`
  coefficients :math:`h_K`, one per subset :math:`K` of the bits.  They are the Möbius
  transform of the function's values over the subset lattice (:func:`bit_coefficients`,
  inverse :func:`bit_values`), and one hidden layer of logistic "product neurons" (eq. 13)
  plus a linear layer computes the function (:func:`bit_function_network`,
  :func:`monomial_network`);
* **polynomials in real variables** (eq. 9): :func:`polynomial_network` wires the 4-neuron
  multiplication gate of eq. (11) into a circuit, with 2-neuron copy gates;
  :func:`polynomial_terms` counts the :math:`(n+d)!/(n!\\,d!)` coefficients;
* **locality and symmetry** (Section II D): monomial counts of the microphone example
  (:func:`chain_monomial_counts`), clique covers of a 2-D nearest-neighbour Ising model
  and the networks they give (:func:`square_lattice_edges`, :func:`clique_cover_bound`,
  :func:`clique_coefficients`), maximum entropy under moment constraints
  (:func:`max_entropy`), and translation-invariant linear maps as FFT convolutions
  (:func:`shift_commutant_dimension`, :func:`fft_convolve`);
* :func:`draw_network`, a small diagram of a network (Fig. 2).

Bits are indexed as in the issue that specified this module: ``values[i]`` is the function
at the bit string whose binary digits are ``i``, bit ``j`` of ``i`` being :math:`x_j`; the
same integer ``K`` indexes the subset :math:`\\{j : \\text{bit } j \\text{ of } K = 1\\}`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import block_diag

from cheaplib.validation import check_int as _check_int
from cheaplib.gates import generic_shift
from cheaplib.nets import Layer, Network, taylor_coefficients

__all__ = [
    "MAX_NETWORK_BITS",
    "ChainCounts",
    "CliqueCover",
    "GateCounts",
    "MaxEntResult",
    "bit_coefficients",
    "bit_function_network",
    "bit_network_error_bound",
    "bit_polynomial_string",
    "bit_polynomial_value",
    "bit_strings",
    "bit_values",
    "chain_monomial_counts",
    "clique_coefficients",
    "clique_cover_bound",
    "draw_network",
    "evaluate_bits",
    "fft_convolve",
    "ising_edge_tables",
    "ising_energy",
    "max_entropy",
    "monomial_exponents",
    "monomial_network",
    "polynomial_gate_counts",
    "polynomial_network",
    "polynomial_terms",
    "polynomial_value",
    "shift_commutant_basis",
    "softmax_posterior",
    "square_lattice_edges",
]

FloatArray = NDArray[np.float64]

MAX_NETWORK_BITS = 16
"""Largest ``n`` for :func:`bit_function_network` and :func:`evaluate_bits`."""


def softmax_posterior(H: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """Posterior :math:`p(y|x) = \\mathrm{softmax}(-H_y(x) - \\mu_y)` over classes (eq. 8).

    Parameters
    ----------
    H : array_like
        Hamiltonians :math:`H_y(x) = -\\ln p(x|y)`, shape ``(..., n_classes)`` (the class
        index is the last axis; leading axes are data points).
    mu : array_like
        Self-informations of the priors, :math:`\\mu_y = -\\ln p(y)`, shape
        ``(n_classes,)``; any common additive constant cancels.

    Returns
    -------
    numpy.ndarray
        Probabilities of the same shape as ``H``, summing to 1 over the last axis.  The
        maximum is subtracted before exponentiating, so energies of order 1e3 do not
        overflow.

    Raises
    ------
    ValueError
        If the shapes do not match or an entry is not finite.
    """
    H = np.asarray(H, dtype=float)
    mu = np.asarray(mu, dtype=float)
    if H.ndim < 1 or mu.ndim != 1 or H.shape[-1] != mu.shape[0]:
        raise ValueError(
            f"H must have shape (..., n_classes) and mu (n_classes,); got {H.shape}, {mu.shape}"
        )
    if not (np.all(np.isfinite(H)) and np.all(np.isfinite(mu))):
        raise ValueError("H and mu must be finite")
    z = -H - mu
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: NDArray[np.float64] = e / e.sum(axis=-1, keepdims=True)
    return out


# --- validation helpers ------------------------------------------------------------------


def _check_beta(beta: float) -> float:
    if isinstance(beta, bool) or not np.isfinite(beta) or beta <= 0:
        raise ValueError(f"beta must be a positive finite number, got {beta!r}")
    return float(beta)


def _n_bits(length: int, what: str = "values") -> int:
    if length < 1 or length & (length - 1):
        raise ValueError(
            f"the length of {what} must be a power of two, 2^n for n bits; got {length}"
        )
    return int(length).bit_length() - 1


# --- Section II C 2: functions of bits (eqs. 12-13) --------------------------------------


def bit_strings(n: int) -> NDArray[np.int64]:
    """All :math:`2^n` bit strings as rows; row ``i`` holds the binary digits of ``i``.

    Parameters
    ----------
    n : int
        Number of bits, ``0 <= n <= 26``.

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(2**n, n)``; entry ``[i, j]`` is bit ``j`` of ``i``.
    """
    n = _check_int("n", n, 0, 26)
    out: NDArray[np.int64] = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
    return out


def _subset_sums(values: ArrayLike, sign: int, axis: int) -> NDArray[Any]:
    """Sum (sign +1) or alternating sum (sign -1) over subsets, along ``axis``: O(n 2^n)."""
    a = np.asarray(values)
    if a.ndim == 0:
        raise ValueError("values must be an array with one entry per bit string")
    if a.dtype == bool or np.issubdtype(a.dtype, np.integer):
        dtype: type = np.int64
    elif np.issubdtype(a.dtype, np.floating):
        dtype = np.float64
    elif np.issubdtype(a.dtype, np.complexfloating):
        dtype = np.complex128
    else:
        raise TypeError(f"values must be numeric, got dtype {a.dtype}")
    a = np.moveaxis(a, axis, 0)
    n = _n_bits(a.shape[0])
    if dtype is np.int64 and a.size and int(np.abs(a).max()) >= 2 ** (62 - n):
        raise ValueError("integer values too large: the transform could overflow int64")
    if dtype is not np.int64 and not np.all(np.isfinite(a)):
        raise ValueError("values must be finite")
    out = np.array(a, dtype=dtype, order="C")
    rest = out.shape[1:]
    for j in range(n):
        # index i = high * 2^(j+1) + (bit j) * 2^j + low: the middle axis is bit j
        view = out.reshape(2 ** (n - j - 1), 2, 2**j, *rest)
        if sign > 0:
            view[:, 1] += view[:, 0]
        else:
            view[:, 1] -= view[:, 0]
    return np.moveaxis(out, 0, axis)


def bit_coefficients(values: ArrayLike, axis: int = 0) -> NDArray[Any]:
    """Coefficients :math:`h_K` of a function of :math:`n` bits as a polynomial (eq. 12).

    Every function of bits is a multilinear polynomial,

    .. math:: f(x) = \\sum_{K \\subseteq \\{0..n-1\\}} h_K \\prod_{j \\in K} x_j ,

    because :math:`x_j^2 = x_j`.  Evaluating at the bit string of a set :math:`S` gives
    :math:`f(S) = \\sum_{K\\subseteq S} h_K` (a zeta transform over the subset lattice), so
    the coefficients are its Möbius inverse,
    :math:`h_K = \\sum_{S\\subseteq K} (-1)^{|K|-|S|} f(S)`.  It is computed one bit at a
    time (subtract the ``bit j = 0`` half from the ``bit j = 1`` half), :math:`n 2^{n-1}`
    subtractions in all, vectorised with NumPy.

    Parameters
    ----------
    values : array_like
        ``values[i]`` is :math:`f` at the bit string with binary digits ``i`` (bit ``j``
        of ``i`` is :math:`x_j`); length :math:`2^n` along ``axis``.  Other axes are
        transformed independently (several functions at once, e.g. one per class).
        Integer (or boolean) input is transformed exactly in ``int64``.
    axis : int, optional
        The axis of length :math:`2^n`, by default 0.

    Returns
    -------
    numpy.ndarray
        ``h`` of the same shape, ``h[K]`` the coefficient of :math:`\\prod_{j\\in K} x_j`
        (bit ``j`` of ``K`` set iff :math:`j \\in K`); ``h[0]`` is the constant :math:`f(0)`.
        ``int64`` for integer input, else ``float64`` (or ``complex128``).

    Raises
    ------
    ValueError
        If the length is not a power of two, a value is not finite, or integer values are
        so large that the result could overflow.

    See Also
    --------
    bit_values : the inverse transform.

    Examples
    --------
    >>> bit_coefficients([0, 0, 0, 1])  # f = x0 AND x1 = x0 x1
    array([0, 0, 0, 1])
    >>> bit_coefficients([0, 1, 1, 0])  # f = x0 XOR x1 = x0 + x1 - 2 x0 x1
    array([ 0,  1,  1, -2])
    """
    return _subset_sums(values, -1, axis)


def bit_values(coefficients: ArrayLike, axis: int = 0) -> NDArray[Any]:
    """Values :math:`f(S) = \\sum_{K \\subseteq S} h_K` on all bit strings (inverse of eq. 12).

    The zeta transform over subsets, inverse of :func:`bit_coefficients`; same
    conventions, same cost :math:`O(n 2^n)`.

    Parameters
    ----------
    coefficients : array_like
        ``coefficients[K]`` for every subset ``K`` (length :math:`2^n` along ``axis``).
    axis : int, optional
        The axis of length :math:`2^n`, by default 0.

    Returns
    -------
    numpy.ndarray
        ``values[i]``, the polynomial at the bit string with digits ``i``.

    Raises
    ------
    ValueError
        As :func:`bit_coefficients`.
    """
    return _subset_sums(coefficients, +1, axis)


def bit_polynomial_string(coefficients: ArrayLike, tol: float = 1e-12) -> str:
    """Write :math:`\\sum_K h_K \\prod_{j\\in K} x_j` as text, e.g. ``"x0x1 - 2 x0x1x2"``.

    Parameters
    ----------
    coefficients : array_like
        Shape ``(2**n,)``, as returned by :func:`bit_coefficients`.
    tol : float, optional
        Coefficients with magnitude at most ``tol`` are omitted, by default 1e-12.

    Returns
    -------
    str
        Terms by increasing degree, then by subset index; ``"0"`` if all vanish.
    """
    h = np.asarray(coefficients)
    if h.ndim != 1:
        raise ValueError(f"coefficients must be 1-D, got shape {h.shape}")
    n = _n_bits(h.shape[0], "coefficients")
    order = sorted(range(2**n), key=lambda K: (bin(K).count("1"), K))
    parts = []
    for K in order:
        c = h[K]
        if abs(c) <= tol:
            continue
        mono = "".join(f"x{j}" for j in range(n) if K >> j & 1)
        mag = abs(c)
        num = f"{mag:g}" if (mag != 1 or not mono) else ""
        term = f"{num} {mono}".strip() if num and mono else (num or mono)
        sign = "-" if c < 0 else "+"
        parts.append((sign, term))
    if not parts:
        return "0"
    first_sign, first = parts[0]
    text = ("-" if first_sign == "-" else "") + first
    return text + "".join(f" {sg} {t}" for sg, t in parts[1:])


def _as_masks(masks: ArrayLike | sp.sparray | sp.spmatrix) -> NDArray[np.bool_]:
    if sp.issparse(masks):
        m = np.asarray(masks.toarray())  # type: ignore[union-attr]
    else:
        m = np.asarray(masks)
    if m.ndim != 2:
        raise ValueError(f"masks must be 2-D (monomials, bits), got shape {m.shape}")
    if not np.all((m == 0) | (m == 1)):
        raise ValueError("masks must contain only 0/1 (or booleans)")
    return m.astype(bool)


def _check_bits(X: ArrayLike, n: int) -> FloatArray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != n:
        raise ValueError(f"expected bit strings of shape (m, {n}), got {X.shape}")
    if not np.all((X == 0) | (X == 1)):
        raise ValueError("inputs must be bits (0 or 1)")
    return X


def bit_polynomial_value(
    masks: ArrayLike | sp.sparray,
    coefficients: ArrayLike,
    constant: ArrayLike,
    X: ArrayLike,
) -> FloatArray:
    """Exact value of :math:`h + \\sum_K h_K \\prod_{j\\in K} x_j` on bit strings (eq. 12).

    A monomial of bits is 1 exactly when all its bits are, i.e. when the number of its bits
    that are set equals its degree (the sum-checking idea behind eq. 13).

    Parameters
    ----------
    masks : array_like or scipy sparse array
        Shape ``(m, n)``: row ``r`` marks the bits of monomial ``r``.
    coefficients : array_like
        Shape ``(m,)`` or ``(m, c)`` (``c`` functions at once).
    constant : array_like
        Scalar or shape ``(c,)``.
    X : array_like
        Bit strings, shape ``(N, n)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(N,)`` or ``(N, c)``.

    Raises
    ------
    ValueError
        On shape mismatches or non-bit inputs.
    """
    M = _as_masks(masks)
    X = _check_bits(X, M.shape[1])
    coef = np.asarray(coefficients, dtype=float)
    if coef.shape[:1] != (M.shape[0],) or coef.ndim > 2:
        raise ValueError(f"coefficients must have shape ({M.shape[0]},) or ({M.shape[0]}, c)")
    on = (X @ M.T.astype(float)) == M.sum(axis=1)[None, :]
    out: FloatArray = on.astype(float) @ coef + np.asarray(constant, dtype=float)
    return out


def monomial_network(
    masks: ArrayLike | sp.sparray,
    coefficients: ArrayLike,
    constant: ArrayLike = 0.0,
    beta: float = 40.0,
    output: str = "identity",
) -> Network:
    """A sum of bit monomials as a 3-layer network of product neurons (eqs. 12-13, Fig. 2).

    Each monomial :math:`\\prod_{j\\in K} x_j` becomes one logistic neuron
    :math:`\\sigma(\\beta(\\sum_{j\\in K} x_j - |K| + \\tfrac12))` (eq. 13, the gate of
    :func:`cheaplib.gates.bit_product_gate`); the output layer weighs them with the
    coefficients and adds the constant as its bias, then applies ``output`` (``softmax``
    for the posterior of eq. 8).  Every neuron is off by at most
    :math:`\\sigma(-\\beta/2)`, so the output is off by at most
    :math:`\\sigma(-\\beta/2)\\sum_K |h_K|` (:func:`bit_network_error_bound`).

    Parameters
    ----------
    masks : array_like or scipy sparse array
        Shape ``(m, n)``, row ``r`` marks the bits of monomial ``r`` (at least one each:
        the empty monomial is the ``constant``).
    coefficients : array_like
        Shape ``(m,)`` (one output) or ``(m, c)`` (``c`` outputs).
    constant : array_like, optional
        Scalar or shape ``(c,)``, by default 0.
    beta : float, optional
        Steepness :math:`\\beta > 0`, by default 40.
    output : str, optional
        ``identity`` (default), ``softmax`` or ``logistic``.

    Returns
    -------
    Network
        ``n`` inputs, ``m`` hidden logistic neurons (none if ``m = 0``), ``c`` outputs.

    Raises
    ------
    ValueError
        If ``beta <= 0``, a mask row is empty, shapes disagree, or the dense weight matrix
        would exceed 5e7 entries.
    """
    beta = _check_beta(beta)
    M = _as_masks(masks)
    m, n = M.shape
    if m * n > 50_000_000:
        raise ValueError(f"{m} monomials of {n} bits is too large to build densely")
    coef = np.asarray(coefficients, dtype=float)
    if coef.ndim == 1:
        coef = coef[:, None]
    if coef.ndim != 2 or coef.shape[0] != m:
        raise ValueError(f"coefficients must have shape ({m},) or ({m}, c), got {coef.shape}")
    c = coef.shape[1]
    const = np.broadcast_to(np.asarray(constant, dtype=float), (c,)).copy()
    sizes = M.sum(axis=1)
    if np.any(sizes == 0):
        raise ValueError("a monomial has no bits; put the constant term in `constant`")
    out_layer_bias = const
    if m == 0:
        return Network((Layer(np.zeros((c, n)), out_layer_bias),), "logistic", output)
    hidden = Layer(beta * M.astype(float), -beta * (sizes - 0.5))
    return Network((hidden, Layer(coef.T, out_layer_bias)), "logistic", output)


def bit_function_network(
    values: ArrayLike, beta: float, output: str = "identity", tol: float = 0.0
) -> Network:
    """Any function of :math:`n` bits as a 3-layer network (eq. 12 with eq. 13).

    The coefficients :math:`h_K` of :func:`bit_coefficients` are compiled by
    :func:`monomial_network`: one logistic product neuron per non-empty subset :math:`K`
    with :math:`|h_K| >` ``tol``, so at most :math:`2^n - 1` hidden neurons, and a linear
    output layer holding the :math:`h_K` (the constant :math:`h_\\emptyset` is its bias).
    With ``output="softmax"`` and ``values[:, y]`` :math:`= -H_y(x) - \\mu_y`, the network
    is the classifier :math:`p(y|x)` of eq. (8): the paper's "simple 3-layer network" for
    an arbitrary :math:`p_y(x)`.

    Parameters
    ----------
    values : array_like
        Shape ``(2**n,)`` or ``(2**n, c)``; ``values[i]`` at the bit string with binary
        digits ``i`` (bit ``j`` of ``i`` is :math:`x_j`).  ``1 <= n <= 16``.
    beta : float
        Steepness :math:`\\beta > 0` of the product neurons.
    output : str, optional
        ``identity`` (default), ``softmax`` or ``logistic``.
    tol : float, optional
        Drop monomials whose coefficients are all at most ``tol`` in magnitude, by
        default 0 (keep every non-zero one).

    Returns
    -------
    Network
        ``n`` inputs, one hidden layer of logistic neurons, ``c`` outputs.

    Raises
    ------
    ValueError
        For a length that is not a power of two, ``n`` out of range, ``beta <= 0``,
        a negative ``tol`` or non-finite values.
    """
    beta = _check_beta(beta)
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    v = np.asarray(values, dtype=float)
    if v.ndim not in (1, 2):
        raise ValueError(f"values must have shape (2**n,) or (2**n, c), got {v.shape}")
    n = _n_bits(v.shape[0])
    if not 1 <= n <= MAX_NETWORK_BITS:
        raise ValueError(f"n must be in [1, {MAX_NETWORK_BITS}], got {n}")
    h = bit_coefficients(v).reshape(2**n, -1)
    keep = np.flatnonzero(np.abs(h[1:]).max(axis=1) > tol) + 1
    masks = bit_strings(n)[keep].astype(bool)
    coef = h[keep] if v.ndim == 2 else h[keep, 0]
    constant = h[0] if v.ndim == 2 else h[0, 0]
    return monomial_network(masks, coef, constant, beta, output)


def bit_network_error_bound(coefficients: ArrayLike, beta: float) -> float:
    """Guaranteed worst error of :func:`bit_function_network` (identity output).

    Each product neuron is off by at most :math:`\\sigma(-\\beta/2)`, so the output is off
    by at most :math:`\\sigma(-\\beta/2)\\sum_{K\\ne\\emptyset}|h_K|`.

    Parameters
    ----------
    coefficients : array_like
        Output of :func:`bit_coefficients`, shape ``(2**n,)`` or ``(2**n, c)``.
    beta : float
        Steepness :math:`\\beta > 0`.

    Returns
    -------
    float
        The bound (the largest over the ``c`` functions), valid for the identity output.
    """
    from scipy.special import expit

    beta = _check_beta(beta)
    h = np.asarray(coefficients, dtype=float)
    _n_bits(h.shape[0] if h.ndim else 0, "coefficients")
    total = np.abs(h[1:]).reshape(h.shape[0] - 1, -1).sum(axis=0).max(initial=0.0)
    return float(total * expit(-beta / 2.0))


def evaluate_bits(net: Network, chunk: int = 1024) -> FloatArray:
    """Evaluate a network of ``n <= 16`` bit inputs on all :math:`2^n` bit strings, in order.

    Row ``i`` is the network at the bit string with binary digits ``i``.  The batch is cut
    into chunks of ``chunk`` rows so the hidden layer of :math:`2^n` neurons never needs
    more than ``chunk`` x :math:`2^n` numbers at once.

    Raises
    ------
    ValueError
        If the network has more than 16 inputs or ``chunk < 1``.
    """
    n = net.n_in
    if n > MAX_NETWORK_BITS:
        raise ValueError(f"cannot enumerate 2^{n} inputs (n <= {MAX_NETWORK_BITS})")
    chunk = _check_int("chunk", chunk, 1)
    X = bit_strings(n).astype(float)
    return np.vstack([net(X[i : i + chunk]) for i in range(0, len(X), chunk)])


# --- Section II C 1 and II D 1: polynomials of real variables ------------------------------


def polynomial_terms(n: int, d: int) -> int:
    """Number of monomials of degree at most ``d`` in ``n`` variables: :math:`\\binom{n+d}{d}`.

    This is the :math:`(n+d)!/(n!\\,d!)` below eq. (9), the number of coefficients of a
    generic polynomial Hamiltonian (constant term included).

    Raises
    ------
    TypeError
        If ``n`` or ``d`` is not an integer.
    ValueError
        If either is negative.
    """
    n, d = _check_int("n", n, 0), _check_int("d", d, 0)
    return math.comb(n + d, d)


def monomial_exponents(n: int, d: int) -> NDArray[np.int64]:
    """Exponent vectors of all monomials of degree at most ``d`` in ``n`` variables.

    An independent enumeration (multisets of variables, by
    :func:`itertools.combinations_with_replacement`) to check :func:`polynomial_terms`.

    Returns
    -------
    numpy.ndarray
        Shape ``(polynomial_terms(n, d), n)``; row ``r`` holds the powers of
        :math:`x_0..x_{n-1}` in monomial ``r``, lowest degree first.

    Raises
    ------
    ValueError
        If there would be more than a million monomials.
    """
    import itertools

    n, d = _check_int("n", n, 1), _check_int("d", d, 0)
    if polynomial_terms(n, d) > 1_000_000:
        raise ValueError(f"too many monomials to enumerate for n={n}, d={d}")
    rows = [
        np.bincount(np.asarray(combo, dtype=np.int64), minlength=n)
        for k in range(d + 1)
        for combo in itertools.combinations_with_replacement(range(n), k)
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, n)


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
    """
    n = _check_int("n", n, 2, 200)
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


def polynomial_value(terms: Mapping[tuple[int, ...], float], X: ArrayLike) -> FloatArray:
    """Exact value of a polynomial given as ``{(i, j, ...): coefficient}`` on rows of ``X``.

    A key lists the variables of a monomial with repetition (``(0, 0, 2)`` is
    :math:`x_0^2 x_2`); the empty tuple is the constant.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D or a key names a variable outside ``X``'s columns.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (points, variables), got shape {X.shape}")
    _check_terms(terms, X.shape[1])
    out = np.zeros(X.shape[0])
    for key, coef in terms.items():
        out += coef * np.prod(X[:, list(key)], axis=1) if key else coef
    return out


def _check_terms(
    terms: Mapping[tuple[int, ...], float], n: int
) -> tuple[dict[tuple[int, ...], float], float]:
    if not isinstance(terms, Mapping) or not terms:
        raise ValueError("terms must be a non-empty mapping {(i, j, ...): coefficient}")
    merged: dict[tuple[int, ...], float] = {}
    constant = 0.0
    for key, coef in terms.items():
        if not isinstance(key, tuple) or not all(
            isinstance(i, int | np.integer) and not isinstance(i, bool) for i in key
        ):
            raise ValueError(f"monomial keys must be tuples of variable indices, got {key!r}")
        if any(not 0 <= i < n for i in key):
            raise ValueError(f"monomial {key!r} names a variable outside 0..{n - 1}")
        if not np.isfinite(coef):
            raise ValueError(f"coefficient of {key!r} is not finite")
        if key:
            k = tuple(sorted(int(i) for i in key))
            merged[k] = merged.get(k, 0.0) + float(coef)
        else:
            constant += float(coef)
    return merged, constant


Lane = tuple[int, ...]
Gate = tuple[Lane, Lane | None]


def _plan(monomials: Sequence[Lane]) -> list[dict[Lane, Gate]]:
    """Levels of gates computing every monomial by pairwise products (a binary tree each).

    At each level a monomial's list of factors is multiplied in consecutive pairs; a left
    over factor is copied.  A gate is keyed by the monomial it outputs, so products shared
    by several monomials (and copies) are made once.
    """
    dmax = max((len(m) for m in monomials), default=0)
    depth = math.ceil(math.log2(dmax)) if dmax >= 2 else 0
    factors: list[list[Lane]] = [[(i,) for i in m] for m in monomials]
    levels: list[dict[Lane, Gate]] = []
    for _ in range(depth):
        gates: dict[Lane, Gate] = {}
        nxt = []
        for f in factors:
            out = []
            for j in range(0, len(f) - 1, 2):
                key = tuple(sorted(f[j] + f[j + 1]))
                gates.setdefault(key, (f[j], f[j + 1]))
                out.append(key)
            if len(f) % 2:
                gates.setdefault(f[-1], (f[-1], None))
                out.append(f[-1])
            nxt.append(out)
        levels.append(gates)
        factors = nxt
    return levels


class GateCounts(NamedTuple):
    """Size of the circuit :func:`polynomial_network` builds."""

    products: int
    """4-neuron multiplication gates (eq. 11)."""
    copies: int
    """2-neuron copy gates carrying a value to the next layer (footnote 3 of 001)."""
    neurons: int
    """Hidden neurons, 4 * products + 2 * copies."""
    depth: int
    """Hidden layers, ceil(log2 of the highest degree)."""
    multiplications: int
    """Multiplications if every monomial were computed on its own: sum of (degree - 1)."""


def polynomial_gate_counts(terms: Mapping[tuple[int, ...], float], n: int) -> GateCounts:
    """Gates and neurons of :func:`polynomial_network` for ``terms``, without building it.

    Parameters
    ----------
    terms : mapping
        ``{(i, j, ...): coefficient}`` as in :func:`polynomial_value`.
    n : int
        Number of variables.

    Returns
    -------
    GateCounts
    """
    n = _check_int("n", n, 1)
    merged, _ = _check_terms(terms, n)
    levels = _plan(list(merged))
    products = sum(1 for lv in levels for g in lv.values() if g[1] is not None)
    copies = sum(1 for lv in levels for g in lv.values() if g[1] is None)
    mults = sum(len(m) - 1 for m in merged)
    return GateCounts(products, copies, 4 * products + 2 * copies, len(levels), mults)


def polynomial_network(
    terms: Mapping[tuple[int, ...], float],
    n: int,
    lam: float,
    activation: str = "softplus",
    shift: float | None = None,
) -> Network:
    """Compile a polynomial of ``n`` real variables into a network of gates (Sec. II C 1).

    This is the Corollary of Section II C: every monomial is built by a binary tree of
    the 4-neuron multiplication gates of eq. (11), all monomials side by side, and the
    output layer adds them with their coefficients.  A factor that has no partner at some
    level goes through a 2-neuron *copy gate*
    :math:`u \\approx [\\sigma(b+\\lambda u) - \\sigma(b-\\lambda u)]/(2\\lambda\\sigma'(b))`
    (the "copy gates" of the paper's footnote 3).  The gates of one level form one hidden
    layer, and the output sum of each gate is merged into the input weights of the next
    layer, as in :func:`cheaplib.gates.deep_product_network`.

    The size does not depend on the accuracy: :math:`\\lambda` only rescales weights, and
    the error falls like :math:`\\lambda^2` at fixed size (down to a floating-point floor
    from the :math:`1/\\lambda^2` output weights).

    Parameters
    ----------
    terms : mapping
        ``{(i, j, ...): coefficient}``; keys list variables with repetition (``(0, 0)`` is
        :math:`x_0^2`), ``()`` is the constant.
    n : int
        Number of variables.
    lam : float
        Input scale :math:`\\lambda > 0` of every gate.
    activation : str, optional
        Activation name, by default ``"softplus"``.
    shift : float, optional
        Bias of every hidden neuron; by default :func:`cheaplib.gates.generic_shift` for a
        product of two (0 for softplus, 1.0 for logistic and tanh).

    Returns
    -------
    Network
        ``n`` inputs, one output, :func:`polynomial_gate_counts` neurons.

    Raises
    ------
    ValueError
        For a malformed polynomial, ``lam <= 0``, or :math:`\\sigma'(b)` or
        :math:`\\sigma''(b)` zero at the shift.
    """
    n = _check_int("n", n, 1)
    merged, constant = _check_terms(terms, n)
    if isinstance(lam, bool) or not np.isfinite(lam) or lam <= 0:
        raise ValueError(f"lam must be a positive finite number, got {lam!r}")
    b = generic_shift(activation, 2) if shift is None else float(shift)
    if not np.isfinite(b):
        raise ValueError(f"shift must be finite, got {shift!r}")
    c = taylor_coefficients(activation, 2, at=b)
    slope, curvature = c[1], 2.0 * c[2]
    if abs(slope) < 1e-8 or abs(curvature) < 1e-8:
        raise ValueError(
            f"activation {activation!r} at shift {b:g} has sigma' = {slope:.3g}, "
            f"sigma'' = {curvature:.3g}: both must be non-zero for the gates"
        )
    monomials = list(merged)
    lanes = np.eye(n)  # lane values as linear maps of the current layer's outputs
    index: dict[Lane, int] = {(i,): i for i in range(n)}
    layers = []
    product_w = np.array([1.0, 1.0, -1.0, -1.0]) / (4.0 * lam**2 * curvature)
    copy_w = np.array([1.0, -1.0]) / (2.0 * lam * slope)
    for gates in _plan(monomials):
        rows, outputs, new_index = [], [], {}
        for out_key, (a, g) in gates.items():
            ua = lanes[index[a]]
            if g is None:
                rows += [lam * ua, -lam * ua]
                outputs.append(copy_w)
            else:
                ub = lanes[index[g]]
                rows += [lam * (ua + ub), -lam * (ua + ub), lam * (ua - ub), -lam * (ua - ub)]
                outputs.append(product_w)
            new_index[out_key] = len(new_index)
        W = np.array(rows)
        layers.append(Layer(W, np.full(len(W), b)))
        lanes = block_diag(*[w[None, :] for w in outputs])
        index = new_index
    coef = np.array([merged[m] for m in monomials])
    final = coef @ lanes[[index[m] for m in monomials]]
    layers.append(Layer(final[None, :], np.array([constant])))
    return Network(tuple(layers), activation)


# --- Section II D 2: locality, Markov networks and clique covers ----------------------------


def square_lattice_edges(rows: int, cols: int, periodic: bool = False) -> NDArray[np.int64]:
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
    """
    rows, cols = _check_int("rows", rows, 1, 4096), _check_int("cols", cols, 1, 4096)
    if periodic and min(rows, cols) < 3:
        raise ValueError("a periodic lattice needs at least 3 sites in each direction")
    site = np.arange(rows * cols).reshape(rows, cols)
    if periodic:
        right, down = np.roll(site, -1, axis=1), np.roll(site, -1, axis=0)
        pairs = [(site, right), (site, down)]
    else:
        pairs = [(site[:, :-1], site[:, 1:]), (site[:-1, :], site[1:, :])]
    e = np.concatenate([np.stack([a.ravel(), b.ravel()], axis=1) for a, b in pairs])
    e = np.sort(e, axis=1)
    return e[np.lexsort((e[:, 1], e[:, 0]))]


def _check_edges(edges: ArrayLike, n: int) -> NDArray[np.int64]:
    e = np.asarray(edges)
    if e.ndim != 2 or e.shape[1] != 2 or not np.issubdtype(e.dtype, np.integer):
        raise ValueError(f"edges must be an integer array of shape (E, 2), got {e.shape}")
    if e.size and (e.min() < 0 or e.max() >= n):
        raise ValueError(f"edges name sites outside 0..{n - 1}")
    if np.any(e[:, 0] == e[:, 1]):
        raise ValueError("an edge joins a site to itself")
    s = np.sort(e, axis=1)
    if len(np.unique(s, axis=0)) != len(s):
        raise ValueError("an edge is listed twice")
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
    ValueError
        If the graph has a triangle (not handled) or the edges are malformed.
    """
    n = _check_int("n", n, 1)
    e = _check_edges(edges, n)
    ones = np.ones(len(e))
    A = sp.csr_array((ones, (e[:, 0], e[:, 1])), shape=(n, n))
    A = A + A.T
    triangles = int(round((A @ A).multiply(A).sum() / 6))
    if triangles:
        raise ValueError(f"the graph has {triangles} triangles; only triangle-free graphs")
    isolated = int(np.count_nonzero(np.asarray(A.sum(axis=1)).ravel() == 0))
    size = 2 if len(e) else 1
    cover = len(e) + isolated
    return CliqueCover(cover, size, cover * 2**size, triangles)


def ising_energy(
    spins: ArrayLike, edges: ArrayLike, J: ArrayLike = 1.0, field: ArrayLike = 0.0
) -> FloatArray:
    """Ising energy :math:`E(s) = -\\sum_{(i,j)} J_{ij} s_i s_j - \\sum_i h_i s_i`, :math:`s=\\pm1`.

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
    """
    s = np.asarray(spins, dtype=float)
    if s.ndim != 2 or not np.all(np.abs(s) == 1):
        raise ValueError("spins must be a 2-D array of -1 and +1")
    e = _check_edges(edges, s.shape[1])
    Jv = np.broadcast_to(np.asarray(J, dtype=float), (len(e),))
    h = np.broadcast_to(np.asarray(field, dtype=float), (s.shape[1],))
    out: FloatArray = -(s[:, e[:, 0]] * s[:, e[:, 1]]) @ Jv - s @ h
    return out


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
    ValueError
        If a site with a non-zero field has no edge.
    """
    n = _check_int("n", n, 1)
    e = _check_edges(edges, n)
    Jv = np.broadcast_to(np.asarray(J, dtype=float), (len(e),))
    h = np.broadcast_to(np.asarray(field, dtype=float), (n,))
    deg = np.bincount(e.ravel(), minlength=n).astype(float)
    if np.any((deg == 0) & (h != 0)):
        raise ValueError("a site with a field has no edge to carry it")
    t = bit_strings(2)  # local strings (x_a, x_b)
    sa, sb = 2.0 * t[:, 0] - 1.0, 2.0 * t[:, 1] - 1.0
    ha = (h / np.maximum(deg, 1.0))[e[:, 0]]
    hb = (h / np.maximum(deg, 1.0))[e[:, 1]]
    out: FloatArray = (
        -Jv[:, None] * (sa * sb)[None, :] - ha[:, None] * sa[None, :] - hb[:, None] * sb[None, :]
    )
    return out


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
        ready for :func:`monomial_network` and :func:`bit_polynomial_value`.
    """
    n = _check_int("n", n, 1)
    C = np.asarray(cliques)
    if C.ndim != 2 or not np.issubdtype(C.dtype, np.integer) or C.shape[1] < 1:
        raise ValueError(f"cliques must be an integer array (N_c, S), got shape {C.shape}")
    if C.size and (C.min() < 0 or C.max() >= n):
        raise ValueError(f"cliques name sites outside 0..{n - 1}")
    if np.any(np.diff(np.sort(C, axis=1), axis=1) == 0):
        raise ValueError("a clique lists a site twice")
    S = C.shape[1]
    T = np.asarray(tables, dtype=float)
    if T.shape != (len(C), 2**S):
        raise ValueError(f"tables must have shape ({len(C)}, {2**S}), got {T.shape}")
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
    return masks, coef, constant


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
    ValueError
        On shape errors or if Newton's method does not converge (e.g. targets that no
        distribution on the grid can meet).
    """
    F = np.asarray(features, dtype=float)
    t = np.asarray(targets, dtype=float)
    if F.ndim != 2 or t.shape != (F.shape[1],):
        raise ValueError(f"features (m, k) and targets (k,) expected, got {F.shape}, {t.shape}")
    if not (np.all(np.isfinite(F)) and np.all(np.isfinite(t))):
        raise ValueError("features and targets must be finite")
    max_iter = _check_int("max_iter", max_iter, 1)
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
        dnu = np.linalg.solve(AP @ A.T, rp - AP @ rd)
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
    """
    from scipy.linalg import null_space

    n = _check_int("n", n, 1, 32)
    S = np.roll(np.eye(n), 1, axis=0)  # (S x)_i = x_{i-1}
    eye = np.eye(n)
    K = np.kron(eye, S) - np.kron(S.T, eye)  # acts on vec(M), column-major
    basis = null_space(K, rcond=1e-10)
    out: FloatArray = basis.T.reshape(-1, n, n).transpose(0, 2, 1)  # un-vec column-major
    return out


def fft_convolve(kernel: ArrayLike, x: ArrayLike) -> FloatArray:
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
    """
    k = np.asarray(kernel)
    v = np.asarray(x)
    if k.ndim != 1 or v.ndim not in (1, 2) or v.shape[-1] != k.shape[0]:
        raise ValueError(f"kernel (n,) and x (..., n) expected, got {k.shape}, {v.shape}")
    y = np.fft.ifft(np.fft.fft(k) * np.fft.fft(v, axis=-1), axis=-1)
    if np.isrealobj(k) and np.isrealobj(v):
        return y.real
    out: FloatArray = y
    return out


# --- Fig. 2: drawing a small network ----------------------------------------------------------


def draw_network(
    net: Network,
    ax: Any,
    input_labels: Sequence[str] | None = None,
    edge_labels: Sequence[Mapping[tuple[int, int], str]] | None = None,
    show_bias: bool = True,
    fmt: Callable[[float], str] = lambda w: f"{w:.3g}",
) -> None:
    """Draw a small network in the style of Fig. 2: circles sum, squares apply σ.

    Inputs are at the bottom, the output on top; every non-zero weight is a line labelled
    with its value (or with ``edge_labels``); a "1" node feeds the biases.

    Parameters
    ----------
    net : Network
        At most 12 nodes per layer.
    ax : matplotlib.axes.Axes
        Where to draw (its axis frame is switched off).
    input_labels : sequence of str, optional
        Names of the inputs, by default :math:`x_0, x_1, \\dots`.
    edge_labels : sequence of mapping, optional
        For layer ``l``, a mapping ``(out, in) -> text`` overriding the numbers; use
        ``in = -1`` for the bias line.
    show_bias : bool, optional
        Draw the bias node and lines (default).
    fmt : callable, optional
        Formats a weight for its label.

    Raises
    ------
    ValueError
        If a layer has more than 12 nodes.
    """
    from matplotlib.patches import Circle, Rectangle

    sizes = [net.n_in] + [layer.n_out for layer in net.layers]
    if max(sizes) > 12:
        raise ValueError("draw_network draws networks with at most 12 nodes per layer")
    names = (
        list(input_labels) if input_labels is not None else [f"$x_{i}$" for i in range(net.n_in)]
    )
    if len(names) != net.n_in:
        raise ValueError(f"need {net.n_in} input labels, got {len(names)}")
    width = max(sizes)

    def pos(level: int, i: int) -> tuple[float, float]:
        k = sizes[level]
        return (i - (k - 1) / 2.0) * (width / max(k, 1)) * 1.6, 2.2 * level

    r = 0.32
    for lvl, layer in enumerate(net.layers):
        labels = edge_labels[lvl] if edge_labels is not None and lvl < len(edge_labels) else {}
        for (o, i), w in np.ndenumerate(layer.W):
            if w == 0:
                continue
            (x0, y0), (x1, y1) = pos(lvl, i), pos(lvl + 1, o)
            ax.plot([x0, x1], [y0, y1], color="0.45", lw=1.0, zorder=1)
            text = labels.get((o, i), fmt(w))
            xm, ym = x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0)  # near the sending node
            ax.text(
                xm,
                ym,
                text,
                fontsize=8,
                ha="center",
                va="center",
                zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
            )
        if show_bias and np.any(layer.b != 0):
            bx, by = pos(lvl, sizes[lvl] - 1)[0] + 1.4, 2.2 * lvl + 0.7
            ax.add_patch(Circle((bx, by), r * 0.8, fc="0.92", ec="0.3", zorder=2))
            ax.text(bx, by, "1", ha="center", va="center", fontsize=9, zorder=4)
            for o, bias in enumerate(layer.b):
                if bias == 0:
                    continue
                x1, y1 = pos(lvl + 1, o)
                ax.plot([bx, x1], [by, y1], color="0.7", lw=0.8, ls="--", zorder=1)
                if (o, -1) in labels:
                    ax.text(
                        bx + 0.4 * (x1 - bx),
                        by + 0.4 * (y1 - by),
                        labels[(o, -1)],
                        fontsize=7,
                        ha="center",
                        va="center",
                        zorder=3,
                        color="0.3",
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"},
                    )
    for lvl, k in enumerate(sizes):
        for i in range(k):
            x, y = pos(lvl, i)
            if lvl == 0:
                ax.add_patch(Circle((x, y), r, fc="#dbe9f6", ec="0.2", zorder=2))
                ax.text(x, y, names[i], ha="center", va="center", fontsize=10, zorder=4)
            elif lvl < len(sizes) - 1:
                ax.add_patch(
                    Rectangle((x - r, y - r), 2 * r, 2 * r, fc="#fde2c8", ec="0.2", zorder=2)
                )
                ax.text(x, y, "σ", ha="center", va="center", fontsize=11, zorder=4)
            else:
                if net.output == "logistic":
                    ax.add_patch(
                        Rectangle((x - r, y - r), 2 * r, 2 * r, fc="#fde2c8", ec="0.2", zorder=3)
                    )
                    sym = "σ"
                else:
                    ax.add_patch(Circle((x, y), r, fc="#e3f1dc", ec="0.2", zorder=2))
                    sym = "Σ" if net.output == "identity" else "soft\nmax"
                ax.text(x, y, sym, ha="center", va="center", fontsize=10, zorder=4)
    xs = [pos(lvl, i)[0] for lvl, k in enumerate(sizes) for i in range(k)]
    ax.set_xlim(min(xs) - 1.0, max(xs) + 2.2)
    ax.set_ylim(-0.8, 2.2 * (len(sizes) - 1) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
