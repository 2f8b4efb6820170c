"""Bad input for cheaplib.validation itself: the root every other check goes through.

Integer dtypes never truncate or invent values, Python ints too large for a float give a
ValueError (not an OverflowError), budgets are checked from the arguments before any
allocation, and objects of the wrong class are refused with the argument named.
"""

import math

import numpy as np
import pytest

from cheaplib import validation as va


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([0.0, 0.5], "non-integral value 0.5"),
        ([np.nan], "finite"),
        ([np.inf, 1.0], "finite"),
        ([2.0**64], "fit dtype int64"),
        (np.array([2**64 - 1], dtype=np.uint64), "fit dtype int64"),
    ],
)
def test_an_integer_dtype_refuses_what_it_would_truncate_or_invent(values, match):
    # 0.5 was cast to 0 and NaN to INT64_MIN
    with pytest.raises(ValueError, match=match):
        va.check_array("labels", values, dtype=np.int64)


def test_an_integer_dtype_keeps_integral_values():
    out = va.check_array("labels", [0.0, 3.0, -2.0], dtype=np.int64)
    assert out.dtype == np.int64 and out.tolist() == [0, 3, -2]
    assert va.check_array("labels", [True, False], dtype=np.int64).tolist() == [1, 0]


@pytest.mark.parametrize("huge", [10**400, -(10**400), 2**1024])
def test_huge_python_ints_give_a_value_error_naming_the_argument(huge):
    # float(10**400) raised OverflowError inside check_real and check_budget
    with pytest.raises(ValueError, match="beta"):
        va.check_real("beta", huge)
    with pytest.raises(ValueError, match="beta"):
        va.check_tolerance("beta", huge)
    with pytest.raises(ValueError, match="n is too large"):
        va.check_budget("n", abs(huge), va.MAX_BYTES)
    with pytest.raises(ValueError, match="n must be"):
        va.check_int("n", huge, 0)
    with pytest.raises(ValueError, match="axis"):
        va.check_probability_vector("p", [0.5, 0.5], axis=huge)


def test_int64_is_the_default_ceiling_and_math_inf_lifts_it():
    assert va.check_int("n", 2**63 - 1, 0) == 2**63 - 1
    with pytest.raises(ValueError, match="64-bit"):
        va.check_int("n", 2**63, 0)
    assert va.check_int("exponent", 10**400, 0, math.inf) == 10**400
    with pytest.raises(TypeError, match="bounds of n"):
        va.check_int("n", 3, 0, np.True_)  # type: ignore[arg-type]


def test_a_ragged_or_huge_nested_array_is_a_clear_error():
    with pytest.raises(ValueError, match="regular numeric array"):
        va.check_array("x", [[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="numeric"):
        va.check_array("x", [10**400])


def test_check_size_budgets_before_allocating():
    assert va.check_size("n", 1000) == 1000
    with pytest.raises(ValueError, match=r"n is too large.*bytes"):
        va.check_size("n", 10**9, bytes_per_item=32)
    with pytest.raises(TypeError, match="n"):
        va.check_size("n", 1e3)


def test_log2_binomial_estimates_the_bits_of_any_size():
    assert va.log2_binomial(10, 3) == pytest.approx(math.log2(120))
    assert va.log2_binomial(10**400, 1) == pytest.approx(400 * math.log2(10))
    assert va.log2_binomial(3, 5) == 0.0
    with pytest.raises(TypeError, match="n"):
        va.log2_binomial(math.nan, 1)  # type: ignore[arg-type]


def test_check_instance_names_the_argument_and_refuses_bools():
    with pytest.raises(TypeError, match="fig must be a Figure-like, got str"):
        va.check_instance("fig", "x", int, "a Figure-like")
    with pytest.raises(TypeError, match="n must be an int"):
        va.check_instance("n", True, int)
    assert va.check_instance("flag", True, bool) is True


def test_results_that_leave_float64_are_refused_by_name():
    with pytest.raises(ValueError, match="K out of range"):
        va.check_finite_result((np.ones(2), np.array([np.nan])), "K")
    with pytest.raises(ValueError, match="lam out of range"):
        with va.refuse_overflow("lam"):
            _ = 1e308**2
    with pytest.raises(ValueError, match="lam out of range"):
        with va.refuse_overflow("lam"):
            _ = 1.0 / (1e-200**2)
