"""Bad input to cheaplib.rbm: clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib.rbm import (
    RBM,
    bond_coupling,
    bond_rbm,
    bond_weight,
    from_bernoulli,
    hidden_distribution,
    ising_distribution,
    kl_divergence,
    kl_gradient,
    mehta_schwab_log_trace,
    ring_edges,
    spin_states,
    torus_edges,
    train_exact,
    visible_distribution,
    walsh_coefficients,
)

ERR = (ValueError, TypeError)
bad_reals = st.sampled_from([np.nan, np.inf, -np.inf])
not_ints = st.sampled_from([True, 2.0, "3", None, 1.5])


def good():
    return RBM(np.zeros((2, 3)), np.zeros(3), np.zeros(2))


@settings(max_examples=15, deadline=None)
@given(bad=bad_reals, which=st.sampled_from(["weights", "visible_bias", "hidden_bias"]))
def test_rbm_refuses_non_finite_parameters(bad, which):
    kw = {"weights": np.zeros((2, 3)), "visible_bias": np.zeros(3), "hidden_bias": np.zeros(2)}
    kw[which] = kw[which].copy()
    kw[which].flat[0] = bad
    with pytest.raises(ValueError, match=which):
        RBM(**kw)


@pytest.mark.parametrize(
    "kw,name",
    [
        ({"weights": np.zeros(3)}, "weights"),
        ({"visible_bias": np.zeros(4)}, "visible_bias"),
        ({"hidden_bias": np.zeros((2, 1))}, "hidden_bias"),
        ({"weights": [["a", "b", "c"], ["d", "e", "f"]]}, "weights"),
        ({"max_hidden": True}, "max_hidden"),
        ({"max_visible": 0}, "max_visible"),
    ],
)
def test_rbm_refuses_wrong_shapes_and_types(kw, name):
    base = {"weights": np.zeros((2, 3)), "visible_bias": np.zeros(3), "hidden_bias": np.zeros(2)}
    with pytest.raises(ERR, match=name):
        RBM(**(base | kw))


def test_rbm_enumeration_budget():
    with pytest.raises(ValueError, match="weights.*max_visible"):
        RBM(np.zeros((1, 17)), np.zeros(17), np.zeros(1))
    with pytest.raises(ValueError, match="weights.*max_hidden"):
        RBM(np.zeros((9, 3)), np.zeros(3), np.zeros(9))
    assert RBM(np.zeros((9, 3)), np.zeros(3), np.zeros(9), max_hidden=9).n_hidden == 9
    with pytest.raises(ValueError, match="max_hidden"):
        RBM(np.zeros((1, 3)), np.zeros(3), np.zeros(1), max_hidden=100)


@pytest.mark.parametrize("fn", [visible_distribution, hidden_distribution])
def test_distributions_need_an_rbm(fn):
    with pytest.raises(TypeError, match="model"):
        fn(np.zeros((2, 3)))


@settings(max_examples=20, deadline=None)
@given(
    p=st.sampled_from(
        [
            [0.5, 0.5, 0.5, -0.5, 0, 0, 0, 0],  # negative
            [0.2] * 8,  # sums to 1.6
            [np.nan] + [1 / 7] * 7,
            [0.5, 0.5],  # wrong number of states for the model
            [1 / 3] * 3,  # not a power of two
            [[0.125] * 8],  # 2-D
        ]
    ),
    fn=st.sampled_from([kl_divergence, kl_gradient, mehta_schwab_log_trace]),
)
def test_targets_must_be_distributions_over_the_visible_states(p, fn):
    with pytest.raises(ERR, match="p"):
        fn(p, good())


def test_kl_refuses_a_non_model():
    with pytest.raises(TypeError, match="model"):
        kl_divergence([0.25] * 4, "rbm")


@pytest.mark.parametrize(
    "kw,name",
    [
        ({"n_hidden": 0}, "n_hidden"),
        ({"n_hidden": 9}, "n_hidden"),
        ({"n_hidden": 2.0}, "n_hidden"),
        ({"rng": 0}, "rng"),
        ({"n_restarts": 0}, "n_restarts"),
        ({"max_iter": True}, "max_iter"),
        ({"init_scale": 0.0}, "init_scale"),
        ({"init_scale": np.nan}, "init_scale"),
        ({"l1": -1.0}, "l1"),
        ({"l1": np.inf}, "l1"),
        ({"max_hidden": 0}, "max_hidden"),
        ({"p": [0.3, 0.3, 0.3]}, "p"),
        ({"p": np.full(2**17, 2.0**-17)}, "p"),
    ],
)
def test_train_exact_refuses_bad_arguments(kw, name):
    args = {"p": [0.25] * 4, "n_hidden": 1, "rng": np.random.default_rng(0)} | kw
    with pytest.raises(ERR, match=name):
        train_exact(**args)


@given(n=not_ints)
def test_integer_arguments_refuse_non_integers(n):
    for fn in (spin_states, ring_edges):
        with pytest.raises(ERR, match="n"):
            fn(n)


def test_sizes_over_budget():
    with pytest.raises(ValueError, match="n"):
        spin_states(25)
    with pytest.raises(ValueError, match="n"):
        ising_distribution(17, [[0, 1]], 0.5)
    with pytest.raises(ValueError, match="L1"):
        torus_edges(2, 3)


@given(bad=bad_reals)
def test_non_finite_couplings_and_weights(bad):
    with pytest.raises(ValueError, match="K"):
        bond_weight(bad)
    with pytest.raises(ValueError, match="w"):
        bond_coupling(bad)
    with pytest.raises(ValueError, match="K"):
        ising_distribution(3, ring_edges(3), bad)
    with pytest.raises(ValueError, match="K"):
        bond_rbm(3, ring_edges(3), bad)


@pytest.mark.parametrize("edges", [[[0, 0]], [[0, 5]], [[-1, 1]], [0, 1], [[0, 1, 2]], [[0.5, 1]]])
def test_edges_must_join_two_sites(edges):
    with pytest.raises(ERR, match="edges"):
        ising_distribution(3, edges, 0.5)


def test_walsh_and_bernoulli_shapes():
    with pytest.raises(ValueError, match="energies"):
        walsh_coefficients(np.zeros(6))
    with pytest.raises(ValueError, match="energies"):
        walsh_coefficients([np.nan, 0.0])
    with pytest.raises(ValueError, match="intercept_visible"):
        from_bernoulli(np.zeros((2, 3)), np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="intercept_hidden"):
        from_bernoulli(np.zeros((2, 3)), np.zeros(3), np.zeros(3))


# --- extreme finite parameters: refused or computed stably, never NaN --------------------


@pytest.mark.parametrize(
    "params",
    [
        ([[1e308, 1e308]], [0.0, 0.0], [0.0]),
        ([[1e200]], [1e300], [1e300]),
        ([[0.0]], [0.0], [2e300]),
    ],
)
def test_parameters_whose_energy_leaves_float64_are_refused(params):
    with pytest.raises(ValueError, match="weights, visible_bias, hidden_bias"):
        RBM(*params)


def test_large_but_finite_energies_give_normalised_distributions():
    m = RBM([[1e100, -1e100]], [1e99, 0.0], [0.0])
    np.testing.assert_array_equal(visible_distribution(m), [0.0, 1.0, 0.0, 0.0])
    assert hidden_distribution(m).sum() == pytest.approx(1.0)
    degenerate = RBM([[1e100, 1e100]], [0.0, 0.0], [0.0])  # two ground states
    np.testing.assert_allclose(visible_distribution(degenerate), [0.5, 0.0, 0.0, 0.5])


def test_ising_distribution_with_an_overflowing_coupling_is_refused():
    with pytest.raises(ValueError, match="K"):
        ising_distribution(4, ring_edges(4), 1e308)
    p = ising_distribution(4, ring_edges(4), 1e300)  # two ground states, each 1/2
    np.testing.assert_allclose(p[[0, -1]], 0.5)
    assert p.sum() == pytest.approx(1.0)


def test_bond_coupling_of_a_huge_weight_is_its_limit():
    assert bond_coupling(1e308) == 1e308  # |w| - ln(2)/2, exact in float64 there
    assert np.all(np.isfinite(bond_coupling(np.array([-1e308, 0.5, 1e308]))))
