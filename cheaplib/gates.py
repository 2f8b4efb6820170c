"""Multiplication gates built from a handful of smooth neurons (Section II C).

* :func:`product_gate` — the 4-neuron continuous multiplication gate of eq. (11) and
  Fig. 2 (left), with an optional bias shift for activations whose :math:`\\sigma''(0)=0`.
* :func:`bit_product_gate` — the product of ``k`` bits through one logistic neuron,
  eq. (13) and Fig. 2 (right).
"""

from __future__ import annotations

import numpy as np

from cheaplib.nets import Layer, Network, taylor_coefficients

__all__ = ["bit_product_gate", "product_gate"]

# Below this |sigma''(shift)| the gate's normalisation 1/(4 sigma'') is meaningless.
_MIN_CURVATURE = 1e-8


def _check_positive(name: str, value: float) -> float:
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


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
        If ``lam <= 0``, the activation is unknown, or :math:`|\\sigma''(b)|` is too small
        for the gate to be normalised (the message suggests a shift).
    """
    lam = _check_positive("lam", lam)
    curvature = 2.0 * taylor_coefficients(activation, 2, at=shift)[2]
    if abs(curvature) < _MIN_CURVATURE:
        raise ValueError(
            f"sigma''({shift:g}) = {curvature:.3g} for activation {activation!r}: "
            "the 4-neuron gate cannot be normalised; use a bias shift where sigma'' != 0 "
            "(e.g. shift=1.0)"
        )
    W1 = lam * np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    b1 = np.full(4, float(shift))
    W2 = np.array([[1.0, 1.0, -1.0, -1.0]]) / (4.0 * lam**2 * curvature)
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
    ValueError
        If ``k < 1`` or ``beta <= 0``.
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    beta = _check_positive("beta", beta)
    W = np.full((1, int(k)), beta)
    b = np.array([-beta * (k - 0.5)])
    return Network((Layer(W, b),), "logistic", output="logistic")
