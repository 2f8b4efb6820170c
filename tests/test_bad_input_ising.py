"""Bad input for every public function of cheaplib.ising.

Classes of bad input: NaN and infinities, wrong types (bool, str, float where an integer is
meant, None), wrong shapes, values that are not spins, out-of-range parameters and sizes
over the budget.  Each must raise ValueError or TypeError whose message names the
argument; none may return a NaN or hang.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import ising

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_AN_INT = st.sampled_from([True, False, 2.5, 3.0, "3", np.float64(4.0)])
NOT_A_REAL = st.sampled_from([True, "0.3", None, 1j, [0.3]])
RNG = np.random.default_rng(0)
SPINS = np.ones((4, 6, 6), dtype=np.int8)


def _raises(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


# one entry per (function, argument): a builder taking the bad value
REAL_ARGS = [
    ("K", lambda v: ising.exact_partition_function((2, 2), v)),
    ("h", lambda v: ising.exact_partition_function((2, 2), 0.1, v)),
    ("K", lambda v: ising.exact_distribution((2, 2), v)),
    ("h", lambda v: ising.exact_distribution((2, 2), 0.1, v)),
    ("K", lambda v: ising.ising_energy(SPINS, v)),
    ("h", lambda v: ising.ising_energy(SPINS, 0.1, v)),
    ("K", lambda v: ising.partition_function_1d(5, v)),
    ("h", lambda v: ising.partition_function_1d(5, 0.1, v)),
    ("K", lambda v: ising.kaufman_partition_function((4, 4), v)),
    ("K", lambda v: ising.onsager_log_z_per_site(v)),
    ("K", lambda v: ising.swendsen_wang((4, 4), v, 2, RNG)),
    ("K", lambda v: ising.decimate_1d(v)),
    ("K", lambda v: ising.decimation_constant_1d(v)),
    ("K", lambda v: ising.block_spin_flow(9, [v], RNG, n_samples=2, n_chains=1, n_levels=1)),
]

ARRAY_OK = {REAL_ARGS[11][1], REAL_ARGS[12][1]}

INT_ARGS = [
    ("n", lambda v: ising.all_spin_states(v)),
    ("n", lambda v: ising.partition_function_1d(v, 0.1)),
    ("ndim", lambda v: ising.bond_sum(SPINS, v)),
    ("ndim", lambda v: ising.ising_energy(SPINS, 0.1, ndim=v)),
    ("ndim", lambda v: ising.nn_correlation(SPINS, v)),
    ("n_grid", lambda v: ising.onsager_log_z_per_site(0.3, v)),
    ("n_samples", lambda v: ising.swendsen_wang((4, 4), 0.2, v, RNG)),
    ("n_burn", lambda v: ising.swendsen_wang((4, 4), 0.2, 2, RNG, n_burn=v)),
    ("thin", lambda v: ising.swendsen_wang((4, 4), 0.2, 2, RNG, thin=v)),
    ("n_chains", lambda v: ising.swendsen_wang((4, 4), 0.2, 2, RNG, n_chains=v)),
    ("b", lambda v: ising.majority_block_spins(SPINS, v)),
    ("n_iter", lambda v: ising.pseudolikelihood_couplings(SPINS, n_iter=v)),
    ("shape", lambda v: ising.exact_partition_function((2, v), 0.1)),
    ("shape", lambda v: ising.kaufman_partition_function((4, v), 0.1)),
    ("shape", lambda v: ising.swendsen_wang((v, 4), 0.1, 2, RNG)),
    ("L", lambda v: ising.block_spin_flow(v, [0.3], RNG)),
    ("b", lambda v: ising.block_spin_flow(9, [0.3], RNG, b=v)),
    ("n_levels", lambda v: ising.block_spin_flow(9, [0.3], RNG, n_levels=v)),
    ("n_chains", lambda v: ising.block_spin_flow(9, [0.3], RNG, n_chains=v)),
]


@pytest.mark.parametrize(
    ("name", "call"), REAL_ARGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(REAL_ARGS)]
)
@given(bad=NON_FINITE)
@settings(max_examples=3, deadline=None)
def test_non_finite_reals_are_refused(name, call, bad):
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(
    ("name", "call"), REAL_ARGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(REAL_ARGS)]
)
@given(bad=NOT_A_REAL)
@settings(max_examples=5, deadline=None)
def test_non_reals_are_refused(name, call, bad):
    if isinstance(bad, list) and call in ARRAY_OK:
        return  # decimate_1d accepts arrays of couplings by design
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(
    ("name", "call"), INT_ARGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(INT_ARGS)]
)
@given(bad=NOT_AN_INT)
@settings(max_examples=6, deadline=None)
def test_non_integers_are_refused(name, call, bad):
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("n", lambda: ising.all_spin_states(0)),
        ("n", lambda: ising.all_spin_states(ising.MAX_ENUMERATION_SITES + 1)),
        ("n", lambda: ising.partition_function_1d(0, 0.1)),
        ("ndim", lambda: ising.bond_sum(SPINS, 3)),
        ("shape", lambda: ising.exact_partition_function((5, 5), 0.1)),
        ("shape", lambda: ising.exact_partition_function((2, 2, 2), 0.1)),
        ("shape", lambda: ising.exact_partition_function((0, 3), 0.1)),
        ("shape", lambda: ising.exact_partition_function("ab", 0.1)),
        ("shape", lambda: ising.kaufman_partition_function((4,), 0.1)),
        ("shape", lambda: ising.kaufman_partition_function((4, 10**9), 0.1)),
        ("K", lambda: ising.kaufman_partition_function((4, 4), 0.0)),
        ("K", lambda: ising.onsager_log_z_per_site(-0.1)),
        ("n_grid", lambda: ising.onsager_log_z_per_site(0.4, n_grid=60000)),
        ("n_grid", lambda: ising.onsager_log_z_per_site(0.4, n_grid=4)),
        ("K", lambda: ising.swendsen_wang((4, 4), -0.2, 5, RNG)),
        ("n_samples", lambda: ising.swendsen_wang((4, 4), 0.2, 0, RNG)),
        ("n_samples", lambda: ising.swendsen_wang((1000, 1000), 0.2, 2000, RNG)),
        ("init", lambda: ising.swendsen_wang((4, 4), 0.2, 5, RNG, init=np.ones((3, 3)))),
        ("init", lambda: ising.swendsen_wang((4, 4), 0.2, 5, RNG, init=np.zeros((4, 4)))),
        ("rng", lambda: ising.swendsen_wang((4, 4), 0.2, 5, 42)),
        ("spins", lambda: ising.majority_block_spins(np.ones((4, 5)), 2)),
        ("spins", lambda: ising.majority_block_spins(np.zeros((3, 3)), 3)),
        ("spins", lambda: ising.majority_block_spins(np.full((3, 3), np.nan), 3)),
        ("spins", lambda: ising.majority_block_spins(np.array([["a"]]), 1)),
        ("spins", lambda: ising.majority_block_spins(np.ones(3), 1)),
        ("spins", lambda: ising.bond_sum(np.array([1, 2, -1]), 1)),
        ("spins", lambda: ising.ising_energy(np.ones((2, 2), dtype=bool), 0.1)),
        ("spins", lambda: ising.nn_correlation(np.zeros((3, 3)))),
        ("b", lambda: ising.majority_block_spins(np.ones((3, 3)), 0)),
        ("samples", lambda: ising.pseudolikelihood_couplings(np.ones((4, 6, 6)))),
        ("samples", lambda: ising.pseudolikelihood_couplings(np.ones((6, 6)))),
        ("samples", lambda: ising.pseudolikelihood_couplings(np.zeros((2, 6, 6)))),
        ("nnn", lambda: ising.pseudolikelihood_couplings(SPINS, nnn="yes")),
        ("n_iter", lambda: ising.pseudolikelihood_couplings(SPINS, n_iter=0)),
        ("K", lambda: ising.decimate_1d([0.1, np.nan])),
        ("K", lambda: ising.block_spin_flow(27, [-0.1], RNG)),
        ("K", lambda: ising.block_spin_flow(27, [[0.1]], RNG)),
        ("L", lambda: ising.block_spin_flow(28, [0.3], RNG)),
        ("rng", lambda: ising.block_spin_flow(27, [0.3], None)),
    ],
)
def test_out_of_range_and_malformed_input_is_refused(name, call):
    _raises(call, name)


@given(st.floats(-50, 50), st.floats(-50, 50), st.integers(1, 200))
@settings(max_examples=60, deadline=None)
def test_log_partition_function_is_finite_on_valid_input(K, h, n):
    lz = ising.partition_function_1d(n, K, h, log=True)
    assert math.isfinite(lz)
    # ln Z lies between the largest Boltzmann weight and that plus n ln 2
    top = n * (abs(K) + abs(h))
    assert -top - 1e-9 <= lz <= top + n * math.log(2) + 1e-9


# --- extreme finite couplings: refused, or computed stably ---------------------------------


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ising.exact_partition_function((2, 2), 1e308), "K, h"),
        (lambda: ising.exact_distribution((2, 2), 0.1, 1e308), "K, h"),
        (lambda: ising.partition_function_1d(5, 0.1, 1e308, log=True), "n, K, h"),
        (lambda: ising.onsager_log_z_per_site(1e308), "K"),
        (lambda: ising.ising_energy(SPINS, 1e308), "K, h"),
        (lambda: ising.block_spin_flow(9, [0.3], RNG, n_levels=10**9), "n_levels"),
    ],
)
def test_values_whose_results_leave_float64_are_refused(call, name):
    _raises(call, name)


def test_a_huge_coupling_gives_the_ground_states():
    _, p, _ = ising.exact_distribution((2, 2), 1e200)  # ln 2 once vanished into ln Z
    assert p.sum() == pytest.approx(1.0) and p.max() == pytest.approx(0.5)
    assert ising.decimate_1d(1e308) == 1e308  # 2K overflows; the limit |K| - ln(2)/2
    assert np.all(np.isfinite(ising.decimation_constant_1d(np.array([-1e308, 1.0]))))
