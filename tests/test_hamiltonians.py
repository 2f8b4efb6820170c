"""cheaplib.hamiltonians (and the chapter-2 additions to cheaplib.gates) against brute force."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import circulant
from scipy.special import expit

from cheaplib.gates import (
    beta_for_decimals,
    bit_product_error,
    fourth_order_shift,
    gate_error_constant,
    product_gate,
)
from cheaplib.hamiltonians import (
    bit_coefficients,
    bit_function_network,
    bit_network_error_bound,
    bit_polynomial_value,
    bit_strings,
    bit_values,
    chain_monomial_counts,
    clique_coefficients,
    clique_cover_bound,
    draw_network,
    evaluate_bits,
    fft_convolve,
    ising_edge_tables,
    ising_energy,
    max_entropy,
    monomial_exponents,
    monomial_network,
    polynomial_gate_counts,
    polynomial_network,
    polynomial_terms,
    polynomial_value,
    shift_commutant_basis,
    softmax_posterior,
    square_lattice_edges,
)


def _brute_coefficients(f):
    """h_K = sum over subsets S of K of (-1)^{|K|-|S|} f(S), by explicit loops."""
    N = len(f)
    h = []
    for K in range(N):
        total = 0
        for S in range(N):
            if S & K == S:
                total += (-1) ** (bin(K).count("1") - bin(S).count("1")) * f[S]
        h.append(total)
    return np.array(h)


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
    assert np.array_equal(h, _brute_coefficients(f))
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
    with pytest.raises(ValueError, match="power of two"):
        bit_coefficients(np.ones(6))
    with pytest.raises(ValueError, match="power of two"):
        bit_values(np.ones(0))
    with pytest.raises(ValueError, match="finite"):
        bit_coefficients([0.0, np.nan])
    with pytest.raises(ValueError, match="overflow"):
        bit_coefficients(np.full(4, 2**61, dtype=np.int64))
    with pytest.raises(TypeError):
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
    with pytest.raises(ValueError, match="power of two"):
        bit_function_network(np.ones(12), 10.0)
    with pytest.raises(ValueError, match="beta"):
        bit_function_network(np.ones(8), 0.0)
    with pytest.raises(ValueError, match="beta"):
        bit_function_network(np.ones(8), -3.0)
    with pytest.raises(ValueError, match="n must be"):
        bit_function_network(np.ones(1), 10.0)
    with pytest.raises(ValueError, match="unknown output"):
        bit_function_network(np.ones(4), 10.0, output="relu")
    with pytest.raises(ValueError, match="no bits"):
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
    with pytest.raises(ValueError):
        beta_for_decimals(0)
    with pytest.raises(ValueError, match="k must be"):
        bit_product_error(0, 10.0)
    with pytest.raises(ValueError, match="beta"):
        bit_product_error(2, 0.0)


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


def test_chain_counts():
    for n in [3, 5, 10, 20]:
        c = chain_monomial_counts(n)
        assert c == ((n + 1) * (n + 2) // 2, 3 * n, 4)
        c0 = chain_monomial_counts(n, linear_terms=False)
        assert c0 == (1 + n * (n + 1) // 2, 2 * n, 3)


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
    with pytest.raises(ValueError, match="unknown activation"):
        polynomial_network({(0, 1): 1.0}, 2, 0.1, activation="relu")
    with pytest.raises(ValueError, match="non-zero"):
        polynomial_network({(0, 1): 1.0}, 2, 0.1, activation="tanh", shift=0.0)
    with pytest.raises(ValueError, match="non-empty"):
        polynomial_network({}, 2, 0.1)


# --- locality, Ising, clique covers ----------------------------------------------------------


def test_square_lattice_edges_and_cover():
    e = square_lattice_edges(3, 4)
    assert len(e) == 3 * 3 + 2 * 4
    assert clique_cover_bound(e, 12) == (17, 2, 68, 0)
    ep = square_lattice_edges(4, 5, periodic=True)
    assert len(ep) == 2 * 20 and clique_cover_bound(ep, 20).cover_number == 40
    tri = np.array([[0, 1], [1, 2], [0, 2]])
    with pytest.raises(ValueError, match="triangle"):
        clique_cover_bound(tri, 3)
    with pytest.raises(ValueError, match="twice"):
        clique_cover_bound(np.array([[0, 1], [1, 0]]), 2)
    with pytest.raises(ValueError, match="periodic"):
        square_lattice_edges(2, 5, periodic=True)


def test_clique_coefficients_match_dense_mobius():
    rng = np.random.default_rng(4)
    e = square_lattice_edges(3, 3)
    n = 9
    J, h = rng.standard_normal(len(e)), rng.standard_normal(n)
    spins = 2 * bit_strings(n) - 1
    E = ising_energy(spins, e, J, h)
    dense = bit_coefficients(E)
    masks, coef, const = clique_coefficients(e, ising_edge_tables(e, n, J, h), n)
    assert const == pytest.approx(dense[0])
    K = (masks.toarray() * (1 << np.arange(n))).sum(axis=1)
    np.testing.assert_allclose(coef, dense[K], atol=1e-12)
    assert np.count_nonzero(np.abs(dense) > 1e-9) == 1 + n + len(e)
    np.testing.assert_allclose(bit_polynomial_value(masks, coef, const, bit_strings(n)), E)


def test_ising_energy_brute_force():
    e = np.array([[0, 1], [1, 2]])
    s = np.array([[1, -1, -1], [1, 1, 1]])
    np.testing.assert_allclose(ising_energy(s, e, [1.0, 2.0], [0.5, 0.0, 1.0]), [-0.5, -4.5])


# --- maximum entropy ----------------------------------------------------------------------


def test_max_entropy_uniform_and_gaussian():
    x = np.linspace(-1, 1, 11)
    res = max_entropy(x[:, None], np.array([0.0]))  # only the mean (0): uniform
    np.testing.assert_allclose(res.p, 1 / 11, atol=1e-12)
    g = np.arange(-8, 8.001, 0.25)
    res = max_entropy(np.stack([g, g**2], 1), np.array([0.3, 1.0 + 0.09]))
    q = np.exp(-0.5 * (g - 0.3) ** 2)
    np.testing.assert_allclose(res.p, q / q.sum(), rtol=1e-6, atol=1e-15)
    with pytest.raises(ValueError, match="converge"):
        max_entropy(x[:, None], np.array([2.0]), max_iter=50)  # mean outside [-1, 1]


# --- translation symmetry ------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_shift_commutant_is_circulant(n):
    B = shift_commutant_basis(n)
    assert B.shape == (n, n, n)
    for M in B:
        np.testing.assert_allclose(M, circulant(M[:, 0]), atol=1e-12)


@given(st.integers(1, 64), st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_fft_convolve_is_the_circulant_map(n, seed):
    rng = np.random.default_rng(seed)
    k, x = rng.standard_normal(n), rng.standard_normal((2, n))
    np.testing.assert_allclose(fft_convolve(k, x), x @ circulant(k).T, atol=1e-10 * n)


def test_draw_network_runs():
    from cheaplib.plotting import new_figure

    fig, ax = new_figure()
    draw_network(product_gate(0.5), ax)
    assert ax.patches
    with pytest.raises(ValueError, match="at most 12"):
        draw_network(bit_function_network(np.sin(np.arange(32.0)), 10.0), ax)


def test_itertools_enumeration_agrees_with_bit_strings():
    X = bit_strings(4)
    ref = np.array([list(reversed(t)) for t in itertools.product([0, 1], repeat=4)])
    assert np.array_equal(X, ref)
