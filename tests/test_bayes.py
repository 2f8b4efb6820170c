"""cheaplib.bayes: flows on densities, SDEs and dynamical Bayesian inference (source 003)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta, norm

from cheaplib.bayes import (
    GaussianMixture,
    bayes_update_matrix,
    bernoulli_divergence,
    bernoulli_inverse_fisher,
    categorical_divergence,
    categorical_inverse_fisher,
    dirichlet_energy,
    dynamical_bayes,
    entropy,
    euler_maruyama,
    fokker_planck,
    fokker_planck_matrix,
    free_energy,
    grid_weights,
    heat_flow,
    isserlis_moment,
    kl_divergence,
    neumann_laplacian,
    normal_map_trajectory,
    normal_mean_divergence,
    normal_mean_posterior,
    normal_posterior_predictive,
    normalize,
    ou_transition_density,
    pairings,
    periodic_laplacian,
    petz_recovery,
    posterior_from_divergence,
    posterior_moment,
    reverse_diffusion,
    running_mean,
    w2_gradient,
    w2_inner,
    w2_potential_gradient,
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
    assert entropy(p, X) == pytest.approx(0.5 * math.log(2 * math.pi * math.e * 0.64), abs=1e-8)
    exact = math.log(1 / 0.8) + (0.64 + 0.25) / 2 - 0.5
    assert kl_divergence(p, q, X) == pytest.approx(exact, abs=1e-8)
    assert kl_divergence(q, q, X) == 0.0


def test_free_energy_is_kl_minus_log_z():
    V = 0.5 * X**2 + 0.3 * np.sin(X)
    q = normalize(np.exp(-V), X)
    lnZ = math.log(W @ np.exp(-V))
    p = gauss(X, 1.0, 0.7)
    assert free_energy(p, V, X) == pytest.approx(kl_divergence(p, q, X) - lnZ, abs=1e-12)


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
    kl = [kl_divergence(p, q, x) for p in P]
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
    kl = [kl_divergence(p0, q, x)] + [kl_divergence(p, q, x) for p in P]
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


# --- dynamical Bayes (eq. 42) --------------------------------------------------------------


def test_dynamical_bayes_matches_beta_posterior_for_typical_data():
    th = np.linspace(0.0005, 0.9995, 1000)
    prior = normalize(np.ones_like(th), th)
    P = dynamical_bayes(prior, bernoulli_divergence(0.3, th), [0.0, 10.0, 50.0], th)
    np.testing.assert_allclose(P[0], prior)
    for T, pk in zip([10, 50], P[1:], strict=True):
        exact = normalize(beta.pdf(th, 1 + 0.3 * T, 1 + 0.7 * T), th)
        np.testing.assert_allclose(pk, exact, atol=1e-10 * exact.max())
        np.testing.assert_allclose(
            pk, posterior_from_divergence(prior, bernoulli_divergence(0.3, th), T, th), atol=1e-9
        )
    assert np.abs(P @ grid_weights(th) - 1).max() < 1e-13


def test_normal_posterior_is_the_solution_of_eq_42():
    mu = np.linspace(-6, 7, 651)
    prior = normalize(np.ones_like(mu), mu)
    P = dynamical_bayes(prior, normal_mean_divergence(0.5, 1.2, mu), [4.0, 16.0], mu)
    np.testing.assert_allclose(
        P, normal_mean_posterior(np.array([4.0, 16.0]), 0.5, 1.2, mu), atol=1e-7
    )
    post = normal_mean_posterior(9.0, 0.5, 1.2, mu)
    assert posterior_moment(post, mu, [0.5], [0, 0]) == pytest.approx(1.44 / 9, rel=1e-9)


def test_normal_posterior_diffuses_in_tau_with_half_sigma_squared():
    mu, sigma, tau, dtau = np.linspace(-4, 5, 901), 0.8, 0.3, 1e-5
    pi = lambda t: normal_mean_posterior(1 / t, 0.5, sigma, mu)  # noqa: E731
    dpi = (pi(tau + dtau) - pi(tau - dtau)) / (2 * dtau)
    h = mu[1] - mu[0]
    lap = (np.roll(pi(tau), -1) - 2 * pi(tau) + np.roll(pi(tau), 1)) / h**2
    np.testing.assert_allclose(dpi[1:-1], sigma**2 / 2 * lap[1:-1], atol=1e-3 * np.abs(dpi).max())
    p = lambda t: normal_posterior_predictive(t, 0.5, sigma, mu)  # noqa: E731
    dp = (p(tau + dtau) - p(tau - dtau)) / (2 * dtau)
    lap = (np.roll(p(tau), -1) - 2 * p(tau) + np.roll(p(tau), 1)) / h**2
    np.testing.assert_allclose(dp[1:-1], sigma**2 / 2 * lap[1:-1], atol=1e-4 * np.abs(dp).max())


def test_wick_moments_of_large_t_bernoulli_posterior():
    T = 20000
    sd = math.sqrt(0.21 / T)
    th = np.linspace(0.3 - 12 * sd, 0.3 + 12 * sd, 2001)
    pi = posterior_from_divergence(
        normalize(np.ones_like(th), th), bernoulli_divergence(0.3, th), T, th
    )
    inv_fisher = bernoulli_inverse_fisher(0.3)
    for n in (1, 2, 3):
        wick = isserlis_moment([[inv_fisher / T]], [0] * (2 * n))
        assert wick == pytest.approx(math.prod(range(1, 2 * n, 2)) * (0.21 / T) ** n)
        assert posterior_moment(pi, th, [0.3], [0] * (2 * n)) == pytest.approx(wick, rel=2e-3)


def test_pairings_and_isserlis():
    assert [sum(1 for _ in pairings(n)) for n in range(0, 9)] == [1, 0, 1, 0, 3, 0, 15, 0, 105]
    C = np.array([[2.0, 0.5], [0.5, 1.0]])
    assert isserlis_moment(C, (0, 0, 1, 1)) == pytest.approx(2.0 * 1.0 + 2 * 0.25)
    samples = np.random.default_rng(3).multivariate_normal([0, 0], C, size=400000)
    mc = np.mean(samples[:, 0] ** 2 * samples[:, 1] ** 2)
    assert mc == pytest.approx(2.5, rel=0.03)


def test_categorical_fisher_and_divergence():
    th = np.array([0.5, 0.3])
    np.testing.assert_allclose(categorical_inverse_fisher(th), [[0.25, -0.15], [-0.15, 0.21]])
    ps = np.array([0.5, 0.3, 0.2])
    assert categorical_divergence(ps, ps) == 0.0
    assert categorical_divergence(ps, np.array([0.7, 0.4, -0.1])) == np.inf


def test_map_trajectories_end_together_and_climb_the_likelihood():
    rng = np.random.default_rng(4)
    y = rng.normal(0.5, 1.3, 30)
    orders = np.array([rng.permutation(y) for _ in range(5)])
    maps = normal_map_trajectory(orders, 1.3, prior_mean=-1.0, prior_var=2.0)
    assert maps.shape == (5, 31)
    assert np.ptp(maps[:, -1]) < 1e-12 and np.ptp(maps[:, 5]) > 1e-3
    grad_phi = (orders - maps[:, :-1]) / 1.3**2  # d/du log N(y; u, sigma^2)
    assert np.all(np.diff(maps, axis=1) * grad_phi >= 0)
    np.testing.assert_allclose(running_mean(y)[-1], y.mean())


def test_petz_map_is_bayes():
    rng = np.random.default_rng(5)
    E = rng.dirichlet(np.ones(4), size=3).T  # 4 outputs, 3 inputs, columns sum to one
    prior = rng.dirichlet(np.ones(3))
    post = bayes_update_matrix(E, prior)
    np.testing.assert_allclose(petz_recovery(E, prior), post, atol=1e-12)
    np.testing.assert_allclose(post.sum(axis=0), 1.0)
    np.testing.assert_allclose(post @ (E @ prior), prior)


def test_diffusion_model_recovers_the_bumps():
    mix = GaussianMixture((0.3, 0.7), (-2.0, 1.5), (0.3, 0.4))
    assert grid_weights(X) @ mix.pdf(X) == pytest.approx(1.0, abs=1e-10)
    eps = 1e-6
    fd = (np.log(mix.pdf(X + eps)) - np.log(mix.pdf(X - eps))) / (2 * eps)
    np.testing.assert_allclose(mix.score(X), fd, atol=1e-5)
    far = mix.noised(8.0)
    np.testing.assert_allclose(far.pdf(X), gauss(X, 0, 1), atol=1e-3)
    t, Y = reverse_diffusion(mix, 4000, 4.0, 200, np.random.default_rng(6))
    assert t[0] == 4.0 and t[-1] == pytest.approx(0.0, abs=1e-12)
    assert abs(np.mean(Y[-1] < 0) - 0.3) < 0.03
    assert abs(np.mean(Y[-1][Y[-1] > 0]) - 1.5) < 0.05


# --- bad input ------------------------------------------------------------------------------


def test_bad_input_is_refused_clearly():
    x = np.linspace(0, 1, 11)
    good = np.ones(11)
    with pytest.raises(ValueError, match="negative"):
        fokker_planck(good - 2 * (x > 0.5), x, x, [0.1])
    with pytest.raises(ValueError, match="integrates to"):
        fokker_planck(2 * good, x, x, [0.1])
    with pytest.raises(ValueError, match="strictly increasing"):
        fokker_planck(good, x, x[::-1], [0.1])
    with pytest.raises(ValueError, match="sorted"):
        fokker_planck(good, x, x, [0.5, 0.1])
    with pytest.raises(ValueError, match="shape"):
        fokker_planck(good, x[:5], x, [0.1])
    with pytest.raises(ValueError, match="sigma"):
        normal_mean_posterior(4, 0.0, 0.0, x)
    with pytest.raises(ValueError, match="T must be positive"):
        normal_mean_posterior(0, 0.0, 1.0, x)
    with pytest.raises(ValueError, match="T must be positive"):
        normal_mean_posterior(-1, 0.0, 1.0, x)
    with pytest.raises(ValueError, match="strictly increasing"):
        normal_mean_posterior(4, 0.0, 1.0, np.array([0.0, 0.2, 0.1, 0.3]))
    with pytest.raises(ValueError, match="integrates to"):
        dynamical_bayes(0.5 * good, np.zeros(11), [1.0], x)
    with pytest.raises(ValueError, match="non-negative"):
        dynamical_bayes(good, -np.ones(11), [1.0], x)
    with pytest.raises(ValueError, match="T_values"):
        dynamical_bayes(good, np.zeros(11), [-1.0], x)
    with pytest.raises(ValueError, match="NaN"):
        kl_divergence(good * np.nan, good, x)
    with pytest.raises(ValueError, match="tangent"):
        w2_potential_gradient(good, good, x)
    with pytest.raises(ValueError, match="strictly between"):
        bernoulli_divergence(1.0, 0.5)
    with pytest.raises(ValueError, match="uniform"):
        heat_flow(good, np.sqrt(x + 1), [0.1])
    with pytest.raises(ValueError, match="positive"):
        ou_transition_density(0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="weights"):
        GaussianMixture((0.5, 0.6), (0.0, 1.0), (1.0, 1.0))
    with pytest.raises(ValueError, match="column-stochastic"):
        petz_recovery(np.ones((2, 2)), np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="symmetric"):
        isserlis_moment(np.array([[1.0, 0.2], [0.0, 1.0]]), (0, 1))
