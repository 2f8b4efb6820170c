"""Bad input to every public function of cheaplib.swindle (and its widget) is refused.

Each class of bad input — NaN/inf, wrong shape, wrong type (bool, str, float for int),
non-distributions, out-of-range parameters, sizes over budget — raises a ValueError or
TypeError whose message names the offending argument; nothing returns NaN.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import swindle as sw
from cheaplib.widgets.swindle import render_bayes_softmax

BAD_FLOATS = st.sampled_from([np.nan, np.inf, -np.inf])
NOT_INTS = st.one_of(
    st.just(True), st.just(False), st.floats(0.5, 100.0), st.text(max_size=3), st.none()
)
GOOD = sw.GaussianClasses([-1.0, 1.0], [1.0, 2.0], [0.3, 0.7])


def _raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


# --- integers: wrong type (bool, float, str, None) and out of range ------------------------

INT_FUNCTIONS = [
    (sw.decimal_digits, ("base", "exponent"), (256, 10)),
    (sw.boolean_function_count, ("n",), (3,)),
    (sw.boolean_function_bits, ("n",), (3,)),
    (sw.atoms_threshold, ("log10_atoms",), (78,)),
    (sw.parameter_counts, ("v", "n"), (2, 3)),
    (sw.onehot_design, ("v", "n"), (2, 3)),
]


@pytest.mark.parametrize(("fn", "names", "good"), INT_FUNCTIONS)
@given(bad=NOT_INTS, which=st.integers(0, 1))
@settings(max_examples=25, deadline=None)
def test_integer_arguments_refuse_other_types(fn, names, good, bad, which):
    k = which % len(names)
    args = list(good)
    args[k] = bad
    _raises((TypeError, ValueError), names[k], fn, *args)


@pytest.mark.parametrize(
    ("fn", "args", "name"),
    [
        (sw.decimal_digits, (1, 5), "base"),
        (sw.decimal_digits, (2, -1), "exponent"),
        (sw.boolean_function_count, (-1,), "n"),
        (sw.boolean_function_count, (21,), "n"),
        (sw.boolean_function_bits, (-1,), "n"),
        (sw.boolean_function_bits, (10**7,), "n"),
        (sw.atoms_threshold, (0,), "log10_atoms"),
        (sw.atoms_threshold, (10**5,), "log10_atoms"),
        (sw.parameter_counts, (1, 3), "v"),
        (sw.parameter_counts, (2, 0), "n"),
        (sw.parameter_counts, (2, 10**8), "n"),
        (sw.onehot_design, (1, 3), "v"),
        (sw.onehot_design, (2, 0), "n"),
    ],
)
def test_integer_arguments_out_of_range(fn, args, name):
    _raises(ValueError, name, fn, *args)


def test_sizes_over_budget_are_refused_before_allocating():
    _raises(ValueError, r"\(v, n\)", sw.onehot_design, 256, 3)  # 16.7 M rows
    _raises(ValueError, r"\(v, n\)", sw.parameter_counts, 2**20, 10**7)
    _raises(ValueError, "verif", sw.decimal_digits, 256, 10**7, verify=True)
    _raises(ValueError, "m", GOOD.sample, 10**8, np.random.default_rng(0))


def test_verify_must_be_a_bool():
    _raises(TypeError, "verify", sw.decimal_digits, 10, 3, verify="yes")


# --- arrays: NaN/inf, wrong shape, wrong type ------------------------------------------------


@given(bad=BAD_FLOATS, i=st.integers(0, 7))
@settings(max_examples=20, deadline=None)
def test_non_finite_arrays_are_refused(bad, i):
    log_p = np.log(np.full(8, 1 / 8))
    log_p[i] = bad
    _raises(ValueError, "log_p", sw.log_linear_residual, log_p, 2, 3)
    x = np.zeros(8)
    x[i] = bad
    _raises(ValueError, "x", sw.quadratic_features, x)
    _raises(ValueError, "v", sw.centered, x)
    for method in (
        GOOD.hamiltonians,
        GOOD.likelihoods,
        GOOD.posterior_bayes,
        GOOD.posterior_softmax,
        GOOD.evidence,
    ):
        _raises(ValueError, "x", method, x)
    F = np.zeros((8, 2))
    F[i, 0] = bad
    _raises(ValueError, "features", sw.fit_softmax_layer, F, np.arange(8) % 2)
    _raises(ValueError, "features", sw.linearly_separable, F, np.arange(8) % 2)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("means", [0.0, np.nan]),
        ("sigmas", [1.0, np.inf]),
        ("priors", [0.5, np.nan]),
        ("means", [0.0]),
        ("sigmas", [1.0, 1.0, 1.0]),
        ("priors", [1.0]),
        ("sigmas", [1.0, 0.0]),
        ("sigmas", [1.0, -2.0]),
        ("priors", [0.0, 1.0]),
        ("priors", [0.5, 0.6]),
        ("priors", [0.9, 0.9]),
        ("means", ["a", "b"]),
    ],
)
def test_gaussian_classes_refuses_bad_parameters(field, value):
    kwargs = {"means": [0.0, 1.0], "sigmas": [1.0, 1.0], "priors": [0.5, 0.5]}
    kwargs[field] = value
    _raises((TypeError, ValueError), field, sw.GaussianClasses, **kwargs)


def test_wrong_shapes_are_refused():
    _raises(ValueError, "log_p", sw.log_linear_residual, np.zeros(7), 2, 3)
    _raises(ValueError, "x", sw.quadratic_features, np.zeros((2, 2, 2)))
    _raises(ValueError, "x", GOOD.hamiltonians, np.zeros((3, 2)))
    _raises(ValueError, "features", sw.fit_softmax_layer, np.zeros(4), [0, 1, 0, 1])
    _raises(ValueError, "labels", sw.fit_softmax_layer, np.zeros((4, 1)), [0, 1, 0])
    _raises(ValueError, "labels", sw.fit_softmax_layer, np.zeros((4, 1)), [0, 2, 0, 2])
    _raises(ValueError, "labels", sw.fit_softmax_layer, np.zeros((4, 1)), [0, 0, 0, 0])
    _raises(ValueError, "labels", sw.fit_softmax_layer, np.zeros((4, 1)), [0, -1, 0, 1])
    _raises(ValueError, "labels", sw.linearly_separable, np.zeros((4, 1)), [0, 1, 0])


@given(labels=st.sampled_from([[0.0, 1.0, 0.0, 1.0], ["a", "b", "a", "b"], [True, False] * 2]))
@settings(max_examples=5, deadline=None)
def test_labels_must_be_integers(labels):
    _raises((TypeError, ValueError), "labels", sw.fit_softmax_layer, np.zeros((4, 1)), labels)


def test_strings_and_objects_are_refused():
    _raises(TypeError, "x", sw.quadratic_features, ["a", "b"])
    _raises(TypeError, "log_p", sw.log_linear_residual, ["a"] * 8, 2, 3)
    _raises(TypeError, "rng", GOOD.sample, 10, 0)
    _raises(TypeError, "classes", sw.softmax_layer_covariance, "classes", 10)
    _raises(TypeError, "classes", sw.decision_boundaries, None)
    _raises(TypeError, "classes", sw.bayes_error_rate, 1.0)


def test_covariance_and_two_class_functions_check_their_arguments():
    _raises(ValueError, "n_samples", sw.softmax_layer_covariance, GOOD, 0)
    _raises(TypeError, "n_samples", sw.softmax_layer_covariance, GOOD, 10.0)
    _raises(ValueError, "nodes", sw.softmax_layer_covariance, GOOD, 10, nodes=1)
    _raises(
        ValueError,
        "d <= 3",
        sw.softmax_layer_covariance,
        sw.GaussianClasses(np.eye(4)[:2], [1, 1], [0.5, 0.5]),
        10,
    )
    three = sw.GaussianClasses([0.0, 1.0, 2.0], [1, 1, 1], [0.2, 0.3, 0.5])
    _raises(ValueError, "two classes", sw.decision_boundaries, three)
    _raises(ValueError, "two classes", sw.bayes_error_rate, three)


def test_separable_classes_raise_instead_of_returning_arbitrary_weights():
    F = np.array([[0.0], [1.0], [2.0], [3.0]])
    _raises(sw.SeparableDataError, "separable", sw.fit_softmax_layer, F, [0, 0, 1, 1])


# --- the widget -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"prior0": np.nan}, "prior0"),
        ({"prior0": 0.0}, "prior0"),
        ({"prior0": True}, "prior0"),
        ({"prior0": "0.5"}, "prior0"),
        ({"prior0": 0.5, "separation": -1.0}, "separation"),
        ({"prior0": 0.5, "separation": np.inf}, "separation"),
        ({"prior0": 0.5, "width_ratio": 0.0}, "width_ratio"),
        ({"prior0": 0.5, "width_ratio": 10.0}, "width_ratio"),
    ],
)
def test_widget_refuses_bad_settings(kwargs, name):
    _raises((TypeError, ValueError), name, render_bayes_softmax, **kwargs)


def test_covariance_quadrature_is_budgeted():
    three_d = sw.GaussianClasses(np.eye(3)[:2], [1.0, 1.0], [0.5, 0.5])
    _raises(ValueError, "nodes", sw.softmax_layer_covariance, three_d, 10, nodes=200)
