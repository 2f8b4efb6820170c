"""Argument validation shared by every public function of cheaplib.

Every check turns a wrong type or an out-of-range value into a :class:`TypeError` or a
:class:`ValueError` *that names the argument*, at the boundary of a public function,
instead of a NaN, a silent wrong number, a hang or an unbudgeted allocation later.

The rules
---------
* Integers: Python or NumPy integers only; ``bool``, floats and strings are refused.
* Reals: finite Python/NumPy reals; ``bool`` is refused; NaN and inf are refused, so a
  comparison such as ``x <= 0`` can never be silently False because ``x`` is NaN.
* Tolerances: finite and strictly positive.
* Arrays: real (or the dtype asked for), finite, of the dimension/shape asked for.
* Probability vectors: non-negative, finite, summing to 1 within ``atol`` along an axis.
* Stochastic matrices: non-negative, finite, each column (``axis=0``) or row sums to 1.
* Choices: a string from a fixed set.
* Budgets: the bytes (or elementary operations) a call would need are estimated *before*
  allocating or looping, and refused above a limit with a message naming the argument
  and the limit: :data:`MAX_BYTES` (1 GiB) and :data:`MAX_OPERATIONS` (10⁹) by default.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

__all__ = [
    "MAX_BYTES",
    "MAX_OPERATIONS",
    "check_array",
    "check_budget",
    "check_choice",
    "check_int",
    "check_probability_vector",
    "check_real",
    "check_rng",
    "check_stochastic_matrix",
    "check_tolerance",
]

#: Default memory budget of one call: 1 GiB (the machine the book targets has 24 GiB,
#: shared with a browser, a kernel and the test runner).
MAX_BYTES = 2**30
#: Default budget of elementary operations of one call (about a few seconds of NumPy).
MAX_OPERATIONS = 10**9


def check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    """``value`` as a Python int in ``[low, high]``.

    Examples
    --------
    >>> check_int("n", 3, 1)
    3
    >>> check_int("n", True, 1)
    Traceback (most recent call last):
    ...
    TypeError: n must be an integer, got bool

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


def check_rng(rng: object, name: str = "rng") -> np.random.Generator:
    """``rng`` itself, after checking it is a :class:`numpy.random.Generator`.

    Raises
    ------
    TypeError
        For anything else (a seed, the legacy ``RandomState``, None): randomness in
        cheaplib always comes through an explicit, seeded generator.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def check_real(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite Python float in the interval given by ``low`` and ``high``.

    Parameters
    ----------
    name
        The argument's name, used in the error message.
    value
        A real scalar (Python or NumPy int/float; a 0-d array is accepted).
    low, high
        Bounds, inclusive unless ``low_open`` / ``high_open``; None for unbounded.

    Examples
    --------
    >>> check_real("beta", 2, low=0, low_open=True)
    2.0
    >>> check_real("beta", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: beta must be finite, got nan

    Raises
    ------
    TypeError
        If ``value`` is not a real number (``bool``, complex and strings are refused).
    ValueError
        If it is NaN or infinite, or outside the interval.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    if low is not None and (x < low or (low_open and x == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {x}")
    if high is not None and (x > high or (high_open and x == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {x}")
    return x


def check_tolerance(name: str, value: object) -> float:
    """A tolerance: a finite real strictly greater than 0.

    Raises
    ------
    TypeError, ValueError
        As :func:`check_real`; also for 0 or a negative value.
    """
    return check_real(name, value, low=0.0, low_open=True)


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices`` (strings).

    Examples
    --------
    >>> check_choice("rule", "majority", ("decimation", "majority"))
    'majority'

    Raises
    ------
    TypeError
        If ``value`` is not a string.
    ValueError
        If it is not one of ``choices``; the message lists them.
    """
    options = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {options}, got {type(value).__name__}")
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_array(
    name: str,
    x: Any,
    *,
    ndim: int | None = None,
    shape: tuple[int | None, ...] | None = None,
    dtype: DTypeLike = float,
    finite: bool = True,
    min_size: int = 1,
) -> NDArray[Any]:
    """``x`` as a NumPy array of ``dtype``, checked for dimension, shape and finiteness.

    Parameters
    ----------
    name
        The argument's name, used in the error message.
    x
        Anything :func:`numpy.asarray` accepts; strings, objects and (for a real dtype)
        complex numbers are refused rather than coerced.
    ndim, shape
        Required dimension, or shape with ``None`` for a free axis.
    dtype
        Target dtype (default float64).
    finite
        Refuse NaN and infinities (default).
    min_size
        Minimum number of elements (default 1: empty arrays are refused).

    Examples
    --------
    >>> check_array("w", [[1, 2], [3, 4]], shape=(2, None)).shape
    (2, 2)

    Raises
    ------
    TypeError
        If ``x`` holds non-numeric values, or complex values for a real dtype.
    ValueError
        For a wrong dimension or shape, too few elements, or a non-finite entry.
    """
    raw = np.asarray(x)
    if raw.dtype.kind not in "biufc":
        raise TypeError(f"{name} must be a numeric array, got dtype {raw.dtype}")
    target = np.dtype(dtype)
    if raw.dtype.kind == "c" and target.kind != "c":
        raise TypeError(f"{name} must be real, got complex values")
    arr = raw.astype(target, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(arr.shape, shape, strict=True)
        ):
            want_text = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want_text}, got {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} element(s), got {arr.size}")
    if finite and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def check_probability_vector(
    name: str, p: Any, *, atol: float = 1e-9, axis: int = -1
) -> NDArray[np.float64]:
    """``p`` as float64 after checking it is a probability vector along ``axis``.

    Examples
    --------
    >>> check_probability_vector("p", [0.5, 0.5])
    array([0.5, 0.5])
    >>> check_probability_vector("p", [0.9, 0.9])
    Traceback (most recent call last):
    ...
    ValueError: p must sum to 1 along axis -1 (within 1e-09), got sums in [1.8, 1.8]

    Raises
    ------
    TypeError, ValueError
        As :func:`check_array`; also for a negative entry or sums off 1 by more than
        ``atol``.
    """
    atol = check_tolerance("atol", atol)
    arr = check_array(name, p)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a vector, got a scalar")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, got a minimum of {arr.min():.3g}")
    sums = arr.sum(axis=axis)
    if np.any(np.abs(sums - 1.0) > atol):
        raise ValueError(
            f"{name} must sum to 1 along axis {axis} (within {atol:g}), "
            f"got sums in [{np.min(sums):.3g}, {np.max(sums):.3g}]"
        )
    return arr


def check_stochastic_matrix(
    name: str, m: Any, *, axis: int = 0, atol: float = 1e-9
) -> NDArray[np.float64]:
    """``m`` as a 2-D float64 array whose columns (``axis=0``) or rows (``axis=1``) sum to 1.

    Examples
    --------
    >>> check_stochastic_matrix("M", [[0.9, 0.2], [0.1, 0.8]]).shape
    (2, 2)

    Raises
    ------
    TypeError, ValueError
        As :func:`check_probability_vector`, with a 2-D shape required.
    """
    arr = check_array(name, m, ndim=2)
    return check_probability_vector(name, arr, atol=atol, axis=axis)


def check_budget(name: str, amount: float, limit: float, *, unit: str = "bytes") -> None:
    """Refuse a call whose estimated cost ``amount`` exceeds ``limit``, before doing it.

    Parameters
    ----------
    name
        The argument (or arguments) that set the size, named in the message.
    amount
        The estimated cost: bytes to allocate or elementary operations to perform.
        Pass it as a Python int or float computed from the arguments (``2**n * 8``),
        which cannot overflow.
    limit
        The budget, usually :data:`MAX_BYTES` or :data:`MAX_OPERATIONS`.
    unit
        ``"bytes"`` or ``"operations"``, for the message.

    Examples
    --------
    >>> check_budget("n", 8 * 2**40, MAX_BYTES)
    Traceback (most recent call last):
    ...
    ValueError: n is too large: the call would need 8.8e+12 bytes, over the limit of 1.07e+09 bytes

    Raises
    ------
    ValueError
        If ``amount`` is over ``limit`` (or not a finite number).
    """
    if not amount <= limit:  # also catches NaN
        raise ValueError(
            f"{name} is too large: the call would need {float(amount):.3g} {unit}, "
            f"over the limit of {float(limit):.3g} {unit}"
        )
