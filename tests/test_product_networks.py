"""The n-input product networks of Sec. III H / App. A (cheaplib.gates additions)."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib.flattening import (
    deep_product_size,
    halved_product_network,
    product_error,
    shallow_product_size,
    taylor_monomials,
)
from cheaplib.gates import (
    deep_product_network,
    derivative_zero,
    generic_shift,
    grouped_product_network,
    product_gate,
    shallow_monomial_approximation,
    shallow_product_approximation,
    shallow_product_network,
    vanishing_orders,
)
from cheaplib.nets import activation, taylor_coefficients

ACTS = ["softplus", "logistic", "tanh", "exp"]


def _eq28_brute_force(X, n, lam, act, shift):
    """Eq. (28) written out with an explicit loop over the 2^n sign vectors."""
    sigma = activation(act)
    deriv_n = math.factorial(n) * taylor_coefficients(act, n, at=shift)[n]  # sigma^(n)(b)
    total = np.zeros(len(X))
    for s in itertools.product([1.0, -1.0], repeat=n):
        total += np.prod(s) * sigma(shift + lam * X @ np.array(s))
    return total / (2**n * deriv_n * lam**n)


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_shallow_network_is_eq28(act, n):
    rng = np.random.default_rng(n)
    X = rng.uniform(-1, 1, (20, n))
    shift = generic_shift(act, n)
    net = shallow_product_network(n, 0.2, act)
    np.testing.assert_allclose(net(X)[:, 0], _eq28_brute_force(X, n, 0.2, act, shift), atol=1e-11)


def test_n2_softplus_is_the_four_neuron_gate_of_eq11():
    X = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    a = shallow_product_network(2, 0.3)
    b = product_gate(0.3)
    np.testing.assert_allclose(a(X), b(X), atol=1e-13)
    assert (a.neurons, a.synapses) == (b.neurons, b.synapses) == (4, 12)


@pytest.mark.parametrize("n", range(1, 9))
def test_shallow_counts(n):
    net = shallow_product_network(n, 0.5)
    assert (net.neurons, net.synapses) == shallow_product_size(n) == (2**n, (n + 1) * 2**n)
    assert net.depth == 1


@pytest.mark.parametrize("n", range(2, 41))
def test_deep_counts_match_closed_forms(n):
    net = deep_product_network(n, 0.5)
    assert (net.neurons, net.synapses) == deep_product_size(n)
    assert net.depth == math.ceil(math.log2(n))
    if n & (n - 1) == 0:
        assert (net.neurons, net.synapses) == (4 * (n - 1), 20 * n - 28)


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_construction_cancels_every_other_monomial(act, n):
    # journal eqs. (A2)-(A3): Taylor expansion to degree n is exactly x_1...x_n
    net = shallow_product_network(n, 1.0, act)
    shift = float(net.layers[0].b[0])
    R, v = taylor_monomials(
        net.layers[0].W.T, net.layers[1].W[0], taylor_coefficients(act, n, at=shift)
    )
    target = np.all(R == 1, axis=1).astype(float)
    np.testing.assert_allclose(v, target, atol=1e-12)


@given(st.integers(2, 5), st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_shallow_error_law(n, seed):
    # f = prod x [1 + lam^2 (s_{n+2}/s_n) (n+2)(n+1)/6 sum x_i^2 + O(lam^4)]
    X = np.random.default_rng(seed).uniform(-1, 1, (30, n))
    lam = 0.05  # small enough for the lam^4 term, large enough to beat round-off
    net = shallow_product_network(n, lam)
    c = taylor_coefficients("softplus", n + 2, at=generic_shift("softplus", n))
    pred = lam**2 * c[n + 2] / c[n] * (n + 2) * (n + 1) / 6 * X.prod(1) * (X**2).sum(1)
    err = net(X)[:, 0] - X.prod(1)
    assert np.max(np.abs(err - pred)) <= 1e-2 * np.max(np.abs(pred)) + 1e-12


@pytest.mark.parametrize("builder", [shallow_product_network, deep_product_network])
@pytest.mark.parametrize("n", [2, 4, 6])
def test_error_shrinks_like_lambda_squared(builder, n):
    X = np.random.default_rng(1).uniform(-1, 1, (100, n))
    e1 = product_error(builder(n, 0.1), X)
    e2 = product_error(builder(n, 0.05), X)
    assert 3.5 < e1 / e2 < 4.5
    assert product_error(builder(n, 0.4), X) > e1  # larger scale, larger error


def test_deep_32_inputs():
    net = deep_product_network(32, 0.1)
    assert (net.neurons, net.depth) == (124, 5)
    X = np.random.default_rng(2).uniform(-1, 1, (50, 32))
    assert product_error(net, X) < 1e-9  # products of 32 numbers in [-1, 1] are tiny
    X = np.random.default_rng(2).uniform(0.9, 1.1, (50, 32))
    assert product_error(net, X) / np.abs(X.prod(1)).max() < 0.2


def test_vanishing_orders_follow_parity():
    assert vanishing_orders("tanh", 6) == (0, 2, 4, 6)
    assert vanishing_orders("logistic", 6) == (2, 4, 6)
    assert vanishing_orders("softplus", 6) == (3, 5)
    assert vanishing_orders("exp", 6) == ()
    for act in ACTS:
        assert vanishing_orders(act, 18, 1.0) == ()
        c = taylor_coefficients(act, 10)
        zero = set(vanishing_orders(act, 10))
        for k in range(11):
            assert (abs(c[k]) < 1e-12) == (k in zero)
    assert generic_shift("softplus", 2) == 0.0
    assert generic_shift("softplus", 3) == 1.0
    assert generic_shift("tanh", 1) == 1.0
    assert generic_shift("exp", 9) == 0.0


@pytest.mark.parametrize(("act", "n"), [("tanh", 3), ("tanh", 5), ("softplus", 4)])
def test_halving_works_when_the_hypothesis_fails(act, n):
    # sigma_k(0) = 0 for every k of the other parity: 2^(n-1) neurons do the same job
    full = shallow_product_network(n, 0.1, act, shift=0.0)
    half = halved_product_network(full)
    X = np.random.default_rng(3).uniform(-1, 1, (40, n))
    assert half.neurons == 2 ** (n - 1)
    np.testing.assert_allclose(half(X), full(X), atol=1e-12)


def test_halving_fails_for_a_generic_shift():
    full = shallow_product_network(3, 0.1, "tanh", shift=1.0)
    X = np.random.default_rng(3).uniform(-1, 1, (40, 3))
    assert product_error(halved_product_network(full), X) > 0.1


def test_odd_activation_cannot_multiply_an_even_number_of_inputs():
    with pytest.raises(ValueError, match="shift"):
        shallow_product_network(2, 0.1, "tanh", shift=0.0)
    with pytest.raises(ValueError, match="shift"):
        product_gate(0.1, "tanh", shift=0.0)


def test_bad_input():
    with pytest.raises(ValueError, match="n must be in"):
        shallow_product_network(0, 0.1)
    with pytest.raises(ValueError, match="n must be in"):
        shallow_product_network(17, 0.1)
    with pytest.raises(TypeError, match="n must be an integer"):
        shallow_product_network(2.0, 0.1)
    with pytest.raises(TypeError, match="n must be an integer"):
        shallow_product_network(True, 0.1)
    with pytest.raises(ValueError, match="lam"):
        shallow_product_network(3, 0.0)
    with pytest.raises(ValueError, match="lam"):
        deep_product_network(3, -1.0)
    with pytest.raises(ValueError, match="n must be in"):
        deep_product_network(1, 0.1)
    with pytest.raises(ValueError, match="n must be in"):
        deep_product_network(1025, 0.1)
    with pytest.raises(ValueError, match="unknown activation"):
        shallow_product_network(3, 0.1, "relu")
    with pytest.raises(ValueError, match="polynomial"):
        shallow_product_network(3, 0.1, "identity")
    with pytest.raises(ValueError, match="shift must be finite"):
        shallow_product_network(3, 0.1, shift=float("nan"))
    with pytest.raises(ValueError, match="overflow"):
        shallow_product_network(16, 1e-300)


# --- fewer than 2^n neurons when 'arbitrary accuracy' is read literally (chapter 5) ---------

GRID = np.array(np.meshgrid(np.linspace(-1, 1, 21), np.linspace(-1, 1, 21))).reshape(2, -1).T


@pytest.mark.parametrize(
    ("act", "neurons"),
    [("softplus", 3), ("logistic", 3), ("tanh", 3), ("exp", 3), ("silu", 2)],
)
def test_two_input_product_with_as_few_neurons_as_the_activation_allows(act, neurons):
    epss = [0.2, 0.1, 0.05, 0.025, 0.0125]
    errs = [product_error(shallow_product_approximation(2, e, act), GRID) for e in epss]
    assert shallow_product_approximation(2, 0.1, act).neurons == neurons < 2**2
    # the error sequence tends to 0: it falls at every halving, at least like eps
    assert all(b < a for a, b in zip(errs, errs[1:], strict=False))
    ratios = np.array(errs[:-1]) / np.array(errs[1:])
    assert np.all(ratios > 1.8)
    assert errs[-1] < 0.02


@pytest.mark.parametrize("act", ["softplus", "logistic", "tanh", "exp", "silu"])
@pytest.mark.parametrize("n", [1, 3, 4, 5])
def test_fewer_than_2n_neurons_for_every_n(act, n):
    X = np.random.default_rng(n).uniform(-1, 1, (200, n))
    nets = [shallow_product_approximation(n, e, act) for e in (0.1, 0.05, 0.025)]
    assert nets[0].neurons < 2**n or n == 1
    assert nets[0].neurons in (2 ** (n - 1), 2**n - 1)
    errs = [product_error(net, X) for net in nets]
    assert errs[0] > errs[1] > errs[2] and errs[1] / errs[2] > 1.8


def test_silu_bias_is_the_minimum_of_silu():
    from scipy.special import lambertw

    b = derivative_zero("silu", 1)
    assert b == pytest.approx(-1 - lambertw(1 / math.e).real, abs=1e-12)
    assert abs(taylor_coefficients("silu", 1, at=b)[1]) < 1e-12
    for act in ("softplus", "logistic", "tanh", "exp"):
        assert derivative_zero(act, 1) is None  # monotone: sigma' never vanishes


def test_forward_difference_matches_taylor_through_degree_n():
    # with the output bias, degrees 1..n of the expansion are exactly x1...xn
    for n in (2, 3):
        net = shallow_product_approximation(n, 1.0, "exp")
        R, v = taylor_monomials(
            net.layers[0].W.T, net.layers[1].W[0], taylor_coefficients("exp", n)
        )
        keep = R.sum(1) >= 1
        np.testing.assert_allclose(v[keep], np.all(R == 1, axis=1)[keep], atol=1e-12)
        assert net.neurons == 2**n - 1


@pytest.mark.parametrize("r", [(2,), (3,), (1, 1), (2, 1), (1, 1, 1)])
def test_monomials_with_one_neuron_fewer_than_rolnick_tegmark(r):
    X = np.random.default_rng(0).uniform(-1, 1, (200, len(r)))
    target = np.prod(X ** np.array(r), axis=1)
    errs = [
        np.abs(shallow_monomial_approximation(r, e)(X)[:, 0] - target).max()
        for e in (0.04, 0.02, 0.01)
    ]
    assert shallow_monomial_approximation(r, 0.1).neurons == math.prod(k + 1 for k in r) - 1
    assert errs[0] > errs[1] > errs[2] and errs[1] / errs[2] > 1.8


@pytest.mark.parametrize(("n", "group"), [(9, 3), (16, 4), (16, 2), (10, 3)])
def test_grouped_product_network(n, group):
    net = grouped_product_network(n, group, 0.05)
    X = np.random.default_rng(1).uniform(0.9, 1.1, (50, n))
    rel = np.abs(net(X)[:, 0] / X.prod(1) - 1).max()
    assert rel < 0.05
    k = round(math.log(n, group))
    if group**k == n:
        assert net.neurons == 2**group * (n - 1) // (group - 1) and net.depth == k
