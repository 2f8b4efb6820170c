"""cheaplib.flattening: linear no-flattening theorems, eq. (27), and App. A linear algebra."""

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import hadamard

from cheaplib.flattening import (
    deep_product_size,
    factor_synapses,
    fft_factors,
    flattened_synapses,
    linear_flattening_cost,
    linear_network,
    low_rank_cost,
    mlp_product_error,
    neuron_flattening_cost,
    shallow_product_size,
    smallest_mlp_width,
    sparse_break_even,
    sparse_product_cost,
    sparse_product_cost_mc,
    sparse_product_samples,
    strassen_counts,
    strassen_factors,
    strassen_synapses,
    subset_product_matrix,
    synapse_flattening_cost,
    taylor_monomials,
    walsh_hadamard_factors,
)
from cheaplib.gates import deep_product_network, shallow_product_network


def _product(factors):
    out = factors[0]
    for f in factors[1:]:
        out = out @ f
    return out.toarray()


def _apply(factors, x):
    for f in reversed(factors):
        x = f @ x
    return x


@pytest.mark.parametrize("n", [2**k for k in range(1, 10)])
def test_fft_factors_multiply_to_the_dft(n):
    f = fft_factors(n)
    assert len(f) == int(math.log2(n))
    assert all(sp.issparse(m) and m.nnz == 2 * n for m in f)
    dft = np.exp(-2j * np.pi * np.outer(np.arange(n), np.arange(n)) / n)
    np.testing.assert_allclose(_product(f), dft, atol=1e-12)
    assert factor_synapses(f) == 2 * n * int(math.log2(n))
    assert flattened_synapses(f) == n * n
    assert linear_flattening_cost(f) == pytest.approx(n / (2 * math.log2(n)))


@given(st.integers(1, 8), st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_fft_factors_transform_like_numpy(k, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(2**k) + 1j * rng.standard_normal(2**k)
    np.testing.assert_allclose(_apply(fft_factors(2**k), x), np.fft.fft(x), atol=1e-10)


@pytest.mark.parametrize("n", [2, 4, 8, 64, 256])
def test_walsh_hadamard_factors(n):
    f = walsh_hadamard_factors(n)
    assert np.array_equal(_product(f), hadamard(n))
    assert factor_synapses(f) == 2 * n * int(math.log2(n))
    assert linear_flattening_cost(f) == pytest.approx(n / (2 * math.log2(n)))


def test_linear_network_costs():
    f = walsh_hadamard_factors(16)
    deep = linear_network(f)
    flat = linear_network([sp.csr_array(_product(f))])
    x = np.random.default_rng(0).standard_normal((5, 16))
    np.testing.assert_allclose(deep(x), x @ hadamard(16).T)
    assert (deep.depth, flat.depth) == (3, 0)
    assert neuron_flattening_cost(deep, flat) == 0.0
    assert synapse_flattening_cost(deep, flat) == pytest.approx(2.0)
    with pytest.raises(TypeError, match="real"):
        linear_network(fft_factors(8))
    with pytest.raises(ValueError, match="fewer hidden layers"):
        synapse_flattening_cost(flat, deep)
    with pytest.raises(ValueError, match="different shapes"):
        neuron_flattening_cost(deep_product_network(4, 0.1), shallow_product_network(3, 0.1))
    with pytest.raises(ValueError, match="factors: factor 0 has 3 columns"):
        factor_synapses([np.ones((2, 3)), np.ones((2, 2))])


def test_product_network_costs():
    deep, flat = deep_product_network(8, 0.1), shallow_product_network(8, 0.1)
    assert neuron_flattening_cost(deep, flat) == pytest.approx(256 / 28)
    assert synapse_flattening_cost(deep, flat) == pytest.approx(9 * 256 / 132)


@pytest.mark.parametrize("n", [2, 4, 8])
def test_strassen_factors_multiply(n):
    rng = np.random.default_rng(n)
    N = rng.standard_normal((n, n))
    M = rng.standard_normal((n, n))
    for levels in range(int(math.log2(n)) + 1):
        f = strassen_factors(N, levels)
        np.testing.assert_allclose(_product(f), np.kron(N, np.eye(n)), atol=1e-12)
        np.testing.assert_allclose(_apply(f, M.reshape(-1)).reshape(n, n), N @ M, atol=1e-12)
        counts = strassen_synapses(n, levels)
        assert factor_synapses(f) == counts.synapses
        assert flattened_synapses(f) == counts.flat_synapses == n**3


def test_strassen_counts():
    for t in range(1, 12):
        c = strassen_counts(2**t)
        assert (c.multiplications, c.naive_multiplications) == (7**t, 8**t)
        assert c.synapses == 9 * 7**t - 8 * 4**t
    with pytest.raises(ValueError, match="power of two"):
        strassen_counts(6)
    with pytest.raises(ValueError, match="square"):
        strassen_factors(np.ones((2, 4)))


def test_low_rank_cost_matches_real_factors():
    rng = np.random.default_rng(1)
    for n, k in [(8, 1), (10, 3), (20, 5), (7, 7)]:
        B, C = rng.standard_normal((n, k)), rng.standard_normal((k, n))
        assert low_rank_cost(n, k) == pytest.approx(flattened_synapses([B, C]) / (2 * n * k))
    with pytest.raises(ValueError, match="k must be in"):
        low_rank_cost(4, 5)
    with pytest.raises(TypeError, match="n must be an integer"):
        low_rank_cost(4.0, 1)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_eq27_is_the_exact_expectation(n, p):
    # enumerate every pair of binary n x n matrices with its probability
    cells = 2 * n * n
    bits = np.array(list(itertools.product([0, 1], repeat=cells)), dtype=float)
    prob = p ** bits.sum(1) * (1 - p) ** (cells - bits.sum(1))
    A = bits[:, : n * n].reshape(-1, n, n)
    B = bits[:, n * n :].reshape(-1, n, n)
    flat = np.count_nonzero(A @ B, axis=(1, 2))
    assert prob @ flat / (prob @ bits.sum(1)) == pytest.approx(sparse_product_cost(n, p))


@given(st.integers(1, 10**6), st.floats(1e-4, 1.0))
def test_eq27_ceiling(n, p):
    c = sparse_product_cost(n, p)
    assert 0 < c <= 1 / (2 * p) * (1 + 1e-12)
    assert sparse_product_cost(n + 1, p) >= c


def test_eq27_monte_carlo():
    rng = np.random.default_rng(5)
    for n, p in [(16, 0.1), (64, 0.05), (32, 0.3)]:
        deep, flat = sparse_product_samples(n, p, rng, 200)
        est = flat.sum() / deep.sum()
        cov = np.cov(flat, deep)
        se = math.sqrt((cov[0, 0] - 2 * est * cov[0, 1] + est**2 * cov[1, 1]) / 200) / deep.mean()
        assert abs(est - sparse_product_cost(n, p)) < 5 * se
    a = sparse_product_cost_mc(8, 0.2, np.random.default_rng(1), 10)
    assert a == sparse_product_cost_mc(8, 0.2, np.random.default_rng(1), 10)
    with pytest.raises(ValueError, match=r"p must lie in \(0, 1\]"):
        sparse_product_cost_mc(8, 0.0, rng, 10)
    with pytest.raises(ValueError, match=r"p must lie"):
        sparse_product_cost(8, 1.5)
    with pytest.raises(TypeError, match="Generator"):
        sparse_product_cost_mc(8, 0.5, 0, 10)
    with pytest.raises(ValueError, match="trials"):
        sparse_product_samples(1024, 0.5, rng, 100)


def test_fft_bad_sizes():
    for bad in (0, 1, 6, 12, 8192):
        with pytest.raises(ValueError, match="n must"):
            fft_factors(bad)
    with pytest.raises(TypeError, match="n must be an integer"):
        walsh_hadamard_factors(8.0)


def test_subset_product_matrix():
    signs = shallow_product_network(4, 1.0).layers[0].W.T  # (n, 2^n), entries +-1
    A = subset_product_matrix(signs)
    assert np.array_equal(A, hadamard(16))
    rng = np.random.default_rng(0)
    for n in (2, 3, 4):
        for m in range(1, 2**n + 3):
            rank = np.linalg.matrix_rank(subset_product_matrix(rng.standard_normal((n, m))))
            assert rank == min(m, 2**n)
    a = rng.standard_normal((3, 5))
    assert np.allclose(subset_product_matrix(a)[0b101], a[0] * a[2])


def test_taylor_monomials_against_direct_evaluation():
    rng = np.random.default_rng(3)
    n, m, K = 3, 4, 4
    a, w, c = rng.standard_normal((n, m)), rng.standard_normal(m), rng.standard_normal(K + 1)
    R, v = taylor_monomials(a, w, c)
    assert len(R) == math.comb(n + K, n) and R.sum(1).max() == K
    X = rng.uniform(-1, 1, (30, n))
    poly = (X[:, None, :] ** R[None, :, :]).prod(2) @ v
    direct = sum(c[k] * (X @ a) ** k for k in range(K + 1)) @ w
    np.testing.assert_allclose(poly, direct, atol=1e-12)


def test_sizes_refuse_bad_n():
    assert shallow_product_size(32) == (4_294_967_296, 33 * 4_294_967_296)
    assert deep_product_size(32) == (124, 612)
    with pytest.raises(ValueError, match="n must be"):
        deep_product_size(1)


def test_mlp_learns_a_product_of_two():
    err = mlp_product_error(2, (8,), np.random.default_rng(0), n_train=400, n_test=200)
    assert err < 0.2
    w, e = smallest_mlp_width(2, 1, [1, 8], np.random.default_rng(0), target=0.2, n_train=400)
    assert w == 8 and e <= 0.2
    with pytest.raises(ValueError, match="increasing"):
        smallest_mlp_width(2, 1, [8, 4], np.random.default_rng(0))
    with pytest.raises(TypeError, match="Generator"):
        mlp_product_error(2, (4,), 0)


@pytest.mark.parametrize("p", [0.001, 0.01, 0.02, 0.05, 0.1, 0.3, 0.49])
def test_sparse_break_even_is_the_first_n_with_cost_above_one(p):
    n = sparse_break_even(p)
    assert sparse_product_cost(n, p) > 1.0 >= sparse_product_cost(n - 1, p) or n == 1
    if p <= 0.1:
        assert abs(n - (2 / p + 2)) <= 1 + 10 * p  # the expansion 2/p + 2 + O(p)


def test_sparse_break_even_never_for_dense_factors():
    for p in (0.5, 0.7, 1.0):
        assert sparse_break_even(p) is None
        assert sparse_product_cost(np.arange(1, 10**4), p).max() <= 1.0
