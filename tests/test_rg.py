"""cheaplib.rg: Gaussian field and block averaging (eqs. 23-24), App. B, the trace condition."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from cheaplib.ising import all_spin_states, ising_energy
from cheaplib.rg import (
    block_average,
    coarse_grain,
    coarse_spectrum,
    counterexample,
    fisher_information,
    fisher_information_kept,
    fit_couplings,
    fit_rbm,
    gaussian_energy,
    gaussian_field,
    independent_coupling,
    lattice_symbol,
    majority_rule_coupling,
    measure_couplings,
    power_spectrum,
    rbm_conditional_coupling,
    rbm_energy_coupling,
    spectrum_energy,
    trace_condition,
)

# --- Gaussian field ---------------------------------------------------------------------------


def test_lattice_symbol_small_k_and_extremes():
    lam = lattice_symbol((8, 8))
    assert lam[0, 0] == 0.0 and lam[4, 4] == pytest.approx(8.0)
    k = 2 * np.pi / 64
    assert lattice_symbol((64, 64))[1, 0] == pytest.approx(k**2 - k**4 / 12, rel=1e-6)


def test_real_space_energy_matches_fourier_form():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 12, 10))
    for y in ([0.7], [0.1, 1.0], [0.0, 0.3, 2.0], [0.2, 0.0, 0.0, 1.5]):
        E = spectrum_energy((12, 10), y)
        fourier = (np.abs(np.fft.fft2(x)) ** 2 * E).sum(axis=(-2, -1)) / 120
        np.testing.assert_allclose(gaussian_energy(x, y), fourier, rtol=1e-12)


def test_gradient_term_by_hand():
    # y1 (grad x)^2 with forward differences on a 3x3 torus
    x = np.arange(9.0).reshape(3, 3)
    by_hand = sum(
        (x[(i + 1) % 3, j] - x[i, j]) ** 2 + (x[i, (j + 1) % 3] - x[i, j]) ** 2
        for i in range(3)
        for j in range(3)
    )
    assert gaussian_energy(x, [0.0, 1.0]) == pytest.approx(by_hand)
    assert gaussian_energy(x, [1.0]) == pytest.approx((x**2).sum())


def test_gaussian_field_has_the_right_spectrum_and_equipartition():
    rng = np.random.default_rng(1)
    y = [0.05, 1.0, 0.5]
    f = gaussian_field((64, 64), y, rng, n_fields=400)
    P = power_spectrum(f)
    expected = 1 / (2 * spectrum_energy((64, 64), y))
    # each mode: mean of 400 exponentials -> relative error ~ 5 %
    ratio = P / expected
    assert abs(ratio.mean() - 1) < 0.01 and np.abs(ratio - 1).max() < 0.35
    per_site = gaussian_energy(f, y) / 64**2
    assert per_site.mean() == pytest.approx(0.5, abs=4 / math.sqrt(2 * 64**2 * 400))
    assert gaussian_field((8, 8), y, rng).shape == (8, 8)


def test_block_average_by_hand():
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(block_average(x, 2), [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_array_equal(block_average(x, 1), x)
    assert block_average(np.ones((5, 6, 6)), 3).shape == (5, 2, 2)


def test_coarse_spectrum_matches_direct_computation():
    # the covariance of the block mean, computed in real space from the fine covariance
    y = [0.1, 1.0, 0.3]
    L, b = 12, 3
    E = spectrum_energy((L, L), y)
    cov_k = 1 / (2 * E)
    c = np.fft.ifft2(cov_k).real  # fine covariance C(r) = <x_0 x_r>
    n = L // b
    coarse_cov = np.zeros((n, n))
    for R1 in range(n):
        for R2 in range(n):
            tot = 0.0
            for s1 in range(b):
                for s2 in range(b):
                    for t1 in range(b):
                        for t2 in range(b):
                            tot += c[(b * R1 + t1 - s1) % L, (b * R2 + t2 - s2) % L]
            coarse_cov[R1, R2] = tot / b**4
    direct = np.fft.fft2(coarse_cov).real
    np.testing.assert_allclose(coarse_spectrum((L, L), y, b), direct, rtol=1e-10, atol=1e-14)


@given(st.sampled_from([1, 2, 4, 8]), st.floats(1e-3, 1.0), st.floats(0.1, 3.0))
@settings(max_examples=20, deadline=None)
def test_y0_scales_exactly_as_b_squared(b, y0, y1):
    P = coarse_spectrum((32, 32), [y0, y1, 0.5], b)
    assert 1 / (2 * P[0, 0]) == pytest.approx(b**2 * y0, rel=1e-12)


def test_fit_recovers_couplings_from_an_exact_spectrum():
    y = np.array([0.02, 1.0, 0.4, 0.1])
    P = 1 / (2 * spectrum_energy((64, 64), y))
    np.testing.assert_allclose(fit_couplings(P, 4, 2.0), y, rtol=1e-9)
    np.testing.assert_allclose(fit_couplings(P, 4, 8.0), y, rtol=1e-9)


def test_eq24_law_for_the_response_of_the_couplings():
    base = np.array([1e-4, 1.0, 0.5, 0.0])
    for b in (2, 4):
        shape = (64 * b, 64 * b)
        f0 = fit_couplings(coarse_spectrum(shape, base, b), 4, 0.25)
        for i, d in enumerate([1e-4, 0.1, 0.1]):
            shifted = base.copy()
            shifted[i] += d
            fi = fit_couplings(coarse_spectrum(shape, shifted, b), 4, 0.25)
            assert (fi[i] - f0[i]) / d == pytest.approx(b ** (2.0 - 2 * i), rel=0.02)


def test_measured_couplings_agree_with_expectation_within_errors():
    rng = np.random.default_rng(2)
    y = np.array([0.01, 1.0, 1.0])
    f = gaussian_field((256, 256), y, rng, n_fields=8)
    for b in (1, 2, 4):
        m, se = measure_couplings(block_average(f, b), 3, return_stderr=True)
        ex = fit_couplings(coarse_spectrum((256, 256), y, b), 3)
        assert np.all(np.abs(m - ex) < 4.5 * se)
        assert np.all(se > 0)


# --- Appendix B ---------------------------------------------------------------------------


@given(st.integers(0, 2**32 - 1), st.integers(2, 64), st.floats(0.1, 5.0))
@settings(max_examples=40, deadline=None)
def test_counterexample_for_random_H_and_K(seed, n, scale):
    rng = np.random.default_rng(seed)
    H = rng.normal(scale=scale, size=n)
    K = rng.normal(scale=scale, size=n)
    K[0] += 1.0  # surely non-constant
    ce = counterexample(H, K)
    assert ce["log_Z_tot"] == pytest.approx(ce["log_Z"], abs=1e-10)  # (B4)
    assert ce["log_Z"] == pytest.approx(math.log(np.exp(-H).sum()), abs=1e-12)
    np.testing.assert_allclose(ce["p"], np.exp(-H) / np.exp(-H).sum(), rtol=1e-10)
    z_tilde = np.exp(-H - K).sum()
    np.testing.assert_allclose(ce["p_tilde"], np.exp(-H - K) / z_tilde, rtol=1e-10)  # (B5)
    assert not np.allclose(ce["p_tilde"], ce["p"], rtol=1e-6, atol=0)
    # the joint Hamiltonian of (B3) and the trace Z e^{-K} / Z_tilde of the comment
    expected = H[:, None] + H[None, :] + K[:, None] + math.log(z_tilde)
    # entries can cancel to ~0, so the tolerance is relative to the largest entry
    np.testing.assert_allclose(
        ce["H_joint"], expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max()
    )
    z = np.exp(-H).sum()
    np.testing.assert_allclose(ce["trace"], z * np.exp(-K) / z_tilde, rtol=1e-10)


def test_constant_K_is_not_a_counterexample():
    H = np.random.default_rng(3).normal(size=10)
    ce = counterexample(H, np.full(10, 2.5))
    np.testing.assert_allclose(ce["p_tilde"], ce["p"], rtol=1e-12)
    np.testing.assert_allclose(ce["trace"], 1.0, rtol=1e-12)


def test_counterexample_derivatives_agree():
    states = all_spin_states(6)
    M = states.sum(axis=1).astype(float)
    H = ising_energy(states, 0.4, ndim=1)
    K = np.random.default_rng(4).normal(size=64)
    y = np.linspace(-1, 1, 9)
    lz = np.array([[counterexample(H - t * M, K)[k] for k in ("log_Z", "log_Z_tot")] for t in y])
    np.testing.assert_allclose(lz[:, 0], lz[:, 1], atol=1e-12)


# --- trace condition ----------------------------------------------------------------------


def test_trace_condition_by_hand_and_with_forbidden_pairs():
    T = np.log(np.array([[0.25, 0.75], [1.0, 2.0]]))
    np.testing.assert_allclose(trace_condition(T), [1.0, 3.0])
    T2 = np.array([[0.0, -np.inf], [-np.inf, 0.0]])
    np.testing.assert_array_equal(trace_condition(T2), [1.0, 1.0])


@given(st.integers(0, 2**32 - 1), st.integers(2, 40), st.integers(1, 8))
@settings(max_examples=40, deadline=None)
def test_trace_condition_implies_marginal_and_partition_function(seed, n_v, n_h):
    rng = np.random.default_rng(seed)
    H = rng.normal(scale=2, size=n_v)
    T = rng.normal(scale=2, size=(n_v, n_h))
    T -= logsumexp(T, axis=1, keepdims=True)
    r = coarse_grain(H, T)
    np.testing.assert_allclose(r["trace"], 1.0, rtol=1e-12)
    assert r["log_Z_tot"] == pytest.approx(r["log_Z"], abs=1e-12)
    np.testing.assert_allclose(r["p_tilde"], r["p"], rtol=1e-10, atol=1e-300)
    assert r["kl"] < 1e-12
    assert r["p_h"].sum() == pytest.approx(1.0)
    assert 0 <= r["mutual_information"] <= math.log(n_h) + 1e-12


@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(1, 6))
@settings(max_examples=30, deadline=None)
def test_rbm_conditional_coupling_always_obeys_the_trace_condition(seed, n_hidden, n_visible):
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=3, size=(n_hidden, n_visible))
    c = rng.normal(scale=3, size=n_hidden)
    V = (all_spin_states(n_visible) + 1) // 2
    T = rbm_conditional_coupling(W, c, V)
    assert T.shape == (2**n_visible, 2**n_hidden)
    np.testing.assert_allclose(trace_condition(T), 1.0, rtol=1e-12)


def test_rbm_energy_coupling_trace_is_the_model_ratio():
    rng = np.random.default_rng(5)
    W, a, c = rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=2)
    V = (all_spin_states(3) + 1) // 2
    H = rng.normal(size=8)
    T = rbm_energy_coupling(W, a, c, V, H)
    # brute force: sum over h of exp(a.v + c.h + h W v)
    hs = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    marg = np.array([sum(np.exp(a @ v + c @ h + h @ W @ v) for h in hs) for v in V])
    np.testing.assert_allclose(trace_condition(T), np.exp(H) * marg, rtol=1e-12)
    # with H = -ln(RBM marginal) the trace condition holds exactly
    T_perfect = rbm_energy_coupling(W, a, c, V, -np.log(marg))
    np.testing.assert_allclose(trace_condition(T_perfect), 1.0, rtol=1e-12)


def test_majority_rule_and_independent_couplings():
    V = all_spin_states(6)
    T = majority_rule_coupling(V, 3)
    assert T.shape == (64, 4)
    np.testing.assert_array_equal(trace_condition(T), 1.0)
    H = ising_energy(V, 0.5, ndim=1)
    r = coarse_grain(H, T)
    np.testing.assert_allclose(r["p_tilde"], r["p"], rtol=1e-12)
    assert r["mutual_information"] == pytest.approx(-(r["p_h"] * np.log(r["p_h"])).sum())
    cat = coarse_grain(H, independent_coupling(64, [0.0, 1.0, 2.0]))
    assert cat["mutual_information"] < 1e-12
    np.testing.assert_allclose(cat["trace"], 1.0, rtol=1e-12)


def test_fit_rbm_is_seeded_and_shaped():
    V = (all_spin_states(4) + 1) // 2
    data = V[np.random.default_rng(6).integers(0, 16, size=200)]
    a = fit_rbm(data, 2, np.random.default_rng(7), n_iter=3)
    b = fit_rbm(data, 2, np.random.default_rng(7), n_iter=3)
    assert a.components_.shape == (2, 4)
    np.testing.assert_array_equal(a.components_, b.components_)


# --- bad input ----------------------------------------------------------------------------


# (bad input of every public function: tests/test_bad_input_rg.py)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        gaussian_field((8, 8), [1.0], rng=0)


# --- Fisher information kept by block averaging --------------------------------------------


def _explicit_fisher(shape, y, b):
    """Fisher information from explicit covariance matrices (no Fourier transform)."""
    n = shape[0] * shape[1]
    eye = np.eye(n).reshape(n, *shape)
    terms = []
    for i in range(len(y)):  # A_i from the real-space quadratic form H_i(x) = x^T A_i x
        e = np.zeros(len(y))
        e[i] = 1.0
        diag = gaussian_energy(eye, e)
        pairs = gaussian_energy(eye[:, None] + eye[None, :], e)
        terms.append((pairs - diag[:, None] - diag[None, :]) / 2)
    Q = 2 * sum(yi * A for yi, A in zip(y, terms, strict=True))  # precision matrix
    C = np.linalg.inv(Q)
    dC = [-C @ (2 * A) @ C for A in terms]
    c1, c2 = shape[0] // b, shape[1] // b
    Bm = eye.reshape(n, c1, b, c2, b).mean(axis=(2, 4)).reshape(n, -1).T  # block means
    Cc = Bm @ C @ Bm.T
    dCc = [Bm @ d @ Bm.T for d in dC]

    def info(cov, dcov):
        inv = np.linalg.inv(cov)
        return np.array([[0.5 * np.trace(inv @ a @ inv @ bb) for bb in dcov] for a in dcov])

    return info(C, dC), info(Cc, dCc)


@pytest.mark.parametrize(
    ("shape", "y", "b"),
    [((4, 4), [0.3, 1.0, 0.5], 2), ((6, 6), [0.05, 1.0, 2.0], 3), ((8, 4), [1.0, 0.5], 2)],
)
def test_fisher_information_matches_explicit_covariance(shape, y, b):
    fine, coarse = fisher_information(shape, y, b)
    fine_x, coarse_x = _explicit_fisher(shape, np.array(y), b)
    np.testing.assert_allclose(fine, fine_x, rtol=1e-9)
    np.testing.assert_allclose(coarse, coarse_x, rtol=1e-9)
    np.testing.assert_allclose(
        fisher_information_kept(shape, y, b), np.diag(coarse_x) / np.diag(fine_x), rtol=1e-9
    )


def test_fisher_information_kept_by_scale_invariance():
    # y = (~0, y1, 0): y1 only scales the field, so every mode carries 1/(2 y1^2) about it
    # and the block means keep (N/b^2 - 1)/(N - 1) of it (the zero mode carries none)
    shape, b = (64, 64), 4
    kept = fisher_information_kept(shape, [1e-12, 2.0], b)
    n = 64 * 64
    assert kept[1] == pytest.approx((n / b**2 - 1) / (n - 1), rel=1e-9)
    assert kept[0] == pytest.approx(1.0, abs=1e-9)  # the zero mode survives unchanged


@given(st.integers(1, 3), st.floats(0.01, 2.0), st.floats(0.0, 2.0))
@settings(max_examples=20, deadline=None)
def test_fisher_fractions_obey_data_processing(k, y0, y2):
    b = 2**k
    kept = fisher_information_kept((32, 32), [y0, 1.0, y2 + 1e-3], b)
    assert np.all(kept > 0) and np.all(kept <= 1 + 1e-12)


def test_constant_field_is_refused():
    with pytest.raises(ValueError, match="field"):
        measure_couplings(np.ones((64, 64)), 2, return_stderr=True)


def test_continuum_symbol_fit_recovers_a_continuum_spectrum():
    q1 = 2 * np.pi * np.fft.fftfreq(64)
    q2 = q1[:, None] ** 2 + q1[None, :] ** 2
    P = 1 / (2 * (0.1 + q2 + 0.3 * q2**2))
    np.testing.assert_allclose(fit_couplings(P, 3, 2.0, symbol="continuum"), [0.1, 1, 0.3])


def test_log_partition_functions_do_not_overflow():
    ce = counterexample([-2000.0, 0.0, 5.0], [0.0, 1.0, -1.0])
    assert ce["log_Z"] == pytest.approx(2000.0, abs=1e-9)
    assert ce["log_Z_tot"] == pytest.approx(ce["log_Z"], abs=1e-9)
    r = coarse_grain([-5000.0, 1.0], np.log([[0.5, 0.5], [0.2, 0.8]]))
    assert r["log_Z"] == pytest.approx(5000.0, abs=1e-9)
