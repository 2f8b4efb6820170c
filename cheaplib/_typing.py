"""Array type aliases shared by the cheaplib modules (one name, one meaning)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["BoolArray", "FloatArray", "IntArray", "SpinArray"]

#: Real arrays: float64 everywhere in cheaplib.
FloatArray = NDArray[np.float64]
#: Integer arrays (labels, counts, indices): int64.
IntArray = NDArray[np.int64]
#: Ising spins ±1 (lattice configurations): int8.
SpinArray = NDArray[np.int8]
#: Boolean masks and bit strings.
BoolArray = NDArray[np.bool_]
