"""cheaplib.diffusion: a diffusion model with the exact score."""

import numpy as np
import pytest
from scipy.stats import norm

from cheaplib.diffusion import (
    GaussianMixture,
    reverse_diffusion,
)
from cheaplib.flows import (
    grid_weights,
)

X = np.linspace(-6.0, 6.0, 241)
W = grid_weights(X)


def gauss(x, m, s):
    return norm.pdf(x, m, s)


def test_diffusion_model_recovers_the_bumps():
    mix = GaussianMixture((0.3, 0.7), (-2.0, 1.5), (0.3, 0.4))
    assert grid_weights(X) @ mix.pdf(X) == pytest.approx(1.0, abs=1e-10)
    eps = 1e-6
    fd = (np.log(mix.pdf(X + eps)) - np.log(mix.pdf(X - eps))) / (2 * eps)
    np.testing.assert_allclose(mix.score(X), fd, atol=1e-5)
    far = mix.noised(8.0)
    np.testing.assert_allclose(far.pdf(X), gauss(X, 0, 1), atol=1e-3)
    t, Y = reverse_diffusion(mix, 4000, 4.0, 200, np.random.default_rng(6))
    assert t[0] == 4.0 and t[-1] == pytest.approx(0.0, abs=1e-12)
    assert abs(np.mean(Y[-1] < 0) - 0.3) < 0.03
    assert abs(np.mean(Y[-1][Y[-1] > 0]) - 1.5) < 0.05
