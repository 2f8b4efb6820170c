"""Information of distributions in bits: entropy, mutual information, divergence (eq. 22).

The information-theoretic vocabulary of Sections III A-D, on finite distributions:
:func:`entropy`, :func:`mutual_information` (eq. 22) and :func:`kl_divergence`, in bits by
default, and :func:`compressed_bits` / :func:`compression_ratio` (``zlib``/``lzma``) for
the random-versus-generated argument of Sec. III B.  Joint distributions are 2-D arrays
``joint[y, x]`` of probabilities summing to one, rows the quantity to infer (:math:`y`),
columns the observation (:math:`x`).

The chapter's other modules build on this one: :mod:`cheaplib.markov` (the generative
hierarchy as a Markov chain, eqs. 15-17, and the toy cat-or-dog hierarchy) and
:mod:`cheaplib.sufficiency` (minimal sufficient statistics, Theorem 2, Corollary 2 and
information distillation, eqs. 18-21).  Entropies in nats of densities on a grid are
:mod:`cheaplib.flows`' business.
"""

from __future__ import annotations

import lzma
import zlib

import numpy as np
from numpy.typing import ArrayLike

from cheaplib._numerics import check_distribution, xlogx_ratio
from cheaplib.validation import (
    MAX_BYTES,
    check_budget,
    check_choice,
    check_real,
)

__all__ = [
    "compressed_bits",
    "compression_ratio",
    "entropy",
    "kl_divergence",
    "mutual_information",
]

# --- validation helpers ------------------------------------------------------------------


def _base(base: object) -> float:
    b = check_real("base", base, 0.0, low_open=True)
    if b == 1.0:
        raise ValueError("base must be positive and not 1, got 1")
    return b


# --- entropy, mutual information, divergence (eq. 22) ---------------------------------------


def entropy(p: ArrayLike, base: float = 2) -> float:
    """Shannon entropy :math:`H = -\\sum p \\log p` of a distribution.

    Parameters
    ----------
    p : array_like
        Probabilities of any shape (a joint distribution gives the joint entropy), non-negative
        and summing to 1 (within ``SUM_TOL`` = 1e-9 of :mod:`cheaplib._numerics`).
    base : float, optional
        Base of the logarithm, by default 2 (bits).

    Returns
    -------
    float
        The entropy, with :math:`0 \\log 0 = 0`.

    Raises
    ------
    ValueError
        If ``p`` has a negative entry, does not sum to 1, or ``base`` is invalid.

    Examples
    --------
    >>> entropy([0.5, 0.25, 0.25])
    1.5
    """
    arr = check_distribution("p", p)
    b = _base(base)
    pos = arr[arr > 0]
    return float(max(0.0, -(pos * np.log(pos)).sum() / np.log(b)))


def mutual_information(joint: ArrayLike, base: float = 2) -> float:
    """Mutual information of a joint distribution (eq. 22).

    .. math:: I(x, y) = \\sum_{x,y} p(x,y) \\log \\frac{p(x,y)}{p(x) p(y)}

    Parameters
    ----------
    joint : array_like
        2-D array ``joint[y, x]`` of probabilities summing to 1.
    base : float, optional
        Base of the logarithm, by default 2 (bits).

    Returns
    -------
    float
        :math:`I \\ge 0`; round-off below zero is clipped to 0.

    Raises
    ------
    ValueError
        If ``joint`` is not 2-D, has a negative entry or does not sum to 1.

    Examples
    --------
    >>> mutual_information([[0.5, 0.0], [0.0, 0.5]])  # one bit, perfectly shared
    1.0
    >>> mutual_information([[0.25, 0.25], [0.25, 0.25]])  # independent
    0.0
    """
    pj = check_distribution("joint", joint, 2)
    b = _base(base)
    outer = pj.sum(axis=1, keepdims=True) * pj.sum(axis=0, keepdims=True)
    return float(max(0.0, xlogx_ratio(pj, outer).sum() / np.log(b)))


def kl_divergence(p: ArrayLike, q: ArrayLike, base: float = 2) -> float:
    """Kullback-Leibler divergence :math:`D(p\\|q) = \\sum p \\log(p/q)`.

    In the dictionary of Table I this is the free-energy difference.

    Parameters
    ----------
    p, q : array_like
        Distributions of the same shape.
    base : float, optional
        Base of the logarithm, by default 2.

    Returns
    -------
    float
        :math:`D \\ge 0`; ``inf`` if ``q`` vanishes somewhere ``p`` does not.

    Raises
    ------
    ValueError
        If the shapes differ or either argument is not a distribution.

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [0.25, 0.75]) > 0
    True
    >>> kl_divergence([0.5, 0.5], [0.9, 0.9])
    Traceback (most recent call last):
    ...
    ValueError: q must sum to 1 (a distribution), sums to 1.8
    """
    pa, qa = check_distribution("p", p), check_distribution("q", q)
    if pa.shape != qa.shape:
        raise ValueError(f"p and q have different shapes: {pa.shape} and {qa.shape}")
    b = _base(base)
    if np.any((pa > 0) & (qa == 0)):
        return float("inf")
    return float(max(0.0, xlogx_ratio(pa, qa).sum() / np.log(b)))


# --- compression (Sec. III B) ----------------------------------------------------------------


def _as_bytes(data: bytes | ArrayLike) -> tuple[bytes, int]:
    if isinstance(data, bytes | bytearray):
        if len(data) == 0:
            raise ValueError("data must not be empty")
        check_budget("data", 4.0 * len(data), MAX_BYTES)
        return bytes(data), 8 * len(data)
    arr = np.asarray(data)
    if arr.dtype.kind not in "biu":
        raise TypeError(f"data must be bytes or an array of bits (0 or 1), got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("data must be bytes or a non-empty 1-D array of bits")
    if np.any((arr != 0) & (arr != 1)):
        raise ValueError("data must hold bits (0 or 1)")
    check_budget("data", arr.size / 2.0, MAX_BYTES)
    return np.packbits(arr.astype(np.uint8)).tobytes(), int(arr.size)


def compressed_bits(data: bytes | ArrayLike, method: str = "lzma") -> int:
    """Length in bits of ``data`` after lossless compression.

    Parameters
    ----------
    data : bytes or array_like of bits
        Raw bytes, or a 1-D array of 0/1 packed 8 to a byte.
    method : {"lzma", "zlib"}
        ``lzma`` (xz format, the default preset 6) or ``zlib`` (level 9), both from the
        standard library.

    Returns
    -------
    int
        Compressed length in bits, container headers included.

    Examples
    --------
    >>> compressed_bits(np.zeros(80_000, dtype=int), "zlib") < 1_000
    True
    """
    method = check_choice("method", method, ("lzma", "zlib"))
    raw, _ = _as_bytes(data)
    if method == "lzma":
        return 8 * len(lzma.compress(raw, preset=6))
    return 8 * len(zlib.compress(raw, 9))


def compression_ratio(data: bytes | ArrayLike, method: str = "lzma") -> float:
    """Compressed length over raw length (in bits); about 1 or above for random data.

    See :func:`compressed_bits`.
    """
    _, n_bits = _as_bytes(data)
    return compressed_bits(data, method) / n_bits
