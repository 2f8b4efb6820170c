"""cheaplib.flows: heat, Wasserstein geometry, Fokker-Planck and SDEs (source 003)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from cheaplib.flows import (
    density_quantiles,
    differential_entropy,
    dirichlet_energy,
    euler_maruyama,
    fokker_planck,
    fokker_planck_matrix,
    free_energy,
    grid_weights,
    heat_flow,
    jko_step,
    neumann_laplacian,
    normalize,
    ou_transition_density,
    periodic_laplacian,
    relative_entropy,
    relative_fisher_information,
    w2_gradient,
    w2_inner,
    w2_potential_gradient,
    wegner_morris_gaussian_mode,
)

X = np.linspace(-6.0, 6.0, 241)
W = grid_weights(X)


def gauss(x, m, s):
    return norm.pdf(x, m, s)


# --- grids and functionals -----------------------------------------------------------------


def test_grid_weights_integrate_polynomials_and_product_grids():
    x = np.sort(np.random.default_rng(0).uniform(0, 1, 50))
    x = np.concatenate([[0.0], x, [1.0]])
    assert grid_weights(x) @ (2 * x + 1) == pytest.approx(2.0)
    g = (np.linspace(0, 1, 11), np.linspace(0, 2, 21))
    assert grid_weights(g).shape == (11, 21)
    assert grid_weights(g).sum() == pytest.approx(2.0)


def test_entropy_and_kl_of_gaussians():
    p, q = gauss(X, 0.5, 0.8), gauss(X, 0.0, 1.0)
    assert differential_entropy(p, X) == pytest.approx(
        0.5 * math.log(2 * math.pi * math.e * 0.64), abs=1e-8
    )
    exact = math.log(1 / 0.8) + (0.64 + 0.25) / 2 - 0.5
    assert relative_entropy(p, q, X) == pytest.approx(exact, abs=1e-8)
    assert relative_entropy(q, q, X) == 0.0


def test_free_energy_is_kl_minus_log_z():
    V = 0.5 * X**2 + 0.3 * np.sin(X)
    q = normalize(np.exp(-V), X)
    lnZ = math.log(W @ np.exp(-V))
    p = gauss(X, 1.0, 0.7)
    assert free_energy(p, V, X) == pytest.approx(relative_entropy(p, q, X) - lnZ, abs=1e-12)


# --- heat equation as l2 gradient flow (eqs. 15-16) -----------------------------------------


def test_dirichlet_energy_gradient_is_minus_laplacian():
    rng = np.random.default_rng(1)
    x = np.linspace(0, 2 * np.pi, 128, endpoint=False)
    h = x[1] - x[0]
    p, eta = 1 + 0.3 * np.sin(x) + 0.2 * np.cos(3 * x), rng.standard_normal(128)
    eps = 1e-3  # E is quadratic: the central difference is exact up to round-off
    directional = (dirichlet_energy(p + eps * eta, x) - dirichlet_energy(p - eps * eta, x)) / (
        2 * eps
    )
    assert directional == pytest.approx(h * np.sum(-periodic_laplacian(p, x) * eta), rel=1e-9)


def test_heat_flow_matches_fourier_modes_and_lowers_energy():
    x = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    p0 = 1 + np.sin(3 * x)
    t = np.linspace(0, 0.5, 11)
    P = heat_flow(p0, x, t, diffusivity=0.7)
    lam = (2 - 2 * np.cos(3 * (x[1] - x[0]))) / (x[1] - x[0]) ** 2
    np.testing.assert_allclose(P, 1 + np.exp(-0.7 * lam * t)[:, None] * np.sin(3 * x), atol=1e-12)
    energies = [dirichlet_energy(p, x) for p in P]
    assert np.all(np.diff(energies) < 0)


# --- Wasserstein geometry (eqs. 17-20) -------------------------------------------------------


def _tangent(f, p):
    return f - (W @ f) * p


def test_w2_metric_identity_and_entropy_gradient():
    p = normalize(gauss(X, 0.3, 1.2) * (1 + 0.3 * np.sin(2 * X)), X)
    e1 = _tangent(np.exp(-((X - 1) ** 2)) * np.sin(3 * X), p)
    e2 = _tangent(np.exp(-((X + 1) ** 2)) * np.cos(2 * X), p)
    hat2 = np.concatenate([[0.0], np.cumsum(w2_potential_gradient(e2, p, X) * np.diff(X))])
    g12 = w2_inner(e1, e2, p, X)
    assert g12 == pytest.approx(-W @ (e1 * hat2), rel=1e-10)  # eq. (17)
    assert g12 == pytest.approx(w2_inner(e2, e1, p, X), rel=1e-12)
    dS = -np.log(p) - 1
    np.testing.assert_allclose(w2_gradient(dS, p, X), neumann_laplacian(p, X), atol=1e-12)
    # definition (14): G(grad S, eta) = dS(eta)
    assert w2_inner(w2_gradient(dS, p, X), e1, p, X) == pytest.approx(W @ (dS * e1), rel=1e-9)
    assert w2_inner(w2_gradient(dS, p, X, sign=1), e1, p, X) == pytest.approx(
        -(W @ (dS * e1)), rel=1e-9
    )


# --- Fokker-Planck (eq. 22) against Ornstein-Uhlenbeck ----------------------------------------


@pytest.mark.parametrize("theta", [0.5, 1.0, 2.0])
def test_fokker_planck_reproduces_ou_transition_density(theta):
    x = np.linspace(-6, 6, 301)
    p0 = gauss(x, 2.0, 0.4)
    t = np.array([0.0, 0.1, 0.5, 1.0, 3.0])
    P = fokker_planck(p0, theta * x**2 / 2, x, t)
    # a Gaussian start is the OU kernel convolved with N(2, 0.16): closed form
    for tk, pk in zip(t[1:], P[1:], strict=True):
        var = 0.16 * math.exp(-2 * theta * tk) + (1 - math.exp(-2 * theta * tk)) / theta
        np.testing.assert_allclose(
            pk, gauss(x, 2 * math.exp(-theta * tk), math.sqrt(var)), atol=1e-3
        )
    assert np.abs(P @ grid_weights(x) - 1).max() < 1e-13


def test_ou_transition_density_is_a_density_and_semigroup():
    y = np.linspace(-8, 8, 1601)
    wy = grid_weights(y)
    U = ou_transition_density(y[:, None], 0.7, 0.4)
    assert wy @ U[:, 0] == pytest.approx(1.0, abs=1e-10)
    # Chapman-Kolmogorov: U(t+s) = int U(t) U(s)
    two = ou_transition_density(y[:, None], y[None, :], 0.3) @ (
        wy * ou_transition_density(y, 0.7, 0.1)
    )
    np.testing.assert_allclose(two, ou_transition_density(y, 0.7, 0.4), atol=1e-8)


def test_fokker_planck_stationary_state_and_monotone_kl():
    x = np.linspace(-3, 3, 201)
    V = (x**2 - 1) ** 2
    q = normalize(np.exp(-V), x)
    L = fokker_planck_matrix(V, x)
    assert np.abs(L @ q).max() < 1e-10 * np.abs(L @ gauss(x, 1.0, 0.3)).max()
    P = fokker_planck(normalize(gauss(x, 1.8, 0.25), x), V, x, np.linspace(0, 6, 31))
    kl = [relative_entropy(p, q, x) for p in P]
    assert np.all(np.diff(kl) < 0) and kl[-1] < 1e-3
    assert P.min() >= 0


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=15, deadline=None)
def test_fokker_planck_conserves_mass_for_random_potentials(seed):
    rng = np.random.default_rng(seed)
    x = np.linspace(-2, 2, 81)
    V = np.cumsum(rng.normal(0, 0.5, x.size))
    p0 = normalize(rng.uniform(0, 1, x.size), x)
    P = fokker_planck(p0, V, x, [0.01, 0.3, 5.0])
    assert np.abs(P @ grid_weights(x) - 1).max() < 1e-13
    assert P.min() >= 0
    q = normalize(np.exp(-(V - V.min())), x)
    kl = [relative_entropy(p0, q, x)] + [relative_entropy(p, q, x) for p in P]
    assert np.all(np.diff(kl) <= 1e-12)


# --- stochastic differential equations (eqs. 27, 31) --------------------------------------


def test_euler_maruyama_ou_moments():
    rng = np.random.default_rng(2)
    t, X_ = euler_maruyama(lambda x, t: -x, np.full(20000, 2.0), 2e-3, 500, rng, record_every=250)
    np.testing.assert_allclose(t, [0.0, 0.5, 1.0])
    assert X_.shape == (3, 20000)
    # exact OU: mean 2 e^{-t}, variance 1 - e^{-2t}
    assert X_[-1].mean() == pytest.approx(2 * math.exp(-1), abs=0.03)
    assert X_[-1].var() == pytest.approx(1 - math.exp(-2), abs=0.03)


def test_euler_maruyama_is_reproducible_and_checks_input():
    a = euler_maruyama(lambda x, t: 0 * x, np.zeros(5), 0.1, 3, np.random.default_rng(0))
    b = euler_maruyama(lambda x, t: 0 * x, np.zeros(5), 0.1, 3, np.random.default_rng(0))
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(TypeError, match="Generator"):
        euler_maruyama(lambda x, t: x, np.zeros(3), 0.1, 3, 0)
    with pytest.raises(ValueError, match="dt"):
        euler_maruyama(lambda x, t: x, np.zeros(3), -0.1, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_steps"):
        euler_maruyama(lambda x, t: x, np.zeros(3), 0.1, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="shape"):
        euler_maruyama(lambda x, t: 1.0, np.zeros(3), 0.1, 2, np.random.default_rng(0))


# --- beyond eqs. 22-26: Fisher rate, JKO steps, Wegner-Morris for a free field -------------


def test_relative_fisher_information_of_shifted_and_scaled_gaussians():
    x = np.linspace(-12, 12, 4001)
    q = normalize(gauss(x, 0.0, 1.0), x)
    # I(N(m, s^2) | N(0, 1)) = m^2 + (s - 1/s)^2
    for m, s in [(0.7, 1.0), (0.0, 0.6), (-0.4, 1.3)]:
        p = normalize(gauss(x, m, s), x)
        assert relative_fisher_information(p, q, x) == pytest.approx(
            m**2 + (s - 1 / s) ** 2, rel=1e-5
        )


def test_density_quantiles_match_scipy():
    p = normalize(gauss(X, 0.4, 0.9), X)
    u = np.array([0.05, 0.3, 0.5, 0.9])
    np.testing.assert_allclose(density_quantiles(p, X, u), norm.ppf(u, 0.4, 0.9), atol=2e-3)


def test_jko_step_of_ou_matches_the_gaussian_minimising_movement():
    # for V = x^2/2 a Gaussian stays Gaussian under the JKO step: mean m/(1+h), and the sd
    # s' solves (s' - s)/h = 1/s' - s' (first variation of W2^2/2h + F in (m, s))
    m, s, h, n = 1.5, 0.6, 0.05, 2000
    u = (np.arange(n) + 0.5) / n
    z = jko_step(norm.ppf(u, m, s), lambda x: x**2 / 2, lambda x: x, np.ones_like, h)
    s_new = (s + math.sqrt(s**2 + 4 * h * (1 + h))) / (2 * (1 + h))
    assert z.mean() == pytest.approx(m / (1 + h), rel=1e-9)
    assert z.std() / norm.ppf(u).std() == pytest.approx(s_new, rel=2e-3)


def test_wegner_morris_mode_keeps_the_seed_gaussian_and_runs_the_mass_coupling():
    def C(lnl):
        return math.exp(-math.exp(-2 * lnl)) / 1.5

    def C_dot(lnl):
        return C(lnl) * 2 * math.exp(-2 * lnl)

    ll = np.linspace(math.log(3.0), 0.0, 41)
    phi = np.linspace(-5, 5, 401)
    for lam0 in (0.0, 0.8):
        G0 = 1 / (1 / C(ll[0]) + lam0)
        P = wegner_morris_gaussian_mode(
            normalize(gauss(phi, 0, math.sqrt(G0)), phi), phi, C, C_dot, ll
        )
        lam = 1 / (1 / lam0 - (C(ll[-1]) - C(ll[0]))) if lam0 else 0.0
        var = grid_weights(phi) @ (P[-1] * phi**2)
        assert var == pytest.approx(1 / (1 / C(ll[-1]) + lam), rel=2e-3)


def test_jko_step_stops_at_round_off_when_tol_is_out_of_reach():
    """A tol below the objective's floating-point resolution is met by a round-off stop.

    Whether a fixed tol such as 1e-13 is reached depends on the CPU's summation order
    (it was not on an AVX-512 machine for 400 particles); with tol = 1e-30 it never is,
    and the step must still return the minimiser: the gradient of eq. (24)'s objective
    vanishes there to round-off, and a tighter solve could not move it.
    """
    y = norm.ppf((np.arange(400) + 0.5) / 400, 1.8, 0.25)
    h = 0.0125

    def dV(s):
        return 4 * s**3 - 4 * s

    z = jko_step(y, lambda s: (s**2 - 1) ** 2, dV, lambda s: 12 * s**2 - 4, h, tol=1e-30)
    grad = (z - y) / h + dV(z)
    inv = 1.0 / np.diff(z)
    grad[:-1] += inv
    grad[1:] -= inv
    assert np.max(np.abs(grad)) < 1e-4  # stationary (the first Newton gradient is 6)
    again = jko_step(y, lambda s: (s**2 - 1) ** 2, dV, lambda s: 12 * s**2 - 4, h)
    np.testing.assert_allclose(z, again, rtol=0, atol=1e-6)
