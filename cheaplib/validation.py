"""Argument validation shared by every public function of cheaplib.

Every check turns a wrong type or an out-of-range value into a :class:`TypeError` or a
:class:`ValueError` *that names the argument*, at the boundary of a public function,
instead of a NaN, a silent wrong number, a hang or an unbudgeted allocation later.

The rules
---------
* Integers: Python or NumPy integers only; ``bool``, floats and strings are refused.
  A size that sets an allocation goes through :func:`check_size`, which also budgets it.
* Reals: finite Python/NumPy reals; ``bool`` (also ``numpy.bool_``) is refused; NaN and
  inf are refused, so a comparison such as ``x <= 0`` can never be silently False because
  ``x`` is NaN; a Python int too large for a float (``10**400``) is a ValueError, not an
  OverflowError.
* Tolerances: finite and strictly positive.
* Arrays: real (or the dtype asked for), finite, of the dimension/shape asked for. An
  integer dtype refuses non-integral, non-finite and out-of-range values instead of
  casting them (0.5 is not 0, NaN is not ``INT64_MIN``).
* Types: an object of a class the function needs (a figure, an axes, a model) is checked
  at the door by :func:`check_instance`, not by an AttributeError deep inside.
* Results: a computation that overflows float64 for extreme finite inputs is refused by
  :func:`check_finite_result` (NumPy's inf and NaN) or inside :func:`refuse_overflow`
  (Python's OverflowError and ZeroDivisionError), naming the inputs, instead of returning
  NaN or inf or failing with an arithmetic error.
* Probability vectors: non-negative, finite, summing to 1 within ``atol`` along an axis.
* Stochastic matrices: non-negative, finite, each column (``axis=0``) or row sums to 1.
* Choices: a string from a fixed set.
* Budgets: the bytes (or elementary operations) a call would need are estimated *before*
  allocating or looping, and refused above a limit with a message naming the argument
  and the limit: :data:`MAX_BYTES` (1 GiB) and :data:`MAX_OPERATIONS` (10⁹) by default.
  An exact integer result is budgeted by its size in bits (:data:`MAX_INTEGER_BITS`,
  estimated by :func:`log2_binomial` for a binomial coefficient).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

__all__ = [
    "MAX_BYTES",
    "MAX_INTEGER_BITS",
    "MAX_INT",
    "MAX_OPERATIONS",
    "check_array",
    "check_budget",
    "check_choice",
    "check_finite_result",
    "check_instance",
    "check_int",
    "check_probability_vector",
    "check_real",
    "check_rng",
    "check_size",
    "check_stochastic_matrix",
    "check_tolerance",
    "log2_binomial",
    "refuse_overflow",
]

#: Default memory budget of one call: 1 GiB (the machine the book targets has 24 GiB,
#: shared with a browser, a kernel and the test runner).
MAX_BYTES = 2**30
#: Default budget of elementary operations of one call (about a few seconds of NumPy).
MAX_OPERATIONS = 10**9
#: Largest integer argument unless a function says otherwise: NumPy's int64.
MAX_INT = 2**63 - 1
#: Largest exact integer result, in bits (about 20,000 decimal digits: computed in
#: milliseconds; ``math.comb`` of a 2-million-bit result takes about 30 s).
MAX_INTEGER_BITS = 2**16


def _magnitude(amount: float) -> str:
    """``amount`` in ``%.3g`` form, also for a Python int too large for a float."""
    try:
        return f"{float(amount):.3g}"
    except OverflowError:
        return f"~1e+{len(str(abs(int(amount)))) - 1}"


def _to_float(name: str, value: Any) -> float:
    """``float(value)``, with an overflowing integer turned into a ValueError naming ``name``."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError(
            f"{name} must be finite (within float64), got an integer of {_magnitude(value)}"
        ) from None


def check_int(name: str, value: object, low: int, high: float | None = None) -> int:
    """``value`` as a Python int in ``[low, high]``.

    ``high=None`` means :data:`MAX_INT` (``2**63 - 1``): every count, size or index
    cheaplib takes must fit NumPy's int64, so ``10**400`` is refused here instead of
    overflowing a float or a C long later. A function that computes with exact integers
    of any size passes its own, larger ``high`` (``math.inf``: no bound).

    Examples
    --------
    >>> check_int("n", 3, 1)
    3
    >>> check_int("n", True, 1)
    Traceback (most recent call last):
    ...
    TypeError: n must be an integer, got bool
    >>> check_int("n", 10**400, 1)
    Traceback (most recent call last):
    ...
    ValueError: n must be >= 1 and fit a 64-bit integer (<= 2**63 - 1), got ~1e+400

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``bool`` is refused).
    ValueError
        If it lies outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    for bound in (low, high):
        if isinstance(bound, bool | np.bool_) or not (
            bound is None or isinstance(bound, int | np.integer) or bound == math.inf
        ):
            raise TypeError(f"the bounds of {name} must be integers (or math.inf), got {bound!r}")
    value = int(value)
    if value < low or value > (MAX_INT if high is None else high):
        if high is None:
            allowed = f">= {low} and fit a 64-bit integer (<= 2**63 - 1)"
        else:
            allowed = f"in [{low}, {_magnitude(high) if high > 10**30 else high}]"
        shown = _magnitude(value) if abs(int(value)) > 10**30 else str(value)
        raise ValueError(f"{name} must be {allowed}, got {shown}")
    return int(value)


def check_size(
    name: str,
    value: object,
    low: int = 1,
    *,
    bytes_per_item: float = 8,
    limit: float = MAX_BYTES,
) -> int:
    """A size (a number of sites, nodes, rows ...) that sets an allocation, budgeted first.

    :func:`check_int` with ``low``, then :func:`check_budget` of
    ``value * bytes_per_item`` bytes against ``limit``, so that ``n = 10**9`` is refused
    with a message instead of allocating gigabytes.

    Examples
    --------
    >>> check_size("n", 100)
    100
    >>> check_size("n", 10**9, bytes_per_item=16)
    Traceback (most recent call last):
    ...
    ValueError: n is too large: the call would need 1.6e+10 bytes, over the limit of 1.07e+09 bytes

    Raises
    ------
    TypeError, ValueError
        As :func:`check_int`; also when the allocation would exceed ``limit``.
    """
    n = check_int(name, value, low)
    check_budget(name, n * bytes_per_item, limit)
    return n


def check_instance(name: str, value: object, types: type | tuple[type, ...], what: str = "") -> Any:
    """``value`` itself, after checking it is an instance of ``types``.

    Parameters
    ----------
    name
        The argument's name, used in the message.
    value
        The object to check.
    types
        A class or a tuple of classes.
    what
        How to describe the expected type (default: the class names).

    Examples
    --------
    >>> check_instance("label", 3, str)
    Traceback (most recent call last):
    ...
    TypeError: label must be a str, got int

    Raises
    ------
    TypeError
        If ``value`` is not an instance of ``types`` (``bool`` is never taken for an int).
    """
    classes = types if isinstance(types, tuple) else (types,)
    if (isinstance(value, bool | np.bool_) and bool not in classes) or not isinstance(
        value, classes
    ):
        if not what:
            what = " or ".join(c.__name__ for c in classes)
            what = ("an " if what[0] in "aeiou" else "a ") + what
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


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
    x = _to_float(name, value)
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
        Target dtype (default float64). For an integer dtype, float values must be finite
        and integral, and every value must fit the dtype; nothing is truncated or wrapped.
    finite
        Refuse NaN and infinities (default).
    min_size
        Minimum number of elements (default 1: empty arrays are refused).

    Examples
    --------
    >>> check_array("w", [[1, 2], [3, 4]], shape=(2, None)).shape
    (2, 2)
    >>> check_array("labels", [0.0, 0.5], dtype=np.int64)
    Traceback (most recent call last):
    ...
    ValueError: labels must hold integers for dtype int64, got a non-integral value 0.5

    Raises
    ------
    TypeError
        If ``x`` holds non-numeric values, or complex values for a real dtype.
    ValueError
        For a wrong dimension or shape, too few elements, or a non-finite entry; for an
        integer dtype, a non-integral, non-finite or out-of-range value.
    """
    try:
        raw = np.asarray(x)
    except (ValueError, OverflowError) as exc:  # ragged nesting, an int beyond int64
        raise ValueError(f"{name} must be a regular numeric array: {exc}") from None
    if raw.dtype.kind not in "biufc":
        raise TypeError(f"{name} must be a numeric array, got dtype {raw.dtype}")
    target = np.dtype(dtype)
    if raw.dtype.kind == "c" and target.kind != "c":
        raise TypeError(f"{name} must be real, got complex values")
    if target.kind in "iu" and raw.dtype.kind in "iuf" and raw.size:
        _check_integral(name, raw, target)
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


def _check_integral(name: str, raw: NDArray[Any], target: np.dtype[Any]) -> None:
    """Refuse values an integer ``target`` dtype would truncate, wrap or make up."""
    if raw.dtype.kind == "f":
        if not np.all(np.isfinite(raw)):
            raise ValueError(f"{name} must be finite (no NaN or inf) for dtype {target}")
        off = raw[raw != np.round(raw)]
        if off.size:
            raise ValueError(
                f"{name} must hold integers for dtype {target}, got a non-integral value "
                f"{off.flat[0]:.6g}"
            )
    info = np.iinfo(target)
    lo, hi = raw.min(), raw.max()
    # compare as Python numbers: exact for integers, no wrap-around between int kinds
    lo_v = int(lo) if raw.dtype.kind in "iu" else float(lo)
    hi_v = int(hi) if raw.dtype.kind in "iu" else float(hi)
    if lo_v < info.min or hi_v > info.max:
        raise ValueError(
            f"{name} must fit dtype {target} ([{info.min}, {info.max}]), got values in "
            f"[{lo_v:.6g}, {hi_v:.6g}]"
        )


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
    axis = check_int("axis", axis, -arr.ndim, arr.ndim - 1)
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
            f"{name} is too large: the call would need {_magnitude(amount)} {unit}, "
            f"over the limit of {_magnitude(limit)} {unit}"
        )


def log2_binomial(n: int, k: int) -> float:
    """:math:`\\log_2 \\binom{n}{k}` from log-gamma, in O(1): the bits of the exact value.

    A cost estimate for :func:`check_budget` (``unit="bits"``) before an exact
    :func:`math.comb`, whose time grows with the size of its result.

    Examples
    --------
    >>> round(log2_binomial(4, 2), 6) == round(math.log2(6), 6)
    True
    >>> log2_binomial(3, 5)
    0.0
    >>> round(log2_binomial(10**400, 1))  # the bits of 10**400
    1329

    Parameters
    ----------
    n, k
        Python or NumPy integers >= 0, of any size.

    Raises
    ------
    TypeError, ValueError
        As :func:`check_int`.
    """
    n, k = check_int("n", n, 0, math.inf), check_int("k", k, 0, math.inf)
    if k > n:
        return 0.0
    m = min(k, n - k)
    if m == 0:
        return 0.0
    if n < 2**1000:
        return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(2)
    if m > 2**1000:  # beyond any float: infinitely over every budget
        return math.inf
    # n beyond floats (math.log2 takes any int): C(n, m) ~ n^m / m! for n >> m
    return m * math.log2(n) - math.lgamma(m + 1) / math.log(2)


def check_finite_result(value: Any, inputs: str) -> Any:
    """``value`` itself, after checking the computation did not overflow to NaN or inf.

    For a formula that is exact for moderate inputs but overflows float64 for extreme
    finite ones (an exponential of 1e308, a square of 1e200), the call is refused with a
    message naming the inputs rather than returning NaN or inf silently.

    Parameters
    ----------
    value
        A float, an array (or a tuple/list of them) just computed.
    inputs
        The argument(s) whose size caused it, named in the message.

    Examples
    --------
    >>> check_finite_result(np.array([1.0, np.inf]), "K")
    Traceback (most recent call last):
    ...
    ValueError: K out of range: the result leaves float64 (NaN or inf)

    Raises
    ------
    ValueError
        If any entry is NaN or infinite.
    """
    items = value if isinstance(value, tuple | list) else (value,)
    for item in items:
        arr = np.asarray(item)
        if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
            raise ValueError(f"{inputs} out of range: the result leaves float64 (NaN or inf)")
    return value


@contextmanager
def refuse_overflow(inputs: str) -> Iterator[None]:
    """Turn Python float overflow inside the block into a ValueError naming ``inputs``.

    Python's float arithmetic raises :class:`OverflowError` (``1e308 ** 2``) or
    :class:`ZeroDivisionError` (``1 / 1e-200 ** 2``, the square underflowing to 0) where
    NumPy would give inf; for a formula that is exact in a moderate range, both mean the
    inputs are out of that range.  The block runs unchanged otherwise.

    Examples
    --------
    >>> with refuse_overflow("lam"):
    ...     w = 1.0 / (4.0 * 1e-200**2)
    Traceback (most recent call last):
    ...
    ValueError: lam out of range: the formula overflows float64 (float division by zero)

    Raises
    ------
    ValueError
        If the block raises OverflowError or ZeroDivisionError.
    """
    try:
        yield
    except (OverflowError, ZeroDivisionError) as exc:
        detail = exc.args[-1] if exc.args else type(exc).__name__
        raise ValueError(
            f"{inputs} out of range: the formula overflows float64 ({detail})"
        ) from None
