import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib.gates import bit_product_gate, product_gate
from cheaplib.nets import Layer, Network, compose, taylor_coefficients


def test_taylor_coefficients_match_closed_forms():
    # exp: 1/k!; softplus at 0: ln 2, 1/2, 1/8, 0, -1/192; tanh: x - x^3/3 + 2x^5/15
    k = np.arange(11)
    np.testing.assert_allclose(
        taylor_coefficients("exp", 10), [1 / math.factorial(i) for i in k], atol=1e-14
    )
    np.testing.assert_allclose(
        taylor_coefficients("softplus", 4), [math.log(2), 0.5, 0.125, 0, -1 / 192], atol=1e-14
    )
    np.testing.assert_allclose(
        taylor_coefficients("tanh", 5), [0, 1, 0, -1 / 3, 0, 2 / 15], atol=1e-13
    )


@given(st.floats(-3, 3))
@settings(max_examples=30, deadline=None)
def test_taylor_coefficients_shifted_logistic(b):
    # logistic s: s' = s(1-s), s'' = s(1-s)(1-2s)
    s = 1 / (1 + math.exp(-b))
    c = taylor_coefficients("logistic", 2, at=b)
    np.testing.assert_allclose(c, [s, s * (1 - s), s * (1 - s) * (1 - 2 * s) / 2], atol=1e-12)


def test_network_counts_and_evaluation():
    W1 = np.array([[1.0, 0.0], [2.0, -1.0], [0.0, 0.0]])
    net = Network((Layer(W1, np.zeros(3)), Layer(np.ones((1, 3)), np.array([0.5]))), "tanh")
    assert (net.neurons, net.synapses, net.depth, net.n_in, net.n_out) == (3, 6, 1, 2, 1)
    x = np.array([0.3, -0.2])
    expected = np.tanh(0.3) + np.tanh(0.8) + 0.0 + 0.5
    np.testing.assert_allclose(net(x), [expected])
    np.testing.assert_allclose(net(x[None, :]), [[expected]])


def test_softmax_output_sums_to_one():
    net = Network((Layer(np.array([[1000.0], [0.0], [-1000.0]]), np.zeros(3)),), output="softmax")
    out = net([[1.0], [-1.0]])
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert np.all(np.isfinite(out))


def test_bad_networks_rejected():
    with pytest.raises(ValueError, match="expects 3 inputs"):
        Network((Layer(np.ones((2, 2)), np.zeros(2)), Layer(np.ones((1, 3)), np.zeros(1))))
    with pytest.raises(ValueError, match="unknown activation"):
        Network((Layer(np.ones((1, 1)), np.zeros(1)),), activation="relu")
    with pytest.raises(ValueError, match="b must have shape"):
        Layer(np.ones((2, 2)), np.zeros(3))
    net = Network((Layer(np.ones((1, 2)), np.zeros(1)),))
    with pytest.raises(ValueError, match="expected inputs of shape"):
        net(np.ones((4, 3)))


@pytest.mark.parametrize(
    "activation, shift", [("softplus", 0.0), ("exp", 0.0), ("logistic", 1.0), ("tanh", 0.5)]
)
def test_product_gate_error_is_order_lambda_squared(activation, shift):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 2))
    exact = X[:, 0] * X[:, 1]
    errs = []
    for lam in (0.02, 0.01):
        gate = product_gate(lam, activation, shift=shift)
        assert (gate.neurons, gate.depth) == (4, 1)
        errs.append(np.max(np.abs(gate(X)[:, 0] - exact)))
    # halving lambda divides the error by ~4 (O(lambda^2)); allow round-off slack
    assert 3.3 < errs[0] / errs[1] < 4.7
    assert errs[1] < 1e-3


def test_product_gate_needs_curvature():
    with pytest.raises(ValueError, match="bias shift"):
        product_gate(0.1, "tanh")
    with pytest.raises(ValueError, match="lam"):
        product_gate(0.0)
    with pytest.raises(ValueError, match="unknown activation"):
        product_gate(0.1, "relu")


@pytest.mark.parametrize("k", [1, 2, 5, 8])
def test_bit_product_gate_worst_case_error(k):
    beta = 30.0
    X = np.array(list(itertools.product([0, 1], repeat=k)), dtype=float)
    err = np.abs(bit_product_gate(k, beta)(X)[:, 0] - X.prod(axis=1))
    np.testing.assert_allclose(err.max(), 1 / (1 + math.exp(beta / 2)), rtol=1e-9)


def test_bit_product_gate_bad_input():
    with pytest.raises(ValueError, match="k must be"):
        bit_product_gate(0, 10.0)
    with pytest.raises(ValueError, match="beta"):
        bit_product_gate(2, -1.0)


def test_compose_merges_affine_maps():
    g = product_gate(0.01)
    copy2 = Network((Layer(np.eye(2), np.zeros(2)),))
    net = compose(
        Network((Layer(np.eye(2), np.zeros(2)), Layer(np.eye(2), np.zeros(2))), "softplus"), g
    )
    assert net.depth == 2
    with pytest.raises(ValueError, match="different activations"):
        compose(Network((Layer(np.eye(2), np.zeros(2)),), "tanh"), g)
    assert copy2.depth == 0
