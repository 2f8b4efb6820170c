"""Polynomials of real variables computed by fixed-size networks (001 Sec. II C 1).

The Corollary of Section II C: a polynomial is computed by a network whose size is set
by the number of multiplications, not by the accuracy; the accuracy is set by the input
scale :math:`\\lambda` of the gates alone.  This module counts the coefficients of a
generic polynomial (eq. 9: :func:`polynomial_terms`, checked by the enumeration
:func:`monomial_exponents`), evaluates polynomials exactly (:func:`polynomial_value`), and
builds two networks:

* :func:`polynomial_network`, a general compiler: every monomial a binary tree of the
  4-neuron multiplication gates of eq. (11), with 2-neuron copy gates for factors that
  have no partner at some level, shared products computed once
  (:func:`polynomial_gate_counts` gives its size without building it);
* :func:`factored_phi4_network`, a construction by hand for the :math:`\\phi^4` chain
  :math:`H = \\sum_i \\tfrac12(x_{i+1}-x_i)^2 + \\sum_i (a x_i^2 + g x_i^4)`, which
  writes every term as a square (:math:`a x^2 + g x^4 = g(x^2 + a/2g)^2 - a^2/4g`) and
  uses 2-neuron squaring gates: :math:`6n` neurons for :math:`n` sites, against the
  compiler's :math:`16n - 6`.  :func:`factored_phi4_error_coefficient` predicts its
  :math:`\\lambda^2` error law from the Taylor coefficients of the activation.

:func:`gate_circuit` reads the gates back from a built network (pairs of neurons with
opposite input weights) and :func:`draw_gate_circuit` draws that circuit, one node per gate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import block_diag

from cheaplib._typing import FloatArray, IntArray
from cheaplib.gates import generic_shift
from cheaplib.nets import ACTIVATIONS, Layer, Network, taylor_coefficients
from cheaplib.validation import (
    MAX_BYTES,
    MAX_INTEGER_BITS,
    check_array,
    check_budget,
    check_choice,
    check_finite_result,
    check_int,
    check_real,
    log2_binomial,
    refuse_overflow,
)

__all__ = [
    "MAX_VARIABLES",
    "GateCounts",
    "factored_phi4_error_coefficient",
    "factored_phi4_network",
    "gate_circuit",
    "draw_gate_circuit",
    "monomial_exponents",
    "phi4_chain_terms",
    "polynomial_gate_counts",
    "polynomial_network",
    "polynomial_terms",
    "polynomial_value",
]

#: Most variables :func:`polynomial_network` and :func:`factored_phi4_network` accept.
MAX_VARIABLES = 100_000


def polynomial_terms(n: int, d: int) -> int:
    """Number of monomials of degree at most ``d`` in ``n`` variables: :math:`\\binom{n+d}{d}`.

    This is the :math:`(n+d)!/(n!\\,d!)` below eq. (9), the number of coefficients of a
    generic polynomial Hamiltonian (constant term included).

    Raises
    ------
    TypeError
        If ``n`` or ``d`` is not an integer.
    ValueError
        If either is negative, or the count has more than
        :data:`cheaplib.validation.MAX_INTEGER_BITS` bits (about 20,000 digits; checked
        before computing it, whose time grows with its size).

    Examples
    --------
    >>> polynomial_terms(2, 2)  # 1, x0, x1, x0^2, x0 x1, x1^2
    6
    """
    n, d = check_int("n", n, 0), check_int("d", d, 0)
    check_budget("n, d", log2_binomial(n + d, d), MAX_INTEGER_BITS, unit="bits")
    return math.comb(n + d, d)


def monomial_exponents(n: int, d: int) -> IntArray:
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
    TypeError, ValueError
        For non-integer or out-of-range ``n``, ``d``, or more than a million monomials.

    Examples
    --------
    >>> monomial_exponents(2, 1).tolist()
    [[0, 0], [1, 0], [0, 1]]
    """
    n, d = check_int("n", n, 1), check_int("d", d, 0)
    if polynomial_terms(n, d) > 1_000_000:
        raise ValueError(f"too many monomials to enumerate for n={n}, d={d}")
    rows = [
        np.bincount(np.asarray(combo, dtype=np.int64), minlength=n)
        for k in range(d + 1)
        for combo in itertools.combinations_with_replacement(range(n), k)
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, n)


def polynomial_value(terms: Mapping[tuple[int, ...], float], X: ArrayLike) -> FloatArray:
    """Exact value of a polynomial given as ``{(i, j, ...): coefficient}`` on rows of ``X``.

    A key lists the variables of a monomial with repetition (``(0, 0, 2)`` is
    :math:`x_0^2 x_2`); the empty tuple is the constant.

    Raises
    ------
    TypeError, ValueError
        If ``X`` is not a finite 2-D array, or ``terms`` is malformed (see
        :func:`polynomial_network`), or the value overflows float64.

    Examples
    --------
    >>> polynomial_value({(0, 0): 1.0, (0, 1): -2.0, (): 3.0}, [[1.0, 2.0]])
    array([0.])
    """
    Xa = check_array("X", X, ndim=2)
    merged, constant = _check_terms(terms, Xa.shape[1])
    out = np.full(Xa.shape[0], constant)
    with np.errstate(over="ignore", invalid="ignore"):
        for key, coef in merged.items():
            out += coef * np.prod(Xa[:, list(key)], axis=1)
    return check_finite_result(out, "terms, X")


def _check_terms(
    terms: Mapping[tuple[int, ...], float], n: int
) -> tuple[dict[tuple[int, ...], float], float]:
    if not isinstance(terms, Mapping):
        raise TypeError(
            f"terms must be a mapping (i, j, ...) -> coefficient, got {type(terms).__name__}"
        )
    if not terms:
        raise ValueError("terms must be a non-empty mapping {(i, j, ...): coefficient}")
    merged: dict[tuple[int, ...], float] = {}
    constant = 0.0
    for key, coef in terms.items():
        if not isinstance(key, tuple) or not all(
            isinstance(i, int | np.integer) and not isinstance(i, bool) for i in key
        ):
            raise TypeError(f"terms keys must be tuples of variable indices, got {key!r}")
        if any(not 0 <= i < n for i in key):
            raise ValueError(f"terms key {key!r} names a variable outside 0..{n - 1}")
        if len(key) > 64:
            raise ValueError(f"terms key {key[:4]!r}... has degree {len(key)} > 64")
        value = check_real(f"terms[{key!r}]", coef)
        if key:
            k = tuple(sorted(int(i) for i in key))
            merged[k] = merged.get(k, 0.0) + value
        else:
            constant += value
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

    Raises
    ------
    TypeError, ValueError
        As :func:`polynomial_network`.

    Examples
    --------
    >>> polynomial_gate_counts({(0, 0, 0, 0): 1.0}, 1)  # x^4: square, then square again
    GateCounts(products=2, copies=0, neurons=8, depth=2, multiplications=3)
    """
    n = check_int("n", n, 1, MAX_VARIABLES)
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
    TypeError, ValueError
        For a malformed polynomial (keys not tuples of indices in ``0..n-1``, non-finite
        coefficients), ``lam <= 0``, an unknown activation, :math:`\\sigma'(b)` or
        :math:`\\sigma''(b)` zero at the shift, or weights over the memory budget (the
        first layer alone is ``n`` columns wide).

    Examples
    --------
    >>> net = polynomial_network({(0, 1): 1.0}, 2, lam=1e-3)  # x0 x1, one gate
    >>> net.neurons, round(float(net([0.6, -0.8])[0]), 6)
    (4, -0.48)
    """
    n = check_int("n", n, 1, MAX_VARIABLES)
    merged, constant = _check_terms(terms, n)
    lam = check_real("lam", lam, low=0.0, low_open=True)
    b, slope, curvature = _gate_shift(activation, shift)
    monomials = list(merged)
    plan = _plan(monomials)
    widths = [n] + [sum(4 if g[1] is not None else 2 for g in lv.values()) for lv in plan]
    gates_per_level = [len(lv) for lv in plan]
    need = n * n + sum(widths[i + 1] * widths[i] for i in range(len(plan)))
    need += sum(gates_per_level[i] * widths[i + 1] for i in range(len(plan)))
    check_budget("n", 8 * need, MAX_BYTES)
    lanes = np.eye(n)  # lane values as linear maps of the current layer's outputs
    index: dict[Lane, int] = {(i,): i for i in range(n)}
    layers = []
    with refuse_overflow("lam"), np.errstate(divide="ignore", over="ignore"):
        product_w = np.array([1.0, 1.0, -1.0, -1.0]) / (4.0 * lam**2 * curvature)
        copy_w = np.array([1.0, -1.0]) / (2.0 * lam * slope)
    check_finite_result((product_w, copy_w), "lam")
    for gates in plan:
        rows, outputs = [], []
        new_index: dict[Lane, int] = {}
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


def _gate_shift(activation: object, shift: object) -> tuple[float, float, float]:
    """Checked activation and shift: ``(b, sigma'(b), sigma''(b))``, both non-zero."""
    act = check_choice("activation", activation, tuple(ACTIVATIONS))
    b = generic_shift(act, 2) if shift is None else check_real("shift", shift)
    c = taylor_coefficients(act, 2, at=b)
    slope, curvature = float(c[1]), float(2.0 * c[2])
    if abs(slope) < 1e-8 or abs(curvature) < 1e-8:
        raise ValueError(
            f"activation {act!r} at shift {b:g} has sigma' = {slope:.3g}, "
            f"sigma'' = {curvature:.3g}: both must be non-zero for the gates"
        )
    return b, slope, curvature


# --- The phi^4 chain, factored into squares ------------------------------------------------


def _check_phi4(sites: object, m2: object, g: object) -> tuple[int, float, float]:
    n = check_int("sites", sites, 2, MAX_VARIABLES)
    m2f = check_real("m2", m2)
    gf = check_real("g", g)
    if gf == 0.0:
        raise ValueError("g must be non-zero (the quartic coupling)")
    return n, m2f, gf


def phi4_chain_terms(sites: int, m2: float, g: float) -> dict[tuple[int, ...], float]:
    """Monomials of the open :math:`\\phi^4` chain, for :func:`polynomial_network`.

    The Hamiltonian is :math:`\\sum_{i<n-1}\\tfrac12(x_{i+1}-x_i)^2 + \\sum_i
    (\\tfrac{m^2}{2}x_i^2 + g x_i^4)`, expanded into :math:`3n - 1` monomials.

    Parameters
    ----------
    sites : int
        Number of sites, ``>= 2``.
    m2, g : float
        Mass term :math:`m^2` and quartic coupling :math:`g \\ne 0`.

    Returns
    -------
    dict
        ``{(i, i): ..., (i, i, i, i): g, (i, i + 1): -1}``.

    Raises
    ------
    TypeError, ValueError
        For a non-integer or too small ``sites``, non-finite couplings or ``g = 0``.

    Examples
    --------
    >>> sorted(phi4_chain_terms(2, 0.5, 0.25).items())  # doctest: +NORMALIZE_WHITESPACE
    [((0, 0), 0.75), ((0, 0, 0, 0), 0.25), ((0, 1), -1.0), ((1, 1), 0.75),
     ((1, 1, 1, 1), 0.25)]
    """
    n, m2f, gf = _check_phi4(sites, m2, g)
    terms: dict[tuple[int, ...], float] = {}
    for i in range(n):
        terms[(i, i)] = m2f / 2 + 0.5 * ((i > 0) + (i < n - 1))
        terms[(i, i, i, i)] = gf
    for i in range(n - 1):
        terms[(i, i + 1)] = -1.0
    return terms


def factored_phi4_network(
    sites: int,
    m2: float,
    g: float,
    lam: float,
    activation: str = "softplus",
    shift: float | None = None,
) -> Network:
    """The :math:`\\phi^4` chain as a network of 2-neuron squaring gates: :math:`6n` neurons.

    Every term of :math:`H = \\sum_i\\tfrac12(x_{i+1}-x_i)^2 + \\sum_i(a x_i^2 + g x_i^4)`,
    :math:`a = m^2/2`, is written as a square:
    :math:`a x^2 + g x^4 = g\\,(x^2 + a/2g)^2 - a^2/4g`.  A squaring gate is the even
    part of eq. (10),
    :math:`u^2 \\approx [\\sigma(b+\\lambda u)+\\sigma(b-\\lambda u)-2\\sigma(b)]/
    (\\lambda^2\\sigma''(b))`, two neurons (the :math:`-2\\sigma(b)` is a bias).  Hidden
    layer 1 squares each :math:`x_i` (:math:`2n` neurons) and each difference
    :math:`x_{i+1}-x_i` (:math:`2(n-1)`); hidden layer 2 squares each
    :math:`x_i^2 + a/2g` (:math:`2n`) and carries the sum
    :math:`Q = \\tfrac12\\sum_i (x_{i+1}-x_i)^2` through one 2-neuron copy gate
    :math:`[\\sigma(b+\\lambda Q)-\\sigma(b-\\lambda Q)]/(2\\lambda\\sigma'(b))`, because the
    output layer of eq. (9) reads only the last hidden layer.  In all :math:`6n`
    neurons in 2 hidden layers; the error falls like :math:`\\lambda^2`
    (:func:`factored_phi4_error_coefficient`).

    Parameters
    ----------
    sites : int
        Number of sites :math:`n \\ge 2`.
    m2, g : float
        Couplings, :math:`g \\ne 0`.
    lam : float
        Input scale :math:`\\lambda > 0` of every gate.
    activation : str, optional
        Activation name, by default ``"softplus"``.
    shift : float, optional
        Bias :math:`b` of every neuron; by default
        :func:`cheaplib.gates.generic_shift` (0 for softplus, 1.0 for logistic, tanh).

    Returns
    -------
    Network
        ``sites`` inputs, one output, ``6 * sites`` hidden neurons, depth 2.

    Raises
    ------
    TypeError, ValueError
        For bad couplings, ``lam <= 0``, an unknown activation, :math:`\\sigma'(b)` or
        :math:`\\sigma''(b)` zero, or weights over the memory budget.

    Examples
    --------
    >>> net = factored_phi4_network(8, 0.5, 0.25, lam=1e-3)
    >>> net.neurons, net.depth
    (48, 2)
    """
    n, m2f, gf = _check_phi4(sites, m2, g)
    lam = check_real("lam", lam, low=0.0, low_open=True)
    b, slope, curvature = _gate_shift(activation, shift)
    check_budget("sites", 8 * 16 * n * n, MAX_BYTES)
    s0 = float(ACTIVATIONS[str(activation)](np.array(b)))
    a = m2f / 2.0
    c = a / (2.0 * gf)
    width1 = 4 * n - 2
    site, bond = np.arange(n), np.arange(n - 1)
    sign = np.array([1.0, -1.0])  # the two neurons of a gate see +lam u and -lam u
    # hidden layer 1: rows 2i, 2i+1 square x_i; rows 2n + 2i, 2n + 2i + 1 square d_i
    W1 = np.zeros((width1, n))
    W1[2 * site[:, None] + np.arange(2), site[:, None]] = lam * sign
    rows = 2 * n + 2 * bond[:, None] + np.arange(2)
    W1[rows, bond[:, None] + 1] = lam * sign
    W1[rows, bond[:, None]] = -lam * sign
    b1 = np.full(width1, b)
    # readouts of layer 1 as affine maps of its outputs h: value = R h + r0
    with refuse_overflow("lam"):
        sq = 1.0 / (lam**2 * curvature)  # weight of each neuron in a square readout
    R_site = np.zeros((n, width1))
    R_site[site[:, None], 2 * site[:, None] + np.arange(2)] = sq
    r_site = -2.0 * s0 * sq
    R_Q = np.zeros(width1)
    R_Q[2 * n :] = 0.5 * sq
    r_Q = -s0 * sq * (n - 1)
    # hidden layer 2: rows 2i, 2i+1 square z_i = x_i^2 + c; the last two copy Q
    W2 = np.vstack([np.kron(R_site, lam * sign[:, None]), lam * sign[:, None] * R_Q])
    b2 = b + lam * np.concatenate([np.tile(sign * (r_site + c), n), sign * r_Q])
    # output: sum_i g z_i^2 - n a^2 / (4 g) + Q
    w_out = np.concatenate([np.full(2 * n, gf * sq), sign / (2 * lam * slope)])
    b_out = n * (-2.0 * s0 * gf * sq) - n * a * a / (4.0 * gf)
    check_finite_result((W1, W2, b2, w_out, b_out), "lam, m2, g")
    layers = (Layer(W1, b1), Layer(W2, b2), Layer(w_out[None, :], np.array([b_out])))
    return Network(layers, str(activation))


def factored_phi4_error_coefficient(
    X: ArrayLike,
    m2: float,
    g: float,
    activation: str = "softplus",
    shift: float | None = None,
) -> FloatArray:
    """Predicted limit of (network - H) / :math:`\\lambda^2` for :func:`factored_phi4_network`.

    A squaring gate returns :math:`u^2(1 + C_2\\lambda^2u^2)` and a copy gate
    :math:`u(1 + C_3\\lambda^2u^2)` to order :math:`\\lambda^2`, with
    :math:`C_2 = \\sigma^{(4)}(b)/12\\sigma^{(2)}(b)` and
    :math:`C_3 = \\sigma^{(3)}(b)/6\\sigma^{(1)}(b)`.  Propagating these through the two
    layers to first order in :math:`\\lambda^2`, with :math:`z_i = x_i^2 + a/2g` and
    :math:`d_i = x_{i+1}-x_i`:

    .. math:: K(x) = C_2\\Bigl[g\\sum_i (z_i^4 + 2 z_i x_i^4) + \\tfrac12\\sum_i d_i^4\\Bigr]
              + C_3\\,Q^3, \\qquad Q = \\tfrac12\\sum_i d_i^2 .

    The derivation uses only the Taylor coefficients (:func:`cheaplib.nets.taylor_coefficients`),
    not the network, so comparing it with a measured error tests the construction.

    Parameters
    ----------
    X : array_like
        Points, shape ``(m, sites)``, finite.
    m2, g, activation, shift
        As :func:`factored_phi4_network`.

    Returns
    -------
    numpy.ndarray
        :math:`K(x)` at each point, shape ``(m,)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`factored_phi4_network`.

    Examples
    --------
    >>> X = np.array([[0.5, -0.5, 0.2]])
    >>> H = polynomial_value(phi4_chain_terms(3, 0.5, 0.25), X)
    >>> net = factored_phi4_network(3, 0.5, 0.25, lam=1e-2)
    >>> measured = (net(X)[:, 0] - H) / 1e-2**2
    >>> bool(abs(measured[0] / factored_phi4_error_coefficient(X, 0.5, 0.25)[0] - 1) < 1e-3)
    True
    """
    Xa = check_array("X", X, ndim=2)
    n, m2f, gf = _check_phi4(Xa.shape[1], m2, g)
    b, slope, curvature = _gate_shift(activation, shift)
    t = taylor_coefficients(str(activation), 4, at=b)
    C2 = (24.0 * t[4]) / (12.0 * curvature)
    C3 = (6.0 * t[3]) / (6.0 * slope)
    z = Xa**2 + m2f / (4.0 * gf)
    d = np.diff(Xa, axis=1)
    Q = 0.5 * (d**2).sum(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        out: FloatArray = (
            C2 * (gf * (z**4 + 2.0 * z * Xa**4).sum(axis=1) + 0.5 * (d**4).sum(axis=1)) + C3 * Q**3
        )
    return check_finite_result(out, "X, m2, g")


def gate_circuit(net: Network) -> list[list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    """The gates of a network of 2-neuron gates, read from its weights alone.

    The squaring and copy gates of :func:`factored_phi4_network` are pairs of hidden
    neurons :math:`\\sigma(b + \\lambda u)`, :math:`\\sigma(b - \\lambda u)`: two rows of a
    layer's weight matrix that are each other's negatives (their biases differ when
    :math:`u` holds a constant, as :math:`x_i^2 + a/2g` does).  This
    function pairs the rows of every hidden layer that way and lists, for each gate, the
    nodes of the layer below that feed it (input variables for the first hidden layer,
    gates of the layer below for the others).  It counts the built network, independently
    of how it was planned.

    Parameters
    ----------
    net : Network
        A network whose hidden neurons all come in such pairs.

    Returns
    -------
    list of list of (neurons, sources)
        Per hidden layer, one ``(neurons, sources)`` pair per gate: the indices of its two
        neurons in that layer and the indices of the nodes below that feed it.

    Raises
    ------
    TypeError
        If ``net`` is not a :class:`~cheaplib.nets.Network`.
    ValueError
        If a hidden neuron has no partner with the opposite input weights.

    Examples
    --------
    >>> net = factored_phi4_network(3, 0.5, 0.25, 0.1)
    >>> [len(layer) for layer in gate_circuit(net)]
    [5, 4]
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a cheaplib.nets.Network, got {type(net).__name__}")
    circuit: list[list[tuple[tuple[int, ...], tuple[int, ...]]]] = []
    owner = np.arange(net.n_in)  # node index of each unit of the layer below
    for layer in net.layers[:-1]:
        W = layer.W
        free = list(range(W.shape[0]))
        gates: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        unit_gate = np.empty(W.shape[0], dtype=int)
        while free:
            i = free.pop(0)
            scale = max(float(np.abs(W[i]).max()), 1e-300)
            partner = next(
                (j for j in free if np.allclose(W[j], -W[i], rtol=0, atol=1e-12 * scale)),
                None,
            )
            if partner is None:
                raise ValueError(f"hidden neuron {i} has no partner with opposite weights")
            free.remove(partner)
            sources = tuple(sorted({int(owner[k]) for k in np.flatnonzero(W[i])}))
            unit_gate[[i, partner]] = len(gates)
            gates.append(((i, partner), sources))
        circuit.append(gates)
        owner = unit_gate
    return circuit


def draw_gate_circuit(net: Network, ax: object, input_labels: Sequence[str] | None = None) -> None:
    """Draw the gate circuit of :func:`gate_circuit`: inputs, one node per gate, output.

    Inputs are at the bottom, each hidden layer a row of gates (the number of neurons in
    the node), the output on top; a line joins every node to the nodes it feeds.

    Parameters
    ----------
    net : Network
        A network of 2-neuron gates (see :func:`gate_circuit`).
    ax : matplotlib.axes.Axes
        Where to draw (its frame is switched off).
    input_labels : sequence of str, optional
        Names of the inputs, by default :math:`x_1, x_2, \\dots`.

    Raises
    ------
    TypeError
        If ``ax`` is not a matplotlib Axes or ``net`` not a Network.
    ValueError
        If ``input_labels`` has the wrong length, a neuron has no partner, or the network
        has no hidden layer of gates.
    """
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    circuit = gate_circuit(net)
    if not circuit or not all(circuit):
        raise ValueError("net must have at least one hidden layer of gates to draw")
    names = (
        list(input_labels)
        if input_labels is not None
        else [f"$x_{{{i + 1}}}$" for i in range(net.n_in)]
    )
    if len(names) != net.n_in:
        raise ValueError(f"input_labels must have {net.n_in} entries, got {len(names)}")
    sizes = [net.n_in] + [len(layer) for layer in circuit] + [1]
    width = max(sizes)

    def xy(level: int, i: int) -> tuple[float, float]:
        return (i - (sizes[level] - 1) / 2.0) * width / max(sizes[level], 1), 1.6 * level

    for level, layer in enumerate(circuit, start=1):
        for g, (_, sources) in enumerate(layer):
            x1, y1 = xy(level, g)
            for s in sources:
                x0, y0 = xy(level - 1, s)
                ax.plot([x0, x1], [y0, y1], color="0.55", lw=0.8, zorder=1)
    top = len(sizes) - 1
    out_w = net.layers[-1].W[0]
    last = circuit[-1]
    for g, (neurons, _) in enumerate(last):
        if np.any(out_w[list(neurons)] != 0):
            (x0, y0), (x1, y1) = xy(top - 1, g), xy(top, 0)
            ax.plot([x0, x1], [y0, y1], color="0.55", lw=0.8, zorder=1)
    style: dict[str, Any] = {"ha": "center", "va": "center", "zorder": 3}
    for i, name in enumerate(names):
        ax.text(*xy(0, i), name, fontsize=9, bbox={"boxstyle": "circle", "fc": "#dbe9f6"}, **style)
    for level, layer in enumerate(circuit, start=1):
        for g, (neurons, _) in enumerate(layer):
            ax.text(
                *xy(level, g),
                str(len(neurons)),
                fontsize=8,
                bbox={"boxstyle": "square,pad=0.35", "fc": "#fde2c8"},
                **style,
            )
    ax.text(*xy(top, 0), "$H$", fontsize=10, bbox={"boxstyle": "circle", "fc": "#e6f2dc"}, **style)
    ax.set_xlim(-width / 2 - 0.5, width / 2 + 0.5)
    ax.set_ylim(-0.6, 1.6 * top + 0.6)
    ax.set_axis_off()
