"""Renormalization as coarse-graining, and the trace-condition debate (Sec. III E, App. B).

Two parts.

**Gaussian random field (eqs. 23-24).**  On a periodic ``L1 x L2`` lattice with unit spacing
the Hamiltonian of eq. (23) is

.. math:: H_y(x) = \\sum_r \\sum_{i\\ge 0} y_i\\, (\\nabla^i x)_r^2 ,

with :math:`\\nabla^{2j} = \\Delta^j` (the 5-point Laplacian) and :math:`\\nabla^{2j+1} =
\\nabla\\Delta^j` (forward differences; the square is summed over components).  In Fourier
space (:math:`\\hat x_k = \\sum_r x_r e^{-ik\\cdot r}`) every term is diagonal:

.. math:: H_y = \\frac1N\\sum_k E_y(k)\\,|\\hat x_k|^2, \\qquad
          E_y(k) = \\sum_i y_i \\lambda(k)^i, \\qquad
          \\lambda(k) = \\sum_\\mu 4\\sin^2(k_\\mu/2),

so under :math:`p(x)\\propto e^{-H_y(x)}` the modes are independent with power spectrum
:math:`P(k) = \\langle|\\hat x_k|^2\\rangle/N = 1/(2E_y(k))`.  :func:`gaussian_field`
samples it by FFT, :func:`block_average` coarse-grains, :func:`measure_couplings` fits
:math:`E_{y'}` to the coarse field's long-wavelength spectrum by maximum likelihood, and
:func:`coarse_spectrum` gives the exact expected spectrum of the block-averaged field
(every alias included).

*Normalisation.*  The coarse field is the plain block **mean** (sum over the ``b x b``
block divided by :math:`b^2`), with no further rescaling of the field, and the coarse
lattice again has unit spacing (lengths shrink by ``b``).  For a slowly varying field the
mean is the field itself, :math:`x'(r') = x(br')`, so in the continuum
:math:`\\int d^2r\\, y_i (\\nabla^i x)^2 = \\int b^2 d^2r'\\, y_i b^{-2i}(\\nabla'^i x')^2`:
the area element gives :math:`b^2`, each derivative :math:`b^{-1}`, hence
:math:`y_i' = b^{2-2i} y_i` (eq. 24).  Rescaling the field by :math:`\\zeta` would multiply
every :math:`y_i'` by :math:`\\zeta^{-2}` (dividing the mean once more by :math:`b^2`, as a
literal reading of the text suggests, would give :math:`b^{6-2i}`).

**Appendix B and the comment.**  Distributions over a finite set of states are vectors
(energies :math:`H(x)`), couplings between a fine variable :math:`v` and a coarse variable
:math:`h` are tables ``T[v, h]``, and everything is summed exactly:
:func:`counterexample` (eqs. B3-B5), :func:`trace_condition` (eq. 1 of the comment),
:func:`coarse_grain` (the joint distribution :math:`e^{-H(v)+T(v,h)}/Z_{tot}` and its
marginals), and couplings built from a restricted Boltzmann machine
(:func:`rbm_conditional_coupling`, :func:`rbm_energy_coupling`), from majority-rule block
spins (:func:`majority_rule_coupling`), and from an unrelated system
(:func:`independent_coupling`, the "cat in a thermal bath").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import log_expit, logsumexp

from cheaplib._numerics import damped_newton
from cheaplib._typing import FloatArray
from cheaplib.validation import (
    MAX_BYTES,
    check_array,
    check_budget,
    check_choice,
    check_finite_result,
    check_int,
    check_real,
)
from cheaplib.validation import check_rng as _check_rng

__all__ = [
    "block_average",
    "coarse_grain",
    "coarse_spectrum",
    "counterexample",
    "fisher_information",
    "fisher_information_kept",
    "fit_couplings",
    "fit_rbm",
    "gaussian_energy",
    "gaussian_field",
    "independent_coupling",
    "lattice_symbol",
    "majority_rule_coupling",
    "measure_couplings",
    "power_spectrum",
    "rbm_conditional_coupling",
    "rbm_energy_coupling",
    "spectrum_energy",
    "trace_condition",
]

MAX_FIELD_SITES = 4096 * 4096
"""Largest lattice :func:`gaussian_field` samples."""


# --- validation ----------------------------------------------------------------------------


def _shape2(shape: object) -> tuple[int, int]:
    if isinstance(shape, str) or not isinstance(shape, Sequence) or len(shape) != 2:
        raise ValueError(f"shape must be a pair (L1, L2), got {shape!r}")
    L1, L2 = (check_int("shape (lattice side)", side, 2) for side in shape)
    if L1 * L2 > MAX_FIELD_SITES:
        raise ValueError(f"shape {shape} is larger than {MAX_FIELD_SITES:,} sites")
    return L1, L2


def _couplings(y: ArrayLike) -> FloatArray:
    raw = np.asarray(y)
    if raw.dtype.kind == "b":
        raise TypeError("y must be real couplings, got bool")
    return check_array("y", np.atleast_1d(raw), ndim=1)


def _int(name: str, value: object, low: int) -> int:
    return check_int(name, value, low)


def _field(field: ArrayLike, name: str = "field") -> FloatArray:
    f = check_array(name, field)
    if f.ndim < 2 or min(f.shape[-2:]) < 2:
        raise ValueError(f"{name} must have shape (..., L1, L2) with sides >= 2, got {f.shape}")
    return f


# --- the Gaussian field (eqs. 23-24) -------------------------------------------------------


def lattice_symbol(shape: Sequence[int]) -> FloatArray:
    """:math:`\\lambda(k) = \\sum_\\mu 4\\sin^2(k_\\mu/2)` on the FFT grid of ``shape``.

    It is the Fourier symbol of :math:`-\\Delta` and of :math:`|\\nabla|^2` (forward
    differences), :math:`\\approx |k|^2` at long wavelengths.
    """
    L1, L2 = _shape2(shape)
    k1 = 2 * np.pi * np.fft.fftfreq(L1)
    k2 = 2 * np.pi * np.fft.fftfreq(L2)
    return 4 * np.sin(k1 / 2)[:, None] ** 2 + 4 * np.sin(k2 / 2)[None, :] ** 2


def spectrum_energy(shape: Sequence[int], y: ArrayLike) -> FloatArray:
    """:math:`E_y(k) = \\sum_i y_i\\lambda(k)^i`, the Fourier symbol of eq. (23)."""
    y = _couplings(y)
    lam = lattice_symbol(shape)
    return np.asarray(np.polynomial.polynomial.polyval(lam, y), dtype=np.float64)


def gaussian_energy(field: ArrayLike, y: ArrayLike) -> FloatArray | float:
    """Eq. (23) on the lattice, in real space: :math:`\\sum_r\\sum_i y_i (\\nabla^i x)_r^2`.

    Computed with finite differences (periodic), independently of the Fourier form
    :math:`\\frac1N\\sum_k E_y(k)|\\hat x_k|^2` it equals.

    Parameters
    ----------
    field : array_like, shape ``(..., L1, L2)``
        One or more fields.
    y : array_like
        Couplings :math:`y_0, y_1, \\dots`.

    Returns
    -------
    float or numpy.ndarray
        :math:`H_y(x)` per field.

    Raises
    ------
    TypeError, ValueError
        For a malformed field or couplings, or values so large that the energy
        overflows float64.
    """
    x = _field(field)
    y = _couplings(y)

    def lap(a: FloatArray) -> FloatArray:
        return (
            np.roll(a, 1, -2) + np.roll(a, -1, -2) + np.roll(a, 1, -1) + np.roll(a, -1, -1) - 4 * a
        )

    total = np.zeros(x.shape[:-2])
    cur = x
    with np.errstate(over="ignore", invalid="ignore"):
        for i, yi in enumerate(y):  # one term per coupling (a handful), each vectorised
            if i % 2 == 0:
                if i > 0:
                    cur = lap(cur)
                term = cur**2
            else:
                term = (np.roll(cur, -1, -2) - cur) ** 2 + (np.roll(cur, -1, -1) - cur) ** 2
            total = total + yi * term.sum(axis=(-2, -1))
    check_finite_result(total, "field, y")
    return float(total) if total.ndim == 0 else total


def gaussian_field(
    shape: Sequence[int], y: ArrayLike, rng: np.random.Generator, n_fields: int | None = None
) -> FloatArray:
    """Sample the Gaussian random field :math:`p(x)\\propto e^{-H_y(x)}` of eq. (23) by FFT.

    White noise :math:`w` is filtered in Fourier space,
    :math:`\\hat x_k = \\hat w_k/\\sqrt{2E_y(k)}`, which gives exactly the power spectrum
    :math:`P(k) = 1/(2E_y(k))` (see the module docstring for the lattice convention).

    Parameters
    ----------
    shape : (int, int)
        Periodic lattice ``(L1, L2)``.
    y : array_like
        Couplings :math:`(y_0, y_1, \\dots)`; :math:`E_y(k)` must be positive for every
        lattice wave vector (e.g. :math:`y_0 > 0` and all :math:`y_i \\ge 0`).
    rng : numpy.random.Generator
        Source of the white noise.
    n_fields : int, optional
        Number of independent fields (default: one field, shape ``(L1, L2)``).

    Returns
    -------
    numpy.ndarray
        Shape ``(L1, L2)`` or ``(n_fields, L1, L2)``.

    Raises
    ------
    ValueError
        If :math:`E_y(k) \\le 0` somewhere (no normalisable distribution).
    """
    rng = _check_rng(rng)
    E = spectrum_energy(shape, y)
    if not np.all(E > 0):
        raise ValueError(
            "y: E_y(k) = sum_i y_i lambda(k)^i must be > 0 at every wave vector "
            f"(min {E.min():.3g}); e.g. take y0 > 0 and y_i >= 0"
        )
    n = 1 if n_fields is None else _int("n_fields", n_fields, 1)
    check_budget("n_fields", 4 * 8.0 * n * E.size, MAX_BYTES)
    w = rng.standard_normal((n, *E.shape))
    half = E[:, : E.shape[1] // 2 + 1]  # real FFT: E(k) = E(-k), half the work
    x = np.fft.irfft2(np.fft.rfft2(w) / np.sqrt(2 * half), s=E.shape)
    return x[0] if n_fields is None else x


def block_average(field: ArrayLike, b: int) -> FloatArray:
    """Coarse-grain by replacing each ``b x b`` block with its mean (the eq. 24 convention).

    Parameters
    ----------
    field : array_like, shape ``(..., L1, L2)``
        Fields on a periodic lattice; both sides must be divisible by ``b``.
    b : int
        Block side, ``b >= 1``.

    Returns
    -------
    numpy.ndarray, shape ``(..., L1 // b, L2 // b)``
        Block means (sum over the block divided by :math:`b^2`), with no further rescaling.

    Raises
    ------
    TypeError, ValueError
        For a malformed field or ``b``, sides not divisible by ``b``, or values so large
        (near 1e308) that a block sum overflows float64.
    """
    b = _int("b", b, 1)
    x = _field(field)
    L1, L2 = x.shape[-2:]
    if L1 % b or L2 % b:
        raise ValueError(f"field: lattice {L1}x{L2} is not divisible into b x b = {b}x{b} blocks")
    with np.errstate(over="ignore", invalid="ignore"):
        out = x.reshape(*x.shape[:-2], L1 // b, b, L2 // b, b).mean(axis=(-3, -1))
    return check_finite_result(out, "field")


def power_spectrum(field: ArrayLike) -> FloatArray:
    """Empirical spectrum :math:`|\\hat x_k|^2/N` on the FFT grid, averaged over leading axes.

    Raises
    ------
    TypeError, ValueError
        For a malformed field, or values so large (about 1e150) that the spectrum
        overflows float64.
    """
    x = _field(field)
    n = x.shape[-2] * x.shape[-1]
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.abs(np.fft.fft2(x)) ** 2 / n
        out = p.reshape(-1, *x.shape[-2:]).mean(axis=0)
    return check_finite_result(out, "field")


def coarse_spectrum(shape: Sequence[int], y: ArrayLike, b: int) -> FloatArray:
    """Exact expected power spectrum of :func:`block_average` of a :func:`gaussian_field`.

    With :math:`B(k) = b^{-2}\\sum_{s\\in\\text{block}} e^{ik\\cdot s}`, the coarse mode
    :math:`q` collects the fine modes :math:`k = (q + 2\\pi m)/b`,
    :math:`m\\in\\{0..b-1\\}^2`:

    .. math:: P'(q) = b^{-2} \\sum_m |B(k_m)|^2\\, P(k_m), \\qquad P = 1/(2E_y).

    At :math:`q = 0` only :math:`m = 0` survives, so :math:`P'(0) = P(0)/b^2` and
    :math:`y_0' = b^2 y_0` holds exactly at every ``b``.

    Parameters
    ----------
    shape : (int, int)
        Fine lattice, sides divisible by ``b``.
    y : array_like
        Fine couplings.
    b : int
        Block side.

    Returns
    -------
    numpy.ndarray, shape ``(L1 // b, L2 // b)``
        :math:`P'(q)` on the coarse FFT grid.
    """
    L1, L2 = _shape2(shape)
    b = _int("b", b, 1)
    if L1 % b or L2 % b:
        raise ValueError(f"shape {L1}x{L2} is not divisible into b x b = {b}x{b} blocks")
    E = spectrum_energy((L1, L2), y)
    if not np.all(E > 0):
        raise ValueError("y: E_y(k) must be > 0 at every wave vector")
    k1 = 2 * np.pi * np.fft.fftfreq(L1)
    k2 = 2 * np.pi * np.fft.fftfreq(L2)

    weight = _box2(k1, b)[:, None] * _box2(k2, b)[None, :] / (2 * E)
    # fine index n maps to coarse index n mod (L/b): sum the b aliases on each axis
    c1, c2 = L1 // b, L2 // b
    return weight.reshape(b, c1, b, c2).sum(axis=(0, 2)) / b**2


def _symbol(shape: tuple[int, int], symbol: str) -> FloatArray:
    """The variable the couplings multiply: the lattice ``λ(q)`` or the continuum ``|q|²``."""
    if symbol == "lattice":
        return lattice_symbol(shape)
    q1 = 2 * np.pi * np.fft.fftfreq(shape[0])
    q2 = 2 * np.pi * np.fft.fftfreq(shape[1])
    return q1[:, None] ** 2 + q2[None, :] ** 2


def _box2(k: NDArray[Any], b: int) -> FloatArray:
    """``|b^-1 sum_{j<b} e^{ikj}|^2 = sin^2(bk/2) / (b^2 sin^2(k/2))`` (1 at ``k = 0``)."""
    s = np.sin(k / 2)
    safe = np.where(np.abs(s) < 1e-300, 1.0, s)
    return np.where(np.abs(s) < 1e-300, 1.0, np.sin(b * k / 2) ** 2 / (b * safe) ** 2)


def _fit(
    P: FloatArray, n_terms: int, lam_max: float, symbol: str = "lattice"
) -> tuple[FloatArray, FloatArray]:
    """Maximum-likelihood couplings and the information matrix (see :func:`fit_couplings`)."""
    P = check_array("spectrum", P, ndim=2)
    if np.any(P < 0):
        raise ValueError("spectrum must be non-negative")
    n_terms = check_int("n_terms", n_terms, 1, 4)
    lam_max = check_real("lam_max", lam_max, 0.0, 8.0, low_open=True)
    symbol = check_choice("symbol", symbol, ("lattice", "continuum"))
    if min(P.shape) < 2:
        raise ValueError(f"spectrum must have sides >= 2, got shape {P.shape}")
    lam = _symbol((P.shape[0], P.shape[1]), symbol)
    mask = lam <= lam_max
    if int(mask.sum()) < 3 * n_terms:
        raise ValueError(
            f"only {int(mask.sum())} modes have lambda <= lam_max = {lam_max}: too few to fit "
            f"n_terms = {n_terms} couplings (use a larger field or window)"
        )
    phi = lam[mask][:, None] ** np.arange(n_terms)[None, :]
    p = P[mask]
    zero = int(np.count_nonzero(p == 0))
    if zero:
        raise ValueError(
            f"spectrum vanishes at {zero} of the {p.size} modes with lambda <= lam_max "
            "(a constant or degenerate field): the couplings are not identifiable"
        )
    # start: weighted least squares for 1/(2P); then damped Newton on the likelihood
    target = 1.0 / (2 * p)
    y, *_ = np.linalg.lstsq(phi / target[:, None], np.ones_like(target), rcond=None)
    if not np.all(phi @ y > 0):
        y = np.zeros(n_terms)
        y[0] = 1.0 / (2 * p.mean())

    def loglik(yy: FloatArray) -> float:
        E = phi @ yy
        return -np.inf if np.any(E <= 0) else float(np.sum(np.log(E) - 2 * E * p))

    def grad_hess(yy: FloatArray) -> tuple[FloatArray, FloatArray]:
        E = phi @ yy
        return phi.T @ (1 / E - 2 * p), (phi / E[:, None] ** 2).T @ phi

    y, ok = damped_newton(
        loglik,
        grad_hess,
        np.asarray(y, dtype=np.float64),
        max_iter=100,
        converged=lambda yy, step: bool(np.max(np.abs(step) / (np.abs(yy) + 1e-300)) < 1e-11),
    )
    E = phi @ y
    info = (phi / E[:, None] ** 2).T @ phi
    d = np.sqrt(np.diag(info))
    if not ok or not np.all(np.isfinite(y)) or np.linalg.cond(info / np.outer(d, d)) > 1e14:
        raise ValueError(
            "spectrum: the maximum-likelihood fit of the couplings did not converge "
            "(degenerate spectrum for this n_terms and lam_max)"
        )
    return y, info


def fit_couplings(
    spectrum: ArrayLike, n_terms: int, lam_max: float = 1.0, *, symbol: str = "lattice"
) -> FloatArray:
    """Couplings :math:`y_0..y_{n-1}` whose :math:`1/(2E_y)` fits a spectrum at long wavelengths.

    Maximum likelihood for independent Gaussian modes: each :math:`|\\hat x_q|^2/N` has
    mean :math:`1/(2E_y(q))`, so the log-likelihood
    :math:`\\sum_q [\\ln E_y(q) - 2E_y(q)\\hat P(q)]` over the modes with
    :math:`\\lambda(q)\\le` ``lam_max`` is concave in :math:`y` (linear in :math:`E_y`)
    and is maximised by damped Newton steps.  Given the exact expected spectrum (from
    :func:`coarse_spectrum`) it returns the population value of the fit.

    Parameters
    ----------
    spectrum : array_like, shape ``(L1, L2)``
        :math:`\\hat P(q)` on the FFT grid (e.g. from :func:`power_spectrum`).
    n_terms : int
        Number of couplings fitted (1 to 4).
    lam_max : float, optional
        Long-wavelength window :math:`\\lambda(q) \\le` ``lam_max`` (lattice units of the
        field whose spectrum this is; ``lam_max = 1`` is :math:`|q| \\lesssim 1`).
    symbol : {"lattice", "continuum"}, optional
        The variable the couplings multiply: the lattice symbol
        :math:`\\lambda(q) = \\sum_\\mu 4\\sin^2(q_\\mu/2)` of eq. (23) on the lattice
        (default), or the continuum :math:`|q|^2` with :math:`q_\\mu\\in(-\\pi, \\pi]`.

    Returns
    -------
    numpy.ndarray
        :math:`(y_0, \\dots, y_{n-1})`.

    Raises
    ------
    ValueError
        For a malformed spectrum, ``n_terms`` outside 1..4, too few modes in the window,
        a spectrum that vanishes in the window, or a fit that does not converge.

    Examples
    --------
    >>> y = fit_couplings(coarse_spectrum((64, 64), [0.1, 1.0, 0.5], 1), 3)
    >>> np.allclose(y, [0.1, 1.0, 0.5], rtol=1e-10)
    True
    """
    return _fit(np.asarray(spectrum), n_terms, lam_max, symbol)[0]


def measure_couplings(
    field: ArrayLike,
    n_terms: int,
    lam_max: float = 1.0,
    *,
    return_stderr: bool = False,
    symbol: str = "lattice",
) -> FloatArray | tuple[FloatArray, FloatArray]:
    """Measure the couplings of eq. (23) from one or more fields (their long-wavelength spectrum).

    Parameters
    ----------
    field : array_like, shape ``(..., L1, L2)``
        Fields on a periodic lattice (several fields are pooled).
    n_terms : int
        Number of couplings :math:`y_0, \\dots` fitted (1 to 4).
    lam_max : float, optional
        Window :math:`\\lambda(q) \\le` ``lam_max`` in the field's own lattice units.
    return_stderr : bool, optional
        Also return standard errors from the inverse Fisher information (the modes
        :math:`q` and :math:`-q` of a real field are one mode, hence a factor 2).
    symbol : {"lattice", "continuum"}, optional
        As in :func:`fit_couplings`.

    Returns
    -------
    numpy.ndarray or (numpy.ndarray, numpy.ndarray)
        Maximum-likelihood couplings (see :func:`fit_couplings`), and their standard errors.

    Raises
    ------
    ValueError
        As :func:`fit_couplings`; e.g. a constant field, whose spectrum vanishes at every
        mode but ``q = 0``, is refused instead of returning meaningless couplings.

    Examples
    --------
    >>> x = gaussian_field((128, 128), [0.1, 1.0], np.random.default_rng(0), n_fields=4)
    >>> y, se = measure_couplings(x, 2, return_stderr=True)
    >>> bool(np.all(np.abs(y - [0.1, 1.0]) < 4 * se))
    True
    """
    x = _field(field)
    n_fields = int(np.prod(x.shape[:-2])) if x.ndim > 2 else 1
    if not isinstance(return_stderr, bool | np.bool_):
        raise TypeError("return_stderr must be a bool")
    try:
        y, info = _fit(power_spectrum(x), n_terms, lam_max, symbol)
    except ValueError as err:
        raise ValueError(f"field: {err}") from None
    if not return_stderr:
        return y
    cov = 2.0 * np.linalg.inv(info) / n_fields
    return y, np.sqrt(np.diag(cov))


def fisher_information(shape: Sequence[int], y: ArrayLike, b: int) -> tuple[FloatArray, FloatArray]:
    """Exact Fisher information about the couplings held by a field and by its block means.

    For the Gaussian field of eq. (23) the precision matrix is :math:`2A(y)` with
    eigenvalues :math:`2E_y(k)`, so the information about :math:`y_i, y_j` held by the
    fine field is

    .. math:: I_{ij} = \\tfrac12 \\sum_k \\frac{\\lambda(k)^{i}\\lambda(k)^{j}}{E_y(k)^2} .

    The block-averaged field (:func:`block_average`) is Gaussian and translation invariant
    on the coarse lattice with spectrum :math:`P'(q)` (:func:`coarse_spectrum`), so

    .. math:: I'_{ij} = \\tfrac12 \\sum_q
              \\frac{\\partial_i P'(q)\\,\\partial_j P'(q)}{P'(q)^2}, \\qquad
              \\partial_i P'(q) = -b^{-2}\\sum_m |B(k_m)|^2
              \\frac{\\lambda(k_m)^i}{2E_y(k_m)^2} .

    By the data-processing inequality :math:`I' \\preceq I`.

    Parameters
    ----------
    shape : (int, int)
        Fine lattice, sides divisible by ``b``.
    y : array_like
        Couplings :math:`(y_0, y_1, \\dots)` with :math:`E_y(k) > 0` everywhere.
    b : int
        Block side.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        :math:`I` (fine field) and :math:`I'` (block means), each ``(len(y), len(y))``.

    Raises
    ------
    TypeError, ValueError
        For a malformed shape, couplings or ``b``; :math:`E_y(k) \\le 0` somewhere; or
        an information beyond float64 (e.g. :math:`y_0 = 10^{-160}`: :math:`1/E_y(0)^2`
        overflows; :func:`fisher_information_kept` still computes the fractions).
    """
    fine, coarse = _fisher_information(shape, y, b)
    return check_finite_result((fine, coarse), "y")


def _fisher_information(
    shape: Sequence[int], y: ArrayLike, b: int, *, scaled: bool = False
) -> tuple[FloatArray, FloatArray]:
    """:func:`fisher_information` unchecked; ``scaled``: each row ``i`` divided by a constant.

    With ``scaled=True``, :math:`\\lambda^i/E` is divided by its maximum over ``k`` and
    :math:`1/E` by its maximum before any square is taken, so neither matrix under- or
    overflows; the diagonal of each is then :math:`I_{ii}` and :math:`I'_{ii}` times the
    same factor, which cancels in their ratio.
    """
    L1, L2 = _shape2(shape)
    b = check_int("b", b, 1)
    if L1 % b or L2 % b:
        raise ValueError(f"shape {L1}x{L2} is not divisible into b x b = {b}x{b} blocks")
    y = _couplings(y)
    check_budget("shape", 8.0 * L1 * L2 * (3 * y.size + 4), MAX_BYTES)
    lam = lattice_symbol((L1, L2))
    E = np.polynomial.polynomial.polyval(lam, y)
    if not np.all(E > 0):
        raise ValueError("y: E_y(k) must be > 0 at every wave vector")
    if scaled:
        inv = 1.0 / E  # inf only for a denormal E: then refused by the caller
        inv = inv / inv.max()
        phi = lam[None, :, :] ** np.arange(y.size)[:, None, None] * inv
        phi = phi / phi.max(axis=(1, 2), keepdims=True)
        E = 1.0 / inv  # the same ratios, on a scale where 1/E <= 1
    else:
        phi = lam[None, :, :] ** np.arange(y.size)[:, None, None] / E  # lambda^i / E
    fine = 0.5 * np.einsum("ixy,jxy->ij", phi, phi)
    k1 = 2 * np.pi * np.fft.fftfreq(L1)
    k2 = 2 * np.pi * np.fft.fftfreq(L2)
    w = _box2(k1, b)[:, None] * _box2(k2, b)[None, :]
    c1, c2 = L1 // b, L2 // b

    def alias(a: FloatArray) -> FloatArray:
        return a.reshape(*a.shape[:-2], b, c1, b, c2).sum(axis=(-4, -2)) / b**2

    P = alias(w / (2 * E))
    dP = alias(-w * phi / (2 * E))
    coarse = 0.5 * np.einsum("ixy,jxy->ij", dP / P, dP / P)
    return fine, coarse


def fisher_information_kept(shape: Sequence[int], y: ArrayLike, b: int) -> FloatArray:
    """Fraction of the Fisher information about each coupling that block averaging keeps.

    ``I'_ii / I_ii`` from :func:`fisher_information`: how well the ``b x b`` block means
    of one field determine :math:`y_i` (the other couplings known), relative to the fine
    field.  A fraction near 1 means the block means are a nearly sufficient statistic for
    that coupling.

    Parameters
    ----------
    shape : (int, int)
        Fine lattice, sides divisible by ``b``.
    y : array_like
        Couplings, e.g. ``(y0, y1, y2)``.
    b : int
        Block side.

    Returns
    -------
    numpy.ndarray, shape ``(len(y),)``
        The fractions, each in ``[0, 1]``.  Couplings so small or large that the
        informations themselves leave float64 (:math:`y_0 = 10^{-160}`, where
        :math:`1/E_y(0)^2` overflows) are handled by scaling each row before squaring
        (the scale cancels in the ratio).

    Raises
    ------
    TypeError, ValueError
        As :func:`fisher_information` (but not for an overflowing information).

    Examples
    --------
    >>> kept = fisher_information_kept((64, 64), [0.01, 1.0, 1.0], 4)
    >>> bool(kept[0] > 0.9 and kept[2] < 0.05)
    True
    >>> bool(fisher_information_kept((8, 8), [1e-160, 1.0], 2)[0] > 0.99)  # no overflow
    True
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        fine, coarse = _fisher_information(shape, y, b)
        kept = np.diag(coarse) / np.diag(fine)
        if not np.all(np.isfinite(kept)):  # an information left float64: scale first
            fine, coarse = _fisher_information(shape, y, b, scaled=True)
            kept = np.diag(coarse) / np.diag(fine)
    return check_finite_result(kept, "y")


# --- Appendix B and the trace condition ----------------------------------------------------


def _energies(name: str, a: ArrayLike) -> FloatArray:
    if np.asarray(a).dtype.kind == "b":
        raise TypeError(f"{name} must be real energies, got bool")
    arr = check_array(name, a, min_size=0)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(
            f"{name} must be a 1-D array over at least 2 states, got shape {arr.shape}"
        )
    return arr


def _coupling_table(T: ArrayLike) -> FloatArray:
    raw = np.asarray(T)
    if raw.dtype.kind not in "iuf":
        raise TypeError(f"T must be a real table, got dtype {raw.dtype}")
    arr = raw.astype(float)
    if arr.ndim != 2 or min(arr.shape) < 1:
        raise ValueError(f"T must be a 2-D table T[v, h], got shape {arr.shape}")
    if np.any(np.isnan(arr)) or np.any(arr == np.inf):
        raise ValueError("T must not contain NaN or +inf (-inf marks forbidden pairs)")
    if np.any(np.all(arr == -np.inf, axis=1)):
        raise ValueError("every v needs at least one allowed h (a row of T is all -inf)")
    return arr


def trace_condition(T: ArrayLike) -> FloatArray:
    """:math:`\\mathrm{Tr}_h\\, e^{T(v,h)} = \\sum_h e^{T(v,h)}` for every ``v`` (comment, eq. 1).

    The trace condition of variational RG is that this array is identically 1; then the
    joint distribution :math:`e^{-H(v)+T(v,h)}/Z` has the fine marginal :math:`p(v)`
    unchanged (see :func:`coarse_grain`).

    Parameters
    ----------
    T : array_like, shape ``(n_v, n_h)``
        Coupling table (``-inf`` for forbidden pairs, as in a deterministic block rule).

    Returns
    -------
    numpy.ndarray, shape ``(n_v,)``
        :math:`\\sum_h e^{T(v,h)}`, computed with log-sum-exp.

    Raises
    ------
    TypeError, ValueError
        For a malformed table, or one whose trace exceeds float64 (:math:`T` above
        about 709).
    """
    with np.errstate(over="ignore"):
        return check_finite_result(np.exp(logsumexp(_coupling_table(T), axis=1)), "T")


def coarse_grain(H: ArrayLike, T: ArrayLike) -> dict[str, Any]:
    """Joint distribution :math:`\\tilde p(v,h) = e^{-H(v) + T(v,h)}/Z_{tot}` and its parts.

    Parameters
    ----------
    H : array_like, shape ``(n_v,)``
        Fine Hamiltonian :math:`H(v)` (eq. B1).
    T : array_like, shape ``(n_v, n_h)``
        Coupling (renormalization) operator.

    Returns
    -------
    dict
        ``log_Z`` and ``log_Z_tot`` (logarithms of the partition functions, computed by
        log-sum-exp so that large energies do not overflow), ``p`` (:math:`e^{-H}/Z`), ``p_tilde``
        (:math:`\\sum_h\\tilde p(v,h)`), ``p_h`` (the coarse marginal), ``H_rg``
        (:math:`-\\ln\\sum_v e^{-H(v)+T(v,h)}`, the renormalised Hamiltonian),
        ``trace`` (:func:`trace_condition`), ``kl`` (:math:`D(p\\|\\tilde p)` in nats) and
        ``mutual_information`` (:math:`I(v;h)` under :math:`\\tilde p`, eq. 22, nats).

    Raises
    ------
    TypeError, ValueError
        For malformed ``H`` or ``T``, or a ``T`` whose trace exceeds float64 (see
        :func:`trace_condition`).
    """
    H = _energies("H", H)
    T = _coupling_table(T)
    if T.shape[0] != H.size:
        raise ValueError(f"T has {T.shape[0]} rows but H has {H.size} states")
    log_joint = -H[:, None] + T
    log_z_tot = float(logsumexp(log_joint))
    log_z = float(logsumexp(-H))
    log_pj = log_joint - log_z_tot
    log_pv = logsumexp(log_pj, axis=1)
    log_ph = logsumexp(log_pj, axis=0)
    p = np.exp(-H - log_z)
    p_tilde = np.exp(log_pv)
    pj = np.exp(log_pj)
    with np.errstate(invalid="ignore", divide="ignore"):
        mi_terms = np.where(pj > 0, pj * (log_pj - log_pv[:, None] - log_ph[None, :]), 0.0)
        kl_terms = np.where(p > 0, p * (np.log(p) - log_pv), 0.0)
    return {
        "log_Z": log_z,
        "log_Z_tot": log_z_tot,
        "p": p,
        "p_tilde": p_tilde,
        "p_h": np.exp(log_ph),
        "H_rg": -logsumexp(log_joint, axis=0),
        "trace": trace_condition(T),
        "kl": float(max(kl_terms.sum(), 0.0)),
        "mutual_information": float(max(mi_terms.sum(), 0.0)),
    }


def counterexample(H: ArrayLike, K: ArrayLike) -> dict[str, Any]:
    """Lin and Tegmark's Appendix B construction: :math:`Z_{tot} = Z` but :math:`\\tilde p \\ne p`.

    With :math:`x'` a copy of the state space, eq. (B3) takes
    :math:`H(x,x') = H(x) + H(x') + K(x) + \\ln\\tilde Z`,
    :math:`\\tilde Z = \\sum_x e^{-H(x)-K(x)}`.  Then :math:`Z_{tot} = Z` (B4) while
    :math:`\\tilde p(x) = e^{-H(x)-K(x)}/\\tilde Z` (B5) differs from :math:`p(x)` whenever
    :math:`K` is not constant.  As a coupling operator (the comment's notation),
    :math:`T(x,x') = -H(x') - K(x) - \\ln\\tilde Z`, whose trace
    :math:`Z e^{-K(x)}/\\tilde Z` is not constant: the trace condition fails.

    Parameters
    ----------
    H : array_like, shape ``(n,)``
        Energies :math:`H(x)` of the ``n`` states.
    K : array_like, shape ``(n,)``
        Any function :math:`K(x)` (non-constant for a counterexample).

    Returns
    -------
    dict
        ``log_Z``, ``log_Z_tot``, ``log_Z_tilde`` (logarithms, by log-sum-exp), ``p``,
        ``p_tilde`` (arrays over states), ``H_joint``
        (the table :math:`H(x,x')`), ``T`` (the coupling table) and ``trace``
        (:math:`\\sum_{x'} e^{T(x,x')}`).

    Examples
    --------
    >>> ce = counterexample([0.0, 1.0, 2.0], [0.0, 0.5, -0.5])
    >>> abs(ce["log_Z_tot"] - ce["log_Z"]) < 1e-12
    True
    >>> bool(np.abs(ce["p_tilde"] - ce["p"]).max() > 0.01)
    True
    >>> round(counterexample([-1000.0, 0.0], [0.0, 1.0])["log_Z"], 6)  # no overflow
    1000.0
    """
    H = _energies("H", H)
    K = _energies("K", K)
    if K.shape != H.shape:
        raise ValueError(f"H and K must have the same shape, got {H.shape} and {K.shape}")
    log_z_tilde = float(logsumexp(-H - K))
    T = -H[None, :] - K[:, None] - log_z_tilde
    H_joint = H[:, None] - T
    parts = coarse_grain(H, T)
    return {
        "log_Z": parts["log_Z"],
        "log_Z_tot": parts["log_Z_tot"],
        "log_Z_tilde": log_z_tilde,
        "p": parts["p"],
        "p_tilde": parts["p_tilde"],
        "H_joint": H_joint,
        "T": T,
        "trace": parts["trace"],
    }


def _rbm_arrays(
    W: ArrayLike, c: ArrayLike, visible: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    W = check_array("W", W, ndim=2)
    if W.shape[0] > 16:
        raise ValueError(f"W: at most 16 hidden units (2**16 hidden states), got {W.shape[0]}")
    c = check_array("c", c, shape=(W.shape[0],))
    v = check_array("visible", visible, shape=(None, W.shape[1]))
    if not np.all((v == 0) | (v == 1)):
        raise ValueError("visible must hold 0/1 states")
    check_budget("visible", 8.0 * v.shape[0] * 2 ** W.shape[0] * 3, MAX_BYTES)
    return W, c, v


def _hidden_states(n_hidden: int) -> FloatArray:
    idx = np.arange(2**n_hidden)
    return ((idx[:, None] >> np.arange(n_hidden)) & 1).astype(float)


def rbm_conditional_coupling(W: ArrayLike, c: ArrayLike, visible: ArrayLike) -> FloatArray:
    """:math:`T(v,h) = \\ln p(h|v)` of a Bernoulli RBM: a coupling that obeys the trace condition.

    For an RBM with energy :math:`E(v,h) = -a\\cdot v - c\\cdot h - h^{\\mathsf T} W v`
    (units :math:`v_i, h_j\\in\\{0,1\\}`), the hidden units are independent given
    :math:`v`: :math:`p(h_j = 1|v) = \\sigma(c_j + W_j\\cdot v)`.  So
    :math:`\\sum_h e^{T(v,h)} = 1` exactly, for any parameters.

    Parameters
    ----------
    W : array_like, shape ``(n_hidden, n_visible)``
        Weights (scikit-learn's ``BernoulliRBM.components_``).
    c : array_like, shape ``(n_hidden,)``
        Hidden biases (``intercept_hidden_``).
    visible : array_like, shape ``(n_states, n_visible)``
        The visible states, entries 0/1.

    Returns
    -------
    numpy.ndarray, shape ``(n_states, 2**n_hidden)``
        The table; hidden state ``j`` has unit ``i`` on when bit ``i`` of ``j`` is set.
    """
    W, c, v = _rbm_arrays(W, c, visible)
    hs = _hidden_states(W.shape[0])
    u = v @ W.T + c  # (n_states, n_hidden)
    # ln p(h|v) = sum_j [h_j ln s(u_j) + (1 - h_j) ln s(-u_j)]
    return log_expit(u) @ hs.T + log_expit(-u) @ (1 - hs).T


def rbm_energy_coupling(
    W: ArrayLike, a: ArrayLike, c: ArrayLike, visible: ArrayLike, H: ArrayLike
) -> FloatArray:
    """Mehta and Schwab's RBM coupling :math:`T(v,h) = -E(v,h) + H(v)`.

    Its trace is :math:`e^{H(v)}\\sum_h e^{-E(v,h)} = e^{H(v) - F(v)}` (:math:`F` the RBM's
    visible free energy), so the trace condition holds exactly when the RBM's visible
    marginal reproduces :math:`e^{-H(v)}` — a perfectly trained RBM.

    Parameters
    ----------
    W : array_like, shape ``(n_hidden, n_visible)``
        Weights.
    a : array_like, shape ``(n_visible,)``
        Visible biases (``intercept_visible_``).
    c : array_like, shape ``(n_hidden,)``
        Hidden biases.
    visible : array_like, shape ``(n_states, n_visible)``
        Visible states, entries 0/1.
    H : array_like, shape ``(n_states,)``
        The fine Hamiltonian on those states.

    Returns
    -------
    numpy.ndarray, shape ``(n_states, 2**n_hidden)``
        The table.
    """
    W, c, v = _rbm_arrays(W, c, visible)
    a = check_array("a", a, shape=(W.shape[1],))
    H = _energies("H", H)
    if H.size != v.shape[0]:
        raise ValueError("H must have one energy per visible state")
    hs = _hidden_states(W.shape[0])
    minus_e = (v @ a)[:, None] + (hs @ c)[None, :] + v @ W.T @ hs.T
    return minus_e + H[:, None]


def majority_rule_coupling(visible: ArrayLike, block: int) -> FloatArray:
    """Kadanoff's majority rule on a chain as a coupling table (``0`` or ``-inf``).

    :math:`e^{T(v,h)} = \\prod_B \\delta(h_B, \\mathrm{sign}\\sum_{i\\in B} v_i)`: a
    deterministic coarse-graining, which satisfies the trace condition trivially.

    Parameters
    ----------
    visible : array_like of +1/-1, shape ``(n_states, n)``
        Spin states; ``n`` divisible by ``block``.
    block : int
        Odd block length (no ties).

    Returns
    -------
    numpy.ndarray, shape ``(n_states, 2**(n // block))``
        The table; coarse state ``j`` has block ``i`` equal to -1 when bit ``i`` is set.
    """
    v = check_array("visible", visible, ndim=2)
    block = _int("block", block, 1)
    if block % 2 == 0:
        raise ValueError(f"block must be odd (no ties), got {block}")
    if v.ndim != 2 or v.shape[1] % block or not np.all((v == 1) | (v == -1)):
        raise ValueError(f"visible must be +-1 states of shape (n_states, multiple of {block})")
    n_blocks = v.shape[1] // block
    if n_blocks > 16:
        raise ValueError(f"at most 16 blocks, got {n_blocks}")
    maj = np.sign(v.reshape(v.shape[0], n_blocks, block).sum(axis=2))
    bits = (maj < 0).astype(np.int64) @ (1 << np.arange(n_blocks))
    T = np.full((v.shape[0], 2**n_blocks), -np.inf)
    T[np.arange(v.shape[0]), bits] = 0.0
    return T


def independent_coupling(n_visible_states: int, H_other: ArrayLike) -> FloatArray:
    """A coupling that ignores :math:`v`: :math:`T(v,h) = -H_{other}(h) - \\ln Z_{other}`.

    The "cat in a thermal bath" of Appendix B: a second system that does not interact with
    the first satisfies the trace condition (:math:`\\sum_h e^{T} = 1`) and preserves
    :math:`p(v)`, yet :math:`h` carries no information about :math:`v`.

    Parameters
    ----------
    n_visible_states : int
        Number of states of the first system.
    H_other : array_like
        Energies of the unrelated system's states.

    Returns
    -------
    numpy.ndarray, shape ``(n_visible_states, len(H_other))``
        The table (all rows equal).
    """
    n = _int("n_visible_states", n_visible_states, 1)
    Ho = _energies("H_other", H_other)
    check_budget("n_visible_states", 8.0 * n * Ho.size, MAX_BYTES)
    row = -Ho - logsumexp(-Ho)
    return np.broadcast_to(row, (n, Ho.size)).copy()


def fit_rbm(
    visible: ArrayLike,
    n_hidden: int,
    rng: np.random.Generator,
    *,
    n_iter: int = 40,
    learning_rate: float = 0.05,
    batch_size: int = 20,
) -> Any:
    """Fit scikit-learn's :class:`~sklearn.neural_network.BernoulliRBM` to 0/1 samples.

    Persistent contrastive divergence, as scikit-learn implements it, with one BLAS thread
    (so the result does not depend on the number of cores) and a seed drawn from ``rng``.

    Parameters
    ----------
    visible : array_like, shape ``(n_samples, n_visible)``
        Training samples, entries 0/1 (for spins use :math:`(s+1)/2`).
    n_hidden : int
        Number of hidden units (1 to 16, so that the hidden states can be enumerated).
    rng : numpy.random.Generator
        Source of the seed.
    n_iter, learning_rate, batch_size : optional
        Passed to ``BernoulliRBM``.

    Returns
    -------
    sklearn.neural_network.BernoulliRBM
        The fitted model (``components_``, ``intercept_hidden_``, ``intercept_visible_``).
    """
    from sklearn.neural_network import BernoulliRBM
    from threadpoolctl import threadpool_limits

    rng = _check_rng(rng)
    v = check_array("visible", visible, ndim=2)
    if not np.all((v == 0) | (v == 1)):
        raise ValueError("visible must be a 2-D array of 0/1 samples")
    n_hidden = check_int("n_hidden", n_hidden, 1, 16)
    rbm = BernoulliRBM(
        n_components=n_hidden,
        learning_rate=check_real("learning_rate", learning_rate, 0.0, low_open=True),
        n_iter=_int("n_iter", n_iter, 1),
        batch_size=_int("batch_size", batch_size, 1),
        random_state=int(rng.integers(2**31 - 1)),
    )
    with threadpool_limits(limits=1):
        rbm.fit(v)
    return rbm
