"""Bad input for every public function of cheaplib.polynomials.

Classes of bad input: NaN and infinities, wrong types (bool, str, float where an integer is
meant, None), malformed polynomials (keys that are not tuples of indices, indices out of
range, non-finite coefficients), out-of-range parameters, unknown activations and sizes
over the budget (``n = 10**6`` used to build a 7 TiB identity).  Each must raise
ValueError or TypeError whose message names the argument; none may return NaN.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import polynomials as po

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_AN_INT = st.sampled_from([True, False, 2.5, 3.0, "3", None, np.float64(4.0)])
NOT_A_REAL = st.sampled_from([True, "0.3", None, 1j, [0.3]])
TERMS = {(0, 1): 1.0, (0, 0): 0.5}
X = np.zeros((3, 8))


def _raises(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


INT_ARGS = [
    ("n", lambda v: po.polynomial_terms(v, 2)),
    ("d", lambda v: po.polynomial_terms(3, v)),
    ("n", lambda v: po.monomial_exponents(v, 2)),
    ("d", lambda v: po.monomial_exponents(3, v)),
    ("n", lambda v: po.polynomial_gate_counts(TERMS, v)),
    ("n", lambda v: po.polynomial_network(TERMS, v, 0.1)),
    ("sites", lambda v: po.phi4_chain_terms(v, 0.5, 0.25)),
    ("sites", lambda v: po.factored_phi4_network(v, 0.5, 0.25, 0.1)),
]


@pytest.mark.parametrize(("name", "call"), INT_ARGS)
@given(bad=NOT_AN_INT)
@settings(max_examples=7, deadline=None)
def test_integers_must_be_integers(name, call, bad):
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(("name", "call"), INT_ARGS)
def test_integers_out_of_range(name, call):
    _raises(lambda: call(-1), name)


REAL_ARGS = [
    ("lam", lambda v: po.polynomial_network(TERMS, 2, v)),
    ("shift", lambda v: po.polynomial_network(TERMS, 2, 0.1, shift=v)),
    ("m2", lambda v: po.phi4_chain_terms(4, v, 0.25)),
    ("g", lambda v: po.phi4_chain_terms(4, 0.5, v)),
    ("lam", lambda v: po.factored_phi4_network(4, 0.5, 0.25, v)),
    ("m2", lambda v: po.factored_phi4_network(4, v, 0.25, 0.1)),
    ("g", lambda v: po.factored_phi4_network(4, 0.5, v, 0.1)),
    ("shift", lambda v: po.factored_phi4_network(4, 0.5, 0.25, 0.1, shift=v)),
    ("m2", lambda v: po.factored_phi4_error_coefficient(X, v, 0.25)),
    ("g", lambda v: po.factored_phi4_error_coefficient(X, 0.5, v)),
]


@pytest.mark.parametrize(("name", "call"), REAL_ARGS)
@given(bad=st.one_of(NON_FINITE, NOT_A_REAL))
@settings(max_examples=8, deadline=None)
def test_reals_must_be_finite_reals(name, call, bad):
    if name == "shift" and bad is None:
        return  # shift=None asks for the default shift
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("lam", lambda: po.polynomial_network(TERMS, 2, 0.0)),
        ("lam", lambda: po.factored_phi4_network(4, 0.5, 0.25, -1.0)),
        ("g", lambda: po.factored_phi4_network(4, 0.5, 0.0, 0.1)),
        ("g", lambda: po.phi4_chain_terms(4, 0.5, 0.0)),
        ("activation", lambda: po.polynomial_network(TERMS, 2, 0.1, activation="relu")),
        ("activation", lambda: po.factored_phi4_network(4, 0.5, 0.25, 0.1, activation=3)),
        ("activation", lambda: po.factored_phi4_error_coefficient(X, 0.5, 0.25, "relu")),
        ("non-zero", lambda: po.polynomial_network(TERMS, 2, 0.1, "tanh", shift=0.0)),
        ("non-zero", lambda: po.factored_phi4_network(4, 0.5, 0.25, 0.1, "logistic", 0.0)),
        ("n", lambda: po.monomial_exponents(40, 6)),  # over a million monomials
    ],
)
def test_out_of_range_parameters(name, call):
    _raises(call, name)


@pytest.mark.parametrize(
    "terms",
    [
        {},
        {(0, 5): 1.0},
        {(0, -1): 1.0},
        {(0.0, 1): 1.0},
        {(True, 1): 1.0},
        {"01": 1.0},
        {(0, 1): math.nan},
        {(0, 1): "1"},
        {(0,) * 65: 1.0},
        [((0, 1), 1.0)],
    ],
)
def test_malformed_polynomials(terms):
    for call in (
        lambda: po.polynomial_network(terms, 2, 0.1),
        lambda: po.polynomial_gate_counts(terms, 2),
        lambda: po.polynomial_value(terms, np.zeros((2, 2))),
    ):
        _raises(call, "terms")


def test_sizes_over_the_budget():
    # the example: 10**6 variables would build np.eye(n), 7 TiB
    _raises(lambda: po.polynomial_network({(0, 1): 1.0}, 10**6, 0.1), "n")
    _raises(lambda: po.polynomial_network({(0, 1): 1.0}, 50_000, 0.1), "n")
    _raises(lambda: po.factored_phi4_network(50_000, 0.5, 0.25, 0.1), "sites")


def test_points():
    _raises(lambda: po.polynomial_value(TERMS, np.array([np.nan, 0.0])), "X")
    _raises(lambda: po.polynomial_value(TERMS, [[np.inf, 0.0]]), "X")
    _raises(lambda: po.polynomial_value(TERMS, [["a", "b"]]), "X")
    _raises(lambda: po.factored_phi4_error_coefficient([[np.nan, 0.0]], 0.5, 0.25), "X")
    _raises(lambda: po.factored_phi4_error_coefficient([[0.0]], 0.5, 0.25), "sites")


def test_valid_input_gives_finite_numbers():
    net = po.factored_phi4_network(4, 0.5, 0.25, 1e-3)
    assert np.all(np.isfinite(net(np.ones((2, 4)))))
    assert np.all(np.isfinite(po.polynomial_network(TERMS, 2, 1e-4)(np.ones((2, 2)))))


# --- the count is budgeted before it is computed; extreme gate scales --------------------


@pytest.mark.parametrize(("n", "d"), [(10**6, 10**6), (10**9, 10**9), (2 * 10**5, 2 * 10**5)])
def test_a_count_too_large_to_compute_is_refused_first(n, d):
    # math.comb(2 * 10**6, 10**6) ran past 30 s; the budget is checked from log-gamma
    _raises(lambda: po.polynomial_terms(n, d), r"n, d is too large.*bits")
    _raises(lambda: po.monomial_exponents(n, d), "n, d")


def test_counts_within_the_budget_are_exact():
    assert po.polynomial_terms(10**6, 2) == (10**6 + 2) * (10**6 + 1) // 2
    assert po.polynomial_terms(3000, 3000).bit_length() == 5994


@pytest.mark.parametrize("lam", [1e308, 1e-200, 5e-324])
def test_a_gate_scale_whose_weights_overflow_is_refused(lam):
    _raises(lambda: po.polynomial_network(TERMS, 8, lam), "lam")
    _raises(lambda: po.factored_phi4_network(4, 0.5, 0.25, lam), "lam")


def test_values_that_overflow_are_refused():
    _raises(lambda: po.polynomial_value(TERMS, np.full((1, 8), 1e200)), "X")
    _raises(lambda: po.factored_phi4_error_coefficient(np.full((1, 3), 1e100), 0.5, 0.25), "X")
