"""Bad input for cheaplib.claims: numbers are numbers (a bool is not), types are checked
at the door, and what the docstrings promise as a ValueError is a ValueError."""

import math

import numpy as np
import pytest

from cheaplib import claims
from cheaplib.claims import Compare, check

OK = Compare("x", 1.0, 1.0, rtol=1e-9, reason="round-off")
OFF = Compare("x", 2.0, 1.0, rtol=1e-9, reason="round-off")


@pytest.mark.parametrize("bad", [True, np.True_, np.array([True]), "1.0", 1j])
@pytest.mark.parametrize("field", ["measured", "reference", "atol", "scale"])
def test_a_bool_or_a_non_number_is_not_a_measured_value(field, bad):
    kwargs = {
        "name": "x",
        "measured": 1.0,
        "reference": 1.0,
        "rtol": 0.1,
        "reason": "r",
        field: bad,
    }
    with pytest.raises(TypeError, match=field):
        Compare(**kwargs)


@pytest.mark.parametrize("field", ["measured", "reference", "atol"])
def test_huge_ints_and_non_finite_values_are_value_errors(field):
    for bad in (10**400, math.nan, math.inf):
        kwargs = {
            "name": "x",
            "measured": 1.0,
            "reference": 1.0,
            "rtol": 0.1,
            "reason": "r",
            field: bad,
        }
        with pytest.raises(ValueError, match=field):
            Compare(**kwargs)


def test_numbers_of_other_kinds_are_accepted_as_their_float():
    from fractions import Fraction

    c = Compare("x", np.float32(1.0), Fraction(1, 1), rtol=np.int64(0))
    assert c.measured == 1.0 and c.reference == 1.0
    assert Compare("x", np.array([2.0]), 2.0, rtol=0.1, reason="r").measured == 2.0


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"reason": math.nan}, TypeError, "reason"),
        ({"digits": 2.5}, TypeError, "digits"),
        ({"digits": 0}, ValueError, "digits"),
        ({"fmt": 3}, TypeError, "fmt"),
        ({"name": 3}, TypeError, "name"),
    ],
)
def test_the_other_fields_are_checked_at_the_door(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Compare(
            **{"name": "x", "measured": 1.0, "reference": 1.0, "rtol": 0.1, "reason": "r", **kwargs}
        )


def test_an_empty_compare_is_a_value_error():
    # once an AssertionError ("not supported"): an empty list is malformed input
    with pytest.raises(ValueError, match="compare must hold at least one"):
        check("t-empty", statement="s", source="001 Sec. I", compare=[])


def test_a_slip_whose_source_value_agrees_is_a_value_error_as_documented():
    with pytest.raises(ValueError, match="nothing to correct"):
        check("t-slip", statement="s", source="001 Sec. I", compare=OK, corrected=OK)
    assert "slip" in (check.__doc__ or "") and "ValueError" in (check.__doc__ or "")


def test_a_claim_that_fails_is_still_an_assertion_error():
    with pytest.raises(AssertionError, match="not supported"):
        check("t-off", statement="s", source="001 Sec. I", compare=OFF)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: claims.verdict_status("x", [], []), TypeError, "compare"),
        (lambda: claims.verdict_status([[OK]], [], []), TypeError, "compare"),
        (lambda: claims.format_number(1.0, fmt=3), TypeError, "fmt"),
        (lambda: claims.format_number(10**400), ValueError, "value"),
        (lambda: claims.format_number(np.True_), TypeError, "value"),
        (lambda: claims.glue("k", 1.0, fmt=None), TypeError, "fmt"),
        (lambda: claims.glue("k", 10**400), ValueError, "value"),
        (lambda: claims.glue("k", math.nan), ValueError, "value"),
        (lambda: claims.Verdict("c", math.nan, "001", "", "claim", [OK]), TypeError, "statement"),
        (lambda: claims.Verdict("c", "s", "001", "", "claim", "x"), TypeError, "compare"),
        (lambda: check("t-x", statement="s", source="001", compare=OK, show=1), TypeError, "show"),
    ],
)
def test_wrong_types_fail_at_the_door_with_the_argument_named(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
