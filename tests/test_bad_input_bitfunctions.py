"""Bad input for every public function of cheaplib.bitfunctions.

Classes of bad input: NaN and infinities, wrong types (bool, str, float where an integer is
meant, None), wrong shapes and lengths that are not 2^n, non-bits, non-distributions of
choice (unknown output), out-of-range parameters and sizes over the budget.  Each must
raise ValueError or TypeError whose message names the argument; none may return NaN.
"""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import bitfunctions as bf
from cheaplib.nets import Layer, Network

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_AN_INT = st.sampled_from([True, False, 2.5, 3.0, "3", None, np.float64(4.0)])
NOT_A_REAL = st.sampled_from([True, "0.3", None, 1j, [0.3]])
BAD_LENGTH = st.integers(3, 40).filter(lambda m: m & (m - 1) != 0)
MASKS = np.array([[1, 1, 0], [0, 1, 1]], dtype=bool)
NET = bf.bit_function_network(np.arange(8.0), 40.0)


def _raises(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


@given(bad=NOT_AN_INT)
@settings(max_examples=7, deadline=None)
def test_bit_strings_n_must_be_an_int(bad):
    _raises(lambda: bf.bit_strings(bad), "n")


@pytest.mark.parametrize("n", [-1, 27, 24])  # 24: 8 * 24 * 2^24 bytes is over the budget
def test_bit_strings_range_and_budget(n):
    _raises(lambda: bf.bit_strings(n), "n")


TABLE_FUNCS = [
    ("values", bf.bit_coefficients),
    ("coefficients", bf.bit_values),
    ("values", bf.mobius_transform_bruteforce),
    ("coefficients", bf.bit_polynomial_string),
    ("values", lambda v: bf.bit_function_network(v, 10.0)),
    ("coefficients", lambda v: bf.bit_network_error_bound(v, 10.0)),
]


@pytest.mark.parametrize(("name", "call"), TABLE_FUNCS)
@given(m=BAD_LENGTH)
@settings(max_examples=5, deadline=None)
def test_tables_must_have_length_two_to_the_n(name, call, m):
    _raises(lambda: call(np.ones(m)), name)


@pytest.mark.parametrize(("name", "call"), TABLE_FUNCS)
@given(bad=NON_FINITE, where=st.integers(0, 7))
@settings(max_examples=6, deadline=None)
def test_tables_must_be_finite(name, call, bad, where):
    v = np.ones(8)
    v[where] = bad
    _raises(lambda: call(v), name)


@pytest.mark.parametrize(("name", "call"), TABLE_FUNCS)
def test_tables_must_be_numeric(name, call):
    _raises(lambda: call(np.array(["a", "b", "c", "d"])), name)


def test_transform_axis_and_overflow():
    _raises(lambda: bf.bit_coefficients(np.ones((4, 2)), axis=2), "axis")
    _raises(lambda: bf.bit_coefficients(np.ones((4, 2)), axis=1.0), "axis")
    _raises(lambda: bf.bit_coefficients(np.full(4, 2**61, dtype=np.int64)), "values")
    _raises(lambda: bf.mobius_transform_bruteforce(np.ones(2**17)), "values")
    _raises(lambda: bf.bit_values(np.float64(1.0)), "coefficients")


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("beta", lambda v: bf.bit_function_network(np.ones(4), v)),
        ("beta", lambda v: bf.bit_network_error_bound(np.ones(4), v)),
        ("beta", lambda v: bf.monomial_network(MASKS, [1.0, 1.0], beta=v)),
        ("tol", lambda v: bf.bit_function_network(np.ones(4), 10.0, tol=v)),
        ("tol", lambda v: bf.bit_polynomial_string(np.ones(4), tol=v)),
    ],
)
@given(bad=st.one_of(NON_FINITE, NOT_A_REAL, st.sampled_from([0.0, -1.0])))
@settings(max_examples=10, deadline=None)
def test_real_parameters(name, call, bad):
    if name == "tol" and bad == 0.0:
        return  # tol = 0 is allowed (keep every non-zero term)
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(
    "call",
    [
        lambda v: bf.bit_function_network(np.ones(4), 10.0, output=v),
        lambda v: bf.monomial_network(MASKS, [1.0, 1.0], output=v),
    ],
)
@given(bad=st.sampled_from(["relu", "", 3, None]))
@settings(max_examples=4, deadline=None)
def test_unknown_output(call, bad):
    _raises(lambda: call(bad), "output")


def test_masks_coefficients_constant_and_bits():
    _raises(lambda: bf.monomial_network(np.zeros((1, 3), dtype=bool), [1.0]), "masks")
    _raises(lambda: bf.monomial_network([[2, 0]], [1.0]), "masks")
    _raises(lambda: bf.monomial_network([1, 0], [1.0]), "masks")
    _raises(lambda: bf.monomial_network(MASKS, [1.0]), "coefficients")
    _raises(lambda: bf.monomial_network(MASKS, [1.0, np.nan]), "coefficients")
    _raises(lambda: bf.monomial_network(MASKS, [1.0, 1.0], constant=np.inf), "constant")
    _raises(lambda: bf.monomial_network(MASKS, [1.0, 1.0], constant=[1.0, 2.0]), "constant")
    _raises(
        lambda: bf.monomial_network(sp.csr_array((20000, 80000), dtype=bool), np.ones(20000)),
        "masks",
    )
    X = np.array([[0, 1, 1]])
    _raises(lambda: bf.bit_polynomial_value(MASKS, [1.0, 1.0], 0.0, [[0.5, 1, 0]]), "X")
    _raises(lambda: bf.bit_polynomial_value(MASKS, [1.0, 1.0], 0.0, [[0, 1]]), "X")
    _raises(lambda: bf.bit_polynomial_value(MASKS, [1.0, 1.0], 0.0, [[np.nan, 1, 0]]), "X")
    _raises(lambda: bf.bit_polynomial_value(MASKS, [1.0], 0.0, X), "coefficients")
    _raises(lambda: bf.bit_polynomial_value(MASKS, [1.0, 1.0], np.nan, X), "constant")


def test_bit_function_network_size_range():
    _raises(lambda: bf.bit_function_network(np.ones(1), 10.0), "values")
    _raises(lambda: bf.bit_function_network(np.ones((4, 2, 2)), 10.0), "values")


def test_evaluate_bits():
    _raises(lambda: bf.evaluate_bits("net"), "net")
    big = Network((Layer(np.ones((1, 17)), np.zeros(1)), Layer(np.ones((1, 1)), np.zeros(1))))
    _raises(lambda: bf.evaluate_bits(big), "net")
    for bad in (0, -3, 2.0, True, "8"):
        _raises(lambda bad=bad: bf.evaluate_bits(NET, chunk=bad), "chunk")


def test_valid_input_gives_finite_numbers():
    for call in (
        lambda: bf.bit_coefficients(np.full(16, 1e300)),
        lambda: bf.evaluate_bits(NET),
        lambda: bf.bit_network_error_bound(np.arange(8.0), 1e3),
    ):
        assert np.all(np.isfinite(call()))
