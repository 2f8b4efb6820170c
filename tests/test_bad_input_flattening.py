"""Bad input for cheaplib.flattening: refusals name their argument."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import flattening as fl
from cheaplib.gates import deep_product_network, shallow_product_network

BAD_ENTRY = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_INT = st.sampled_from([2.0, "8", True, np.float64(4.0)])


@given(bad=BAD_ENTRY, i=st.integers(0, 3))
@settings(max_examples=20, deadline=None)
def test_non_finite_factors_are_refused(bad, i):
    # one NaN weight used to count as 0 synapses
    W = np.ones((2, 2))
    W.flat[i] = bad
    for fn in (fl.factor_synapses, fl.flattened_synapses, fl.linear_flattening_cost,
               fl.linear_network):  # fmt: skip
        with pytest.raises(ValueError, match=r"factors\[0\] must be finite"):
            fn([W, np.eye(2)])
        with pytest.raises(ValueError, match=r"factors\[1\] must be finite"):
            fn([np.eye(2), sp.csr_array(W)])


@pytest.mark.parametrize(
    "fn", [fl.factor_synapses, fl.flattened_synapses, fl.linear_flattening_cost, fl.linear_network]
)
def test_factor_structure(fn):
    with pytest.raises(ValueError, match="factors"):
        fn([])
    with pytest.raises(TypeError, match="factors"):
        fn("ab")
    with pytest.raises(TypeError, match=r"factors\[0\]"):
        fn([[1.0, 2.0]])
    with pytest.raises(ValueError, match="factors: factor 0 has 3 columns"):
        fn([np.ones((2, 3)), np.ones((2, 2))])


def test_flattened_synapses_rtol():
    for bad in (math.nan, -0.1, 1.0):
        with pytest.raises(ValueError, match="rtol"):
            fl.flattened_synapses([np.eye(2)], rtol=bad)
    with pytest.raises(ValueError, match="factors"):
        fl.linear_flattening_cost([np.zeros((2, 2))])


@pytest.mark.parametrize("fn", [fl.fft_factors, fl.walsh_hadamard_factors])
@given(bad=st.integers(-10, 1) | st.sampled_from([3, 6, 12, 8192, 10**12]))
@settings(max_examples=10, deadline=None)
def test_transform_sizes(fn, bad):
    with pytest.raises(ValueError, match="n must"):
        fn(bad)


@pytest.mark.parametrize(
    "fn",
    [fl.fft_factors, fl.walsh_hadamard_factors, fl.shallow_product_size, fl.deep_product_size,
     fl.strassen_counts, lambda n: fl.low_rank_cost(n, 1), lambda n: fl.strassen_synapses(8, n)],
)  # fmt: skip
@given(bad=NOT_INT)
@settings(max_examples=6, deadline=None)
def test_integer_arguments(fn, bad):
    with pytest.raises(TypeError, match="n must be an integer|levels must be an integer"):
        fn(bad)


def test_sizes_over_budget_do_not_hang():
    with pytest.raises(ValueError, match="n must be in"):
        fl.shallow_product_size(10**12)  # used to hang computing 2**(10**12)
    with pytest.raises(ValueError, match="n must be in"):
        fl.deep_product_size(10**30)
    with pytest.raises(ValueError, match="n must be in"):
        fl.strassen_counts(2**40)
    with pytest.raises(ValueError, match="k must be in"):
        fl.low_rank_cost(4, 5)
    with pytest.raises(ValueError, match="levels must be in"):
        fl.strassen_synapses(8, 4)


def test_strassen_factors_bad_matrices():
    with pytest.raises(ValueError, match="N must be a square"):
        fl.strassen_factors(np.ones((2, 4)))
    with pytest.raises(ValueError, match="N must be finite"):
        fl.strassen_factors(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"N.shape\[0\] must"):
        fl.strassen_factors(np.ones((128, 128)))
    with pytest.raises(TypeError, match="N must be a numeric"):
        fl.strassen_factors([["a", "b"], ["c", "d"]])


@given(p=BAD_ENTRY | st.floats(-10, 0) | st.floats(1.0001, 10))
@settings(max_examples=20, deadline=None)
def test_sparse_p(p):
    with pytest.raises(ValueError, match="p must"):
        fl.sparse_product_cost(8, p)
    with pytest.raises(ValueError, match="p must"):
        fl.sparse_product_samples(8, p, np.random.default_rng(0), 2)
    with pytest.raises(ValueError, match="p must"):
        fl.sparse_product_cost_mc(8, p, np.random.default_rng(0), 2)
    with pytest.raises(ValueError, match="p must"):
        fl.sparse_break_even(p)


def test_sparse_other_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="p must"):
        fl.sparse_product_cost(8, True)
    with pytest.raises(TypeError, match="n must be integer"):
        fl.sparse_product_cost(8.0, 0.1)
    with pytest.raises(ValueError, match="n must be positive"):
        fl.sparse_product_cost(0, 0.1)
    with pytest.raises(ValueError, match="do not broadcast"):
        fl.sparse_product_cost(np.arange(1, 4), np.full(2, 0.1))
    with pytest.raises(ValueError, match="trials"):
        fl.sparse_product_samples(1024, 0.5, rng, 100)
    with pytest.raises(TypeError, match="rng"):
        fl.sparse_product_samples(8, 0.5, 0, 2)
    with pytest.raises(ValueError, match="every sampled matrix is empty"):
        fl.sparse_product_cost_mc(1, 1e-9, rng, 1)


def test_network_arguments():
    deep, flat = deep_product_network(4, 0.1), shallow_product_network(4, 0.1)
    for fn in (fl.neuron_flattening_cost, fl.synapse_flattening_cost):
        with pytest.raises(TypeError, match="deep must"):
            fn("deep", flat)
        with pytest.raises(TypeError, match="flat must"):
            fn(deep, None)
        with pytest.raises(ValueError, match="fewer hidden layers"):
            fn(flat, deep)
    with pytest.raises(TypeError, match="net must"):
        fl.product_error("net", np.ones((2, 2)))
    with pytest.raises(ValueError, match="X must be finite"):
        fl.product_error(flat, np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match="X must have shape"):
        fl.product_error(flat, np.ones((2, 3)))
    with pytest.raises(TypeError, match="net must"):
        fl.halved_product_network(3)
    with pytest.raises(ValueError, match="net must have exactly one hidden layer"):
        fl.halved_product_network(deep)


def test_polynomial_algebra_arguments():
    with pytest.raises(ValueError, match="a must be finite"):
        fl.subset_product_matrix([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="a must have 2"):
        fl.subset_product_matrix([1.0, 2.0])
    with pytest.raises(ValueError, match="n"):
        fl.subset_product_matrix(np.ones((15, 2)))
    with pytest.raises(ValueError, match="w must have shape"):
        fl.taylor_monomials(np.ones((2, 3)), np.ones(2), [1.0, 1.0])
    with pytest.raises(ValueError, match="coeffs must be finite"):
        fl.taylor_monomials(np.ones((2, 3)), np.ones(3), [1.0, np.inf])
    with pytest.raises(ValueError, match="monomials are too many"):
        fl.taylor_monomials(np.ones((10, 3)), np.ones(3), np.ones(30))


def test_training_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="hidden"):
        fl.mlp_product_error(2, 4, rng)
    with pytest.raises(ValueError, match="hidden"):
        fl.mlp_product_error(2, (0,), rng)
    with pytest.raises(ValueError, match="n_train"):
        fl.mlp_product_error(2, (4,), rng, n_train=2)
    with pytest.raises(TypeError, match="rng"):
        fl.mlp_product_error(2, (4,), 0)
    with pytest.raises(ValueError, match="target"):
        fl.smallest_mlp_width(2, 1, [4], rng, target=math.nan)
    with pytest.raises(TypeError, match="widths"):
        fl.smallest_mlp_width(2, 1, 4, rng)
    with pytest.raises(ValueError, match="widths must be a non-empty increasing"):
        fl.smallest_mlp_width(2, 1, [8, 4], rng)
    with pytest.raises(ValueError, match="depth"):
        fl.smallest_mlp_width(2, 0, [4], rng)


def test_widget_render_arguments():
    from cheaplib.widgets.flattening import render_product_networks

    with pytest.raises(ValueError, match="n must be in"):
        render_product_networks(11, 0.1)
    with pytest.raises(TypeError, match="n must be an integer"):
        render_product_networks(4.0, 0.1)
    with pytest.raises(ValueError, match="lam"):
        render_product_networks(4, math.nan)
    with pytest.raises(ValueError, match="lam"):
        render_product_networks(4, 2.0)
    with pytest.raises(ValueError, match="activation"):
        render_product_networks(4, 0.1, "relu")


# --- extreme finite values ------------------------------------------------------------------


@pytest.mark.parametrize("p", [1e-200, 5e-324, 1e-19])
def test_a_density_whose_break_even_does_not_fit_an_int64_is_refused(p):
    # p = 1e-200 divided by zero (log1p(-p**2) is -0.0)
    with pytest.raises(ValueError, match="p must be >= 1e-18"):
        fl.sparse_break_even(p)


def test_the_smallest_density_still_gives_its_break_even():
    n = fl.sparse_break_even(1e-18)
    assert isinstance(n, int) and abs(n * 1e-18 - 2.0) < 1e-6


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: fl.low_rank_cost(10**400, 1), "n"),
        (lambda: fl.subset_product_matrix(np.full((3, 2), 1e200)), "a"),
        (lambda: fl.strassen_factors(np.full((2, 2), 1e308)), "N"),
    ],
)
def test_values_whose_results_overflow_are_refused(call, name):
    with pytest.raises(ValueError, match=name):
        call()
