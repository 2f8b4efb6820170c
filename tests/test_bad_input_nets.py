"""Bad input for cheaplib.nets: every refusal is a ValueError/TypeError naming its argument."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib.nets import (
    Layer,
    Network,
    activation,
    compose,
    softmax_posterior,
    taylor_coefficients,
    taylor_points_needed,
)

BAD_ENTRY = st.sampled_from([math.nan, math.inf, -math.inf])


def _net():
    return Network((Layer(np.eye(2), np.zeros(2)), Layer(np.ones((1, 2)), np.zeros(1))))


@given(bad=BAD_ENTRY, i=st.integers(0, 3))
@settings(max_examples=20, deadline=None)
def test_layer_refuses_non_finite_weights(bad, i):
    W = np.ones((2, 2))
    W.flat[i] = bad
    with pytest.raises(ValueError, match="W must be finite"):
        Layer(W, np.zeros(2))
    with pytest.raises(ValueError, match="b must be finite"):
        Layer(np.ones((2, 2)), np.array([0.0, bad]))


def test_layer_refuses_wrong_shapes_and_types():
    with pytest.raises(ValueError, match="W must have 2"):
        Layer(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="b must have shape"):
        Layer(np.ones((2, 2)), np.zeros(3))
    with pytest.raises(TypeError, match="W must be a numeric"):
        Layer(np.array([["a"]]), np.zeros(1))
    with pytest.raises(TypeError, match="W must be real"):
        Layer(np.ones((1, 1)) * 1j, np.zeros(1))


@given(bad=BAD_ENTRY)
@settings(max_examples=5, deadline=None)
def test_network_refuses_non_finite_inputs(bad):
    with pytest.raises(ValueError, match="X must be finite"):
        _net()(np.array([[0.0, bad]]))


def test_network_refuses_bad_structure():
    with pytest.raises(ValueError, match="X: expected inputs"):
        _net()(np.ones((3, 5)))
    with pytest.raises(TypeError, match="layers must be Layer"):
        Network((np.eye(2),))
    with pytest.raises(ValueError, match="at least one layer"):
        Network(())
    with pytest.raises(ValueError, match="unknown output"):
        Network((Layer(np.eye(2), np.zeros(2)),), output="relu")
    with pytest.raises(TypeError, match="activation name"):
        Network((Layer(np.eye(2), np.zeros(2)),), activation=1)
    with pytest.raises(TypeError, match="first and second"):
        compose(_net(), "net")


@pytest.mark.parametrize(("name", "exc"), [("relu", ValueError), (1, TypeError), (None, TypeError)])
def test_activation_names(name, exc):
    with pytest.raises(exc, match="activation"):
        activation(name)


@given(k=st.integers(-100, -1) | st.integers(41, 10**9))
@settings(max_examples=10, deadline=None)
def test_taylor_orders_out_of_range(k):
    with pytest.raises(ValueError, match="k_max"):
        taylor_coefficients("tanh", k)


@pytest.mark.parametrize("bad", [2.0, "2", True, None])
def test_taylor_order_types(bad):
    with pytest.raises(TypeError, match="k_max"):
        taylor_coefficients("tanh", bad)
    with pytest.raises(TypeError, match="k_max"):
        taylor_points_needed("tanh", bad)


@given(bad=BAD_ENTRY)
@settings(max_examples=5, deadline=None)
def test_taylor_expansion_point_must_be_finite(bad):
    with pytest.raises(ValueError, match="at"):
        taylor_coefficients("softplus", 3, at=bad)


@given(points=st.integers(1, 53))
@settings(max_examples=15, deadline=None)
def test_too_few_points_would_alias_and_are_refused(points):
    # 3 points gave tanh [-0.159, 0.988, 0.064] instead of [0, 1, 0]
    with pytest.raises(ValueError, match="points must be >="):
        taylor_coefficients("tanh", 2, points=points)


def test_enough_points_do_not_alias():
    need = taylor_points_needed("tanh", 2)
    np.testing.assert_allclose(taylor_coefficients("tanh", 2, points=need), [0, 1, 0], atol=1e-13)
    with pytest.raises(ValueError, match="points"):
        taylor_coefficients("tanh", 2, points=10**6)


@given(bad=BAD_ENTRY)
@settings(max_examples=5, deadline=None)
def test_softmax_posterior_refuses_non_finite(bad):
    with pytest.raises(ValueError, match="H must be finite"):
        softmax_posterior([[0.0, bad]], [0.0, 0.0])
    with pytest.raises(ValueError, match="mu must be finite"):
        softmax_posterior([[0.0, 0.0]], [0.0, bad])


def test_softmax_posterior_shapes():
    with pytest.raises(ValueError, match="H must have shape"):
        softmax_posterior([[0.0, 0.0, 0.0]], [0.0, 0.0])
