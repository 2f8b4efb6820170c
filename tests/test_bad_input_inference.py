"""Bad input to every public function of cheaplib.inference is refused, naming the argument.

Also the two silent wrong results found by a fuzz of every public callable: a non-distribution ``p``
in :func:`categorical_divergence` (which returned a negative KL) and a channel output that
never occurs in :func:`bayes_update_matrix` / :func:`petz_recovery` (NaN columns).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import inference as inf
from cheaplib.flows import normalize

TH = np.linspace(0.05, 0.95, 31)
PRIOR = normalize(np.ones_like(TH), TH)
DIV = inf.bernoulli_divergence(0.3, TH)
MU = np.linspace(-3, 3, 31)
CHANNEL = np.array([[0.9, 0.2], [0.1, 0.8]])

GOOD = {
    inf.posterior_from_divergence: {"prior": PRIOR, "divergence": DIV, "T": 10.0, "grid": TH},
    inf.dynamical_bayes: {"prior": PRIOR, "divergence": DIV, "T_values": [0.0, 5.0], "grid": TH},
    inf.bernoulli_divergence: {"theta_star": 0.3, "theta": TH},
    inf.poisson_divergence: {"lam_star": 2.0, "lam": MU + 4},
    inf.bernoulli_inverse_fisher: {"theta": TH},
    inf.categorical_divergence: {"p_star": [0.5, 0.3, 0.2], "p": [[0.4, 0.4, 0.2]]},
    inf.categorical_inverse_fisher: {"theta": [0.5, 0.3]},
    inf.normal_mean_divergence: {"mu_star": 0.5, "sigma": 1.2, "mu": MU},
    inf.pairings: {"n": 4},
    inf.isserlis_moment: {"cov": [[1.0, 0.2], [0.2, 1.0]], "indices": (0, 1)},
    inf.posterior_moment: {"pi": PRIOR, "grid": TH, "center": [0.3], "indices": [0, 0]},
    inf.normal_mean_posterior: {"T": 4.0, "mu_star": 0.5, "sigma": 1.2, "grid": MU},
    inf.normal_posterior_predictive: {"tau": 0.3, "mu_star": 0.5, "sigma": 1.2, "y": MU},
    inf.running_mean: {"y": MU},
    inf.normal_map_trajectory: {"y": MU, "sigma": 1.0, "prior_mean": 0.0, "prior_var": 2.0},
    inf.bayes_update_matrix: {"channel": CHANNEL, "prior": [0.5, 0.5]},
    inf.petz_recovery: {"channel": CHANNEL, "reference": [0.5, 0.5]},
}

ARRAY_ARGS = [
    (f, name)
    for f, kw in GOOD.items()
    for name, v in kw.items()
    if np.asarray(v).dtype.kind == "f" and np.asarray(v).size > 1
]
NONFINITE = st.sampled_from([math.nan, math.inf, -math.inf])


def _run(func, kw):
    out = func(**kw)
    return list(out) if func is inf.pairings else out


def test_good_calls_are_valid_and_finite():
    for f, kw in GOOD.items():
        out = _run(f, kw)
        if f is not inf.pairings:
            assert np.all(np.isfinite(np.asarray(out, dtype=float))), f.__name__


@pytest.mark.parametrize(("func", "name"), ARRAY_ARGS, ids=lambda v: getattr(v, "__name__", v))
@settings(max_examples=15, deadline=None)
@given(bad=NONFINITE, where=st.floats(0, 1))
def test_nonfinite_entries_are_refused(func, name, bad, where):
    kw = dict(GOOD[func])
    arr = np.array(kw[name], dtype=float)
    arr.flat[int(where * (arr.size - 1))] = bad
    kw[name] = arr
    with pytest.raises((ValueError, TypeError), match=name):
        _run(func, kw)


@pytest.mark.parametrize(("func", "name"), ARRAY_ARGS, ids=lambda v: getattr(v, "__name__", v))
def test_non_numeric_arrays_are_refused(func, name):
    kw = dict(GOOD[func])
    kw[name] = ["a"] * np.asarray(kw[name]).size
    with pytest.raises((ValueError, TypeError), match=name):
        _run(func, kw)


SCALARS = [
    (inf.posterior_from_divergence, "T", [-1.0, math.nan, math.inf, True, "3"]),
    (inf.dynamical_bayes, "rtol", [0.0, math.nan, -1e-6]),
    (inf.dynamical_bayes, "atol", [0.0, math.inf]),
    (inf.bernoulli_divergence, "theta_star", [0.0, 1.0, math.nan, True, "0.3"]),
    (inf.poisson_divergence, "lam_star", [0.0, -2.0, math.nan, True]),
    (inf.normal_mean_divergence, "sigma", [0.0, -1.0, math.nan, True]),
    (inf.normal_mean_divergence, "mu_star", [math.nan, "0"]),
    (inf.pairings, "n", [-1, 17, 2.0, True, "4"]),
    (inf.normal_mean_posterior, "sigma", [0.0, math.nan]),
    (inf.normal_mean_posterior, "mu_star", [math.inf, None]),
    (inf.normal_mean_posterior, "T", [0.0, -4.0, math.nan, "4"]),
    (inf.normal_posterior_predictive, "tau", [-0.1, math.nan]),
    (inf.normal_posterior_predictive, "sigma", [0.0, True]),
    (inf.normal_map_trajectory, "sigma", [0.0, math.nan]),
    (inf.normal_map_trajectory, "prior_var", [0.0, -1.0]),
    (inf.normal_map_trajectory, "prior_mean", [math.nan, "0"]),
]


@pytest.mark.parametrize(
    ("func", "name", "values"), SCALARS, ids=lambda v: getattr(v, "__name__", str(v))
)
def test_bad_scalars_are_refused(func, name, values):
    for bad in values:
        kw = dict(GOOD[func])
        kw[name] = bad
        with pytest.raises((ValueError, TypeError), match=name):
            _run(func, kw)


@settings(max_examples=30, deadline=None)
@given(a=st.floats(0.01, 0.99), b=st.floats(0.01, 0.99))
def test_categorical_divergence_refuses_non_distributions(a, b):
    if abs(a + b - 1) < 1e-6:
        return
    with pytest.raises(ValueError, match="p must sum to 1"):
        inf.categorical_divergence([0.5, 0.5], [a, b])
    with pytest.raises(ValueError, match="p_star"):
        inf.categorical_divergence([a, b], [0.5, 0.5])


def test_the_fuzz_cases_of_issue_16():
    with pytest.raises(ValueError, match="p must sum to 1"):
        inf.categorical_divergence([0.5, 0.5], [0.9, 0.9])
    post = inf.bayes_update_matrix([[1, 1], [0, 0]], [0.5, 0.5])
    np.testing.assert_array_equal(post, [[0.5, 0.5], [0.5, 0.5]])  # unseen y -> prior
    rec = inf.petz_recovery([[1, 1], [0, 0]], [0.25, 0.75])
    np.testing.assert_allclose(rec, [[0.25, 0.25], [0.75, 0.75]], atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n_out=st.integers(2, 5),
    n_in=st.integers(2, 5),
    dead=st.integers(0, 4),
)
def test_bayes_and_petz_columns_are_distributions_even_with_unseen_outputs(seed, n_out, n_in, dead):
    rng = np.random.default_rng(seed)
    E = rng.dirichlet(np.ones(n_out), size=n_in).T
    E[min(dead, n_out - 1)] = 0.0  # an output that never occurs
    E /= E.sum(axis=0, keepdims=True)
    prior = rng.dirichlet(np.ones(n_in))
    post = inf.bayes_update_matrix(E, prior)
    np.testing.assert_allclose(post.sum(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(inf.petz_recovery(E, prior), post, atol=1e-12)


def test_structural_errors_name_the_argument():
    cases = [
        (
            inf.posterior_from_divergence,
            {**GOOD[inf.posterior_from_divergence], "prior": 2 * PRIOR},
            "prior",
        ),
        (
            inf.posterior_from_divergence,
            {**GOOD[inf.posterior_from_divergence], "divergence": -DIV},
            "divergence",
        ),
        (
            inf.posterior_from_divergence,
            {**GOOD[inf.posterior_from_divergence], "divergence": DIV[:-1]},
            "divergence",
        ),
        (
            inf.posterior_from_divergence,
            {**GOOD[inf.posterior_from_divergence], "grid": TH[::-1]},
            "grid",
        ),
        (inf.dynamical_bayes, {**GOOD[inf.dynamical_bayes], "T_values": [5.0, 1.0]}, "T_values"),
        (inf.dynamical_bayes, {**GOOD[inf.dynamical_bayes], "T_values": [-1.0]}, "T_values"),
        (inf.bernoulli_divergence, {"theta_star": 0.3, "theta": [0.0, 0.5]}, "theta"),
        (inf.bernoulli_inverse_fisher, {"theta": [1.0]}, "theta"),
        (inf.poisson_divergence, {"lam_star": 2.0, "lam": [0.0]}, "lam"),
        (inf.categorical_divergence, {"p_star": [0.5, 0.5], "p": [0.2, 0.3, 0.5]}, "p"),
        (inf.categorical_divergence, {"p_star": [1.0, 0.0], "p": [0.5, 0.5]}, "p_star"),
        (inf.categorical_inverse_fisher, {"theta": [0.6, 0.5]}, "theta"),
        (inf.isserlis_moment, {"cov": [[1.0, 0.2], [0.0, 1.0]], "indices": (0, 1)}, "cov"),
        (inf.isserlis_moment, {"cov": np.eye(2), "indices": (0, 2)}, "indices"),
        (inf.isserlis_moment, {"cov": np.eye(2), "indices": (0, True)}, "indices"),
        (inf.isserlis_moment, {"cov": np.eye(2), "indices": (0,) * 18}, "indices"),
        (inf.posterior_moment, {**GOOD[inf.posterior_moment], "indices": [1]}, "indices"),
        (inf.posterior_moment, {**GOOD[inf.posterior_moment], "center": [0.3, 0.3]}, "center"),
        (inf.posterior_moment, {**GOOD[inf.posterior_moment], "pi": 3 * PRIOR}, "pi"),
        (inf.running_mean, {"y": 3.0}, "y"),
        (inf.running_mean, {"y": []}, "y"),
        (inf.normal_map_trajectory, {"y": [], "sigma": 1.0}, "y"),
        (inf.bayes_update_matrix, {"channel": np.ones((2, 2)), "prior": [0.5, 0.5]}, "channel"),
        (inf.bayes_update_matrix, {"channel": CHANNEL, "prior": [0.9, 0.9]}, "prior"),
        (inf.bayes_update_matrix, {"channel": CHANNEL, "prior": [1.0, 0.0]}, "prior"),
        (inf.bayes_update_matrix, {"channel": CHANNEL, "prior": [0.2, 0.3, 0.5]}, "prior"),
        (inf.petz_recovery, {"channel": -CHANNEL, "reference": [0.5, 0.5]}, "channel"),
        (inf.petz_recovery, {"channel": CHANNEL, "reference": [0.5, 0.6]}, "reference"),
    ]
    for func, kw, name in cases:
        with pytest.raises((ValueError, TypeError), match=name):
            _run(func, kw)


def test_sizes_over_budget_are_refused_before_allocating():
    with pytest.raises(ValueError, match="T is too large"):
        inf.normal_mean_posterior(np.ones(10**6), 0.0, 1.0, np.linspace(-1, 1, 1000))
    with pytest.raises(ValueError, match="T_values is too large"):
        inf.dynamical_bayes(PRIOR, DIV, np.linspace(0, 1, 10**7), TH)
    with pytest.raises(ValueError, match="channel is too large"):
        inf.bayes_update_matrix(np.full((1, 20000), 1.0), np.full(20000, 1 / 20000))


# --- extreme finite values: refused with the argument named, never inf, NaN or a hang -----


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: inf.normal_mean_divergence(0.0, 1e308, MU), "sigma"),
        (lambda: inf.normal_mean_divergence(1e308, 1.0, MU), "mu_star, sigma, mu"),
        (lambda: inf.normal_mean_posterior(4.0, 0.0, 1e308, MU), "sigma"),
        (lambda: inf.normal_mean_posterior(4.0, 0.0, 1e-200, MU), "sigma"),
        (lambda: inf.normal_posterior_predictive(0.5, 0.0, 1e308, MU), "sigma"),
        (lambda: inf.normal_map_trajectory([1.0, 2.0], 1e308), "sigma"),
        (lambda: inf.normal_map_trajectory([1e308, 1e308], 1.0), "y"),
        (lambda: inf.running_mean([1e308, 1e308]), "y"),
        (lambda: inf.poisson_divergence(1e308, 1e-300), "lam_star, lam"),
        (lambda: inf.dynamical_bayes(PRIOR, DIV, [1e308], TH), "T_values"),
        (lambda: inf.dynamical_bayes(PRIOR, DIV, [10**9], TH), "T_values"),
        (lambda: inf.dynamical_bayes(PRIOR, DIV, [1.0], TH, rtol=1e308), "rtol"),
        (lambda: inf.dynamical_bayes(PRIOR, DIV, [1.0], TH, atol=10**9), "atol"),
    ],
)
def test_values_out_of_range_are_refused(call, name):
    with pytest.raises(ValueError, match=name):
        call()
