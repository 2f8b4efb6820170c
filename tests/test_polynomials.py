"""cheaplib.polynomials (and the product gates of cheaplib.gates) against exact values."""

import math

import numpy as np
import pytest

from cheaplib.gates import fourth_order_shift, gate_error_constant, product_gate
from cheaplib.polynomials import (
    factored_phi4_error_coefficient,
    factored_phi4_network,
    monomial_exponents,
    phi4_chain_terms,
    polynomial_gate_counts,
    polynomial_network,
    polynomial_terms,
    polynomial_value,
)

# --- gates: chapter-2 additions --------------------------------------------------------------


@pytest.mark.parametrize(
    "activation, shift", [("softplus", 0.0), ("exp", 0.0), ("logistic", 1.0), ("tanh", 0.7)]
)
def test_gate_error_constant_predicts_the_error(activation, shift):
    lam, u, v = 1e-2, 0.6, -0.8
    gate = product_gate(lam, activation, shift)
    rel = gate([u, v])[0] / (u * v) - 1
    C = gate_error_constant(activation, shift)
    assert rel == pytest.approx(C * lam**2 * (u * u + v * v), rel=1e-3)


def test_gate_error_constant_closed_forms():
    # softplus at 0: sigma'' = 1/4, sigma'''' = -1/8 -> C = -1/12; exp: C = 1/6
    assert gate_error_constant("softplus") == pytest.approx(-1 / 12, abs=1e-12)
    assert gate_error_constant("exp") == pytest.approx(1 / 6, abs=1e-12)
    with pytest.raises(ValueError, match="shift"):
        gate_error_constant("logistic", 0.0)


def test_fourth_order_shift():
    b = fourth_order_shift("softplus", 0.5, 2.0)
    s = (3 - math.sqrt(3)) / 6  # logistic(-b) at the root of s(1-s)(1-6s+6s^2)
    assert b == pytest.approx(math.log((1 - s) / s), abs=1e-10)
    # tanh(x) = 2 logistic(2x) - 1: its root is half the logistic one
    assert fourth_order_shift("tanh", 0.5, 1.5) == pytest.approx(
        fourth_order_shift("logistic", 1.5, 3.0) / 2, abs=1e-10
    )
    u, v = 0.6, -0.8
    errs = [abs(product_gate(lam, "softplus", b)([u, v])[0] / (u * v) - 1) for lam in (0.2, 0.1)]
    assert 14 < errs[0] / errs[1] < 18  # lambda^4
    with pytest.raises(ValueError, match="change sign"):
        fourth_order_shift("softplus", 2.0, 3.0)


# --- polynomials ---------------------------------------------------------------------------


@pytest.mark.parametrize("n, d", [(1, 0), (1, 5), (3, 2), (4, 4), (7, 3)])
def test_polynomial_terms_matches_enumeration(n, d):
    E = monomial_exponents(n, d)
    assert (
        len(E)
        == polynomial_terms(n, d)
        == math.factorial(n + d) // (math.factorial(n) * math.factorial(d))
    )
    assert len(np.unique(E, axis=0)) == len(E) and E.sum(axis=1).max(initial=0) <= d


def test_polynomial_network_error_and_size():
    terms = {(0, 1): 1.0, (0, 0): -0.5, (1, 1, 1, 1): 0.3, (2,): 2.0, (): 1.5, (2, 1, 0): -1.0}
    X = np.random.default_rng(3).uniform(-1, 1, (100, 3))
    exact = polynomial_value(terms, X)
    errs = []
    counts = polynomial_gate_counts(terms, 3)
    for lam in (0.02, 0.01):
        net = polynomial_network(terms, 3, lam)
        assert net.neurons == counts.neurons and net.depth == counts.depth == 2
        errs.append(np.abs(net(X)[:, 0] - exact).max())
    assert 3.5 < errs[0] / errs[1] < 4.5
    assert counts.products == 5  # x0x1 is shared by two monomials
    lin = polynomial_network({(0,): 2.0, (1,): -1.0, (): 0.5}, 2, 0.1)
    assert lin.depth == 0
    np.testing.assert_allclose(lin(X[:, :2])[:, 0], 2 * X[:, 0] - X[:, 1] + 0.5)


def test_polynomial_network_bad_input():
    with pytest.raises(ValueError, match="outside"):
        polynomial_network({(0, 3): 1.0}, 2, 0.1)
    with pytest.raises(ValueError, match="lam"):
        polynomial_network({(0, 1): 1.0}, 2, 0.0)
    with pytest.raises(ValueError, match="activation"):
        polynomial_network({(0, 1): 1.0}, 2, 0.1, activation="relu")
    with pytest.raises(ValueError, match="non-zero"):
        polynomial_network({(0, 1): 1.0}, 2, 0.1, activation="tanh", shift=0.0)
    with pytest.raises(ValueError, match="non-empty"):
        polynomial_network({}, 2, 0.1)


@pytest.mark.parametrize("sites", [2, 5, 8])
def test_phi4_terms_match_the_direct_formula(sites):
    X = np.random.default_rng(sites).uniform(-1, 1, (50, sites))
    direct = 0.5 * (np.diff(X, axis=1) ** 2).sum(1) + (0.3 / 2 * X**2 + 0.2 * X**4).sum(1)
    np.testing.assert_allclose(polynomial_value(phi4_chain_terms(sites, 0.3, 0.2), X), direct)


@pytest.mark.parametrize("activation", ["softplus", "logistic", "tanh", "exp"])
def test_factored_phi4_network_size_and_error_law(activation):
    sites, m2, g = 6, -0.4, 0.3  # a double well too: m2 < 0
    X = np.random.default_rng(7).uniform(-1, 1, (40, sites))
    exact = polynomial_value(phi4_chain_terms(sites, m2, g), X)
    K = factored_phi4_error_coefficient(X, m2, g, activation)
    lam = 3e-3
    net = factored_phi4_network(sites, m2, g, lam, activation)
    assert net.neurons == 6 * sites and net.depth == 2
    measured = (net(X)[:, 0] - exact) / lam**2
    np.testing.assert_allclose(measured, K, atol=2e-3 * np.abs(K).max())
