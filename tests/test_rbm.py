"""cheaplib.rbm: exact RBM marginals, KL and gradient against brute-force enumeration."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib.ising import exact_distribution
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


def _random_rbm(rng, m, n, scale=1.0):
    return RBM(
        scale * rng.normal(size=(m, n)), scale * rng.normal(size=n), scale * rng.normal(size=m)
    )


def _brute_joint(model):
    """p(v, h) by looping over every pair of states (no closed-form sum over h)."""
    n, m = model.n_visible, model.n_hidden
    joint = np.zeros((2**n, 2**m))
    for i in range(2**n):
        v = np.array([2 * ((i >> j) & 1) - 1 for j in range(n)], dtype=float)
        for k in range(2**m):
            h = np.array([2 * ((k >> j) & 1) - 1 for j in range(m)], dtype=float)
            e = -(model.visible_bias @ v) - model.hidden_bias @ h - h @ model.weights @ v
            joint[i, k] = math.exp(-e)
    return joint / joint.sum()


def test_spin_state_convention():
    s = spin_states(3)
    for i in range(8):
        assert list(s[i]) == [2 * ((i >> j) & 1) - 1 for j in range(3)]


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_marginals_match_brute_force_joint(m, n, seed):
    model = _random_rbm(np.random.default_rng(seed), m, n)
    joint = _brute_joint(model)
    np.testing.assert_allclose(visible_distribution(model), joint.sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(hidden_distribution(model), joint.sum(axis=0), atol=1e-12)


def test_energy_method_matches_brute_force():
    model = _random_rbm(np.random.default_rng(1), 2, 3)
    v, h = spin_states(3)[5], spin_states(2)[2]
    e = -(model.visible_bias @ v) - model.hidden_bias @ h - h @ model.weights @ v
    assert model.energy(v, h) == pytest.approx(e, abs=1e-12)


def test_kl_matches_direct_sum_and_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    model = _random_rbm(rng, 3, 4, 0.7)
    p = rng.dirichlet(np.ones(16))
    q = _brute_joint(model).sum(axis=1)
    assert kl_divergence(p, model) == pytest.approx(float(np.sum(p * np.log(p / q))), abs=1e-12)
    kl, dw, da, dc = kl_gradient(p, model)
    eps = 1e-6
    for attr, grad in (("weights", dw), ("visible_bias", da), ("hidden_bias", dc)):
        base = getattr(model, attr)
        for idx in itertools.islice(np.ndindex(base.shape), 5):
            plus, minus = base.copy(), base.copy()
            plus[idx] += eps
            minus[idx] -= eps
            kw = {a: getattr(model, a) for a in ("weights", "visible_bias", "hidden_bias")}
            fp = kl_divergence(p, RBM(**(kw | {attr: plus})))
            fm = kl_divergence(p, RBM(**(kw | {attr: minus})))
            assert grad[idx] == pytest.approx((fp - fm) / (2 * eps), abs=1e-7)
    assert kl == pytest.approx(kl_divergence(p, model), abs=1e-14)


@pytest.mark.parametrize("K", [-0.8, 0.0, 0.3, 1.5])
def test_bond_rbm_is_exact_and_coupling_closed_form(K):
    for n, edges in ((6, ring_edges(6)), (9, torus_edges(3, 3))):
        p = ising_distribution(n, edges, K)
        assert kl_divergence(p, bond_rbm(n, edges, K)) < 1e-12
    w = bond_weight(K)
    assert bond_coupling(w) == pytest.approx(abs(K), abs=1e-12)
    # direct: sum_h exp(h w (s1 + s2)) ratio aligned / anti-aligned = exp(2 K')
    assert 0.5 * math.log(math.cosh(2 * w)) == pytest.approx(abs(K), abs=1e-12)


def test_ising_distribution_matches_cheaplib_ising():
    # cheaplib.ising sets bit = spin down; at zero field p(s) = p(-s), so the orders agree
    _, p_ref, _ = exact_distribution((3, 3), 0.37)
    np.testing.assert_allclose(ising_distribution(9, torus_edges(3, 3), 0.37), p_ref, atol=1e-14)
    _, p_ref, _ = exact_distribution((7,), -0.6)
    np.testing.assert_allclose(ising_distribution(7, ring_edges(7), -0.6), p_ref, atol=1e-14)


def test_train_exact_one_unit_fails_half_as_many_units_as_spins_suffice():
    # ring of 4: one hidden unit cannot hold four bonds; two (N/2) reach KL -> 0
    p = ising_distribution(4, ring_edges(4), 0.5)
    rng = np.random.default_rng(3)
    kls = [kl_divergence(p, train_exact(p, m, rng)) for m in (1, 2)]
    assert kls[0] > 0.01 and kls[1] < 1e-8


def test_train_exact_l1_shrinks_weights():
    p = ising_distribution(4, ring_edges(4), 0.5)
    free = train_exact(p, 2, np.random.default_rng(4))
    sparse = train_exact(p, 2, np.random.default_rng(4), l1=0.05)
    assert np.abs(sparse.weights).sum() < np.abs(free.weights).sum()


def test_trace_is_ratio_of_marginals():
    rng = np.random.default_rng(5)
    model = _random_rbm(rng, 2, 3)
    p = rng.dirichlet(np.ones(8))
    q = _brute_joint(model).sum(axis=1)
    np.testing.assert_allclose(mehta_schwab_log_trace(p, model), np.log(q / p), atol=1e-12)


def test_walsh_coefficients_reconstruct_the_energy():
    rng = np.random.default_rng(6)
    e = rng.normal(size=16)
    J = walsh_coefficients(e)
    s = spin_states(4)
    rebuilt = np.zeros(16)
    for mask in range(16):
        prod = np.prod(s[:, [j for j in range(4) if mask >> j & 1]], axis=1)
        rebuilt += J[mask] * prod
    np.testing.assert_allclose(rebuilt, e, atol=1e-12)


def test_from_bernoulli_matches_direct_01_marginal():
    rng = np.random.default_rng(7)
    U, b, d = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    x = (spin_states(4) + 1) / 2
    # 0/1 hidden units summed: prod_i (1 + exp(d_i + U_i x))
    log_w = x @ b + np.log1p(np.exp(x @ U.T + d)).sum(axis=1)
    ref = np.exp(log_w - log_w.max())
    ref /= ref.sum()
    np.testing.assert_allclose(visible_distribution(from_bernoulli(U, b, d)), ref, atol=1e-12)
