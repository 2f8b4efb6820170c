"""cheaplib.gates against closed forms: the 4-neuron multiplication gate (eq. 11), its
error law and constant, and the bit-product gate (eq. 13)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from cheaplib.gates import (
    beta_for_decimals,
    bit_product_error,
    bit_product_gate,
    gate_error_constant,
    product_gate,
)


def _logistic(b: float) -> float:
    return 1.0 / (1.0 + math.exp(-b))


def _closed_form_C(activation: str, b: float) -> float:
    """C = sigma''''(b) / (6 sigma''(b)), with the derivatives written out by hand."""
    if activation == "exp":
        return 1.0 / 6.0  # every derivative of e^x is e^x
    if activation == "softplus":  # sigma' = s: sigma'' = s(1-s), sigma'''' = s(1-s)(1-6s+6s^2)
        s = _logistic(b)
        return (1 - 6 * s + 6 * s * s) / 6.0
    if activation == "logistic":  # s'' = s(1-s)(1-2s), s'''' = s(1-s)(1-2s)(1-12s+12s^2)
        s = _logistic(b)
        return (1 - 12 * s + 12 * s * s) / 6.0
    if activation == "tanh":  # t'' = -2t(1-t^2), t'''' = 8t(1-t^2)(2-3t^2)
        t = math.tanh(b)
        return -4.0 * (2 - 3 * t * t) / 6.0
    raise AssertionError(activation)


CASES = [
    ("softplus", 0.0),
    ("softplus", 0.5),
    ("softplus", -1.2),
    ("exp", 0.0),
    ("exp", 0.8),
    ("logistic", 1.0),
    ("logistic", -0.6),
    ("tanh", 0.7),
]


@pytest.mark.parametrize(("activation", "shift"), CASES)
def test_gate_error_constant_is_its_closed_form(activation, shift):
    assert gate_error_constant(activation, shift) == pytest.approx(
        _closed_form_C(activation, shift), rel=1e-9, abs=1e-12
    )


def test_gate_error_constant_known_values():
    assert gate_error_constant("softplus") == pytest.approx(-1 / 12, rel=1e-12)
    assert gate_error_constant("exp") == pytest.approx(1 / 6, rel=1e-12)
    with pytest.raises(ValueError):
        gate_error_constant("tanh", 0.0)  # sigma''(0) = 0: no gate


@pytest.mark.parametrize(("activation", "shift"), CASES)
def test_the_gate_multiplies_with_the_predicted_error(activation, shift):
    """f(u, v) = uv [1 + C lam^2 (u^2 + v^2) + O(lam^4)], C from the closed form."""
    lam = 1e-2
    gate = product_gate(lam, activation, shift)
    C = _closed_form_C(activation, shift)
    for u, v in [(0.6, -0.8), (1.0, 1.0), (-0.3, 0.45)]:
        out = gate([u, v])[0]
        assert out == pytest.approx(u * v, rel=1e-3)
        rel = out / (u * v) - 1
        assert rel == pytest.approx(C * lam**2 * (u * u + v * v), rel=2e-3)


def test_the_gate_error_falls_like_lambda_squared():
    u, v = 0.7, -0.4
    errs = [abs(product_gate(lam, "softplus")([u, v])[0] - u * v) for lam in (0.04, 0.02, 0.01)]
    ratios = [errs[0] / errs[1], errs[1] / errs[2]]
    assert ratios == pytest.approx([4.0, 4.0], rel=1e-2)


def test_the_gate_is_exact_on_the_axes_and_symmetric():
    gate = product_gate(0.1, "softplus")
    assert abs(gate([0.0, 0.9])[0]) < 1e-12 and abs(gate([-0.5, 0.0])[0]) < 1e-12
    assert gate([0.3, -0.9])[0] == pytest.approx(gate([-0.9, 0.3])[0], rel=1e-12)
    assert gate([0.3, -0.9])[0] == pytest.approx(gate([-0.3, 0.9])[0], rel=1e-12)
    net = product_gate(0.1, "softplus")
    assert (net.neurons, net.n_in, net.n_out) == (4, 2, 1)


@pytest.mark.parametrize(("k", "beta"), [(1, 5.0), (3, 10.0), (5, 23.0)])
def test_bit_product_gate_against_the_product_and_its_worst_error(k, beta):
    gate = bit_product_gate(k, beta)
    worst = 0.0
    for bits in itertools.product((0.0, 1.0), repeat=k):
        worst = max(worst, abs(gate(list(bits))[0] - math.prod(bits)))
    assert worst == pytest.approx(1.0 / (1.0 + math.exp(beta / 2)), rel=1e-9)
    assert bit_product_error(k, beta) == pytest.approx(worst, rel=1e-12)


@pytest.mark.parametrize("D", [1.0, 3.0, 10.0])
def test_beta_for_decimals_formula(D):
    assert beta_for_decimals(D) == pytest.approx(2 * math.log(10**D - 1), rel=1e-12)
    assert beta_for_decimals(D, rounding=True) == pytest.approx(
        2 * math.log(2 * 10**D - 1), rel=1e-12
    )
    assert bit_product_error(4, beta_for_decimals(D)) == pytest.approx(10.0**-D, rel=1e-9)


def test_gate_outputs_are_arrays_over_batches():
    gate = product_gate(0.05, "softplus")
    X = np.array([[0.2, 0.3], [-0.5, 0.5], [1.0, -1.0]])
    np.testing.assert_allclose(gate(X)[:, 0], X[:, 0] * X[:, 1], rtol=1e-2)
