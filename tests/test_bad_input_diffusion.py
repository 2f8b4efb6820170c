"""Bad input to every public function of cheaplib.diffusion is refused, naming the argument."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib.diffusion import GaussianMixture, reverse_diffusion

MIX = GaussianMixture((0.3, 0.7), (-2.0, 1.5), (0.3, 0.4))
GOOD = {"weights": (0.3, 0.7), "means": (-2.0, 1.5), "sds": (0.3, 0.4)}


@pytest.mark.parametrize("name", ["weights", "means", "sds"])
@settings(max_examples=10, deadline=None)
@given(bad=st.sampled_from([math.nan, math.inf, -math.inf]), where=st.integers(0, 1))
def test_mixture_parameters_must_be_finite(name, bad, where):
    kw = dict(GOOD)
    vals = list(kw[name])
    vals[where] = bad
    kw[name] = tuple(vals)
    with pytest.raises(ValueError, match=name):
        GaussianMixture(**kw)


def test_mixture_parameters_out_of_range_or_mismatched():
    for kw, name in [
        ({**GOOD, "weights": (0.5, 0.6)}, "weights"),
        ({**GOOD, "weights": (1.2, -0.2)}, "weights"),
        ({**GOOD, "sds": (0.3, 0.0)}, "sds"),
        ({**GOOD, "means": (0.0,)}, "means"),
        ({**GOOD, "weights": ("a", "b")}, "weights"),
        ({**GOOD, "means": ()}, "means"),
    ]:
        with pytest.raises((ValueError, TypeError), match=name):
            GaussianMixture(**kw)


@settings(max_examples=10, deadline=None)
@given(bad=st.sampled_from([math.nan, math.inf, -1.0, True, "1"]))
def test_noised_time_is_checked(bad):
    with pytest.raises((ValueError, TypeError), match="t"):
        MIX.noised(bad)


@pytest.mark.parametrize("method", ["pdf", "score"])
def test_pdf_and_score_refuse_nonfinite_or_non_numeric_x(method):
    for bad in ([0.0, math.nan], [math.inf], ["a"]):
        with pytest.raises((ValueError, TypeError), match="x"):
            getattr(MIX, method)(bad)
    assert np.all(np.isfinite(getattr(MIX, method)(np.linspace(-50, 50, 11))))


def test_sample_checks_its_arguments():
    rng = np.random.default_rng(0)
    for bad in (0, -3, 2.5, True, "5"):
        with pytest.raises((ValueError, TypeError), match="n"):
            MIX.sample(bad, rng)
    with pytest.raises(TypeError, match="rng"):
        MIX.sample(5, 0)
    with pytest.raises(ValueError, match="n is too large"):
        MIX.sample(10**12, rng)


def test_reverse_diffusion_checks_its_arguments():
    rng = np.random.default_rng(0)
    good = {"data": MIX, "n_samples": 10, "t_max": 1.0, "n_steps": 5, "rng": rng}
    cases = [
        ("data", [None, (0.5, 0.5)]),
        ("n_samples", [0, 2.0, True, "10"]),
        ("t_max", [0.0, -1.0, math.nan, True]),
        ("n_steps", [0, 1.5, False]),
        ("rng", [0, None]),
    ]
    for name, values in cases:
        for bad in values:
            with pytest.raises((ValueError, TypeError), match=name):
                reverse_diffusion(**{**good, name: bad})
    with pytest.raises(ValueError, match="n_samples is too large"):
        reverse_diffusion(MIX, 10**8, 1.0, 10**4, rng)
