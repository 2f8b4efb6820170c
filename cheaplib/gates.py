"""Multiplication gates built from a handful of smooth neurons (Section II C).

* :func:`product_gate` — the 4-neuron continuous multiplication gate of eq. (11) and
  Fig. 2 (left), with an optional bias shift for activations whose :math:`\\sigma''(0)=0`.
* :func:`bit_product_gate` — the product of ``k`` bits through one logistic neuron,
  eq. (13) and Fig. 2 (right).
* :func:`shallow_product_network` — the product of ``n`` reals through one hidden layer
  of :math:`2^n` neurons, eq. (28) / (A13) (the ±1 construction of the journal version).
* :func:`deep_product_network` — the same product through a binary tree of 4-neuron gates,
  :math:`4(n-1)` neurons in :math:`\\lceil\\log_2 n\\rceil` hidden layers (Section III H).
* :func:`shallow_product_approximation` — one hidden layer with *fewer* than :math:`2^n`
  neurons whose error still tends to 0 (an output bias, or a bias at a zero of
  :math:`\\sigma^{(n-1)}`), the constructions behind chapter 5's table of neuron counts.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.linalg import block_diag

from cheaplib.nets import Layer, Network, compose, taylor_coefficients
from cheaplib.nets import activation as activation_function
from cheaplib.validation import (
    MAX_BYTES,
    check_budget,
    check_finite_result,
    check_int,
    check_real,
    refuse_overflow,
)

__all__ = [
    "bit_product_gate",
    "deep_product_network",
    "generic_shift",
    "product_gate",
    "shallow_product_approximation",
    "shallow_product_network",
    "vanishing_orders",
]

# Below this |sigma''(shift)| the gate's normalisation 1/(4 sigma'') is meaningless.
_MIN_CURVATURE = 1e-8


def _check_positive(name: str, value: object) -> float:
    return check_real(name, value, low=0.0, low_open=True)


def product_gate(lam: float, activation: str = "softplus", shift: float = 0.0) -> Network:
    """The 4-neuron multiplication gate, :math:`f(x_0, x_1) \\approx x_0 x_1` (eq. 11).

    The hidden layer computes :math:`\\sigma(b \\pm \\lambda(x_0 + x_1))` and
    :math:`\\sigma(b \\pm \\lambda(x_0 - x_1))`; the output layer combines them as

    .. math::
        \\frac{\\sigma(b+\\lambda(x_0+x_1)) + \\sigma(b-\\lambda(x_0+x_1))
              - \\sigma(b+\\lambda(x_0-x_1)) - \\sigma(b-\\lambda(x_0-x_1))}
             {4\\lambda^2\\,\\sigma''(b)}
        = x_0 x_1\\left[1 + O(\\lambda^2 (x_0^2 + x_1^2))\\right],

    so the gate becomes exact as the input scale :math:`\\lambda \\to 0` (the caption of
    Fig. 2; the text's :math:`\\lambda\\to\\infty` after :math:`A_1\\to\\lambda A_1` is a
    slip).  The paper's eq. (11) is the case ``shift = 0``.

    Parameters
    ----------
    lam : float
        Input scale :math:`\\lambda > 0`.
    activation : str, optional
        Activation name, by default ``"softplus"`` (:math:`\\sigma''(0) = 1/4`).
    shift : float, optional
        Bias :math:`b` of the hidden neurons, by default 0.  Activations that are odd
        about 0 up to a constant (``logistic``, ``tanh``) have :math:`\\sigma''(0)=0` and
        need a non-zero shift.

    Returns
    -------
    Network
        2 inputs, 4 hidden neurons, 1 output.

    Raises
    ------
    ValueError
        If ``lam <= 0``, the activation is unknown, :math:`|\\sigma''(b)|` is too small
        for the gate to be normalised (the message suggests a shift), or ``lam`` so
        large or small that the output weights :math:`1/4\\lambda^2\\sigma''(b)`
        overflow.
    """
    lam = _check_positive("lam", lam)
    shift = _check_shift(shift)
    curvature = 2.0 * taylor_coefficients(activation, 2, at=shift)[2]
    if abs(curvature) < _MIN_CURVATURE:
        raise ValueError(
            f"sigma''({shift:g}) = {curvature:.3g} for activation {activation!r}: "
            "the 4-neuron gate cannot be normalised; use a bias shift where sigma'' != 0 "
            "(e.g. shift=1.0)"
        )
    W1 = lam * np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    b1 = np.full(4, float(shift))
    with refuse_overflow("lam"), np.errstate(divide="ignore", over="ignore"):
        W2 = check_finite_result(
            np.array([[1.0, 1.0, -1.0, -1.0]]) / (4.0 * lam**2 * curvature), "lam"
        )
    return Network((Layer(W1, b1), Layer(W2, np.zeros(1))), activation)


def bit_product_gate(k: int, beta: float) -> Network:
    """Product of ``k`` bits through one logistic neuron (eq. 13).

    For :math:`x_i \\in \\{0, 1\\}`,

    .. math:: \\prod_{i=1}^{k} x_i \\approx \\sigma\\bigl(\\beta(\\textstyle\\sum_i x_i - k
              + \\tfrac12)\\bigr),

    with worst-case error :math:`\\sigma(-\\beta/2) = 1/(1+e^{\\beta/2})` over all bit
    strings (reached when all bits are 1, or exactly one is 0).

    Parameters
    ----------
    k : int
        Number of bits, ``k >= 1``.
    beta : float
        Steepness :math:`\\beta > 0`.

    Returns
    -------
    Network
        ``k`` inputs, no hidden layer, one logistic output neuron (``depth == 0``).

    Raises
    ------
    TypeError
        If ``k`` is not an integer or ``beta`` not a real number.
    ValueError
        If ``k < 1``, ``beta <= 0``, or the ``k`` weights would exceed the memory budget.
    """
    k = check_int("k", k, 1)
    check_budget("k", 8 * k, MAX_BYTES)
    beta = _check_positive("beta", beta)
    W = np.full((1, int(k)), beta)
    b = np.array([-beta * (k - 0.5)])
    return Network((Layer(W, b),), "logistic", output="logistic")


# --- Section III H and Appendix A: n-input products, shallow and deep -------------------

MAX_SHALLOW_INPUTS = 16
"""Largest ``n`` for :func:`shallow_product_network` (:math:`2^{16}` hidden neurons)."""

MAX_DEEP_INPUTS = 1024
"""Largest ``n`` for :func:`deep_product_network`."""

_GENERIC_SHIFT = 1.0  # every sigma_k(1), k <= 18, is far from 0 for softplus/logistic/tanh/exp


def _check_count(name: str, value: object, low: int, high: int) -> int:
    return check_int(name, value, low, high)


def _check_shift(shift: object, name: str = "shift") -> float:
    return check_real(name, shift)


def vanishing_orders(activation: str, k_max: int, at: float = 0.0) -> tuple[int, ...]:
    """Orders :math:`k \\le k_{max}` whose Taylor coefficient :math:`\\sigma_k(a)` is exactly 0.

    The journal theorem (Lin, Tegmark & Rolnick 2017, App. A) needs :math:`\\sigma_k \\ne 0`
    for every :math:`k \\le n`.  The coefficients of the book's activations vanish for
    structural reasons only: a parity about the expansion point (``tanh`` is odd about 0,
    so every even :math:`\\sigma_k(0)` vanishes; ``logistic`` is :math:`1/2` plus an odd
    function; ``softplus`` is :math:`x/2` plus an even function, so :math:`\\sigma_3(0) =
    \\sigma_5(0) = \\dots = 0`) or a polynomial activation (``identity``).  This function
    detects exactly those cases by testing the even and odd parts of
    :math:`\\sigma(a+t)` on a grid of :math:`t`, plus the values of :math:`\\sigma_0` and
    :math:`\\sigma_1` (from :func:`cheaplib.nets.taylor_coefficients`).

    Parameters
    ----------
    activation : str
        Activation name.
    k_max : int
        Highest order considered, ``0 <= k_max <= 40``.
    at : float, optional
        Expansion point (bias shift), by default 0.

    Returns
    -------
    tuple of int
        The vanishing orders, increasing.

    Raises
    ------
    ValueError
        For an unknown activation, ``k_max`` out of range or a non-finite ``at``.
    """
    fn = activation_function(activation)
    k_max = _check_count("k_max", k_max, 0, 40)
    at = _check_shift(at, "at")
    c0, c1 = taylor_coefficients(activation, 1, at=at)
    t = np.linspace(0.05, 0.5, 10)
    plus, minus = fn(at + t), fn(at - t)
    tol = 1e-12 * (1.0 + max(np.abs(plus).max(), np.abs(minus).max()))
    even_gone = np.abs(plus + minus - 2.0 * c0).max() <= tol
    odd_gone = np.abs(plus - minus - 2.0 * c1 * t).max() <= tol
    zero = []
    for k in range(k_max + 1):
        if k == 0:
            gone = abs(c0) <= tol
        elif k == 1:
            gone = abs(c1) <= tol
        else:
            gone = even_gone if k % 2 == 0 else odd_gone
        if gone:
            zero.append(k)
    return tuple(zero)


def generic_shift(activation: str, n: int) -> float:
    """A bias shift :math:`b` at which :math:`\\sigma_k(b) \\ne 0` for every :math:`k \\le n`.

    Returns 0 when the activation already satisfies the hypothesis of the journal theorem
    at the origin (e.g. ``softplus`` for ``n <= 2``, ``exp`` for every ``n``), else 1.0.

    Parameters
    ----------
    activation : str
        Activation name.
    n : int
        Number of inputs of the product, ``0 <= n <= 40``.

    Returns
    -------
    float
        The shift.

    Raises
    ------
    ValueError
        If no shift helps (a polynomial activation such as ``identity``).
    """
    n = _check_count("n", n, 0, 40)
    if not vanishing_orders(activation, n, 0.0):
        return 0.0
    bad = vanishing_orders(activation, n, _GENERIC_SHIFT)
    if bad:
        raise ValueError(
            f"activation {activation!r} has sigma_k = 0 for k in {bad} at every shift tried: "
            "it cannot multiply (a polynomial activation of too low degree)"
        )
    return _GENERIC_SHIFT


def _subset_signs(n: int) -> np.ndarray:
    """The :math:`2^n \\times n` matrix :math:`s_i(S_j)`: -1 if bit ``i`` of ``j`` is set."""
    bits = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
    signs: np.ndarray = 1.0 - 2.0 * bits
    return signs


def shallow_product_network(
    n: int, lam: float, activation: str = "softplus", shift: float | None = None
) -> Network:
    """Product of ``n`` inputs through ONE hidden layer of :math:`2^n` neurons (eq. 28, A13).

    For every subset :math:`S_j \\subseteq \\{1..n\\}` a hidden neuron computes
    :math:`\\sigma(b + \\lambda \\sum_i s_i(S_j) x_i)` with :math:`s_i(S_j) = -1` if
    :math:`i \\in S_j` and :math:`+1` otherwise; the output weights are

    .. math:: w_j = \\frac{(-1)^{|S_j|}}{2^n\\, n!\\, \\sigma_n(b)\\, \\lambda^n},

    the ±1 construction of the journal version (its eqs. A1-A4), where
    :math:`\\sigma_n(b) = \\sigma^{(n)}(b)/n!` is the ordinary Taylor coefficient (the
    preprint's eq. 28 writes :math:`2^n\\sigma_n` with :math:`\\sigma_n` the *n-th
    derivative*, the same number).  Every monomial of degree :math:`\\le n` except
    :math:`x_1\\cdots x_n` cancels, and the next surviving terms have degree
    :math:`n+2`, so

    .. math:: f(x) = \\prod_i x_i \\Bigl[1 + \\lambda^2 \\frac{\\sigma_{n+2}}{\\sigma_n}
              \\frac{(n+2)(n+1)}{6} \\sum_i x_i^2 + O(\\lambda^4)\\Bigr].

    The gate becomes exact as :math:`\\lambda \\to 0` (in exact arithmetic; in floating
    point the cancellation of :math:`2^n` terms of size :math:`O(1)` leaves a round-off
    floor growing like :math:`\\lambda^{-n}`).

    Parameters
    ----------
    n : int
        Number of inputs, ``1 <= n <= MAX_SHALLOW_INPUTS`` (16).
    lam : float
        Input scale :math:`\\lambda > 0`.
    activation : str, optional
        Activation name, by default ``"softplus"``.
    shift : float, optional
        Bias :math:`b` of every hidden neuron.  By default :func:`generic_shift`: 0 when
        :math:`\\sigma_k(0) \\ne 0` for all :math:`k \\le n` (the hypothesis of the journal
        theorem), else 1.0.

    Returns
    -------
    Network
        ``n`` inputs, :math:`2^n` hidden neurons, one output; depth 1.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is out of range (the :math:`2^n` neurons would not fit in memory),
        ``lam <= 0``, or :math:`\\sigma_n(b) = 0` (e.g. ``tanh`` with ``shift=0`` and even
        ``n``), or the output weights overflow.
    """
    n = _check_count("n", n, 1, MAX_SHALLOW_INPUTS)
    lam = _check_positive("lam", lam)
    shift = generic_shift(activation, n) if shift is None else _check_shift(shift)
    if n in vanishing_orders(activation, n, shift):
        raise ValueError(
            f"sigma_{n}({shift:g}) = 0 for activation {activation!r}: the 2^n-neuron "
            f"product of {n} inputs needs sigma_n != 0; use a bias shift (e.g. shift=1.0)"
        )
    sigma_n = taylor_coefficients(activation, n, at=shift)[n]
    signs = _subset_signs(n)
    with np.errstate(divide="ignore", over="ignore"), refuse_overflow("lam"):
        w = signs.prod(axis=1) / (2.0**n * math.factorial(n) * sigma_n * lam**n)
    if not np.all(np.isfinite(w)):
        raise ValueError(f"output weights overflow for lam={lam:g}, n={n}; increase lam")
    hidden = Layer(lam * signs, np.full(2**n, shift))
    return Network((hidden, Layer(w[None, :], np.zeros(1))), activation)


def deep_product_network(
    n: int, lam: float, activation: str = "softplus", shift: float | None = None
) -> Network:
    """Product of ``n`` inputs through a binary tree of 4-neuron gates (Section III H).

    Level 1 multiplies the inputs in pairs with :func:`product_gate`, level 2 multiplies
    the pair products in pairs, and so on; the gates of one level form one hidden layer
    and consecutive levels are joined with :func:`cheaplib.nets.compose` (a gate's output
    sum merges into the next gate's input weights, so it costs no neuron, as the paper
    notes for the 5th neuron of Fig. 2).  For ``n`` a power of two the tree has
    :math:`n-1` gates, hence :math:`4(n-1)` neurons in :math:`\\log_2 n` hidden layers
    (the paper rounds this to :math:`4n`).  For other ``n``, a level with an odd number
    of values multiplies the last one by the constant 1 (the constant enters through the
    biases), so the network has :math:`\\lceil\\log_2 n\\rceil` hidden layers and
    :math:`4\\sum_\\ell \\lceil k_\\ell/2\\rceil` neurons, :math:`k_\\ell` values entering
    level :math:`\\ell`.  Each gate has relative error
    :math:`2(\\sigma_4/\\sigma_2)\\lambda^2(u^2+v^2)` on inputs :math:`u, v`.

    Parameters
    ----------
    n : int
        Number of inputs, ``2 <= n <= MAX_DEEP_INPUTS`` (1024).
    lam : float
        Input scale :math:`\\lambda > 0` of every gate.
    activation : str, optional
        Activation name, by default ``"softplus"``.
    shift : float, optional
        Bias of every hidden neuron; by default :func:`generic_shift` for ``n = 2`` (0 for
        softplus, 1.0 for logistic and tanh, whose :math:`\\sigma_2(0) = 0`).

    Returns
    -------
    Network
        ``n`` inputs, one output.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is out of range, ``lam <= 0``, or :math:`\\sigma''(b) = 0`.
    """
    n = _check_count("n", n, 2, MAX_DEEP_INPUTS)
    lam = _check_positive("lam", lam)
    shift = generic_shift(activation, 2) if shift is None else _check_shift(shift)
    gate = product_gate(lam, activation, shift)
    g_w1, g_b1 = gate.layers[0].W, gate.layers[0].b
    g_w2 = gate.layers[1].W
    net: Network | None = None
    k = n
    while k > 1:
        pairs, odd = divmod(k, 2)
        w1 = block_diag(*([g_w1] * pairs + [g_w1[:, :1]] * odd))
        b1 = np.concatenate([g_b1] * pairs + [g_b1 + g_w1[:, 1]] * odd)
        w2 = block_diag(*([g_w2] * (pairs + odd)))
        level = Network((Layer(w1, b1), Layer(w2, np.zeros(pairs + odd))), activation)
        net = level if net is None else compose(net, level)
        k = pairs + odd
    assert net is not None
    return net


# --- Chapter 5: fewer than 2^n neurons when "arbitrary accuracy" is read literally ------

_ROOT_GRID = np.linspace(-6.0, 6.0, 241)
_MIN_COEFFICIENT = 1e-6  # |sigma_n(b)| below this makes the output weights meaningless


def derivative_zero(activation: str, order: int) -> float | None:
    """A bias :math:`b` with :math:`\\sigma_{order}(b) = 0 \\ne \\sigma_{order+1}(b)`, or None.

    Searched on :math:`[-6, 6]`: first :math:`b = 0` when the coefficient vanishes there
    by parity (:func:`vanishing_orders`), then sign changes of
    :math:`\\sigma_{order}(b)` on a grid refined with :func:`scipy.optimize.brentq`; the
    root nearest 0 is returned.  For ``silu`` and ``order = 1`` it is the minimum of
    SiLU, :math:`b^* = -1 - W(1/e) \\approx -1.2785` (:math:`W` the Lambert function);
    ``softplus``, ``logistic``, ``tanh`` and ``exp`` are monotone, so none of them has
    one for ``order = 1``.

    Parameters
    ----------
    activation : str
        Activation name.
    order : int
        Taylor order, ``0 <= order <= 20``.

    Returns
    -------
    float or None
        The bias, or None if there is none on :math:`[-6, 6]`.

    Examples
    --------
    >>> round(derivative_zero("silu", 1), 6)
    -1.278465
    >>> derivative_zero("softplus", 1) is None
    True
    """
    from scipy.optimize import brentq

    order = _check_count("order", order, 0, 20)
    activation_function(activation)

    def coef(b: float, k: int = order) -> float:
        return float(taylor_coefficients(activation, k, at=b)[k])

    def usable(b: float) -> bool:
        return abs(coef(b, order + 1)) > _MIN_COEFFICIENT

    if order in vanishing_orders(activation, order + 1, 0.0) and usable(0.0):
        return 0.0
    values = np.array([coef(float(b)) for b in _ROOT_GRID])
    roots = []
    for lo, hi, vlo, vhi in zip(
        _ROOT_GRID[:-1], _ROOT_GRID[1:], values[:-1], values[1:], strict=True
    ):
        if vlo == 0.0:
            roots.append(float(lo))
        elif vlo * vhi < 0:
            roots.append(float(brentq(coef, lo, hi, xtol=1e-15, rtol=1e-15)))
    roots = [r for r in roots if usable(r)]
    return min(roots, key=abs) if roots else None


def shallow_product_approximation(n: int, eps: float, activation: str = "softplus") -> Network:
    """One hidden layer with fewer than :math:`2^n` neurons approximating :math:`x_1\\cdots x_n`.

    The journal theorem (Lin, Tegmark & Rolnick 2017, App. A) counts networks
    :math:`\\sum_j w_j\\sigma(a_j\\cdot x)` whose Taylor expansion matches the product
    through degree :math:`n`, with :math:`\\sigma_k \\ne 0` for :math:`k \\le n`: these
    need :math:`2^n` neurons.  A network with an output bias, or with a hidden bias where
    a Taylor coefficient vanishes, needs fewer, and its error still tends to 0 as the
    input scale ``eps`` does (the output weights grow like ``eps**-n``, as in the
    journal's own construction).  This builds the smaller of:

    * **a zero of** :math:`\\sigma^{(n-1)}` (:func:`derivative_zero`): at a bias
      :math:`b` with :math:`\\sigma_{n-1}(b) = 0 \\ne \\sigma_n(b)`, the
      :math:`2^{n-1}` neurons :math:`\\sigma(b + \\epsilon\\, s\\cdot x)` with
      :math:`s_1 = +1`, output weights :math:`\\prod_i s_i / (2^{n-1} n!\\,\\sigma_n
      \\epsilon^n)`.  Summed over half the sign vectors, every monomial of degree
      :math:`\\le n` cancels except :math:`x_1\\cdots x_n` and :math:`x_2\\cdots x_n`,
      whose coefficient is proportional to :math:`\\sigma_{n-1}(b) = 0`.  For ``silu``
      and :math:`n = 2` this is two neurons at the minimum of SiLU; for ``tanh`` and odd
      :math:`n`, and ``softplus`` and even :math:`n \\ge 4`, the bias is 0;
    * **the forward mixed difference**, :math:`2^n - 1` neurons
      :math:`\\sigma(b + \\epsilon\\sum_{i\\in S} x_i)`, :math:`\\emptyset \\ne S
      \\subseteq \\{1..n\\}`, weights :math:`(-1)^{n-|S|}/(n!\\,\\sigma_n\\epsilon^n)`
      and the constant :math:`S = \\emptyset` term as the output bias (inclusion and
      exclusion remove every monomial that misses a variable), at the bias
      :func:`generic_shift`.

    Both have error :math:`O(\\epsilon)` on :math:`[-1, 1]^n` (:math:`O(\\epsilon^2)`
    when :math:`\\sigma_{n+1}(b) = 0` too), down to a round-off floor of order
    :math:`10^{-16}\\epsilon^{-n}`.

    Parameters
    ----------
    n : int
        Number of inputs, ``1 <= n <= MAX_SHALLOW_INPUTS`` (16).
    eps : float
        Input scale :math:`\\epsilon`, ``0 < eps <= 1``.
    activation : str, optional
        Activation name, by default ``"softplus"``.

    Returns
    -------
    Network
        ``n`` inputs, one hidden layer, one output (with a bias).  For ``n = 2``: 3
        neurons for a monotone activation (``softplus``, ``logistic``, ``tanh``, ``exp``)
        and 2 for ``silu``.

    Raises
    ------
    TypeError, ValueError
        For a non-integer or out-of-range ``n``, ``eps`` outside ``(0, 1]``, an unknown
        or polynomial activation, or output weights that overflow.

    Examples
    --------
    >>> import numpy as np
    >>> net = shallow_product_approximation(2, 1e-3)
    >>> X = np.array([[0.5, -0.8], [1.0, 1.0]])
    >>> net.neurons, np.abs(net(X)[:, 0] - X.prod(axis=1)).max() < 1e-2
    (3, np.True_)
    >>> shallow_product_approximation(2, 1e-3, "silu").neurons
    2
    """
    n = _check_count("n", n, 1, MAX_SHALLOW_INPUTS)
    eps = check_real("eps", eps, low=0.0, high=1.0, low_open=True)
    activation_function(activation)
    zero = derivative_zero(activation, n - 1)
    if zero is not None:  # 2^(n-1) <= 2^n - 1 neurons
        b = float(zero)
        signs = _subset_signs(n)
        signs = signs[signs[:, 0] > 0]
        sigma_n = taylor_coefficients(activation, n, at=b)[n]
        coef = signs.prod(axis=1) / (2.0 ** (n - 1) * math.factorial(n) * sigma_n)
        bias = 0.0  # n = 1: sigma_0(b) = 0 is the zero itself; n >= 2: the sum cancels
        inputs = eps * signs
        shifts = np.full(len(signs), b)
    else:
        b = generic_shift(activation, n)
        bits = ((np.arange(1, 2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(float)
        c = taylor_coefficients(activation, n, at=b)
        sigma_n = c[n]
        sizes = bits.sum(axis=1)
        coef = (-1.0) ** (n - sizes) / (math.factorial(n) * sigma_n)
        with np.errstate(over="ignore", divide="ignore"):
            bias = (-1.0) ** n * float(c[0]) / (math.factorial(n) * sigma_n * eps**n)
        inputs = eps * bits
        shifts = np.full(len(bits), b)
    with np.errstate(over="ignore", divide="ignore"):
        w = coef / eps**n
    if not (np.all(np.isfinite(w)) and np.isfinite(bias)):
        raise ValueError(f"output weights overflow for eps={eps:g}, n={n}; increase eps")
    hidden = Layer(inputs, shifts)
    return Network((hidden, Layer(w[None, :], np.array([bias]))), activation)


def grouped_product_network(
    n: int, group: int, lam: float, activation: str = "softplus"
) -> Network:
    """Product of ``n`` inputs in levels of :math:`2^g`-neuron products of ``group`` values.

    Level 1 multiplies the inputs in groups of ``group`` with
    :func:`shallow_product_network` (the last group may be smaller), level 2 the group
    products, and so on, joined with :func:`cheaplib.nets.compose`.  ``group = 2`` is the
    tree of :func:`deep_product_network` (with the :math:`2^2`-neuron gate); for
    :math:`n = g^k` there are :math:`k` hidden layers and
    :math:`2^g (n-1)/(g-1)` neurons, the depth-:math:`k` construction of Rolnick and
    Tegmark (2018) with :math:`g = n^{1/k}`.

    Parameters
    ----------
    n : int
        Number of inputs, ``2 <= n <= 1024``.
    group : int
        Values multiplied by one shallow block, ``2 <= group <= 10``.
    lam : float
        Input scale of every block, ``lam > 0``.
    activation : str, optional
        Activation name, by default ``"softplus"``.

    Returns
    -------
    Network
        ``n`` inputs, one output, :math:`\\lceil\\log_g n\\rceil` hidden layers.

    Examples
    --------
    >>> net = grouped_product_network(9, 3, 0.1)
    >>> net.neurons, net.depth
    (32, 2)
    """
    n = _check_count("n", n, 2, MAX_DEEP_INPUTS)
    group = _check_count("group", group, 2, 10)
    lam = _check_positive("lam", lam)
    net: Network | None = None
    k = n
    while k > 1:
        sizes = [group] * (k // group) + ([k % group] if k % group else [])
        blocks = [shallow_product_network(m, lam, activation) if m > 1 else None for m in sizes]
        w1, b1, w2 = [], [], []
        for _m, blk in zip(sizes, blocks, strict=True):
            if blk is None:  # a single value passes through the 2-neuron product of one input
                blk = shallow_product_network(1, lam, activation)
            w1.append(blk.layers[0].W)
            b1.append(blk.layers[0].b)
            w2.append(blk.layers[1].W)
        level = Network(
            (
                Layer(block_diag(*w1), np.concatenate(b1)),
                Layer(block_diag(*w2), np.zeros(len(sizes))),
            ),
            activation,
        )
        net = level if net is None else compose(net, level)
        k = len(sizes)
    assert net is not None
    return net


def shallow_monomial_approximation(
    r: tuple[int, ...], eps: float, activation: str = "softplus"
) -> Network:
    """One hidden layer of :math:`\\prod_i (r_i+1) - 1` neurons for :math:`\\prod_i x_i^{r_i}`.

    The forward mixed difference of :math:`\\sigma(b + \\epsilon\\, k\\cdot x)` over the
    grid :math:`k \\in \\prod_i \\{0..r_i\\}`, with weights
    :math:`\\prod_i (-1)^{r_i-k_i}\\binom{r_i}{k_i} / (d!\\,\\sigma_d(b)\\,\\epsilon^d)`,
    :math:`d = \\sum_i r_i`: the difference operator annihilates every monomial of degree
    below :math:`d` and keeps exactly :math:`x^r` at degree :math:`d`, so the error is
    :math:`O(\\epsilon)`.  The :math:`k = 0` neuron is a constant and becomes the output
    bias, one neuron fewer than the :math:`\\prod_i(r_i+1)` of Rolnick and Tegmark (2018).
    For :math:`r = (d)` this is :math:`x^d` with :math:`d` neurons.

    Parameters
    ----------
    r : tuple of int
        Exponents :math:`r_i \\ge 1`, at most 6 variables, :math:`\\prod(r_i+1) \\le 4096`.
    eps : float
        Input scale, ``0 < eps <= 1``.
    activation : str, optional
        Activation name; the bias is :func:`generic_shift` for degree :math:`d`.

    Returns
    -------
    Network

    Examples
    --------
    >>> shallow_monomial_approximation((3,), 1e-2).neurons
    3
    """
    if not isinstance(r, tuple | list) or not 1 <= len(r) <= 6:
        raise TypeError("r must be a tuple of 1 to 6 positive integer exponents")
    r = tuple(check_int("r", ri, 1, 40) for ri in r)
    eps = check_real("eps", eps, low=0.0, high=1.0, low_open=True)
    check_budget("r", math.prod(ri + 1 for ri in r), 4096, unit="neurons")
    d = sum(r)
    _check_count("sum(r)", d, 1, 40)
    b = generic_shift(activation, d)
    c = taylor_coefficients(activation, d, at=b)
    grid = np.array(list(itertools.product(*(range(ri + 1) for ri in r))), dtype=float)
    weights = np.array(
        [
            math.prod(
                (-1) ** (ri - int(ki)) * math.comb(ri, int(ki)) for ri, ki in zip(r, k, strict=True)
            )
            for k in grid
        ],
        dtype=float,
    ) / (math.factorial(d) * c[d])
    with np.errstate(over="ignore"):
        weights = weights / eps**d
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"output weights overflow for eps={eps:g}; increase eps")
    bias = weights[0] * float(c[0])  # the k = 0 neuron is the constant sigma(b)
    hidden = Layer(eps * grid[1:], np.full(len(grid) - 1, b))
    return Network((hidden, Layer(weights[None, 1:], np.array([bias]))), activation)


__all__ += ["derivative_zero", "grouped_product_network", "shallow_monomial_approximation"]


# --- Section II C: error laws of the two gates (chapter 2) -------------------------------

__all__ += [
    "beta_for_decimals",
    "bit_product_error",
    "fourth_order_shift",
    "gate_error_constant",
]

MAX_BIT_PRODUCT_INPUTS = 20
"""Largest ``k`` for :func:`bit_product_error` (it enumerates all :math:`2^k` bit strings)."""


def gate_error_constant(activation: str, shift: float = 0.0) -> float:
    """Constant :math:`C` in the 4-neuron gate's error law :math:`f = uv[1 + C\\lambda^2(u^2+v^2)]`.

    Expanding eq. (11) one order further (even terms of :math:`\\sigma(b+t)+\\sigma(b-t)`),

    .. math:: \\frac{\\sigma(b+\\lambda(u+v)) + \\sigma(b-\\lambda(u+v))
              - \\sigma(b+\\lambda(u-v)) - \\sigma(b-\\lambda(u-v))}{4\\lambda^2\\sigma''(b)}
              = uv\\Bigl[1 + \\frac{\\sigma''''(b)}{6\\,\\sigma''(b)}\\,\\lambda^2(u^2+v^2)
              + O(\\lambda^4)\\Bigr],

    so :math:`C = \\sigma''''(b)/(6\\sigma''(b)) = 2\\sigma_4(b)/\\sigma_2(b)` with the Taylor
    coefficients :math:`\\sigma_k = \\sigma^{(k)}/k!` of :func:`cheaplib.nets.taylor_coefficients`.
    The relative error is the same at every input point up to the factor
    :math:`u^2+v^2`: this is the :math:`O(\\lambda^2)` law of eq. (11).

    Parameters
    ----------
    activation : str
        Activation name.
    shift : float, optional
        Bias :math:`b` of the hidden neurons, by default 0.

    Returns
    -------
    float
        :math:`C`; 0 means the error starts at order :math:`\\lambda^4` (see
        :func:`fourth_order_shift`).

    Raises
    ------
    ValueError
        For an unknown activation, a non-finite shift, or :math:`\\sigma''(b) = 0`.
    """
    shift = _check_shift(shift)
    c = taylor_coefficients(activation, 4, at=shift)
    if abs(2.0 * c[2]) < _MIN_CURVATURE:
        raise ValueError(
            f"sigma''({shift:g}) = 0 for activation {activation!r}: the gate is undefined; "
            "use a bias shift"
        )
    return float(2.0 * c[4] / c[2])


def fourth_order_shift(activation: str, low: float, high: float) -> float:
    """A bias shift :math:`b \\in [low, high]` with :math:`\\sigma''''(b) = 0 \\ne \\sigma''(b)`.

    At such a shift the :math:`\\lambda^2` term of :func:`gate_error_constant` vanishes and
    the 4-neuron gate's relative error falls like :math:`\\lambda^4`.  (Not in the paper; the
    root is found with :func:`scipy.optimize.brentq` on the Taylor coefficient
    :math:`\\sigma_4(b)`.)  For softplus the roots are known in closed form: with
    :math:`s = 1/(1+e^{-b})`, :math:`\\sigma'''' = s(1-s)(1-6s+6s^2)`, zero at
    :math:`s = (3\\pm\\sqrt3)/6`, i.e. :math:`b = \\pm 1.3170`.

    Parameters
    ----------
    activation : str
        Activation name.
    low, high : float
        A bracket on which :math:`\\sigma_4` changes sign.

    Returns
    -------
    float
        The root.

    Raises
    ------
    ValueError
        If :math:`\\sigma_4` has the same sign at both ends, or :math:`\\sigma''` vanishes at
        the root.
    """
    from scipy.optimize import brentq

    low, high = _check_shift(low, "low"), _check_shift(high, "high")

    def s4(b: float) -> float:
        return float(taylor_coefficients(activation, 4, at=b)[4])

    if not low < high:
        raise ValueError(f"low must be below high, got [{low:g}, {high:g}]")
    if s4(low) * s4(high) > 0:
        raise ValueError(f"sigma_4 of {activation!r} does not change sign on [{low:g}, {high:g}]")
    root = float(brentq(s4, low, high, xtol=1e-14, rtol=1e-14))
    gate_error_constant(activation, root)  # raises if sigma'' vanishes there too
    return root


def bit_product_error(k: int, beta: float) -> float:
    """Worst error of :func:`bit_product_gate` over all :math:`2^k` bit strings (eq. 13).

    The gate is evaluated on every bit string (no formula used), so this is a measurement.
    The analysis predicts :math:`\\sigma(-\\beta/2) = 1/(1+e^{\\beta/2})` for every ``k``:
    the pre-activation is :math:`\\pm\\beta/2` when all bits are 1 or exactly one is 0.

    Parameters
    ----------
    k : int
        Number of bits, ``1 <= k <= MAX_BIT_PRODUCT_INPUTS`` (20).
    beta : float
        Steepness :math:`\\beta > 0`.

    Returns
    -------
    float
        :math:`\\max_x |\\sigma(\\beta(\\sum_i x_i - k + 1/2)) - \\prod_i x_i|`.

    Raises
    ------
    ValueError
        If ``k`` is out of range or ``beta <= 0``.
    """
    k = check_int("k", k, 1, MAX_BIT_PRODUCT_INPUTS)
    gate = bit_product_gate(int(k), beta)
    bits = ((np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1).astype(float)
    out = gate(bits)[:, 0]
    return float(np.abs(out - bits.prod(axis=1)).max())


def beta_for_decimals(D: float, rounding: bool = False) -> float:
    """Smallest :math:`\\beta` at which the bit-product gate is right to ``D`` decimals.

    The worst error of eq. (13) is :math:`\\sigma(-\\beta/2) = 1/(1+e^{\\beta/2})`
    (:func:`bit_product_error`).  Requiring it to be below :math:`10^{-D}` gives

    .. math:: \\beta > 2\\ln(10^D - 1) \\approx 2D\\ln 10,

    twice the paper's :math:`D\\ln 10` (which would hold if the worst pre-activation
    were :math:`\\pm\\beta` rather than :math:`\\pm\\beta/2`).  With ``rounding=True`` the
    requirement is that the output *rounds* to the right digits, error below
    :math:`\\tfrac12 10^{-D}`: :math:`\\beta > 2\\ln(2\\cdot 10^D - 1)`.

    Parameters
    ----------
    D : float
        Number of decimal places, ``D > 0``.
    rounding : bool, optional
        Use the rounding criterion, by default False.

    Returns
    -------
    float
        The threshold :math:`\\beta`.

    Raises
    ------
    ValueError
        If ``D <= 0`` or not finite, or so large (about 1e307) that :math:`\\beta`
        overflows float64.
    """
    D = _check_positive("D", D)
    if not isinstance(rounding, bool | np.bool_):
        raise TypeError(f"rounding must be a bool, got {type(rounding).__name__}")
    scale = 2.0 if rounding else 1.0
    # log(scale * 10^D - 1) without overflow for large D
    with np.errstate(divide="ignore", over="ignore"):
        beta = float(2.0 * (np.log(scale) + D * np.log(10.0) + np.log1p(-(10.0**-D) / scale)))
    if beta == -np.inf:  # D below 1e-17: 10**-D rounds to 1; log(10^D - 1) = log(expm1(D ln 10))
        beta = float(2.0 * np.log(np.expm1(D * np.log(10.0))))
    return float(check_finite_result(beta, "D"))
