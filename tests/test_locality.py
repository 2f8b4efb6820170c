"""cheaplib.locality against brute force: clique covers, Ising coefficients, max-ent, FFT."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import circulant

from cheaplib.bitfunctions import bit_coefficients, bit_polynomial_value, bit_strings
from cheaplib.locality import (
    apply_factors,
    chain_monomial_counts,
    clique_coefficients,
    clique_cover_bound,
    clique_cover_bruteforce,
    edge_ising_energy,
    fft_convolve,
    ising_edge_tables,
    max_entropy,
    shift_commutant_basis,
    square_lattice_edges,
)

# --- locality, Ising, clique covers ----------------------------------------------------------


def test_chain_counts():
    for n in [3, 5, 10, 20]:
        c = chain_monomial_counts(n)
        assert c == ((n + 1) * (n + 2) // 2, 3 * n, 4)
        c0 = chain_monomial_counts(n, linear_terms=False)
        assert c0 == (1 + n * (n + 1) // 2, 2 * n, 3)


@pytest.mark.parametrize("rows, cols", [(1, 3), (2, 2), (2, 3), (3, 3), (3, 4)])
def test_clique_cover_bound_matches_brute_force(rows, cols):
    e = square_lattice_edges(rows, cols)
    assert clique_cover_bound(e, rows * cols) == clique_cover_bruteforce(e, rows * cols)


def test_clique_cover_bruteforce_sees_triangles():
    # two triangles sharing an edge: 5 edges, but 2 cliques cover them
    e = np.array([[0, 1], [1, 2], [0, 2], [1, 3], [2, 3]])
    cover = clique_cover_bruteforce(e, 4)
    assert cover.cover_number == 2 and cover.largest_clique == 3 and cover.triangles == 2


def test_apply_factors_is_the_matrix_product():
    rng = np.random.default_rng(5)
    F = [rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((5, 5))]
    x = rng.standard_normal(5)
    np.testing.assert_allclose(apply_factors(F, x), F[0] @ F[1] @ F[2] @ x)


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
    E = edge_ising_energy(spins, e, J, h)
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
    np.testing.assert_allclose(edge_ising_energy(s, e, [1.0, 2.0], [0.5, 0.0, 1.0]), [-0.5, -4.5])


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
