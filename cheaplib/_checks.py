"""Argument checks shared by the cheaplib modules (private).

They turn a wrong type or an out-of-range value into a clear ``TypeError`` or
``ValueError`` at the boundary of a public function, instead of a NaN or a hang later.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_int", "check_rng"]


def check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    """``value`` as a Python int in ``[low, high]``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``bool`` is refused).
    ValueError
        If it lies outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def check_rng(rng: object) -> np.random.Generator:
    """``rng`` itself, after checking it is a :class:`numpy.random.Generator`.

    Raises
    ------
    TypeError
        For anything else (a seed, the legacy ``RandomState``, None): randomness in
        cheaplib always comes through an explicit, seeded generator.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng
