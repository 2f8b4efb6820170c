"""The swindle: counting functions and parameters, and Bayes' theorem as a softmax (Sec. I, II A-B).

Two halves.

*Counting* (Sec. I A and II C).  A function of ``n`` inputs with ``v`` values each is a table
of :math:`v^n` numbers; a megapixel image (:math:`n = 10^6`, :math:`v = 256`) already has
:math:`256^{10^6}` possible values, and there are :math:`2^{2^n}` Boolean functions of ``n``
bits.  The "combinatorial swindle" replaces the :math:`v^n` entries by about :math:`v n`
parameters.  :func:`decimal_digits`, :func:`boolean_function_bits`,
:func:`atoms_threshold`, :func:`parameter_counts` and :func:`onehot_design` do these
counts exactly (Python integers, integer bounds instead of rounded logarithms).

*Bayes as a softmax* (eqs. 1-8).  With :math:`H_y(x) = -\\ln p(x|y)` and
:math:`\\mu_y = -\\ln p(y)` (eq. 2), Bayes' theorem (eq. 1) becomes
:math:`p(y|x) = \\mathrm{softmax}(-H(x) - \\mu)` (eq. 8).  :class:`GaussianClasses` is a
classification problem whose class-conditional densities are known (isotropic Gaussian
classes), so the exact posterior is available independently of the softmax;
:func:`fit_softmax_layer` trains scikit-learn's
:class:`~sklearn.linear_model.LogisticRegression` (an unpenalised multinomial softmax
layer) on features :math:`(x, |x|^2)` that make :math:`-H_y(x)` linear, and returns the
fitted layer as a :class:`cheaplib.nets.Network` whose bias can be compared with
:math:`-\\mu`; :func:`softmax_layer_covariance` predicts the sampling error of that fit
from the Fisher information (it falls like :math:`N^{-1/2}`).  For two classes on a line,
:func:`decision_boundaries` and :func:`bayes_error_rate` are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from cheaplib._typing import FloatArray, IntArray
from cheaplib.nets import Layer, Network, softmax_posterior
from cheaplib.validation import (
    MAX_BYTES,
    check_array,
    check_budget,
    check_finite_result,
    check_probability_vector,
)
from cheaplib.validation import check_int as _int
from cheaplib.validation import check_rng as _check_rng

__all__ = [
    "GaussianClasses",
    "ParameterCounts",
    "SeparableDataError",
    "atoms_threshold",
    "bayes_error_rate",
    "boolean_function_bits",
    "boolean_function_count",
    "centered",
    "decision_boundaries",
    "decimal_digits",
    "fit_softmax_layer",
    "linearly_separable",
    "log_linear_residual",
    "onehot_design",
    "parameter_counts",
    "quadratic_features",
    "softmax_layer_covariance",
]

MAX_VERIFY_BITS = 1 << 24
"""Largest ``base**exponent`` (in bits) that :func:`decimal_digits` verifies with integers."""

MAX_BOOLEAN_N = 20
"""Largest ``n`` for which :func:`boolean_function_count` builds the integer :math:`2^{2^n}`."""

MAX_TABLE = 1 << 16
"""Largest number of configurations :math:`v^n` that :func:`onehot_design` enumerates."""


# --- counting (Sec. I A, II C) -------------------------------------------------------------


def decimal_digits(base: int, exponent: int, *, verify: bool = False) -> int:
    """Number of decimal digits of the integer :math:`b^e` (Sec. I A: :math:`256^{10^6}`).

    The count is :math:`d = \\lfloor e \\log_{10} b \\rfloor + 1`.  The product
    :math:`e\\log_{10} b` is evaluated with :mod:`decimal` at a precision of
    ``len(str(e)) + 40`` significant digits (``Decimal.log10`` is correctly rounded), so the
    floor is exact unless :math:`e \\log_{10} b` lies within :math:`10^{-30}` of an integer;
    in that case (for instance when ``b`` is a power of ten) the integers decide.

    Parameters
    ----------
    base : int
        The base :math:`b \\ge 2`.
    exponent : int
        The exponent :math:`e \\ge 0`.
    verify : bool, optional
        If true, also check :math:`10^{d-1} \\le b^e < 10^d` with exact Python integers
        (allowed up to :data:`MAX_VERIFY_BITS` bits; :math:`256^{10^6}` has 8,000,001 bits
        and takes about a second).

    Returns
    -------
    int
        The number of digits :math:`d`.

    Raises
    ------
    ValueError
        If ``base < 2``, ``exponent < 0``, or ``verify`` asks for a number too large.
    TypeError
        If ``base`` or ``exponent`` is not an integer (``bool`` included) or ``verify`` is
        not a bool.

    Examples
    --------
    >>> decimal_digits(256, 10**6)
    2408240
    >>> decimal_digits(10, 3)
    4
    """
    base = _int("base", base, 2, 10**1000)  # exact: any size Decimal's log10 handles
    exponent = _int("exponent", exponent, 0, 10**1000)
    if not isinstance(verify, (bool, np.bool_)):
        raise TypeError(f"verify must be a bool, got {type(verify).__name__}")
    if exponent == 0:
        return 1
    with localcontext() as ctx:
        ctx.prec = len(str(exponent)) + 40
        t = Decimal(exponent) * Decimal(base).log10()
        floor = int(t.to_integral_value(rounding="ROUND_FLOOR"))
        near = min(t - floor, floor + 1 - t) < Decimal(10) ** -30
    if near or verify:
        bits = exponent * math.log2(base)
        if bits > MAX_VERIFY_BITS:
            raise ValueError(
                f"{base}^{exponent} has about {bits:.3g} bits; exact verification is limited "
                f"to {MAX_VERIFY_BITS} bits"
            )
        value = base**exponent
        d = floor + 1
        if near:  # the floor may be off by one: decide with integers
            d = floor + 1 if value >= 10**floor else floor
        if not 10 ** (d - 1) <= value < 10**d:  # pragma: no cover - would be a bug
            raise ArithmeticError(f"digit count {d} of {base}^{exponent} failed verification")
        return d
    return floor + 1


def boolean_function_count(n: int) -> int:
    """Number :math:`2^{2^n}` of Boolean functions of ``n`` bits (Sec. II C), as an integer.

    A Boolean function is its truth table: one output bit for each of the :math:`2^n`
    inputs, so there are :math:`2^{2^n}` of them.

    Raises
    ------
    ValueError
        If ``n < 0`` or ``n > MAX_BOOLEAN_N`` (the integer would exceed a million bits;
        use :func:`boolean_function_bits`, its base-2 logarithm).

    Examples
    --------
    >>> [boolean_function_count(n) for n in range(4)]
    [2, 4, 16, 256]
    """
    n = _int("n", n, 0, MAX_BOOLEAN_N)
    return 1 << (1 << n)


def boolean_function_bits(n: int) -> int:
    """Bits needed to single out one Boolean function of ``n`` bits: :math:`2^n` (Sec. II C).

    This is :math:`\\log_2 2^{2^n}`, the length of the truth table; a network that can
    implement every such function needs at least this many bits of description.

    Raises
    ------
    ValueError
        If ``n < 0`` or ``n > 10**6`` (the integer :math:`2^n` would be built).

    Examples
    --------
    >>> boolean_function_bits(6)
    64
    """
    n = _int("n", n, 0, 10**6)
    return 1 << n


def atoms_threshold(log10_atoms: int) -> int:
    """Smallest ``n`` with :math:`2^n > 10^{a}`: more truth-table bits than atoms (Sec. II C).

    Computed with exact integers: :math:`n = \\lfloor a\\log_2 10\\rfloor + 1`, checked by
    :math:`2^{n-1} \\le 10^a < 2^n`.

    Parameters
    ----------
    log10_atoms : int
        :math:`a`, the decimal exponent of the number of atoms (the paper uses 78; 80 is
        also quoted), ``1 <= a <= 10000``.

    Returns
    -------
    int
        The threshold ``n``.

    Raises
    ------
    ValueError
        If ``log10_atoms`` is out of range.

    Examples
    --------
    >>> atoms_threshold(78), atoms_threshold(80)
    (260, 266)
    """
    a = _int("log10_atoms", log10_atoms, 1, 10_000)
    atoms = 10**a
    n = atoms.bit_length()  # 2^(n-1) <= 10^a < 2^n (equality is impossible: 5^a is odd)
    return n


class ParameterCounts(NamedTuple):
    """Parameter counts of a function of ``n`` variables with ``v`` values each (Sec. I A).

    Attributes
    ----------
    table : int
        :math:`v^n`, entries of the full table (one number per input configuration).
    swindle : int
        :math:`v n`, weights of an additive Hamiltonian :math:`\\sum_i h_i(x_i)` (one per
        variable and value), the count the swindle brings the table down to.
    table_free : int
        :math:`v^n - 1`, free parameters of a general probability distribution.
    swindle_free : int
        :math:`n(v-1)`, free parameters of a product distribution
        :math:`\\prod_i p_i(x_i)`; equals ``rank(onehot_design(v, n)) - 1``.
    """

    table: int
    swindle: int
    table_free: int
    swindle_free: int


def parameter_counts(v: int, n: int) -> ParameterCounts:
    """Count :math:`v^n` against :math:`v\\times n` parameters (Sec. I A), exactly.

    Parameters
    ----------
    v : int
        Values per variable, ``v >= 2``.
    n : int
        Number of variables, ``1 <= n <= 10**7`` (:math:`v^n` is built as an exact Python
        integer; for :math:`256^{10^6}` this takes a few hundredths of a second).

    Returns
    -------
    ParameterCounts

    Raises
    ------
    ValueError
        If ``v < 2`` or ``n`` is out of range, or :math:`v^n` would need more than
        :math:`2^{27}` bits.

    Examples
    --------
    >>> parameter_counts(2, 10)
    ParameterCounts(table=1024, swindle=20, table_free=1023, swindle_free=10)
    """
    v = _int("v", v, 2)
    n = _int("n", n, 1, 10**7)
    if n * math.log2(v) > 1 << 27:
        raise ValueError(f"v^n = {v}^{n} is too large to build as an integer (v, n)")
    table = v**n
    return ParameterCounts(table, v * n, table - 1, n * (v - 1))


def onehot_design(v: int, n: int) -> FloatArray:
    """One-hot features of every configuration of ``n`` variables with ``v`` values.

    Row ``c`` encodes the configuration whose base-``v`` digits are ``c`` (digit ``i``
    is :math:`x_i`); column ``i*v + a`` is 1 when :math:`x_i = a`.  A Hamiltonian
    :math:`\\sum_i h_i(x_i)` is this matrix times the vector of the :math:`v n` numbers
    :math:`h_i(a)`.

    Parameters
    ----------
    v, n : int
        Values per variable (``>= 2``) and variables (``>= 1``), with
        :math:`v^n \\le` :data:`MAX_TABLE`.

    Returns
    -------
    numpy.ndarray
        Shape ``(v**n, v*n)``, entries 0 or 1, each row with ``n`` ones.

    Raises
    ------
    ValueError
        If ``v < 2``, ``n < 1`` or :math:`v^n` exceeds :data:`MAX_TABLE`.

    Examples
    --------
    >>> A = onehot_design(2, 3)
    >>> A.shape, int(np.linalg.matrix_rank(A))
    ((8, 6), 4)
    """
    v = _int("v", v, 2)
    n = _int("n", n, 1)
    if n * math.log2(v) > math.log2(MAX_TABLE) + 1e-12:
        raise ValueError(f"v^n = {v}^{n} configurations exceed the limit {MAX_TABLE} (v, n)")
    configs = np.arange(v**n)
    digits = (configs[:, None] // v ** np.arange(n)[None, :]) % v  # (v^n, n)
    out = np.zeros((v**n, n * v))
    rows = np.repeat(configs, n)
    cols = (np.arange(n)[None, :] * v + digits).ravel()
    out[rows, cols] = 1.0
    return out


def log_linear_residual(log_p: ArrayLike, v: int, n: int) -> float:
    """RMS residual of the best additive fit :math:`\\ln p(x) \\approx \\sum_i h_i(x_i)`.

    Zero (to round-off) exactly when ``p`` is a product distribution; the least squares
    fit uses the columns of :func:`onehot_design`.

    Parameters
    ----------
    log_p : array_like
        :math:`\\ln p` on every configuration, shape ``(v**n,)`` in the order of
        :func:`onehot_design`.
    v, n : int
        As in :func:`onehot_design`.

    Returns
    -------
    float
        Root-mean-square of the residual over the :math:`v^n` configurations.

    Raises
    ------
    ValueError
        If ``log_p`` has the wrong shape or is not finite, or is so large (about 1e154)
        that the squared residual overflows float64.

    Examples
    --------
    >>> p = np.multiply.outer([0.2, 0.8], [0.5, 0.5]).ravel()  # a product distribution
    >>> log_linear_residual(np.log(p), 2, 2) < 1e-12
    True
    """
    A = onehot_design(v, n)
    y = check_array("log_p", log_p, shape=(A.shape[0],))
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    with np.errstate(over="ignore", invalid="ignore"):
        rms = float(np.sqrt(np.mean((A @ coef - y) ** 2)))
    return float(check_finite_result(rms, "log_p"))


# --- Bayes' theorem as a softmax (eqs. 1-8) -------------------------------------------------


def quadratic_features(x: ArrayLike) -> FloatArray:
    """Features :math:`(x_1, \\dots, x_d, |x|^2)`, in which Gaussian :math:`-H_y` is linear.

    Parameters
    ----------
    x : array_like
        Points, shape ``(m, d)``, or ``(m,)`` for ``d = 1``.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, d + 1)``.

    Raises
    ------
    ValueError
        If ``x`` is not 1-D or 2-D, or not finite, or so large (about 1e154) that
        :math:`|x|^2` overflows float64.
    """
    X = check_array("x", x)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"x must have shape (m, d) or (m,), got {X.shape}")
    with np.errstate(over="ignore"):
        out: FloatArray = np.hstack([X, np.sum(X**2, axis=1, keepdims=True)])
    return check_finite_result(out, "x")


def centered(v: ArrayLike) -> FloatArray:
    """Subtract the mean over the last axis (removes the constant common to all classes).

    The softmax of eq. (8) does not change when the same number is added to every class,
    so biases and :math:`\\mu` are compared after this projection.

    Values near 1e308, whose sum overflows, are averaged after scaling by their largest
    magnitude.

    Raises
    ------
    ValueError, TypeError
        If ``v`` is not a finite real array, or a centred value itself overflows float64
        (entries of both signs near 1e308).

    Examples
    --------
    >>> centered([1.0, 2.0, 6.0])
    array([-2., -1.,  3.])
    >>> centered([1e308, 1e308])  # the sum overflows; the mean does not
    array([0., 0.])
    """
    a = check_array("v", v)
    with np.errstate(over="ignore", invalid="ignore"):
        mean = a.mean(axis=-1, keepdims=True)
        if not np.all(np.isfinite(mean)):  # the sum overflowed: scale first
            top = np.abs(a).max(axis=-1, keepdims=True)
            scaled = (a / np.where(top > 0, top, 1.0)).mean(axis=-1, keepdims=True) * top
            mean = np.where(np.isfinite(mean), mean, scaled)
        out: FloatArray = a - mean
    return check_finite_result(out, "v")


@dataclass(frozen=True)
class GaussianClasses:
    """Classes with isotropic Gaussian class-conditionals: a problem with a known answer.

    Class ``y`` has prior :math:`p(y)` and density
    :math:`p(x|y) = \\mathcal N(x; m_y, s_y^2 I_d)`, so its Hamiltonian (eq. 2) is

    .. math:: H_y(x) = \\frac{|x - m_y|^2}{2 s_y^2} + d \\ln s_y + \\frac d2 \\ln 2\\pi,

    and :math:`\\mu_y = -\\ln p(y)`.

    Parameters
    ----------
    means : array_like
        Class means, shape ``(k, d)``, or ``(k,)`` for ``d = 1``; ``k >= 2``.
    sigmas : array_like
        Standard deviations :math:`s_y > 0`, shape ``(k,)``.
    priors : array_like
        Prior probabilities, shape ``(k,)``, positive, summing to 1 (within 1e-9; they are
        then renormalised).

    Raises
    ------
    ValueError
        On wrong shapes, non-finite entries, non-positive sigmas or priors, or priors that
        do not sum to 1.
    """

    means: FloatArray
    sigmas: FloatArray
    priors: FloatArray
    _dim: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        m = check_array("means", self.means)
        if m.ndim == 1:
            m = m[:, None]
        if m.ndim != 2 or m.shape[0] < 2:
            raise ValueError(f"means must have shape (k, d) with k >= 2, got {m.shape}")
        k = m.shape[0]
        s = check_array("sigmas", self.sigmas, shape=(k,))
        p = check_array("priors", self.priors, shape=(k,))
        if np.any(s <= 0):
            raise ValueError(f"sigmas must be positive, got a minimum of {s.min():.3g}")
        if np.any(p <= 0):
            raise ValueError("priors must be positive (mu = -ln p(y) would be infinite)")
        p = check_probability_vector("priors", p)
        p = p / p.sum()
        for name, a in (("means", m), ("sigmas", s), ("priors", p)):
            a.setflags(write=False)
            object.__setattr__(self, name, a)
        object.__setattr__(self, "_dim", int(m.shape[1]))

    @property
    def n_classes(self) -> int:
        """Number of classes ``k``."""
        return int(self.means.shape[0])

    @property
    def dim(self) -> int:
        """Dimension ``d`` of the data."""
        return self._dim

    @property
    def mu(self) -> FloatArray:
        """:math:`\\mu_y = -\\ln p(y)` (eq. 2)."""
        out: FloatArray = -np.log(self.priors)
        return out

    def _points(self, x: ArrayLike) -> FloatArray:
        X = check_array("x", x)
        if X.ndim == 1 and self.dim == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"x must have shape (m, {self.dim}), got {X.shape}")
        check_budget("x", 8.0 * X.shape[0] * self.n_classes * self.dim, MAX_BYTES)
        return X

    def hamiltonians(self, x: ArrayLike) -> FloatArray:
        """:math:`H_y(x) = -\\ln p(x|y)` for every point and class (eq. 2), shape ``(m, k)``."""
        X = self._points(x)
        sq = np.sum((X[:, None, :] - self.means[None, :, :]) ** 2, axis=2)
        const = self.dim * (np.log(self.sigmas) + 0.5 * np.log(2.0 * np.pi))
        out: FloatArray = sq / (2.0 * self.sigmas**2) + const
        return out

    def likelihoods(self, x: ArrayLike) -> FloatArray:
        """:math:`p(x|y)` from :mod:`scipy.stats` (independent of :meth:`hamiltonians`)."""
        X = self._points(x)
        cols = [
            stats.multivariate_normal(mean=m, cov=s**2).pdf(X).reshape(len(X))
            for m, s in zip(self.means, self.sigmas, strict=True)
        ]
        return np.stack(cols, axis=1)

    def posterior_bayes(self, x: ArrayLike) -> FloatArray:
        """Exact posterior by eq. (1): :math:`p(x|y)p(y) / \\sum_{y'} p(x|y')p(y')`.

        Uses the densities of :mod:`scipy.stats` directly (no logarithms, no softmax), so
        it is an independent check of :meth:`posterior_softmax`; valid where the densities
        do not underflow (a few tens of standard deviations).
        """
        joint = self.likelihoods(x) * self.priors
        total = joint.sum(axis=1, keepdims=True)
        if np.any(total <= 0):
            raise ValueError("every density underflows at some point: x is too far out")
        out: FloatArray = joint / total
        return out

    def posterior_softmax(self, x: ArrayLike) -> FloatArray:
        """Posterior as :math:`\\mathrm{softmax}(-H(x) - \\mu)` (eq. 8)."""
        return softmax_posterior(self.hamiltonians(x), self.mu)

    def evidence(self, x: ArrayLike) -> FloatArray:
        """:math:`N(x) = \\sum_y e^{-H_y(x) - \\mu_y}` (eq. 4): the marginal :math:`p(x)`."""
        z = -self.hamiltonians(x) - self.mu
        zmax = z.max(axis=1)
        out: FloatArray = np.exp(zmax) * np.exp(z - zmax[:, None]).sum(axis=1)
        return out

    def linear_parameters(self) -> tuple[FloatArray, FloatArray]:
        """The exact softmax layer on :func:`quadratic_features` (eq. 8 made linear).

        It satisfies :math:`-H_y(x) - \\mu_y = W_y\\cdot\\phi(x) + b_y` for every :math:`x`.

        Expanding the Hamiltonian,
        :math:`-H_y(x) - \\mu_y = \\frac{m_y\\cdot x}{s_y^2} - \\frac{|x|^2}{2 s_y^2}
        - H_y(0) - \\mu_y`, so the weights are :math:`(m_y/s_y^2, -1/(2s_y^2))` and the
        bias is :math:`b_y = -H_y(0) - \\mu_y`: the prior term :math:`\\mu_y` *plus* the
        constant part of the Hamiltonian.  The bias equals :math:`-\\mu_y` up to a common
        constant exactly when :math:`H_y(0)` is the same for every class.

        Returns
        -------
        (W, b)
            ``W`` of shape ``(k, d + 1)``, ``b`` of shape ``(k,)``.
        """
        s2 = self.sigmas**2
        W = np.hstack([self.means / s2[:, None], (-0.5 / s2)[:, None]])
        b = -self.hamiltonians(np.zeros((1, self.dim)))[0] - self.mu
        return W, b

    def sample(self, m: int, rng: np.random.Generator) -> tuple[FloatArray, IntArray]:
        """Draw ``m`` labelled points: :math:`y \\sim p(y)`, then :math:`x \\sim p(x|y)`.

        Parameters
        ----------
        m : int
            Number of points, ``1 <= m <= 10**7``.
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        (x, y)
            Points of shape ``(m, d)`` and integer labels of shape ``(m,)``.
        """
        m = _int("m", m, 1, 10**7)
        check_budget("m", 8.0 * m * (self.dim + 2), MAX_BYTES)
        rng = _check_rng(rng)
        y = rng.choice(self.n_classes, size=m, p=self.priors)
        x = self.means[y] + self.sigmas[y, None] * rng.standard_normal((m, self.dim))
        return x, y.astype(np.int64)


class SeparableDataError(ValueError):
    """The classes are linearly separable: the maximum-likelihood softmax layer does not exist.

    On separable data the likelihood of a softmax layer keeps growing as the weights are
    scaled up along a separating direction, so any finite "fit" is arbitrary (it is where
    the optimiser happened to stop).  Raised by :func:`fit_softmax_layer`.
    """


def linearly_separable(features: ArrayLike, labels: ArrayLike) -> bool:
    """Whether some softmax layer classifies every sample correctly with a positive margin.

    Decides the linear programme "find :math:`(W, b)` with
    :math:`(w_{y_i} - w_c)\\cdot\\phi_i + b_{y_i} - b_c \\ge 1` for every sample
    :math:`i` and class :math:`c \\ne y_i`" with :func:`scipy.optimize.linprog` (HiGHS).
    It is feasible exactly when the classes are completely separable by a softmax layer,
    the case in which the maximum-likelihood estimate of :func:`fit_softmax_layer` does
    not exist.

    Parameters
    ----------
    features : array_like
        Shape ``(m, f)``, finite.
    labels : array_like
        Integer labels ``0..k-1``, shape ``(m,)``.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        On mismatched shapes, non-finite features or negative labels, or a programme over
        the operation budget (``m * k * (f + 1)`` above :math:`10^7`).

    Examples
    --------
    >>> linearly_separable([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    True
    >>> linearly_separable([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
    False
    """
    from scipy.optimize import linprog

    F = check_array("features", features, ndim=2)
    y = check_array("labels", labels, shape=(F.shape[0],), dtype=np.int64)
    if np.any(np.asarray(labels) != y):
        raise ValueError("labels must be integers")
    if y.min() < 0:
        raise ValueError("labels must be non-negative")
    k = int(y.max()) + 1
    m, f = F.shape
    g = f + 1
    check_budget("features", float(m) * k * g, 10**7, unit="constraint entries")
    phi = np.hstack([F, np.ones((m, 1))])
    rows_i, rows_c = [], []
    for c in range(k):
        idx = np.flatnonzero(y != c)
        rows_i.append(idx)
        rows_c.append(np.full(idx.size, c))
    ii, cc = np.concatenate(rows_i), np.concatenate(rows_c)
    A = np.zeros((ii.size, k * g))
    for j in range(g):
        A[np.arange(ii.size), y[ii] * g + j] = -phi[ii, j]
        A[np.arange(ii.size), cc * g + j] += phi[ii, j]
    res = linprog(
        np.zeros(k * g), A_ub=A, b_ub=-np.ones(ii.size), bounds=(None, None), method="highs"
    )
    return bool(res.status == 0)


def fit_softmax_layer(
    features: ArrayLike, labels: ArrayLike, n_classes: int | None = None
) -> Network:
    """Fit a softmax output layer :math:`p = \\mathrm{softmax}(W\\phi + b)` by maximum likelihood.

    This is the last layer of eq. (8), trained on labelled samples with scikit-learn's
    :class:`~sklearn.linear_model.LogisticRegression` (multinomial, L-BFGS, no penalty,
    ``tol=1e-10``, one BLAS/OpenMP thread, columns standardised during the fit).  The
    softmax is unchanged by adding the same vector to every row of ``(W, b)``; the
    returned layer is put in the gauge where every column sums to zero over the classes
    (see :func:`centered`).

    The maximum-likelihood layer exists only when the classes overlap.  When the fitted
    layer classifies every sample correctly, :func:`linearly_separable` decides whether
    the classes are separable, and if so :class:`SeparableDataError` is raised instead of
    returning the arbitrary finite weights at which the optimiser stopped; an optimiser
    that does not converge is an error as well.

    Parameters
    ----------
    features : array_like
        Inputs of the layer, shape ``(m, f)``.
    labels : array_like
        Integer class labels ``0..k-1``, shape ``(m,)``; every class must occur.
    n_classes : int, optional
        ``k``; by default ``labels.max() + 1``.

    Returns
    -------
    Network
        One :class:`~cheaplib.nets.Layer` ``(W, b)`` of shape ``(k, f)`` with
        ``output="softmax"``: ``net(features)`` gives the fitted class probabilities.

    Raises
    ------
    ValueError
        On mismatched shapes, non-finite features, labels out of range or a missing class.
    SeparableDataError
        (a ``ValueError``) If the classes are linearly separable in ``features``.
    RuntimeError
        If L-BFGS does not converge.

    Examples
    --------
    >>> classes = GaussianClasses([-1.0, 1.0], [1.0, 1.0], [0.5, 0.5])
    >>> x, y = classes.sample(5000, np.random.default_rng(0))
    >>> net = fit_softmax_layer(quadratic_features(x), y)
    >>> net.layers[0].W.shape
    (2, 2)
    >>> fit_softmax_layer([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    Traceback (most recent call last):
    ...
    cheaplib.swindle.SeparableDataError: labels are linearly separable in features: ...
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    F = check_array("features", features, ndim=2)
    raw = np.asarray(labels)
    if raw.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {raw.dtype}")
    y = check_array("labels", raw, shape=(F.shape[0],), dtype=np.int64)
    k = int(y.max()) + 1 if n_classes is None else _int("n_classes", n_classes, 2)
    if y.min() < 0 or y.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}")
    if k < 2 or np.unique(y).size != k:
        raise ValueError("labels: every class must occur (and there must be at least 2)")
    check_budget("features", 8.0 * F.size * (k + 4), MAX_BYTES)
    # Standardise the columns for L-BFGS; without a penalty the fit is equivalent, and the
    # layer is mapped back to the raw features below.
    shift = F.mean(axis=0)
    scale = F.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            model.fit((F - shift) / scale, y)
            converged = True
        except ConvergenceWarning:
            converged = False
    if converged and np.all(model.predict((F - shift) / scale) == y):
        converged = not linearly_separable(F, y)
    if not converged:
        if linearly_separable(F, y):
            raise SeparableDataError(
                "labels are linearly separable in features: the maximum-likelihood softmax "
                "layer does not exist (the weights grow without bound)"
            )
        raise RuntimeError("fit_softmax_layer: L-BFGS did not converge in 10,000 iterations")
    W = model.coef_ / scale
    b = model.intercept_ - W @ shift
    if k == 2:  # scikit-learn stores one logit (class 1 against class 0)
        W = np.vstack([-0.5 * W[0], 0.5 * W[0]])
        b = np.array([-0.5 * b[0], 0.5 * b[0]])
    W = W - W.mean(axis=0, keepdims=True)
    b = b - b.mean()
    return Network((Layer(W, b),), activation="identity", output="softmax")


def softmax_layer_covariance(
    classes: GaussianClasses, n_samples: int, nodes: int = 60
) -> FloatArray:
    """Asymptotic covariance of the fitted softmax layer of :func:`fit_softmax_layer`.

    For the maximum-likelihood fit of :math:`\\mathrm{softmax}(W\\phi + b)` on ``n_samples``
    independent draws, the parameters :math:`\\theta = (W, b)` are asymptotically Gaussian
    around the truth with covariance :math:`I^{+}/N`, where

    .. math:: I = \\mathbb E_x\\left[(\\mathrm{diag}\\,p - p p^{\\mathsf T})
              \\otimes \\tilde\\phi\\tilde\\phi^{\\mathsf T}\\right],
              \\qquad \\tilde\\phi = (x, |x|^2, 1),

    is the Fisher information per sample and :math:`I^{+}` its pseudo-inverse: the softmax
    is blind to adding one vector to every class, the null space of :math:`I`, and the
    pseudo-inverse is the covariance in the gauge whose columns sum to zero over the
    classes, the gauge of :func:`fit_softmax_layer`.  It is computed as
    :math:`(PIP + Q)^{-1} - Q` with :math:`Q` the projector on the gauge directions and
    :math:`P = 1 - Q`, which stays accurate when quadrature error blurs the null space.
    The expectation over :math:`x \\sim p(x) = \\sum_y p(y)\\,p(x|y)` is done by
    Gauss-Hermite quadrature per class (``nodes`` points per dimension, so ``d <= 3``).

    Parameters
    ----------
    classes : GaussianClasses
        The problem; the posterior :math:`p` is its exact one.
    n_samples : int
        Sample size :math:`N`.
    nodes : int, optional
        Gauss-Hermite points per dimension, by default 60 (relative accuracy about
        1e-4 on the examples of the book).

    Returns
    -------
    numpy.ndarray
        Covariance of shape ``(k*(d+2), k*(d+2))``, parameters ordered class by class as
        ``(W_y, b_y)``.  The standard error of bias ``b_y`` is
        ``sqrt(cov[y*(d+2) + d+1, y*(d+2) + d+1])`` and falls like :math:`N^{-1/2}`.

    Raises
    ------
    ValueError
        If ``d > 3`` or the arguments are out of range.
    """
    if not isinstance(classes, GaussianClasses):
        raise TypeError("classes must be a GaussianClasses instance")
    n_samples = _int("n_samples", n_samples, 1)
    nodes = _int("nodes", nodes, 2, 200)
    d, k = classes.dim, classes.n_classes
    if d > 3:
        raise ValueError(f"quadrature is limited to d <= 3, got d = {d}")
    f_dim = d + 2
    check_budget("nodes", 8.0 * k * nodes**d * f_dim * (f_dim + k * k), MAX_BYTES)
    t, w = np.polynomial.hermite_e.hermegauss(nodes)  # weight exp(-t^2/2)
    w = w / w.sum()
    grids = np.meshgrid(*([t] * d), indexing="ij")
    z = np.stack([g.ravel() for g in grids], axis=1)  # (nodes^d, d)
    wz = np.prod(np.meshgrid(*([w] * d), indexing="ij"), axis=0).ravel()
    x = (classes.means[:, None, :] + classes.sigmas[:, None, None] * z[None]).reshape(-1, d)
    weight = (classes.priors[:, None] * wz[None, :]).ravel()
    phi = np.hstack([quadratic_features(x), np.ones((len(x), 1))])  # (M, f)
    p = classes.posterior_softmax(x)  # (M, k)
    f = phi.shape[1]
    # I[(y, a), (y', b)] = E[(p_y delta_yy' - p_y p_y') phi_a phi_b]
    outer = np.einsum("m,ma,mb->mab", weight, phi, phi)  # (M, f, f)
    cov_p = np.einsum("my,yz->myz", p, np.eye(k)) - np.einsum("my,mz->myz", p, p)
    info = np.einsum("myz,mab->yazb", cov_p, outer).reshape(k * f, k * f)
    # The null space of I is exactly the gauge {same vector for every class} (range of Q);
    # project it out and invert on the complement: I^+ = (P I P + Q)^{-1} - Q.
    Q = np.kron(np.full((k, k), 1.0 / k), np.eye(f))
    P = np.eye(k * f) - Q
    out: FloatArray = (np.linalg.inv(P @ info @ P + Q) - Q) / n_samples
    return out


def _two_class_1d(classes: GaussianClasses) -> None:
    if not isinstance(classes, GaussianClasses):
        raise TypeError("classes must be a GaussianClasses instance")
    if classes.n_classes != 2 or classes.dim != 1:
        raise ValueError("this needs two classes in one dimension")


def decision_boundaries(classes: GaussianClasses) -> FloatArray:
    """Points where :math:`p(y=0|x) = p(y=1|x)` for two classes in one dimension.

    By eq. (8) the log-odds are :math:`\\ell(x) = -H_0(x) - \\mu_0 + H_1(x) + \\mu_1`, a
    quadratic :math:`a x^2 + b x + c`; its real roots are the boundaries (none, one or
    two; a linear :math:`\\ell` when the variances are equal).

    Returns
    -------
    numpy.ndarray
        Sorted real roots, shape ``(0,)``, ``(1,)`` or ``(2,)``.

    Raises
    ------
    ValueError
        Unless there are two classes in one dimension.
    """
    _two_class_1d(classes)
    W, b = classes.linear_parameters()
    lin, quad = W[0] - W[1]
    const = b[0] - b[1]
    scale = max(abs(quad), abs(lin), abs(const))
    if abs(quad) <= 1e-12 * scale:
        if abs(lin) <= 1e-12 * scale:
            return np.zeros(0)
        return np.array([-const / lin])
    disc = lin * lin - 4.0 * quad * const
    if disc < 0:
        return np.zeros(0)
    # numerically stable roots of quad x^2 + lin x + const
    q = -0.5 * (lin + math.copysign(math.sqrt(disc), lin))
    roots = [q / quad] + ([const / q] if q != 0 else [])
    return np.unique(np.asarray(roots, dtype=float))


def bayes_error_rate(classes: GaussianClasses) -> float:
    """Error rate of the Bayes classifier (pick the larger posterior), two classes in 1-D.

    :math:`\\int \\min_y p(x|y)p(y)\\,dx`, done exactly with normal CDFs over the intervals
    between the :func:`decision_boundaries`.

    Raises
    ------
    ValueError
        Unless there are two classes in one dimension.
    """
    _two_class_1d(classes)
    inner = decision_boundaries(classes)
    edges = np.concatenate([[-np.inf], inner, [np.inf]])
    if inner.size:  # one test point inside each interval between boundaries
        padded = np.concatenate([[inner[0] - 1.0], inner, [inner[-1] + 1.0]])
        mids = 0.5 * (padded[:-1] + padded[1:])
    else:
        mids = np.zeros(1)
    winner = np.argmax(classes.posterior_softmax(mids), axis=1)
    loser = 1 - winner
    m, s, p = classes.means[loser, 0], classes.sigmas[loser], classes.priors[loser]
    mass = stats.norm.cdf((edges[1:] - m) / s) - stats.norm.cdf((edges[:-1] - m) / s)
    return float(np.sum(p * mass))
