"""cheaplib.maxent: exact maximum-entropy fits against planted models and brute force."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.special import logsumexp

from cheaplib.locality import max_entropy
from cheaplib.maxent import (
    MaxEnt,
    binary_patches,
    conditional_log_likelihood,
    connected_information,
    coupling_matrix,
    displacement_couplings,
    empirical_entropy,
    fit_maxent,
    fit_pseudolikelihood,
    heat_capacity,
    heat_capacity_peak,
    independent_log_likelihood,
    information_by_order,
    locality_share,
    log_likelihood,
    multi_information,
    orientation_couplings,
    pairwise_information_fraction,
    pairwise_model,
    pixel_pairs,
    sample_patterns,
    subset_masks,
    translation_spread,
)

# --- brute force, written independently of the module: loops over states and subsets ---------


def all_states(n):
    """Every pattern of n bits, row k = state k (bit i of k is pixel i), as 0/1 and +-1."""
    x = np.array([[(k >> i) & 1 for i in range(n)] for k in range(2**n)], dtype=np.uint8)
    return x, 2.0 * x - 1.0


def subsets(n, order):
    return [c for k in range(1, order + 1) for c in itertools.combinations(range(n), k)]


def features(n, order):
    _, s = all_states(n)
    return np.column_stack([np.prod(s[:, list(c)], axis=1) for c in subsets(n, order)])


def planted(n, order, rng, scale=0.6):
    """A random model of the given order: its parameters and exact distribution."""
    subs = subsets(n, order)
    theta = {c: scale * rng.normal() for c in subs}
    F = features(n, order)
    logits = F @ np.array([theta[c] for c in subs])
    p = np.exp(logits - logsumexp(logits))
    return theta, p


def entropy_bits(p):
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def brute_maxent_entropy(p, n, order):
    """H_k (bits) of the distribution p by L-BFGS on the dual with an explicit feature matrix."""
    F = features(n, order)
    m = F.T @ p

    def dual(th):
        a = F @ th
        lz = logsumexp(a)
        q = np.exp(a - lz)
        return lz - th @ m, F.T @ q - m

    res = minimize(
        dual,
        np.zeros(F.shape[1]),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 5000},
    )
    return res.fun / math.log(2)


def key(c):
    return sum(1 << i for i in c)


# --- the fit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n,order", [(4, 1), (5, 2), (6, 2), (5, 3)])
def test_fit_recovers_planted_fields_and_couplings_from_exact_expectations(n, order):
    rng = np.random.default_rng(10 * n + order)
    theta, p = planted(n, order, rng)
    x, _ = all_states(n)
    model = fit_maxent(x, order, weights=p)
    got = dict(zip(model.masks.tolist(), model.params, strict=True))
    for c, value in theta.items():
        assert got[key(c)] == pytest.approx(value, abs=1e-8)
    np.testing.assert_allclose(model.probabilities(), p, atol=1e-12)
    assert model.entropy == pytest.approx(entropy_bits(p), abs=1e-8)  # moments to 1e-10
    assert model.n_params == len(subsets(n, order))


def test_fields_and_couplings_accessors():
    rng = np.random.default_rng(1)
    theta, p = planted(4, 2, rng)
    model = fit_maxent(all_states(4)[0], 2, weights=p)
    np.testing.assert_allclose(model.fields(), [theta[(i,)] for i in range(4)], atol=1e-8)
    J = model.couplings()
    for (i, j), value in ((c, v) for c, v in theta.items() if len(c) == 2):
        assert J[i, j] == pytest.approx(value, abs=1e-8)
        assert J[j, i] == J[i, j]
    assert np.all(np.diag(J) == 0)
    # energies: E = -(log p + log Z)
    np.testing.assert_allclose(-model.energies() - model.log_z, np.log(p), atol=1e-9)


def test_independent_model_is_the_closed_form():
    x = np.array([[0, 1, 1], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]])
    model = fit_maxent(x, 1)
    m = 2 * x.mean(axis=0) - 1
    np.testing.assert_allclose(model.params, np.arctanh(m), atol=1e-12)
    assert model.iterations == 0  # the start is the solution


def test_fit_is_deterministic():
    rng = np.random.default_rng(5)
    x = (rng.random((3000, 9)) < 0.4).astype(np.uint8)
    x[:, 1] = x[:, 0] ^ (rng.random(3000) < 0.2)
    a, b = fit_maxent(x, 3), fit_maxent(x, 3)
    assert np.array_equal(a.params, b.params) and a.entropy == b.entropy


def test_fit_matches_chapter_2_max_entropy_solver():
    """Two algorithms: Newton on the dual here, the primal KKT Newton of cheaplib.locality."""
    rng = np.random.default_rng(3)
    x = (rng.random((400, 4)) < 0.5).astype(np.uint8)
    x[:, 2] = x[:, 0] ^ (rng.random(400) < 0.25)
    model = fit_maxent(x, 2)
    F = features(4, 2)
    q = np.bincount(x @ (1 << np.arange(4)), minlength=16) / 400
    res = max_entropy(F, F.T @ q)
    np.testing.assert_allclose(model.probabilities(), res.p, atol=1e-9)


@pytest.mark.parametrize("order", [2, 3])
def test_entropies_match_brute_force_on_small_n(order):
    rng = np.random.default_rng(order)
    n = 5
    x = (rng.random((2000, n)) < 0.5).astype(np.uint8)
    x[:, 3] = x[:, 1] ^ x[:, 2] ^ (rng.random(2000) < 0.1)  # a third-order dependence
    x[:, 4] = x[:, 0] ^ (rng.random(2000) < 0.3)
    q = np.bincount(x @ (1 << np.arange(n)), minlength=2**n) / 2000
    info = information_by_order(x, order)
    assert info.entropies[-1] == pytest.approx(brute_maxent_entropy(q, n, order), abs=1e-7)
    assert info.empirical == pytest.approx(entropy_bits(q), abs=1e-12)
    marg = [entropy_bits(np.array([1 - v, v])) for v in x.mean(axis=0)]
    assert info.entropies[0] == pytest.approx(sum(marg), abs=1e-12)


def test_pairwise_fraction_matches_brute_force():
    rng = np.random.default_rng(8)
    _, p3 = planted(5, 3, rng, scale=0.8)  # not pairwise: the fraction is below 1
    x, _ = all_states(5)
    H1 = sum(entropy_bits(np.array([1 - v, v])) for v in x.T.astype(float) @ p3)
    H2 = brute_maxent_entropy(p3, 5, 2)
    expected = (H1 - H2) / (H1 - entropy_bits(p3))
    got = pairwise_information_fraction(x, weights=p3)
    assert got == pytest.approx(expected, abs=1e-6)
    assert got < 0.999


def test_fraction_is_one_for_a_pairwise_model():
    rng = np.random.default_rng(4)
    _, p = planted(6, 2, rng, scale=0.7)
    x, _ = all_states(6)
    assert pairwise_information_fraction(x, weights=p) == pytest.approx(1.0, abs=1e-8)
    info = information_by_order(x, 3, weights=p)
    np.testing.assert_allclose(info.connected[1:], 0.0, atol=1e-8)  # nothing above order 2


def test_fraction_is_near_one_for_samples_of_a_pairwise_model():
    rng = np.random.default_rng(6)
    _, p = planted(6, 2, rng, scale=0.7)
    model = fit_maxent(all_states(6)[0], 2, weights=p)
    data = sample_patterns(model, 200_000, np.random.default_rng(7))
    frac = pairwise_information_fraction(data)
    assert 0.97 < frac <= 1.0 + 1e-9  # short of 1 only by the plug-in bias of H_N


def test_independent_bits_have_zero_multi_information_without_nan():
    x, _ = all_states(5)  # every state once: exactly independent, uniform pixels
    assert multi_information(x) == 0.0
    info = information_by_order(x, 3)
    assert np.all(info.connected == 0.0) and not np.any(np.isnan(info.connected))
    assert info.multi_information == 0.0
    # a non-uniform product distribution, as weights
    up = np.array([0.2, 0.5, 0.7, 0.9])
    xs, _ = all_states(4)
    w = np.prod(np.where(xs == 1, up, 1 - up), axis=1)
    assert multi_information(xs, weights=w) == 0.0
    with pytest.raises(ValueError, match="no multi-information"):
        pairwise_information_fraction(xs, weights=w)
    with pytest.raises(ValueError, match="0/0"):
        _ = info.pairwise_fraction


def test_multi_information_of_copies():
    x = np.array([[0, 0, 0], [1, 1, 1]])  # three copies of a fair bit: I_N = 3 - 1
    assert multi_information(x) == pytest.approx(2.0)
    assert empirical_entropy(x) == pytest.approx(1.0)


def test_parity_is_pure_third_order():
    x = np.array([[0, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1]])
    np.testing.assert_allclose(connected_information(x, 2), [0.0, 1.0], atol=1e-12)
    assert pairwise_information_fraction(x) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 6))
def test_entropies_decrease_with_order_and_connected_parts_sum(seed, n):
    rng = np.random.default_rng(seed)
    x = (rng.random((300, n)) < rng.uniform(0.3, 0.7, size=n)).astype(np.uint8)
    x[:, -1] ^= x[:, 0] & x[:, 1]  # some higher-order structure
    x[:3] = [[0] * n, [1] * n, [1, 0] * (n // 2) + [1] * (n % 2)]  # no constant pixel
    info = information_by_order(x, 3)
    H = info.entropies
    assert H[0] >= H[1] - 1e-9 >= H[2] - 2e-9 >= info.empirical - 3e-9
    assert info.connected.sum() == pytest.approx(info.multi_information, abs=1e-8)
    assert np.all(info.connected >= -1e-8)


# --- thermodynamics ---------------------------------------------------------------------------


def test_heat_capacity_is_minus_t_times_the_second_derivative_of_the_free_energy():
    rng = np.random.default_rng(2)
    _, p = planted(5, 2, rng, scale=0.8)
    model = fit_maxent(all_states(5)[0], 2, weights=p)
    E = -np.log(p)  # the Hamiltonian up to a constant, independent of the module

    def free_energy(T):
        return -T * logsumexp(-E / T)

    h = 1e-3
    for T in (0.5, 0.8, 1.0, 1.7):
        second = (free_energy(T + h) - 2 * free_energy(T) + free_energy(T - h)) / h**2
        assert heat_capacity(model, [T])[0] == pytest.approx(-T * second, rel=1e-5)


def test_heat_capacity_of_one_spin_is_a_schottky_peak():
    model = fit_maxent([[0], [1], [1], [1], [1]], 1)
    h = math.atanh(0.6)
    T = np.array([0.3, 1.0, 2.0])
    expected = (h / T) ** 2 / np.cosh(h / T) ** 2
    np.testing.assert_allclose(heat_capacity(model, T), expected, rtol=1e-12)
    x_star = 1.199678640257734  # root of x tanh x = 1
    T_star, C_star = heat_capacity_peak(model)
    assert T_star == pytest.approx(h / x_star, rel=1e-6)
    assert C_star == pytest.approx(x_star**2 / math.cosh(x_star) ** 2, rel=1e-9)


def test_heat_capacity_keeps_the_shape_of_its_input():
    model = fit_maxent([[0, 1], [1, 1], [1, 0], [0, 0], [1, 1]], 2)
    assert heat_capacity(model, np.ones((2, 3))).shape == (2, 3)
    assert heat_capacity(model, np.linspace(0.5, 2, 40)).shape == (40,)


# --- patches -----------------------------------------------------------------------------------


def test_binary_patches_cuts_every_window_row_by_row():
    img = np.arange(30.0).reshape(5, 6)
    x = binary_patches(img, 3)
    assert x.shape == (3 * 4, 9) and x.dtype == np.uint8
    med = np.median(img)
    np.testing.assert_array_equal(x[0], (img[:3, :3].ravel() > med).astype(np.uint8))
    np.testing.assert_array_equal(x[5], (img[1:4, 1:4].ravel() > med).astype(np.uint8))
    assert binary_patches(img, 2, step=2).shape == (2 * 3, 4)
    np.testing.assert_array_equal(binary_patches(img, 2, threshold=10.5)[0], [0, 0, 0, 0])


def test_patch_median_threshold_balances_each_patch():
    rng = np.random.default_rng(0)
    img = rng.random((20, 20))
    x = binary_patches(img, 4, threshold="patch-median")
    assert np.all(x.sum(axis=1) == 8)  # no ties: half the pixels above the median


# --- couplings: locality and symmetry --------------------------------------------------------


def kernel_J(size, kernel):
    """J of a translation-invariant Hamiltonian restricted to a patch: J_ij = K(d_ij)."""
    n = size * size
    J = np.zeros((n, n))
    for i, j in itertools.permutations(range(n), 2):
        d = (j // size - i // size, j % size - i % size)
        J[i, j] = kernel.get(d, kernel.get((-d[0], -d[1]), 0.0))
    return J


def test_nearest_neighbour_couplings_are_local_and_translation_invariant():
    J = kernel_J(4, {(0, 1): 0.5, (1, 0): 0.3})
    assert locality_share(J, 4) == 0.0
    assert translation_spread(J, 4) == pytest.approx(0.0, abs=1e-15)
    o = orientation_couplings(J, 4)
    assert o == pytest.approx(
        {"horizontal": 0.5, "vertical": 0.3, "diagonal": 0.0, "antidiagonal": 0.0}
    )
    kmap = displacement_couplings(J, 4)
    assert kmap[3, 4] == pytest.approx(0.5) and kmap[4, 3] == pytest.approx(0.3)
    assert kmap[3, 2] == pytest.approx(0.5) and kmap[3, 3] == 0.0


def test_locality_share_counts_diagonals_as_beyond():
    J = kernel_J(3, {(0, 1): 1.0, (1, 0): 1.0, (1, 1): 1.0})
    # 12 nearest pairs, 4 diagonal pairs of one orientation
    assert locality_share(J, 3) == pytest.approx(4 / 16)
    assert locality_share(J, 3, radius=1.5) == 0.0


def test_translation_spread_sees_an_edge_coupling():
    J = kernel_J(3, {(0, 1): 1.0})
    J[0, 1] = J[1, 0] = 2.0  # one horizontal pair differs
    values = np.array([2.0] + [1.0] * 5)
    expected = np.sqrt(((values - values.mean()) ** 2).sum() / (values**2).sum())
    assert translation_spread(J, 3) == pytest.approx(expected)


def test_pixel_pairs_and_subset_masks_count():
    i, j, dr, dc = pixel_pairs(4)
    assert i.size == 120 and np.all(i < j) and np.all(dr >= 0)
    assert subset_masks(16, 2).size == 16 + 120
    assert subset_masks(16, 3).size == 16 + 120 + 560
    m = subset_masks(5, 5)
    assert sorted(m.tolist()) == list(range(1, 32))


def test_coupling_matrix_from_masks():
    J = coupling_matrix(3, [1, 2, 4, 3, 5, 6, 7], [0, 0, 0, 0.1, 0.2, 0.3, 9.0])
    assert J[0, 1] == 0.1 and J[0, 2] == 0.2 and J[1, 2] == 0.3 and J[2, 1] == 0.3


# --- sampling and likelihoods -----------------------------------------------------------------


def test_samples_follow_the_model():
    rng = np.random.default_rng(11)
    _, p = planted(4, 2, rng)
    model = fit_maxent(all_states(4)[0], 2, weights=p)
    x = sample_patterns(model, 100_000, np.random.default_rng(0))
    freq = np.bincount(x @ (1 << np.arange(4)), minlength=16) / x.shape[0]
    assert np.abs(freq - p).max() < 5 * np.sqrt(p.max() / 100_000)
    again = sample_patterns(model, 100_000, np.random.default_rng(0))
    assert np.array_equal(x, again)


def test_training_log_likelihood_is_minus_the_entropy():
    """At the maximum-likelihood point of an exponential family, mean log p = -H_k."""
    rng = np.random.default_rng(12)
    x = (rng.random((500, 6)) < 0.5).astype(np.uint8)
    x[:, 1] ^= x[:, 0] & (rng.random(500) < 0.8)
    for order in (1, 2, 3):
        model = fit_maxent(x, order)
        assert log_likelihood(model, x) == pytest.approx(-model.entropy / 6, abs=1e-9)


def test_pseudolikelihood_recovers_planted_couplings():
    rng = np.random.default_rng(13)
    theta, p = planted(6, 2, rng, scale=0.5)
    model = fit_maxent(all_states(6)[0], 2, weights=p)
    x = sample_patterns(model, 100_000, np.random.default_rng(14))
    pl = fit_pseudolikelihood(x, C=100.0)
    np.testing.assert_allclose(pl.couplings(), model.couplings(), atol=0.03)
    np.testing.assert_allclose(pl.bias / 2, model.fields(), atol=0.03)


def test_conditional_likelihood_of_independent_pixels_is_their_likelihood():
    rng = np.random.default_rng(15)
    train = (rng.random((4000, 5)) < [0.2, 0.4, 0.5, 0.6, 0.9]).astype(np.uint8)
    test = (rng.random((1000, 5)) < [0.2, 0.4, 0.5, 0.6, 0.9]).astype(np.uint8)
    pl = fit_pseudolikelihood(train, C=1e-6)  # weights crushed to 0: only the biases
    assert np.abs(pl.weights).max() < 1e-3
    # the biases are the (barely shrunk) log-odds of each pixel
    assert conditional_log_likelihood(pl, test) == pytest.approx(
        independent_log_likelihood(train, test), abs=2e-3
    )


def test_pseudolikelihood_keeps_a_constant_pixel_at_its_smoothed_frequency():
    x = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 1], [1, 1, 0]] * 10, dtype=np.uint8)
    pl = fit_pseudolikelihood(x)
    assert np.all(pl.weights[1] == 0)
    assert pl.bias[1] == pytest.approx(math.log(41 / 1))
    assert independent_log_likelihood(x, [[1, 0, 0]]) < 0


def test_maxent_dataclass_is_what_fit_returns():
    model = fit_maxent([[0, 1], [1, 1], [1, 0], [0, 0], [1, 1]], 2)
    assert isinstance(model, MaxEnt) and model.order == 2 and model.n == 2
    assert model.moment_error < 1e-10
    assert model.probabilities().sum() == pytest.approx(1.0)


# --- the bundled images -------------------------------------------------------------------------


def test_every_image_is_bundled_and_loads_without_the_network(monkeypatch):
    import socket

    from cheaplib.maxent import IMAGES, bundled_file, image_patterns, load_image

    def refuse(*args, **kwargs):
        raise AssertionError("an image tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in IMAGES:
        assert bundled_file(name).is_file()
        image = load_image(name)
        assert image.min() >= 0.0 and image.max() <= 1.0 and np.ptp(image) > 0
    assert load_image("faces").shape == (100, 25, 25)
    assert image_patterns("faces", 4).shape == (100 * 22 * 22, 16)


def test_pairwise_model_rebuilds_a_fit():
    rng = np.random.default_rng(21)
    x = (rng.random((500, 5)) < 0.5).astype(np.uint8)
    x[:, 3] ^= x[:, 1] & x[:, 0]
    fitted = fit_maxent(x, 2)
    rebuilt = pairwise_model(fitted.fields(), fitted.couplings())
    np.testing.assert_allclose(rebuilt.probabilities(), fitted.probabilities(), atol=1e-14)
    assert rebuilt.entropy == pytest.approx(fitted.entropy, abs=1e-12)
    assert log_likelihood(rebuilt, x) == pytest.approx(log_likelihood(fitted, x), abs=1e-12)
