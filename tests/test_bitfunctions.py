"""cheaplib.bitfunctions (and the bit-product gate of cheaplib.gates) against brute force."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from cheaplib.bitfunctions import (
    bit_coefficients,
    bit_function_network,
    bit_network_error_bound,
    bit_polynomial_value,
    bit_strings,
    bit_values,
    evaluate_bits,
    mobius_transform_bruteforce,
    monomial_network,
)
from cheaplib.gates import beta_for_decimals, bit_product_error, product_gate
from cheaplib.nets import softmax_posterior
from cheaplib.plotting import draw_network

# --- Möbius transform ----------------------------------------------------------------------


@given(
    st.integers(0, 10).flatmap(
        lambda n: st.lists(st.integers(-(10**6), 10**6), min_size=2**n, max_size=2**n)
    )
)
@settings(max_examples=60, deadline=None)
def test_mobius_transform_inverts_exactly(values):
    f = np.array(values, dtype=np.int64)
    h = bit_coefficients(f)
    assert h.dtype == np.int64
    assert np.array_equal(bit_values(h), f)
    assert np.array_equal(bit_coefficients(bit_values(f)), f)


@given(st.integers(0, 8), st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_mobius_transform_inverts_floats(n, seed):
    f = np.random.default_rng(seed).standard_normal((2**n, 3))
    np.testing.assert_allclose(bit_values(bit_coefficients(f)), f, atol=1e-12 * 2**n)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5])
def test_mobius_matches_brute_force(n):
    f = np.random.default_rng(n).integers(-9, 10, 2**n)
    h = bit_coefficients(f)
    np.testing.assert_array_equal(h, mobius_transform_bruteforce(f))
    # and the polynomial sum_K h_K prod_{j in K} x_j reproduces f at every bit string
    X = bit_strings(n)
    for i, x in enumerate(X):
        total = sum(h[K] * all(x[j] for j in range(n) if K >> j & 1) for K in range(2**n))
        assert total == f[i]


def test_mobius_known_functions_and_axis():
    assert bit_coefficients([0, 0, 0, 1]).tolist() == [0, 0, 0, 1]  # AND
    assert bit_coefficients([0, 1, 1, 0]).tolist() == [0, 1, 1, -2]  # XOR
    maj = (bit_strings(3).sum(axis=1) >= 2).astype(int)
    assert bit_coefficients(maj).tolist() == [0, 0, 0, 1, 0, 1, 1, -2]
    f = np.random.default_rng(1).standard_normal((3, 8))
    np.testing.assert_allclose(bit_coefficients(f, axis=1), bit_coefficients(f.T).T)
    assert bit_strings(3)[5].tolist() == [1, 0, 1]


def test_mobius_bad_input():
    with pytest.raises(ValueError, match="length 2\\^n"):
        bit_coefficients(np.ones(6))
    with pytest.raises(ValueError, match="length 2\\^n"):
        bit_values(np.ones(0))
    with pytest.raises(ValueError, match="finite"):
        bit_coefficients([0.0, np.nan])
    with pytest.raises(ValueError, match="overflow"):
        bit_coefficients(np.full(4, 2**61, dtype=np.int64))
    with pytest.raises(TypeError, match="values"):
        bit_coefficients(np.array(["a", "b"]))


# --- networks of bit products ----------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3, 6, 9])
def test_bit_function_network_reproduces_any_function(n):
    rng = np.random.default_rng(n)
    v = rng.uniform(-1, 1, 2**n)
    beta = 50.0
    net = bit_function_network(v, beta)
    out = evaluate_bits(net)[:, 0]
    bound = bit_network_error_bound(bit_coefficients(v), beta)
    assert np.abs(out - v).max() <= bound + 1e-12
    assert net.neurons <= 2**n - 1 and net.depth == 1


def test_bit_function_network_softmax_posterior():
    rng = np.random.default_rng(2)
    n, classes = 5, 3
    p = rng.dirichlet(np.ones(classes), size=2**n)
    net = bit_function_network(np.log(p), 60.0, output="softmax")
    np.testing.assert_allclose(evaluate_bits(net), p, atol=1e-9)
    # the same as eq. (8) with H = -ln p(x|y), mu = -ln p(y)
    np.testing.assert_allclose(softmax_posterior(-np.log(p), np.zeros(classes)), p)


@pytest.mark.parametrize("n", [0, 1, 3, 6])
def test_bruteforce_mobius_is_an_independent_double_sum(n):
    f = np.random.default_rng(10 + n).standard_normal(2**n)
    h = mobius_transform_bruteforce(f)
    # the polynomial with these coefficients reproduces f at every bit string
    X = bit_strings(n)
    for i, x in enumerate(X):
        on = [all(x[j] for j in range(n) if K >> j & 1) for K in range(2**n)]
        assert np.dot(h, on) == pytest.approx(f[i], abs=1e-12)


def test_sparse_functions_need_few_neurons():
    v = bit_strings(6) @ np.arange(1.0, 7.0)  # linear: only the 6 single-bit monomials
    net = bit_function_network(v, 40.0)
    assert net.neurons == 6
    const = bit_function_network(np.full(8, 2.5), 40.0)
    assert const.neurons == 0
    np.testing.assert_allclose(evaluate_bits(const)[:, 0], 2.5)


def test_monomial_network_and_exact_value():
    masks = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0]], dtype=bool)
    coef = np.array([2.0, -1.0, 0.5])
    X = bit_strings(3)
    exact = 0.25 + 2 * X[:, 0] * X[:, 1] - X[:, 1] * X[:, 2] + 0.5 * X[:, 0]
    np.testing.assert_allclose(bit_polynomial_value(masks, coef, 0.25, X), exact)
    net = monomial_network(masks, coef, 0.25, beta=40.0)
    np.testing.assert_allclose(net(X)[:, 0], exact, atol=4 * expit(-20.0))


def test_bit_network_bad_input():
    with pytest.raises(ValueError, match="length 2\\^n"):
        bit_function_network(np.ones(12), 10.0)
    with pytest.raises(ValueError, match="beta"):
        bit_function_network(np.ones(8), 0.0)
    with pytest.raises(ValueError, match="beta"):
        bit_function_network(np.ones(8), -3.0)
    with pytest.raises(ValueError, match="values"):
        bit_function_network(np.ones(1), 10.0)
    with pytest.raises(ValueError, match="output"):
        bit_function_network(np.ones(4), 10.0, output="relu")
    with pytest.raises(ValueError, match="empty row"):
        monomial_network(np.zeros((1, 3), dtype=bool), [1.0])
    with pytest.raises(ValueError, match="bits"):
        bit_polynomial_value(np.eye(2, dtype=bool), [1.0, 1.0], 0.0, [[0.5, 1.0]])


# --- gates: chapter-2 additions --------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 5, 9])
@pytest.mark.parametrize("beta", [3.0, 23.0, 46.0])
def test_bit_product_error_is_sigma_minus_half_beta(k, beta):
    assert bit_product_error(k, beta) == pytest.approx(1 / (1 + math.exp(beta / 2)), rel=1e-5)


def test_beta_for_decimals():
    for D in [1, 3, 6, 10]:
        beta = beta_for_decimals(D)
        assert beta == pytest.approx(2 * math.log(10**D - 1))
        assert bit_product_error(3, beta * 1.001) < 10.0**-D < bit_product_error(3, beta * 0.999)
    assert beta_for_decimals(10) == pytest.approx(46.0517, abs=1e-4)
    assert beta_for_decimals(10) > 2 * 10 * math.log(10) - 1e-6  # twice the paper's 23
    assert beta_for_decimals(2, rounding=True) == pytest.approx(2 * math.log(199))
    with pytest.raises(ValueError, match="D"):
        beta_for_decimals(0)
    with pytest.raises(ValueError, match="k must be"):
        bit_product_error(0, 10.0)
    with pytest.raises(ValueError, match="beta"):
        bit_product_error(2, 0.0)


def test_draw_network_runs():
    from cheaplib.plotting import new_figure

    fig, ax = new_figure()
    draw_network(product_gate(0.5), ax)
    assert ax.patches
    with pytest.raises(ValueError, match="at most 12 nodes"):
        draw_network(bit_function_network(np.sin(np.arange(32.0)), 10.0), ax)


def test_itertools_enumeration_agrees_with_bit_strings():
    X = bit_strings(4)
    ref = np.array([list(reversed(t)) for t in itertools.product([0, 1], repeat=4)])
    assert np.array_equal(X, ref)
