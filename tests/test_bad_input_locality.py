"""Bad input for every public function of cheaplib.locality.

Classes of bad input: NaN and infinities, wrong types (bool, str, float where an integer is
meant, None), wrong shapes, malformed graphs (self-loops, repeated or out-of-range edges,
float edges), non-spins, unreachable moment constraints, dependent features, out-of-range
parameters and sizes over the budget.  Each must raise ValueError or TypeError whose
message names the argument; none may return NaN or hang.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import locality as lo

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_AN_INT = st.sampled_from([True, False, 2.5, 3.0, "3", None, np.float64(4.0)])
EDGES = lo.square_lattice_edges(2, 3)
SPINS = np.ones((2, 6))
GRID = np.linspace(-1, 1, 11)[:, None]


def _raises(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


INT_ARGS = [
    ("n", lambda v: lo.chain_monomial_counts(v)),
    ("d", lambda v: lo.chain_monomial_counts(5, v)),
    ("rows", lambda v: lo.square_lattice_edges(v, 3)),
    ("cols", lambda v: lo.square_lattice_edges(3, v)),
    ("n", lambda v: lo.clique_cover_bound(EDGES, v)),
    ("n", lambda v: lo.clique_cover_bruteforce(EDGES, v)),
    ("n", lambda v: lo.ising_edge_tables(EDGES, v)),
    ("n", lambda v: lo.clique_coefficients(EDGES, np.zeros((7, 4)), v)),
    ("max_iter", lambda v: lo.max_entropy(GRID, [0.0], max_iter=v)),
    ("n", lambda v: lo.shift_commutant_basis(v)),
]


@pytest.mark.parametrize(("name", "call"), INT_ARGS)
@given(bad=NOT_AN_INT)
@settings(max_examples=7, deadline=None)
def test_integers_must_be_integers(name, call, bad):
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("n", lambda: lo.chain_monomial_counts(201)),
        ("rows", lambda: lo.square_lattice_edges(0, 3)),
        ("cols", lambda: lo.square_lattice_edges(3, 5000)),
        ("periodic", lambda: lo.square_lattice_edges(2, 5, periodic=True)),
        ("periodic", lambda: lo.square_lattice_edges(3, 3, periodic="yes")),
        ("linear_terms", lambda: lo.chain_monomial_counts(5, linear_terms=1)),
        ("n", lambda: lo.clique_cover_bruteforce(lo.square_lattice_edges(4, 5), 20)),
        ("n", lambda: lo.shift_commutant_basis(33)),
        ("n", lambda: lo.clique_cover_bound(EDGES, 0)),
    ],
)
def test_out_of_range_parameters(name, call):
    _raises(call, name)


BAD_EDGES = [
    np.array([[0, 1], [1, 1]]),  # self-loop
    np.array([[0, 1], [1, 0]]),  # listed twice
    np.array([[0, 9]]),  # outside the sites
    np.array([[0.0, 1.0]]),  # floats
    np.array([[0, 1, 2]]),  # wrong shape
    np.array([["0", "1"]]),  # strings
]


@pytest.mark.parametrize("edges", BAD_EDGES)
def test_malformed_edges(edges):
    for call in (
        lambda: lo.clique_cover_bound(edges, 6),
        lambda: lo.clique_cover_bruteforce(edges, 6),
        lambda: lo.edge_ising_energy(SPINS, edges),
        lambda: lo.ising_edge_tables(edges, 6),
    ):
        _raises(call, "edges")


def test_triangles_are_refused_by_the_fast_cover():
    _raises(lambda: lo.clique_cover_bound([[0, 1], [1, 2], [0, 2]], 3), "edges")


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("J", lambda v: lo.edge_ising_energy(SPINS, EDGES, J=v)),
        ("field", lambda v: lo.edge_ising_energy(SPINS, EDGES, field=v)),
        ("J", lambda v: lo.ising_edge_tables(EDGES, 6, J=v)),
        ("field", lambda v: lo.ising_edge_tables(EDGES, 6, field=v)),
        ("tol", lambda v: lo.max_entropy(GRID, [0.0], tol=v)),
        ("tol", lambda v: lo.clique_coefficients(EDGES, np.zeros((7, 4)), 6, tol=v)),
    ],
)
@given(bad=NON_FINITE)
@settings(max_examples=3, deadline=None)
def test_non_finite_parameters(name, call, bad):
    _raises(lambda: call(bad), name)


def test_couplings_shapes_and_spins():
    _raises(lambda: lo.edge_ising_energy(SPINS, EDGES, J=np.ones(3)), "J")
    _raises(lambda: lo.edge_ising_energy(SPINS, EDGES, field=np.ones(5)), "field")
    _raises(lambda: lo.edge_ising_energy(np.zeros((2, 6)), EDGES), "spins")
    _raises(lambda: lo.edge_ising_energy(np.ones(6), EDGES), "spins")
    _raises(lambda: lo.edge_ising_energy(np.full((2, 6), np.nan), EDGES), "spins")
    _raises(lambda: lo.ising_edge_tables([[0, 1]], 3, field=[0.0, 0.0, 1.0]), "field")


def test_clique_coefficients_shapes():
    _raises(lambda: lo.clique_coefficients(EDGES, np.zeros((7, 3)), 6), "tables")
    _raises(lambda: lo.clique_coefficients(EDGES, np.full((7, 4), np.nan), 6), "tables")
    _raises(lambda: lo.clique_coefficients(EDGES.astype(float), np.zeros((7, 4)), 6), "cliques")
    _raises(lambda: lo.clique_coefficients([[0, 0]], np.zeros((1, 4)), 6), "cliques")
    _raises(lambda: lo.clique_coefficients([[0, 7]], np.zeros((1, 4)), 6), "cliques")
    _raises(lambda: lo.clique_coefficients(np.zeros((1, 17), int), np.zeros((1, 4)), 20), "cliques")


def test_max_entropy_refusals():
    _raises(lambda: lo.max_entropy(GRID, [0.0, 1.0]), "targets")
    _raises(lambda: lo.max_entropy(GRID[:, 0], [0.0]), "features")
    _raises(lambda: lo.max_entropy(np.full((11, 1), np.nan), [0.0]), "features")
    _raises(lambda: lo.max_entropy(GRID, [np.inf]), "targets")
    _raises(lambda: lo.max_entropy(np.hstack([GRID, 2 * GRID]), [0.0, 0.0]), "features")
    _raises(lambda: lo.max_entropy(GRID, [2.0], max_iter=50), "converge")  # mean outside
    _raises(lambda: lo.max_entropy(GRID, [0.0], tol=0.0), "tol")


def test_fft_convolve_and_apply_factors():
    _raises(lambda: lo.fft_convolve(np.ones((2, 2)), np.ones(2)), "kernel")
    _raises(lambda: lo.fft_convolve(np.ones(3), np.ones(4)), "x")
    _raises(lambda: lo.fft_convolve([np.nan, 1.0], [1.0, 1.0]), "kernel")
    _raises(lambda: lo.fft_convolve([1.0, 1.0], ["a", "b"]), "x")
    _raises(lambda: lo.apply_factors([], np.ones(2)), "factors")
    _raises(lambda: lo.apply_factors([np.ones(2)], np.ones(2)), "factors")
    _raises(lambda: lo.apply_factors([np.ones((2, 3)), np.ones((2, 2))], np.ones(2)), "factors")
    _raises(lambda: lo.apply_factors([np.ones((2, 2))], np.ones(3)), "x")
    _raises(lambda: lo.apply_factors([np.ones((2, 2))], [np.inf, 0.0]), "x")


def test_valid_input_gives_finite_numbers():
    assert np.all(np.isfinite(lo.max_entropy(GRID, [0.9]).p))
    assert np.all(np.isfinite(lo.edge_ising_energy(SPINS, EDGES, 1e300 / 10, 0.0)))
    assert np.all(np.isfinite(lo.fft_convolve(np.ones(8), np.ones((2, 8)))))


# --- sizes are budgeted before allocating; factors checked like x ------------------------


@pytest.mark.parametrize("fn", [lo.ising_edge_tables, lo.clique_cover_bound])
def test_a_huge_site_count_is_refused_before_allocating(fn):
    # n = 10**9 sites once allocated 7.45 GiB of per-site arrays
    with pytest.raises(ValueError, match=r"n is too large.*bytes"):
        fn([[0, 1]], 10**9)
    with pytest.raises(ValueError, match="n must be"):
        fn([[0, 1]], 10**400)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_non_finite_factor_is_refused(bad):
    dense = np.array([[bad, 1.0], [0.0, 1.0]])
    _raises(lambda: lo.apply_factors([dense], [1.0, 2.0]), r"factors\[0\]")
    sparse = __import__("scipy.sparse").sparse.csr_array(dense)
    _raises(lambda: lo.apply_factors([np.eye(2), sparse], [1.0, 2.0]), r"factors\[1\]")


def test_a_scalar_x_and_an_overflowing_product_are_refused():
    _raises(lambda: lo.apply_factors([np.eye(2)], 1.0), "x")
    _raises(lambda: lo.apply_factors([np.full((2, 2), 1e200)], [1e200, 1e200]), "factors, x")
    _raises(lambda: lo.ising_edge_tables([[0, 1]], 2, J=1e308, field=[-1e308, 0.0]), "J, field")
