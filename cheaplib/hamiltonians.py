"""Hamiltonians and the networks that compute them (Sections II B-D).

In the paper's language a class-conditional density is written as a Boltzmann factor,
:math:`p(x|y) = e^{-H_y(x)}` (eq. 4), and the prior as :math:`p(y) = e^{-\\mu_y}` (eq. 5
with the normalisation absorbed); Bayes' theorem then becomes a softmax (eqs. 6-8).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["softmax_posterior"]


def softmax_posterior(H: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """Posterior :math:`p(y|x) = \\mathrm{softmax}(-H_y(x) - \\mu_y)` over classes (eq. 8).

    Parameters
    ----------
    H : array_like
        Hamiltonians :math:`H_y(x) = -\\ln p(x|y)`, shape ``(..., n_classes)`` (the class
        index is the last axis; leading axes are data points).
    mu : array_like
        Self-informations of the priors, :math:`\\mu_y = -\\ln p(y)`, shape
        ``(n_classes,)``; any common additive constant cancels.

    Returns
    -------
    numpy.ndarray
        Probabilities of the same shape as ``H``, summing to 1 over the last axis.  The
        maximum is subtracted before exponentiating, so energies of order 1e3 do not
        overflow.

    Raises
    ------
    ValueError
        If the shapes do not match or an entry is not finite.
    """
    H = np.asarray(H, dtype=float)
    mu = np.asarray(mu, dtype=float)
    if H.ndim < 1 or mu.ndim != 1 or H.shape[-1] != mu.shape[0]:
        raise ValueError(
            f"H must have shape (..., n_classes) and mu (n_classes,); got {H.shape}, {mu.shape}"
        )
    if not (np.all(np.isfinite(H)) and np.all(np.isfinite(mu))):
        raise ValueError("H and mu must be finite")
    z = -H - mu
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: NDArray[np.float64] = e / e.sum(axis=-1, keepdims=True)
    return out
