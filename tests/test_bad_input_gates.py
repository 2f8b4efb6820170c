"""Bad input for cheaplib.gates: every refusal is a ValueError/TypeError naming its argument."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import gates

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_REAL = st.sampled_from(["1", None, True, [1.0], 1j])
NOT_INT = st.sampled_from([2.0, "2", None, True, np.float64(3.0)])

# (function, keyword arguments that are valid, the integer argument, the real argument)
BUILDERS = [
    (gates.product_gate, {"lam": 0.1}, None, "lam"),
    (gates.bit_product_gate, {"k": 3, "beta": 10.0}, "k", "beta"),
    (gates.shallow_product_network, {"n": 3, "lam": 0.1}, "n", "lam"),
    (gates.deep_product_network, {"n": 4, "lam": 0.1}, "n", "lam"),
    (gates.shallow_product_approximation, {"n": 2, "eps": 0.1}, "n", "eps"),
    (gates.grouped_product_network, {"n": 9, "group": 3, "lam": 0.1}, "n", "lam"),
    (gates.bit_product_error, {"k": 3, "beta": 10.0}, "k", "beta"),
    (gates.vanishing_orders, {"activation": "tanh", "k_max": 4}, "k_max", "at"),
    (gates.derivative_zero, {"activation": "silu", "order": 1}, "order", None),
    (gates.generic_shift, {"activation": "tanh", "n": 3}, "n", None),
    (gates.gate_error_constant, {"activation": "softplus"}, None, "shift"),
]


@pytest.mark.parametrize(("fn", "kw", "int_arg", "real_arg"), BUILDERS)
@given(bad=NON_FINITE)
@settings(max_examples=5, deadline=None)
def test_non_finite_reals_are_refused(fn, kw, int_arg, real_arg, bad):
    if real_arg is None:
        return
    with pytest.raises(ValueError, match=real_arg):
        fn(**{**kw, real_arg: bad})


@pytest.mark.parametrize(("fn", "kw", "int_arg", "real_arg"), BUILDERS)
@given(bad=NOT_REAL)
@settings(max_examples=8, deadline=None)
def test_non_real_reals_are_refused(fn, kw, int_arg, real_arg, bad):
    if real_arg is None:
        return
    with pytest.raises(TypeError, match=real_arg):
        fn(**{**kw, real_arg: bad})


@pytest.mark.parametrize(("fn", "kw", "int_arg", "real_arg"), BUILDERS)
@given(bad=NOT_INT)
@settings(max_examples=8, deadline=None)
def test_non_integers_are_refused(fn, kw, int_arg, real_arg, bad):
    if int_arg is None:
        return
    with pytest.raises(TypeError, match=int_arg):
        fn(**{**kw, int_arg: bad})


BAD_INTS = {  # below the range, above it, or over the memory/neuron budget
    "k": [0, -5, 10**9],
    "n": [0, -3, 10**4, 10**12],
    "k_max": [-1, 41, 10**9],
    "order": [-1, 21],
}


@pytest.mark.parametrize(("fn", "kw", "int_arg", "real_arg"), BUILDERS)
def test_integers_out_of_range_or_over_budget_are_refused(fn, kw, int_arg, real_arg):
    if int_arg is None:
        return
    for bad in BAD_INTS[int_arg]:
        if fn is gates.bit_product_error and bad == 10**9:
            bad = 21
        if fn is gates.generic_shift and bad == 0:
            continue  # n = 0 is a valid (empty) product for generic_shift
        with pytest.raises(ValueError, match=int_arg):
            fn(**{**kw, int_arg: bad})


def test_bit_product_gate_of_a_billion_bits_is_refused_before_allocating():
    with pytest.raises(ValueError, match="k is too large"):
        gates.bit_product_gate(10**9, 10.0)


@pytest.mark.parametrize(
    ("fn", "kw", "arg"),
    [
        (gates.product_gate, {"lam": -1.0}, "lam"),
        (gates.bit_product_gate, {"k": 2, "beta": 0.0}, "beta"),
        (gates.shallow_product_network, {"n": 3, "lam": 0.0}, "lam"),
        (gates.deep_product_network, {"n": 3, "lam": -0.5}, "lam"),
        (gates.shallow_product_approximation, {"n": 2, "eps": 0.0}, "eps"),
        (gates.shallow_product_approximation, {"n": 2, "eps": 2.0}, "eps"),
        (gates.shallow_monomial_approximation, {"r": (2,), "eps": 0.0}, "eps"),
        (gates.shallow_monomial_approximation, {"r": (0,), "eps": 0.1}, "r"),
        (gates.shallow_monomial_approximation, {"r": (20, 20, 20), "eps": 0.1}, "r"),
        (gates.beta_for_decimals, {"D": -1.0}, "D"),
        (gates.grouped_product_network, {"n": 9, "group": 1, "lam": 0.1}, "group"),
        (gates.fourth_order_shift, {"activation": "softplus", "low": 1.0, "high": 0.0}, "low"),
    ],
)
def test_out_of_range_values_name_their_argument(fn, kw, arg):
    with pytest.raises(ValueError, match=arg):
        fn(**kw)


@pytest.mark.parametrize(
    "fn",
    [
        lambda act: gates.product_gate(0.1, act, shift=1.0),
        lambda act: gates.shallow_product_network(2, 0.1, act),
        lambda act: gates.shallow_product_approximation(2, 0.1, act),
        lambda act: gates.vanishing_orders(act, 3),
        lambda act: gates.derivative_zero(act, 1),
    ],
)
@pytest.mark.parametrize(("act", "exc"), [("relu", ValueError), (3, TypeError), (None, TypeError)])
def test_unknown_activations_are_refused(fn, act, exc):
    with pytest.raises(exc, match="activation"):
        fn(act)


def test_other_types():
    with pytest.raises(TypeError, match="rounding"):
        gates.beta_for_decimals(3.0, rounding="yes")
    with pytest.raises(TypeError, match="r must be a tuple"):
        gates.shallow_monomial_approximation(2, 0.1)
    with pytest.raises(ValueError, match="overflow"):
        gates.shallow_product_approximation(16, 1e-300)


# --- extreme finite values: refused with the argument named, never inf or OverflowError -


@pytest.mark.parametrize("D", [1e308, 5e307])
def test_beta_for_decimals_beyond_float64_is_refused(D):
    with pytest.raises(ValueError, match="D"):
        gates.beta_for_decimals(D)


@pytest.mark.parametrize("D", [5e-324, 1e-20])
def test_beta_for_a_vanishing_number_of_decimals_is_finite(D):
    assert math.isfinite(gates.beta_for_decimals(D))
    assert math.isfinite(gates.beta_for_decimals(D, rounding=True))


@pytest.mark.parametrize("lam", [1e308, 1e-200, 5e-324])
@pytest.mark.parametrize(
    "build",
    [
        lambda lam: gates.product_gate(lam),
        lambda lam: gates.shallow_product_network(3, lam),
        lambda lam: gates.deep_product_network(4, lam),
        lambda lam: gates.grouped_product_network(4, 2, lam),
    ],
)
def test_a_scale_whose_weights_overflow_is_refused(build, lam):
    with pytest.raises(ValueError, match="lam"):
        build(lam)
