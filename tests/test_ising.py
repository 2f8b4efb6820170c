"""cheaplib.ising: exact sums, transfer matrix, Kaufman/Onsager, decimation, Monte Carlo."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from cheaplib.ising import (
    K_CRITICAL,
    MAX_ENUMERATION_SITES,
    all_spin_states,
    block_spin_flow,
    bond_sum,
    decimate_1d,
    decimation_constant_1d,
    exact_distribution,
    exact_partition_function,
    ising_energy,
    kaufman_partition_function,
    majority_block_spins,
    nn_correlation,
    onsager_log_z_per_site,
    partition_function_1d,
    pseudolikelihood_couplings,
    swendsen_wang,
)

# --- small lattices by hand ---------------------------------------------------------------


@pytest.mark.parametrize("K", [0.0, 0.1, 0.37, 1.0])
def test_two_by_two_torus_by_hand(K):
    # the 4 pairs of the 2x2 torus form a 4-cycle, each bond counted twice
    expected = 2 * math.exp(8 * K) + 12 + 2 * math.exp(-8 * K)
    assert exact_partition_function((2, 2), K) == pytest.approx(expected, rel=1e-13)


def test_single_spin_and_free_spins():
    # one spin on a ring of length 1 bonds with itself: H = -K - h s
    K, h = 0.3, 0.2
    assert exact_partition_function(1, K, h) == pytest.approx(
        math.exp(K) * 2 * math.cosh(h), rel=1e-14
    )
    # K = 0: independent spins, Z = (2 cosh h)^N
    for shape in [(5,), (3, 4)]:
        n = math.prod(shape)
        assert exact_partition_function(shape, 0.0, 0.7) == pytest.approx(
            (2 * math.cosh(0.7)) ** n, rel=1e-12
        )


def test_three_spin_ring_by_hand():
    # ring of 3: all equal (2 states) bond sum 3; otherwise (6 states) bond sum -1
    K = 0.4
    assert exact_partition_function(3, K) == pytest.approx(
        2 * math.exp(3 * K) + 6 * math.exp(-K), rel=1e-14
    )


def test_energy_and_bond_sum_by_loop():
    rng = np.random.default_rng(0)
    s = rng.choice([-1, 1], size=(4, 5))
    loop = sum(
        s[i, j] * s[(i + 1) % 4, j] + s[i, j] * s[i, (j + 1) % 5]
        for i, j in itertools.product(range(4), range(5))
    )
    assert bond_sum(s) == loop
    assert ising_energy(s, 0.5, 0.1) == pytest.approx(-0.5 * loop - 0.1 * s.sum())
    assert nn_correlation(s) == pytest.approx(loop / 40)


def test_exact_distribution_is_normalised_and_ordered():
    states, p, log_z = exact_distribution((2, 3), 0.3, 0.1)
    assert states.shape == (64, 2, 3)
    assert p.sum() == pytest.approx(1.0, abs=1e-14)
    assert np.all(states[0] == 1) and np.all(states[-1] == -1)
    assert log_z == pytest.approx(exact_partition_function((2, 3), 0.3, 0.1, log=True))


# --- transfer matrix --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 7, 12, 16])
def test_ring_enumeration_matches_transfer_matrix(n):
    for K, h in [(0.3, 0.0), (0.8, 0.2), (-0.5, 0.4)]:
        assert exact_partition_function(n, K, h, log=True) == pytest.approx(
            partition_function_1d(n, K, h, log=True), abs=1e-12
        )


@given(st.integers(1, 400), st.floats(-3, 3), st.floats(-2, 2))
@settings(max_examples=40, deadline=None)
def test_transfer_matrix_closed_form(n, K, h):
    # lambda_pm = e^K cosh h +- sqrt(e^2K sinh^2 h + e^-2K)
    root = math.sqrt(math.exp(2 * K) * math.sinh(h) ** 2 + math.exp(-2 * K))
    lp, lm = math.exp(K) * math.cosh(h) + root, math.exp(K) * math.cosh(h) - root
    expected = n * math.log(lp) + math.log1p((lm / lp) ** n)
    assert partition_function_1d(n, K, h, log=True) == pytest.approx(expected, rel=1e-12, abs=1e-12)


# --- decimation -------------------------------------------------------------------------------


@given(st.floats(-5, 5))
@settings(max_examples=50, deadline=None)
def test_decimation_law(K):
    Kp = decimate_1d(K)
    assert math.tanh(Kp) == pytest.approx(math.tanh(K) ** 2, abs=1e-14)
    assert 0 <= Kp <= abs(K)


@pytest.mark.parametrize("K", [0.1, 0.5, 1.3])
def test_decimation_preserves_the_partition_function(K):
    Kp, lnA = decimate_1d(K), decimation_constant_1d(K)
    for n in (2, 4, 8):
        assert exact_partition_function(2 * n, K, log=True) == pytest.approx(
            n * lnA + exact_partition_function(n, Kp, log=True), abs=1e-12
        )
    big = partition_function_1d(4096, K, log=True)
    assert big == pytest.approx(2048 * lnA + partition_function_1d(2048, Kp, log=True), rel=1e-13)


def test_decimation_is_vectorised_and_stable():
    Ks = np.array([0.0, 0.5, 50.0, 500.0])
    out = decimate_1d(Ks)
    assert out.shape == (4,) and np.all(np.isfinite(out))
    assert out[0] == 0.0 and out[-1] == pytest.approx(500.0 - 0.5 * math.log(2))


# --- Onsager and Kaufman ----------------------------------------------------------------------


def test_onsager_critical_point():
    assert K_CRITICAL == pytest.approx(0.5 * math.log(1 + math.sqrt(2)), abs=1e-15)
    assert math.sinh(2 * K_CRITICAL) == pytest.approx(1.0, abs=1e-14)
    # self-duality: the Kramers-Wannier dual tanh K* = exp(-2K) maps K_c to itself
    assert math.atanh(math.exp(-2 * K_CRITICAL)) == pytest.approx(K_CRITICAL, abs=1e-14)
    # Kaufman's gamma_0 = 2K + ln tanh K changes sign at K_c
    gamma0 = [2 * k + math.log(math.tanh(k)) for k in (0.99 * K_CRITICAL, 1.01 * K_CRITICAL)]
    assert gamma0[0] < 0 < gamma0[1]


@pytest.mark.parametrize("shape", [(2, 2), (2, 5), (3, 3), (4, 4), (3, 5), (5, 3), (4, 5)])
def test_kaufman_matches_enumeration(shape):
    for K in (0.05, 0.3, K_CRITICAL, 0.9):
        assert kaufman_partition_function(shape, K, log=True) == pytest.approx(
            exact_partition_function(shape, K, log=True), abs=1e-11
        )


@pytest.mark.parametrize("K", [0.2, 0.3, 0.6, 0.8])
def test_kaufman_approaches_onsager(K):
    per_site = kaufman_partition_function((128, 128), K, log=True) / 128**2
    assert per_site == pytest.approx(onsager_log_z_per_site(K), abs=1e-4)


def test_onsager_limits():
    assert onsager_log_z_per_site(0.0) == pytest.approx(math.log(2), abs=1e-14)
    # strong coupling: ln Z / N -> 2K (two bonds per site, all aligned)
    assert onsager_log_z_per_site(3.0) == pytest.approx(6.0, abs=1e-4)


# --- Monte Carlo and block spins --------------------------------------------------------------


def test_swendsen_wang_matches_enumeration():
    rng = np.random.default_rng(1)
    K = 0.35
    states, p, _ = exact_distribution((3, 4), K)
    exact = float(p @ nn_correlation(states))
    samples = swendsen_wang((3, 4), K, 3000, rng)
    c = nn_correlation(samples)
    assert abs(c.mean() - exact) < 4 * c.std() / math.sqrt(len(c))
    assert samples.dtype == np.int8 and set(np.unique(samples)) <= {-1, 1}


def test_swendsen_wang_limits_and_reproducibility():
    s0 = swendsen_wang((6, 6), 0.0, 20, np.random.default_rng(2))
    assert abs(s0.mean()) < 0.2  # K = 0: independent fair spins
    frozen = swendsen_wang((6, 6), 20.0, 5, np.random.default_rng(3), n_burn=5)
    assert np.all(np.abs(frozen.reshape(5, -1).sum(axis=1)) == 36)  # one cluster
    a = swendsen_wang((8,), 0.5, 10, np.random.default_rng(4))
    b = swendsen_wang((8,), 0.5, 10, np.random.default_rng(4))
    assert np.array_equal(a, b) and a.shape == (10, 8)


def test_majority_block_spins():
    s = np.ones((6, 6), dtype=np.int8)
    s[:3, :3] = -1
    s[0, 3] = s[1, 4] = -1  # two minority spins: block stays +1
    out = majority_block_spins(s, 3)
    assert np.array_equal(out, [[-1, 1], [1, 1]])
    # ties with b = 2: top-left spin, or a coin from rng
    t = np.array([[1, -1], [-1, 1]], dtype=np.int8)
    assert majority_block_spins(t, 2)[0, 0] == 1
    assert majority_block_spins(-t, 2)[0, 0] == -1
    coin = majority_block_spins(np.tile(t, (50, 1, 1)), 2, rng=np.random.default_rng(0))
    assert set(np.unique(coin)) == {-1, 1}
    batch = np.random.default_rng(5).choice(np.array([-1, 1], dtype=np.int8), size=(7, 9, 9))
    assert majority_block_spins(batch, 3).shape == (7, 3, 3)


def test_pseudolikelihood_recovers_the_coupling():
    rng = np.random.default_rng(6)
    for K in (0.25, 0.4):
        samples = swendsen_wang((24, 24), K, 200, rng, n_burn=20)
        k1, k2 = pseudolikelihood_couplings(samples)
        assert k1 == pytest.approx(K, abs=0.02) and abs(k2) < 0.02
        assert pseudolikelihood_couplings(samples, nnn=False)[0] == pytest.approx(K, abs=0.02)


# --- bad input --------------------------------------------------------------------------------


def test_enumeration_refuses_large_lattices():
    with pytest.raises(ValueError, match="refusing to enumerate"):
        exact_partition_function((5, 5), 0.3)
    with pytest.raises(ValueError, match="refusing"):
        all_spin_states(MAX_ENUMERATION_SITES + 1)


# (bad input of every public function: tests/test_bad_input_ising.py)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        swendsen_wang((4, 4), 0.2, 5, rng=42)
    with pytest.raises(TypeError, match="K"):
        exact_partition_function((2, 2), "hot")


@pytest.mark.parametrize(
    "shape", [(1,), (2,), (3,), (7,), (1, 1), (1, 3), (2, 2), (2, 3), (3, 2), (3, 3), (4, 5)]
)
def test_bit_trick_bonds_match_rolled_spin_arrays(shape):
    from cheaplib.ising import _bonds_and_magnetisation

    n = int(np.prod(shape))
    states = all_spin_states(n).reshape(-1, *shape)
    bonds, mag = _bonds_and_magnetisation(shape)
    np.testing.assert_array_equal(bonds, bond_sum(states, len(shape)))
    np.testing.assert_array_equal(mag, states.reshape(len(states), -1).astype(int).sum(axis=1))


# --- log space, several chains, the projected flow ------------------------------------------


@pytest.mark.parametrize(("n", "K", "h"), [(10, 1000.0, 0.0), (9, -800.0, 0.3), (4, 2.0, 900.0)])
def test_ring_log_partition_function_has_no_overflow(n, K, h):
    # brute force in log space over the 2^n states of the ring
    states = all_spin_states(n)
    log_w = -ising_energy(states, K, h, ndim=1)
    expected = float(logsumexp(log_w))
    assert partition_function_1d(n, K, h, log=True) == pytest.approx(expected, rel=1e-12)


def test_exact_z_without_log_refuses_overflow():
    with pytest.raises(ValueError, match="log=True"):
        partition_function_1d(10, 1000.0)


def test_kaufman_and_onsager_for_strong_coupling():
    # K -> infinity: the two ground states dominate, ln Z = 2 m n K + ln 2 (+ e^{-8K} terms)
    K = 400.0
    assert kaufman_partition_function((4, 6), K, log=True) == pytest.approx(
        2 * 24 * K + math.log(2), rel=1e-14
    )
    assert onsager_log_z_per_site(1000.0) == pytest.approx(2000.0, rel=1e-14)
    # the finite torus adds ln 2 (two ground states) to the infinite lattice's N ln Z/N
    lz = kaufman_partition_function((64, 64), 8.0, log=True)
    assert onsager_log_z_per_site(8.0) == pytest.approx((lz - math.log(2)) / 64**2, rel=1e-14)


def test_onsager_grid_is_budgeted():
    with pytest.raises(ValueError, match="n_grid"):
        onsager_log_z_per_site(0.4, n_grid=60000)


def test_several_chains_match_enumeration():
    K = 0.4
    states, p, _ = exact_distribution((3, 3), K)
    m2_exact = float(p @ states.reshape(len(p), -1).mean(axis=1) ** 2)
    S = swendsen_wang((3, 3), K, 500, np.random.default_rng(8), n_burn=10, n_chains=6)
    assert S.shape == (6, 500, 3, 3)
    m2 = S.reshape(6, 500, 9).mean(axis=2) ** 2
    chain_means = m2.mean(axis=1)
    se = chain_means.std(ddof=1) / math.sqrt(6)
    assert abs(chain_means.mean() - m2_exact) < 4 * se
    assert np.ptp(chain_means) > 0  # independent chains, not copies


def test_pseudolikelihood_reports_non_convergence():
    S = swendsen_wang((12, 12), 0.3, 20, np.random.default_rng(2), n_burn=5)
    with pytest.warns(RuntimeWarning, match="n_iter"):
        pseudolikelihood_couplings(S, n_iter=1)


def test_block_spin_flow_reproduces_the_unblocked_coupling():
    K = np.array([0.3, 0.48])
    flow = block_spin_flow(27, K, np.random.default_rng(3), n_chains=3, n_samples=30, n_levels=1)
    assert flow.shape == (3, 2, 2)
    np.testing.assert_allclose(flow[:, :, 0].mean(axis=0), K, rtol=0.05)
    # below K_c the flow runs to weaker coupling, above it to stronger
    assert np.all(np.diff(flow[:, 0, :], axis=1) < 0) and np.all(np.diff(flow[:, 1, :], axis=1) > 0)
