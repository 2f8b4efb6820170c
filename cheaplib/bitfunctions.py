"""Functions of bits as polynomials, and the networks that compute them (001 Sec. II C 2).

Because :math:`x^2 = x` for a bit, every function of :math:`n` bits is a multilinear
polynomial with :math:`2^n` coefficients :math:`h_K`, one per subset :math:`K` of the bits
(eq. 12).  They are the Möbius transform of the function's values over the subset lattice
(:func:`bit_coefficients`, inverse :func:`bit_values`; :func:`mobius_transform_bruteforce`
is the double sum, kept as an independent reference), and one hidden layer of logistic
"product neurons" (eq. 13) plus a linear layer computes the function
(:func:`bit_function_network`, :func:`monomial_network`).

Index convention: ``values[i]`` is the function at the bit string whose binary digits are
``i``, bit ``j`` of ``i`` being :math:`x_j`; the same integer ``K`` indexes the subset
:math:`\\{j : \\text{bit } j \\text{ of } K = 1\\}`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from cheaplib._typing import BoolArray, FloatArray, IntArray
from cheaplib.nets import Layer, Network
from cheaplib.validation import (
    MAX_BYTES,
    check_array,
    check_budget,
    check_choice,
    check_finite_result,
    check_int,
    check_real,
)

__all__ = [
    "MAX_NETWORK_BITS",
    "bit_coefficients",
    "bit_function_network",
    "bit_network_error_bound",
    "bit_polynomial_string",
    "bit_polynomial_value",
    "bit_strings",
    "bit_values",
    "evaluate_bits",
    "mobius_transform_bruteforce",
    "monomial_network",
]

MAX_NETWORK_BITS = 16
"""Largest ``n`` for :func:`bit_function_network` and :func:`evaluate_bits`."""

_OUTPUTS = ("identity", "softmax", "logistic")


def _check_beta(beta: object) -> float:
    return check_real("beta", beta, low=0.0, low_open=True)


def _n_bits(length: int, what: str = "values") -> int:
    if length < 1 or length & (length - 1):
        raise ValueError(
            f"{what} must have length 2^n (one entry per bit string); got length {length}"
        )
    return int(length).bit_length() - 1


def bit_strings(n: int) -> IntArray:
    """All :math:`2^n` bit strings as rows; row ``i`` holds the binary digits of ``i``.

    Parameters
    ----------
    n : int
        Number of bits, ``0 <= n <= 26``, and the table (``8 n 2^n`` bytes) within
        :data:`cheaplib.validation.MAX_BYTES`.

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(2**n, n)``; entry ``[i, j]`` is bit ``j`` of ``i``.

    Raises
    ------
    TypeError, ValueError
        If ``n`` is not an integer in range or the table is over budget.

    Examples
    --------
    >>> bit_strings(2)
    array([[0, 0],
           [1, 0],
           [0, 1],
           [1, 1]])
    """
    n = check_int("n", n, 0, 26)
    check_budget("n", 8 * max(n, 1) * 2**n, MAX_BYTES)
    out: IntArray = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
    return out


def _subset_sums(values: ArrayLike, sign: int, axis: object, name: str) -> NDArray[Any]:
    """Sum (sign +1) or alternating sum (sign -1) over subsets, along ``axis``: O(n 2^n)."""
    a = np.asarray(values)
    if a.dtype.kind not in "biufc":
        raise TypeError(f"{name} must be numeric, got dtype {a.dtype}")
    if a.ndim == 0:
        raise ValueError(f"{name} must be an array with one entry per bit string")
    if a.dtype.kind in "biu":
        dtype: type = np.int64
    elif a.dtype.kind == "f":
        dtype = np.float64
    else:
        dtype = np.complex128
    ax = check_int("axis", axis, -a.ndim, a.ndim - 1)
    a = np.moveaxis(a, ax, 0)
    n = _n_bits(a.shape[0], name)
    check_budget(name, 16 * a.size, MAX_BYTES)
    if a.dtype.kind == "u" and a.size and int(a.max()) >= 2**62:
        raise ValueError(f"{name}: integer values too large for int64")
    if dtype is np.int64 and a.size and int(np.abs(a.astype(np.int64)).max()) >= 2 ** (62 - n):
        raise ValueError(f"{name}: integer values too large, the transform could overflow int64")
    if dtype is not np.int64 and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    out: NDArray[Any] = np.array(a, dtype=dtype, order="C")
    rest = out.shape[1:]
    with np.errstate(over="ignore", invalid="ignore"):
        for j in range(n):
            # index i = high * 2^(j+1) + (bit j) * 2^j + low: the middle axis is bit j
            view = out.reshape(2 ** (n - j - 1), 2, 2**j, *rest)
            if sign > 0:
                view[:, 1] += view[:, 0]
            else:
                view[:, 1] -= view[:, 0]
    return check_finite_result(np.moveaxis(out, 0, ax), name)


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
    TypeError
        If ``values`` is not numeric or ``axis`` not an integer.
    ValueError
        If the length is not a power of two, a value is not finite, integer values are
        so large that the result could overflow (float values whose sums overflow), or
        the table is over the memory budget.

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
    return _subset_sums(values, -1, axis, "values")


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

    Examples
    --------
    >>> bit_values([0, 1, 1, -2])  # x0 + x1 - 2 x0 x1 is XOR
    array([0, 1, 1, 0])
    """
    return _subset_sums(coefficients, +1, axis, "coefficients")


def mobius_transform_bruteforce(values: ArrayLike) -> FloatArray:
    """Möbius transform by the double sum :math:`h_K=\\sum_{S\\subseteq K}(-1)^{|K|-|S|}f(S)`.

    A plain-Python reference for :func:`bit_coefficients` (tests and benchmarks): it
    loops over every subset :math:`K` and every subset :math:`S` of it (enumerated as
    sub-masks, :math:`3^n` terms in all) and shares no code with the fast transform.

    Parameters
    ----------
    values : array_like
        Shape ``(2**n,)``, real and finite; the :math:`3^n` terms must stay within
        5e7 (``n <= 16``).

    Returns
    -------
    numpy.ndarray
        The coefficients, float64, shape ``(2**n,)``.

    Raises
    ------
    TypeError, ValueError
        For non-numeric or non-finite values, a length that is not :math:`2^n`, or
        ``n > 16``.

    Examples
    --------
    >>> mobius_transform_bruteforce([0, 1, 1, 0])  # XOR = x0 + x1 - 2 x0 x1
    array([ 0.,  1.,  1., -2.])
    """
    f = check_array("values", values, ndim=1)
    n = _n_bits(f.shape[0])
    # 3^n terms in plain Python: about a microsecond each
    check_budget("values", 3**n, 5 * 10**7, unit="operations")
    table = [float(v) for v in f]
    h = []
    for K in range(len(table)):
        total, S = 0.0, K
        while True:  # every sub-mask S of K, K itself down to 0
            sign = -1.0 if (K.bit_count() - S.bit_count()) % 2 else 1.0
            total += sign * table[S]
            if S == 0:
                break
            S = (S - 1) & K
        h.append(total)
    return np.array(h, dtype=np.float64)


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

    Raises
    ------
    TypeError, ValueError
        For non-finite or non-1-D coefficients, a length not :math:`2^n` (``n <= 16``),
        or a bad ``tol``.

    Examples
    --------
    >>> bit_polynomial_string([0, 1, 1, -2])
    'x0 + x1 - 2 x0x1'
    """
    tol = check_real("tol", tol, low=0.0)
    h = check_array("coefficients", coefficients, ndim=1)
    n = _n_bits(h.shape[0], "coefficients")
    if n > MAX_NETWORK_BITS:
        raise ValueError(f"coefficients has 2^{n} entries; at most 2^{MAX_NETWORK_BITS}")
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


def _as_masks(masks: ArrayLike | sp.sparray | sp.spmatrix) -> BoolArray:
    if sp.issparse(masks):
        shape = masks.shape  # type: ignore[union-attr]
        check_budget("masks", 8 * shape[0] * shape[1], MAX_BYTES)
        m = np.asarray(masks.toarray())  # type: ignore[union-attr]
    else:
        m = np.asarray(masks)
    arr = check_array("masks", m, ndim=2, dtype=m.dtype, min_size=0)
    check_budget("masks", 8 * arr.size, MAX_BYTES)  # the float weights built from it
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError("masks must contain only 0/1 (or booleans)")
    out: BoolArray = arr.astype(bool)
    return out


def _check_bits(X: ArrayLike, n: int) -> FloatArray:
    Xa = check_array("X", X, shape=(None, n))
    if not np.all((Xa == 0) | (Xa == 1)):
        raise ValueError("X must hold bits (0 or 1)")
    return Xa


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
    TypeError, ValueError
        On shape mismatches, non-finite numbers, non-bit inputs or an over-budget size.

    Examples
    --------
    >>> bit_polynomial_value([[1, 1]], [2.0], 0.5, [[0, 1], [1, 1]])  # 0.5 + 2 x0 x1
    array([0.5, 2.5])
    """
    M = _as_masks(masks)
    X = _check_bits(X, M.shape[1])
    coef = check_array("coefficients", coefficients, min_size=0)
    if coef.ndim not in (1, 2) or coef.shape[0] != M.shape[0]:
        raise ValueError(
            f"coefficients must have shape ({M.shape[0]},) or ({M.shape[0]}, c), got {coef.shape}"
        )
    const = check_array("constant", constant)
    if const.ndim > 1 or (const.ndim == 1 and coef.ndim == 2 and const.shape[0] != coef.shape[1]):
        raise ValueError(f"constant must be a scalar or have shape (c,), got {const.shape}")
    check_budget("X", 8 * X.shape[0] * max(M.shape[0], 1), MAX_BYTES)
    on = (X @ M.T.astype(float)) == M.sum(axis=1)[None, :]
    out: FloatArray = on.astype(float) @ coef + const
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
    TypeError, ValueError
        If ``beta <= 0`` or not finite, a mask row is empty, shapes disagree, a number is
        not finite, ``output`` is unknown, or the dense weights would exceed the memory
        budget.

    Examples
    --------
    >>> net = monomial_network([[1, 1]], [1.0], beta=40.0)  # x0 AND x1
    >>> net([[1, 1], [1, 0]]).round(6)
    array([[1.],
           [0.]])
    """
    beta = _check_beta(beta)
    output = check_choice("output", output, _OUTPUTS)
    M = _as_masks(masks)
    m, n = M.shape
    if n < 1:
        raise ValueError("masks must have at least one column (bit)")
    check_budget("masks", 8 * m * n, MAX_BYTES)
    coef = check_array("coefficients", coefficients, min_size=0)
    if coef.ndim == 1:
        coef = coef[:, None]
    if coef.ndim != 2 or coef.shape[0] != m:
        raise ValueError(f"coefficients must have shape ({m},) or ({m}, c), got {coef.shape}")
    c = coef.shape[1]
    const_in = check_array("constant", constant)
    if const_in.ndim > 1 or (const_in.ndim == 1 and const_in.shape[0] not in (1, c)):
        raise ValueError(f"constant must be a scalar or have shape ({c},), got {const_in.shape}")
    const = np.broadcast_to(const_in, (c,)).copy()
    sizes = M.sum(axis=1)
    if np.any(sizes == 0):
        raise ValueError("masks has an empty row; put the constant term in `constant`")
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
    TypeError, ValueError
        For a length that is not a power of two, ``n`` out of range, ``beta <= 0``,
        a negative ``tol``, non-finite values or an unknown ``output``.

    Examples
    --------
    >>> net = bit_function_network([0.0, 1.0, 1.0, 0.0], beta=40.0)  # XOR
    >>> net.neurons, evaluate_bits(net).round(6).ravel().tolist()
    (3, [0.0, 1.0, 1.0, 0.0])
    """
    beta = _check_beta(beta)
    tol = check_real("tol", tol, low=0.0)
    output = check_choice("output", output, _OUTPUTS)
    v = check_array("values", values)
    if v.ndim not in (1, 2):
        raise ValueError(f"values must have shape (2**n,) or (2**n, c), got {v.shape}")
    n = _n_bits(v.shape[0])
    if not 1 <= n <= MAX_NETWORK_BITS:
        raise ValueError(f"values must have 2^n entries with 1 <= n <= {MAX_NETWORK_BITS}")
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

    Raises
    ------
    TypeError, ValueError
        For non-finite coefficients, a length not :math:`2^n`, or a bad ``beta``.

    Examples
    --------
    >>> f"{bit_network_error_bound([0.0, 1.0, 1.0, -2.0], 40.0):.3e}"  # 4 sigma(-20)
    '8.245e-09'
    """
    from scipy.special import expit

    beta = _check_beta(beta)
    h = check_array("coefficients", coefficients)
    if h.ndim not in (1, 2):
        raise ValueError(f"coefficients must have shape (2**n,) or (2**n, c), got {h.shape}")
    _n_bits(h.shape[0], "coefficients")
    total = np.abs(h[1:]).reshape(h.shape[0] - 1, -1).sum(axis=0).max(initial=0.0)
    return float(total * expit(-beta / 2.0))


def evaluate_bits(net: Network, chunk: int = 1024) -> FloatArray:
    """Evaluate a network of ``n <= 16`` bit inputs on all :math:`2^n` bit strings, in order.

    Row ``i`` is the network at the bit string with binary digits ``i``.  The batch is cut
    into chunks of ``chunk`` rows so the hidden layer of :math:`2^n` neurons never needs
    more than ``chunk`` x :math:`2^n` numbers at once.

    Raises
    ------
    TypeError, ValueError
        If ``net`` is not a Network, has more than 16 inputs, or ``chunk`` is not a
        positive integer, or one chunk's hidden layer would be over the memory budget.

    Examples
    --------
    >>> net = bit_function_network([0.0, 0.0, 0.0, 1.0], beta=40.0)  # x0 AND x1
    >>> evaluate_bits(net).round(6).ravel().tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a cheaplib.nets.Network, got {type(net).__name__}")
    n = net.n_in
    if n > MAX_NETWORK_BITS:
        raise ValueError(f"net has {n} inputs; cannot enumerate 2^{n} of them (n <= 16)")
    chunk = check_int("chunk", chunk, 1)
    widest = max(layer.n_out for layer in net.layers)
    check_budget("chunk", 8 * min(chunk, 2**n) * widest, MAX_BYTES)
    X = bit_strings(n).astype(float)
    out: FloatArray = np.vstack([net(X[i : i + chunk]) for i in range(0, len(X), chunk)])
    return out
