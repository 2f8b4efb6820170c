"""Bad input to the mutual-information RG of cheaplib.rsmi: clear errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cheaplib.rsmi import block_environment_joint, mutual_information_rg, optimal_block_rule

ERR = (ValueError, TypeError)
bad_reals = st.sampled_from([np.nan, np.inf, -np.inf])


@given(bad=bad_reals)
def test_non_finite_coupling(bad):
    with pytest.raises(ValueError, match="K"):
        mutual_information_rg(bad, "majority")


@pytest.mark.parametrize(
    "kw,name",
    [
        ({"rule": "kadanoff"}, "rule"),
        ({"rule": 3}, "rule"),
        ({"block": 0}, "block"),
        ({"block": 17}, "block"),
        ({"block": 2.0}, "block"),
        ({"rule": "optimal", "block": 5}, "block"),
        ({"buffer": -1}, "buffer"),
        ({"buffer": True}, "buffer"),
        ({"K": "0.5"}, "K"),
        ({"K": True}, "K"),
    ],
)
def test_mutual_information_rg_refuses_bad_arguments(kw, name):
    args = {"K": 0.5, "rule": "majority", "block": 2, "buffer": 1} | kw
    with pytest.raises(ERR, match=name):
        mutual_information_rg(**args)


def test_rsmi_helpers_refuse_bad_arguments():
    with pytest.raises(ValueError, match="block"):
        optimal_block_rule(0.5, 5, 1)
    with pytest.raises(ValueError, match="buffer"):
        block_environment_joint(0.5, 2, -3)
    assert np.isfinite(mutual_information_rg(50.0, "optimal", 4, 1000))
