"""cheaplib.inference: dynamical Bayesian inference (source 003, eqs. 42-59)."""

import math

import numpy as np
import pytest
from scipy.stats import beta

from cheaplib.flows import (
    grid_weights,
    normalize,
)
from cheaplib.inference import (
    bayes_update_matrix,
    bernoulli_divergence,
    bernoulli_inverse_fisher,
    categorical_divergence,
    categorical_inverse_fisher,
    dynamical_bayes,
    isserlis_moment,
    normal_map_trajectory,
    normal_mean_divergence,
    normal_mean_posterior,
    normal_posterior_predictive,
    pairings,
    petz_recovery,
    poisson_divergence,
    posterior_from_divergence,
    posterior_moment,
    running_mean,
)

X = np.linspace(-6.0, 6.0, 241)
W = grid_weights(X)


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


def test_poisson_divergence_is_kl_of_poisson_pmfs():
    from scipy.stats import poisson

    k = np.arange(0, 80)
    for lam in (0.5, 2.0, 7.0):
        exact = np.sum(poisson.pmf(k, 2.0) * (poisson.logpmf(k, 2.0) - poisson.logpmf(k, lam)))
        assert float(poisson_divergence(2.0, lam)) == pytest.approx(exact, rel=1e-10)
