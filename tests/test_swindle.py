"""cheaplib.swindle: exact counts, Bayes' theorem as a softmax, the fitted softmax layer."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from cheaplib.nets import Network, softmax_posterior
from cheaplib.swindle import (
    GaussianClasses,
    SeparableDataError,
    atoms_threshold,
    bayes_error_rate,
    boolean_function_bits,
    boolean_function_count,
    centered,
    decimal_digits,
    decision_boundaries,
    fit_softmax_layer,
    linearly_separable,
    log_linear_residual,
    onehot_design,
    parameter_counts,
    quadratic_features,
    softmax_layer_covariance,
)

# --- counting -------------------------------------------------------------------------------


@given(st.integers(2, 300), st.integers(0, 400))
@settings(max_examples=200, deadline=None)
def test_decimal_digits_matches_the_string_length(base, exponent):
    assert decimal_digits(base, exponent) == len(str(base**exponent))


@pytest.mark.parametrize(("base", "exponent"), [(10, 1), (10, 7), (100, 3), (1000, 50), (2, 0)])
def test_decimal_digits_at_powers_of_ten(base, exponent):
    # e log10(b) is an integer here: the floor needs the integer fallback
    assert decimal_digits(base, exponent) == len(str(base**exponent))


def test_megapixel_digits_exact():
    d = decimal_digits(256, 10**6, verify=True)
    assert d == 2_408_240
    # independent: 256^(10^6) = 2^(8 10^6), digits = floor(8e6 log10 2) + 1
    assert d == math.floor(8 * 10**6 * math.log10(2)) + 1


def test_decimal_digits_bad_input():
    with pytest.raises(ValueError, match="base"):
        decimal_digits(1, 5)
    with pytest.raises(ValueError, match="exponent"):
        decimal_digits(2, -1)
    with pytest.raises(TypeError, match="base"):
        decimal_digits(2.5, 3)
    with pytest.raises(ValueError, match="verification"):
        decimal_digits(256, 10**7, verify=True)


def test_boolean_function_count_brute_force():
    for n in range(4):
        inputs = list(itertools.product((0, 1), repeat=n))
        tables = set(itertools.product((0, 1), repeat=len(inputs)))  # every map inputs -> bit
        assert len(tables) == boolean_function_count(n)
        assert boolean_function_bits(n) == len(inputs) == math.log2(boolean_function_count(n))
    with pytest.raises(ValueError, match="n"):
        boolean_function_count(21)
    with pytest.raises(ValueError, match="n"):
        boolean_function_bits(-1)


@pytest.mark.parametrize(("a", "n"), [(78, 260), (80, 266), (1, 4), (2, 7), (3, 10)])
def test_atoms_threshold(a, n):
    assert atoms_threshold(a) == n
    assert 2 ** (n - 1) < 10**a < 2**n
    assert n == math.floor(a * math.log2(10)) + 1


def test_atoms_threshold_bad_input():
    with pytest.raises(ValueError, match="log10_atoms"):
        atoms_threshold(0)
    with pytest.raises(TypeError, match="log10_atoms"):
        atoms_threshold(78.0)


def test_parameter_counts():
    c = parameter_counts(256, 10**6)
    assert c.swindle == 256_000_000 and c.swindle_free == 255_000_000
    assert c.table.bit_length() == 8 * 10**6 + 1
    assert parameter_counts(3, 4) == (81, 12, 80, 8)
    with pytest.raises(ValueError, match="v"):
        parameter_counts(1, 4)
    with pytest.raises(ValueError, match="n"):
        parameter_counts(2, 0)


@pytest.mark.parametrize(("v", "n"), [(2, 1), (2, 5), (3, 4), (4, 3), (5, 2), (16, 3)])
def test_onehot_design_rank_is_the_swindle_count(v, n):
    A = onehot_design(v, n)
    assert A.shape == (v**n, v * n)
    assert np.all(A.sum(axis=1) == n)
    # brute force: row c is the one-hot encoding of the base-v digits of c
    for c in [0, 1, v**n - 1]:
        digits = [(c // v**i) % v for i in range(n)]
        expect = np.zeros(v * n)
        expect[[i * v + a for i, a in enumerate(digits)]] = 1
        assert np.array_equal(A[c], expect)
    assert np.linalg.matrix_rank(A) == parameter_counts(v, n).swindle_free + 1


def test_onehot_design_bad_input():
    with pytest.raises(ValueError, match="exceed"):
        onehot_design(256, 3)
    with pytest.raises(ValueError, match="v"):
        onehot_design(1, 3)


@given(st.integers(2, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_product_distributions_are_log_linear(v, n, seed):
    rng = np.random.default_rng(seed)
    marginals = rng.dirichlet(np.ones(v), size=n)  # (n, v)
    A = onehot_design(v, n)
    log_p = A @ np.log(marginals).ravel()
    assert abs(np.exp(log_p).sum() - 1) < 1e-12
    assert log_linear_residual(log_p, v, n) < 1e-10


def test_generic_distribution_is_not_log_linear():
    rng = np.random.default_rng(1)
    log_p = np.log(rng.dirichlet(np.ones(81)))
    assert log_linear_residual(log_p, 3, 4) > 0.1
    with pytest.raises(ValueError, match="shape"):
        log_linear_residual(log_p[:-1], 3, 4)
    with pytest.raises(ValueError, match="finite"):
        log_linear_residual(np.full(81, -np.inf), 3, 4)


# --- Bayes as a softmax -------------------------------------------------------------------

CLASSES_1D = GaussianClasses([-2.0, 0.0, 2.5], [0.7, 1.0, 1.5], [0.5, 0.3, 0.2])
_ANG = np.deg2rad([90.0, 210.0, 330.0])
CLASSES_2D = GaussianClasses(2.0 * np.c_[np.cos(_ANG), np.sin(_ANG)], [1.0] * 3, [0.6, 0.3, 0.1])


@pytest.mark.parametrize("classes", [CLASSES_1D, CLASSES_2D])
def test_softmax_of_hamiltonians_is_bayes(classes):
    rng = np.random.default_rng(0)
    x = rng.normal(0, 3, (500, classes.dim))
    np.testing.assert_allclose(classes.posterior_softmax(x), classes.posterior_bayes(x), atol=1e-13)
    # Hamiltonians against scipy's log densities
    logpdf = np.stack(
        [
            stats.multivariate_normal(m, s**2).logpdf(x).reshape(len(x))
            for m, s in zip(classes.means, classes.sigmas, strict=True)
        ],
        axis=1,
    )
    np.testing.assert_allclose(classes.hamiltonians(x), -logpdf, rtol=1e-12, atol=1e-12)


def test_evidence_is_the_marginal_density():
    total, _ = integrate.quad(lambda t: CLASSES_1D.evidence(np.array([t]))[0], -np.inf, np.inf)
    assert abs(total - 1) < 1e-8
    x = np.linspace(-5, 5, 11)
    marginal = sum(
        p * stats.norm(m, s).pdf(x)
        for m, s, p in zip(
            CLASSES_1D.means[:, 0], CLASSES_1D.sigmas, CLASSES_1D.priors, strict=True
        )
    )
    np.testing.assert_allclose(CLASSES_1D.evidence(x), marginal, rtol=1e-13)


@pytest.mark.parametrize("classes", [CLASSES_1D, CLASSES_2D])
def test_linear_parameters_reproduce_the_logits(classes):
    rng = np.random.default_rng(3)
    x = rng.normal(0, 2, (50, classes.dim))
    W, b = classes.linear_parameters()
    np.testing.assert_allclose(
        quadratic_features(x) @ W.T + b, -classes.hamiltonians(x) - classes.mu, atol=1e-12
    )


def test_equal_norm_means_make_the_bias_minus_mu():
    _, b = CLASSES_2D.linear_parameters()
    np.testing.assert_allclose(centered(b), centered(-CLASSES_2D.mu), atol=1e-14)
    _, b1 = CLASSES_1D.linear_parameters()
    assert np.abs(centered(b1) - centered(-CLASSES_1D.mu)).max() > 1


@given(st.floats(-50, 50), st.integers(0, 2**32 - 1))
@settings(max_examples=50, deadline=None)
def test_common_constant_is_irrelevant(c, seed):
    rng = np.random.default_rng(seed)
    H, mu = rng.normal(0, 5, (7, 4)), rng.normal(0, 2, 4)
    np.testing.assert_allclose(softmax_posterior(H + c, mu), softmax_posterior(H, mu), atol=1e-12)


def test_sample_statistics():
    x, y = CLASSES_1D.sample(60_000, np.random.default_rng(7))
    assert x.shape == (60_000, 1) and y.shape == (60_000,)
    freq = np.bincount(y, minlength=3) / len(y)
    np.testing.assert_allclose(freq, CLASSES_1D.priors, atol=0.01)
    for k in range(3):
        assert abs(x[y == k, 0].mean() - CLASSES_1D.means[k, 0]) < 0.05
        assert abs(x[y == k, 0].std() - CLASSES_1D.sigmas[k]) < 0.05
    with pytest.raises(TypeError, match="Generator"):
        CLASSES_1D.sample(10, rng=0)


def test_gaussian_classes_bad_input():
    with pytest.raises(ValueError, match="sum to 1"):
        GaussianClasses([0, 1], [1, 1], [0.5, 0.6])
    with pytest.raises(ValueError, match="positive"):
        GaussianClasses([0, 1], [1, 0], [0.5, 0.5])
    with pytest.raises(ValueError, match="positive"):
        GaussianClasses([0, 1], [1, 1], [1.0, 0.0])
    with pytest.raises(ValueError, match="k >= 2"):
        GaussianClasses([0], [1], [1.0])
    with pytest.raises(ValueError, match="shape"):
        GaussianClasses([0, 1], [1, 1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match="shape"):
        CLASSES_2D.hamiltonians(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="finite"):
        CLASSES_1D.hamiltonians(np.array([np.nan]))


# --- the fitted softmax layer ---------------------------------------------------------------


def test_fit_recovers_an_exact_layer_on_noiseless_probabilities():
    # labels drawn from the model itself, many points: the fit approaches the truth
    classes = CLASSES_2D
    x, y = classes.sample(40_000, np.random.default_rng(11))
    net = fit_softmax_layer(quadratic_features(x), y)
    assert isinstance(net, Network) and net.output == "softmax" and net.depth == 0
    W, b = classes.linear_parameters()
    d = classes.dim
    se = np.sqrt(np.diag(softmax_layer_covariance(classes, len(x)))).reshape(3, d + 2)
    err = np.hstack([net.layers[0].W - centered(W.T).T, (net.layers[0].b - centered(b))[:, None]])
    assert np.abs(err / se).max() < 4.5
    np.testing.assert_allclose(net.layers[0].W.sum(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(net(quadratic_features(x[:5])).sum(axis=1), 1, atol=1e-12)


def test_fit_two_classes_uses_the_centered_gauge():
    classes = GaussianClasses([-1.0, 1.0], [1.0, 1.0], [0.25, 0.75])
    x, y = classes.sample(20_000, np.random.default_rng(5))
    net = fit_softmax_layer(quadratic_features(x), y)
    W, b = classes.linear_parameters()
    assert net.layers[0].W.shape == (2, 2)
    np.testing.assert_allclose(net.layers[0].b, centered(b), atol=0.1)
    np.testing.assert_allclose(net.layers[0].W, W - W.mean(axis=0), atol=0.1)


def test_covariance_matches_repeated_fits_and_scales_like_one_over_n():
    classes = CLASSES_2D
    d = classes.dim
    c1 = softmax_layer_covariance(classes, 1)
    np.testing.assert_allclose(softmax_layer_covariance(classes, 400), c1 / 400, rtol=1e-12)
    np.testing.assert_allclose(softmax_layer_covariance(classes, 1, nodes=100), c1, rtol=1e-3)
    N, reps = 2000, 40
    rng = np.random.default_rng(21)
    _, b = classes.linear_parameters()
    errs = []
    for _ in range(reps):
        x, y = classes.sample(N, rng)
        errs.append(fit_softmax_layer(quadratic_features(x), y).layers[0].b - centered(b))
    rms = np.sqrt(np.mean(np.square(errs), axis=0))
    se = np.sqrt(np.diag(c1))[d + 1 :: d + 2] / np.sqrt(N)
    assert np.all((rms / se > 0.7) & (rms / se < 1.35))


def test_fit_bad_input():
    F = np.zeros((4, 2))
    with pytest.raises(ValueError, match="shape|\\(m, f\\)"):
        fit_softmax_layer(F, np.array([0, 1, 0]))
    with pytest.raises(ValueError, match="every class"):
        fit_softmax_layer(F, np.array([0, 2, 0, 2]))
    with pytest.raises(TypeError, match="labels"):
        fit_softmax_layer(F, np.array([0.0, 1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="finite"):
        fit_softmax_layer(np.full((4, 2), np.nan), np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="d <= 3"):
        softmax_layer_covariance(GaussianClasses(np.eye(4)[:2], [1, 1], [0.5, 0.5]), 10)


def test_fit_refuses_separable_classes():
    # two well-separated classes: the likelihood has no maximum, the weights diverge
    rng = np.random.default_rng(3)
    x = np.r_[rng.normal(-5, 0.5, 200), rng.normal(5, 0.5, 200)]
    y = np.r_[np.zeros(200, dtype=np.int64), np.ones(200, dtype=np.int64)]
    assert linearly_separable(quadratic_features(x), y)
    with pytest.raises(SeparableDataError, match="separable"):
        fit_softmax_layer(quadratic_features(x), y)
    # one sample of class 0 moved among class 1: no longer separable, the fit exists
    x[0] = 5.0
    assert not linearly_separable(quadratic_features(x), y)
    net = fit_softmax_layer(quadratic_features(x), y)
    assert np.all(np.isfinite(net.layers[0].W))


def test_separability_matches_brute_force_in_one_dimension():
    # 1-D, two classes, features (x): separable iff the sorted labels form two runs
    rng = np.random.default_rng(4)
    for _ in range(20):
        x = np.sort(rng.normal(size=8))
        y = rng.integers(0, 2, 8)
        if np.unique(y).size < 2:
            continue
        runs = int(np.count_nonzero(np.diff(y))) + 1
        assert linearly_separable(x[:, None], y) == (runs == 2)


# --- two classes in one dimension -----------------------------------------------------------


@given(
    st.floats(0.02, 0.98),
    st.floats(-3, 3),
    st.floats(0.3, 3),
)
@settings(max_examples=40, deadline=None)
def test_boundaries_and_error_rate(p0, shift, s1):
    classes = GaussianClasses([0.0, shift], [1.0, s1], [p0, 1 - p0])
    bounds = decision_boundaries(classes)
    if bounds.size:
        post = classes.posterior_softmax(bounds)
        np.testing.assert_allclose(post[:, 0], 0.5, atol=1e-7)

    def integrand(t):
        return float(np.exp(-classes.hamiltonians(np.array([t])) - classes.mu).min())

    points = [b for b in bounds if abs(b) < 40]
    brute, _ = integrate.quad(integrand, -40, 40, points=points or None, limit=200)
    assert abs(bayes_error_rate(classes) - brute) < 1e-8
    assert 0 <= bayes_error_rate(classes) <= min(p0, 1 - p0) + 1e-12


def test_boundaries_closed_form_equal_variance():
    # equal variances: one boundary at (m0+m1)/2 + s^2 ln(p0/p1)/(m1-m0)
    classes = GaussianClasses([-1.0, 2.0], [1.5, 1.5], [0.7, 0.3])
    expect = 0.5 + 1.5**2 * math.log(0.7 / 0.3) / 3.0
    np.testing.assert_allclose(decision_boundaries(classes), [expect], rtol=1e-12)
    assert decision_boundaries(GaussianClasses([0.0, 0.0], [1, 1], [0.4, 0.6])).size == 0
    with pytest.raises(ValueError, match="two classes"):
        decision_boundaries(CLASSES_1D)
