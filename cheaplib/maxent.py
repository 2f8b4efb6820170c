"""Is real data cheap? Exact maximum-entropy models of binarized image patches (chapter 8).

The paper's premise (001 Sec. II D) is that the Hamiltonians :math:`H = -\\ln p` of real data
are low-order polynomials, local and symmetric.  This module measures that on data: binary
patterns of ``n <= 16`` pixels (:func:`binary_patches` cuts and binarizes image patches),
and the maximum-entropy model of order ``k`` that reproduces every moment of the data up to
order ``k`` (Schneidman et al. 2003),

.. math:: p_k(s) = \\frac1Z \\exp\\Big(\\sum_{0<|A|\\le k} \\theta_A\\, \\chi_A(s)\\Big), \\qquad
          \\chi_A(s) = \\prod_{i\\in A} s_i, \\qquad s_i = \\pm1 ,  \\qquad (1)

fitted *exactly*: every one of the :math:`2^n` states is enumerated.  Spin ``i`` of a pattern
is :math:`s_i = 2x_i - 1` for pixel bit :math:`x_i \\in \\{0, 1\\}`, and state number
:math:`\\sum_i x_i 2^i` follows :func:`cheaplib.rbm.spin_states`; a subset :math:`A` is
indexed by its bit mask, so :math:`\\theta_{\\{i\\}} = h_i` are the fields and
:math:`\\theta_{\\{i,j\\}} = J_{ij}` the couplings (positive: pixels alike).

How the fit works.  The moments of *every* subset under a distribution :math:`p` over the
states are one Walsh-Hadamard transform, :math:`\\langle\\chi_A\\rangle = \\sum_s p(s)
\\chi_A(s)`, and the exponent of (1) is the inverse transform of :math:`\\theta` placed on
its subsets (fast Walsh-Hadamard transforms, :math:`O(n2^n)` operations each).  The
maximum-likelihood :math:`\\theta` minimises the convex dual

.. math:: L(\\theta) = \\ln Z(\\theta) - \\sum_A \\theta_A \\langle\\chi_A\\rangle_{data},
          \\qquad \\partial_A L = \\langle\\chi_A\\rangle_\\theta - \\langle\\chi_A\\rangle_{data},
          \\qquad (2)

whose Hessian is the covariance :math:`\\langle\\chi_{A\\triangle B}\\rangle_\\theta -
\\langle\\chi_A\\rangle_\\theta\\langle\\chi_B\\rangle_\\theta` (:math:`\\chi_A\\chi_B =
\\chi_{A\\triangle B}`): a table look-up in the same transform.  Newton's method with a
backtracking line search on :math:`L` then converges in a few tens of steps, for any order,
deterministically.  At the optimum :math:`L = H_k`, the entropy of the order-``k`` model.

Information by order (Schneidman et al. 2003): with :math:`H_N` the plug-in entropy of the
data, :math:`I_N = H_1 - H_N` (:func:`multi_information`) splits into connected
informations :math:`I^{(k)} = H_{k-1} - H_k` (:func:`connected_information`);
:func:`pairwise_information_fraction` is :math:`I^{(2)}/I_N`.  :func:`heat_capacity`
gives :math:`C(T)` of the family :math:`p^{1/T}` exactly; the remaining functions read
locality and symmetry off the couplings of a patch.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp
from threadpoolctl import threadpool_limits

from cheaplib._typing import FloatArray, IntArray
from cheaplib.validation import (
    MAX_BYTES,
    check_array,
    check_budget,
    check_choice,
    check_int,
    check_real,
    check_rng,
    check_tolerance,
)

__all__ = [
    "MAX_PIXELS",
    "MAX_SIDE",
    "MIN_TEMPERATURE",
    "IMAGES",
    "MaxEnt",
    "OrderInformation",
    "PseudoLikelihood",
    "THRESHOLDS",
    "binary_patches",
    "bundled_file",
    "conditional_log_likelihood",
    "connected_information",
    "coupling_matrix",
    "displacement_couplings",
    "empirical_entropy",
    "fit_maxent",
    "fit_pseudolikelihood",
    "image_patterns",
    "heat_capacity",
    "heat_capacity_peak",
    "independent_log_likelihood",
    "information_by_order",
    "load_image",
    "locality_share",
    "log_likelihood",
    "multi_information",
    "orientation_couplings",
    "pairwise_information_fraction",
    "pairwise_model",
    "pixel_pairs",
    "sample_patterns",
    "subset_masks",
    "translation_spread",
]

#: Largest number of pixels fitted exactly (:math:`2^{16} = 65\\,536` states).
MAX_PIXELS = 16
#: Largest side of a square patch whose couplings :func:`locality_share` and the other
#: coupling maps read (an ``8 x 8`` digit fitted by pseudo-likelihood has 64 pixels).
MAX_SIDE = 16
#: How :func:`binary_patches` binarizes: at the image's median, or at each patch's own.
THRESHOLDS = ("median", "patch-median")
#: Lowest temperature :func:`heat_capacity` accepts (below it :math:`1/T^2` overflows).
MIN_TEMPERATURE = 1e-6
#: Below this many bits of multi-information a pattern set counts as independent.
ZERO_INFORMATION = 1e-9


# --- patterns ---------------------------------------------------------------------------------


def binary_patches(
    image: ArrayLike, size: int, threshold: str | float = "median", *, step: int = 1
) -> Any:
    """Binary ``size x size`` patches of a grey-scale image, one pattern per row.

    Every ``size x size`` window whose corner lies on the grid of ``step`` is cut out
    (overlapping when ``step < size``) and flattened row by row, so pixel ``r * size + c``
    of a pattern is row ``r``, column ``c`` of its patch.  A pixel is 1 when it is
    *brighter than* the threshold, else 0.

    Parameters
    ----------
    image : array_like, shape ``(rows, cols)``
        Grey levels (any real scale); colour images must be converted first (e.g.
        ``skimage.color.rgb2gray``).
    size : int
        Side of the patch, 1 to 4 (at most :data:`MAX_PIXELS` pixels).
    threshold : {"median", "patch-median"} or float, optional
        ``"median"``: the median of the whole image (default); ``"patch-median"``: each
        patch's own median (a local contrast variant); a number: that grey level.
    step : int, optional
        Distance between the corners of successive patches (default 1: every patch).

    Returns
    -------
    numpy.ndarray of uint8, shape ``(N, size * size)``
        The patterns, 0 or 1.

    Raises
    ------
    TypeError, ValueError
        For an image that is not 2-D, real and finite, smaller than one patch, or
        constant; a ``size`` or ``step`` out of range; an unknown threshold.

    Examples
    --------
    >>> image = np.arange(16.0).reshape(4, 4)
    >>> binary_patches(image, 2, step=2).tolist()
    [[0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1]]
    """
    size = check_int("size", size, 1, 4)
    step = check_int("step", step, 1)
    img = check_array("image", image)
    if img.ndim != 2:
        raise ValueError(
            f"image must be 2-D (grey levels), got shape {img.shape}; convert a colour "
            "image first, e.g. with skimage.color.rgb2gray"
        )
    if min(img.shape) < size:
        raise ValueError(f"image of shape {img.shape} is smaller than one {size}x{size} patch")
    if np.ptp(img) == 0:
        raise ValueError("image is constant: every pixel binarizes the same way")
    windows = sliding_window_view(img, (size, size))[::step, ::step]
    flat = windows.reshape(-1, size * size)
    if isinstance(threshold, str):
        threshold = check_choice("threshold", threshold, THRESHOLDS)
        if threshold == "median":
            return (flat > np.median(img)).astype(np.uint8)
        return (flat > np.median(flat, axis=1, keepdims=True)).astype(np.uint8)
    level = check_real("threshold", threshold)
    return (flat > level).astype(np.uint8)


#: The real images of chapter 8: name -> (``skimage.data`` function, file bundled in the
#: scikit-image package, what it shows).  Every one is read from the installed package;
#: none is downloaded (:func:`load_image` refuses a file that is not there).
IMAGES: dict[str, tuple[str, str, str]] = {
    "camera": ("camera", "camera.png", "photograph: a man with a camera"),
    "grass": ("grass", "grass.png", "texture: grass"),
    "gravel": ("gravel", "gravel.png", "texture: gravel"),
    "brick": ("brick", "brick.png", "texture: a brick wall"),
    "astronaut": ("astronaut", "astronaut.png", "photograph: astronaut Eileen Collins"),
    "coffee": ("coffee", "coffee.png", "photograph: a cup of coffee"),
    "chelsea": ("chelsea", "chelsea.png", "photograph: Chelsea the cat"),
    "hubble": ("hubble_deep_field", "hubble_deep_field.jpg", "astronomy: Hubble deep field"),
    "faces": ("lfw_subset", "lfw_subset.npy", "100 faces of 25 x 25 pixels (LFW subset)"),
}


def bundled_file(name: str) -> Any:
    """Path of the file of image ``name`` inside the installed scikit-image package.

    Raises
    ------
    ValueError
        For a name not in :data:`IMAGES`, or a file that the installed package does not
        hold (scikit-image would then try to download it, which the book refuses).
    """
    from pathlib import Path

    import skimage.data

    name = check_choice("name", name, tuple(IMAGES))
    path = Path(skimage.data.__file__).parent / IMAGES[name][1]
    if not path.is_file():
        raise ValueError(
            f"name: {name!r} is not bundled with this scikit-image ({path} is missing); "
            "it would be downloaded, which the book does not do"
        )
    return path


def load_image(name: str) -> FloatArray:
    """Grey levels in ``[0, 1]`` of one of the bundled images (:data:`IMAGES`).

    Colour images are converted by ``skimage.color.rgb2gray``.  ``"faces"`` is a stack of
    shape ``(100, 25, 25)``: the first 100 images of ``skimage.data.lfw_subset()``, which
    are the faces (the other 100 are background crops).

    Examples
    --------
    >>> load_image("camera").shape
    (512, 512)
    """
    import skimage.color
    import skimage.data

    bundled_file(name)  # refuses anything that would be downloaded
    raw = np.asarray(getattr(skimage.data, IMAGES[name][0])())
    if name == "faces":
        return np.asarray(raw[:100], dtype=np.float64)
    if raw.ndim == 3:
        return np.asarray(skimage.color.rgb2gray(raw[..., :3]), dtype=np.float64)
    return np.asarray(raw, dtype=np.float64) / 255.0


def image_patterns(name: str, size: int, threshold: str = "median") -> Any:
    """Binary ``size x size`` patches of a bundled image (:func:`binary_patches`).

    For the stack of faces every face is binarized at its own median and the patches of
    all faces are pooled.
    """
    image = load_image(name)
    stack = image if image.ndim == 3 else image[None]
    return np.vstack([binary_patches(im, size, threshold) for im in stack])


def _patterns(patterns: ArrayLike, name: str = "patterns") -> Any:
    """``patterns`` as a ``(N, n)`` uint8 array of 0/1 with ``1 <= n <= MAX_PIXELS``."""
    arr = _patterns_any(patterns, name)
    n = arr.shape[1]
    if n > MAX_PIXELS:
        raise ValueError(
            f"{name} has n = {n} pixels: exact enumeration of 2**{n} states is refused "
            f"above n = {MAX_PIXELS} (MAX_PIXELS); use smaller patches"
        )
    return arr


def _patterns_any(patterns: ArrayLike, name: str = "patterns") -> Any:
    """``patterns`` as a ``(N, n)`` uint8 array of 0/1 (any ``n``)."""
    raw = np.asarray(patterns)
    if raw.dtype.kind in "bu" and raw.ndim == 2:  # fast path for binary_patches output
        arr = raw
    else:
        arr = check_array(name, patterns, ndim=2, min_size=0)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have 2 dimensions (N, n), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): no pattern to fit")
    if not (arr.min() >= 0 and arr.max() <= 1 and np.all((arr == 0) | (arr == 1))):
        raise ValueError(f"{name} must be binary (0/1 or False/True), got other values")
    return arr.astype(np.uint8, copy=False)


def _histogram(x: Any, weights: ArrayLike | None = None) -> FloatArray:
    """Empirical distribution over the :math:`2^n` states (state :math:`\\sum_i x_i 2^i`).

    ``weights``, if given, weighs each pattern (one non-negative number per row).
    """
    n = x.shape[1]
    packed = np.packbits(x, axis=1, bitorder="little").astype(np.int64)
    codes = packed[:, 0] if packed.shape[1] == 1 else packed[:, 0] + (packed[:, 1] << 8)
    if weights is None:
        return np.bincount(codes, minlength=2**n).astype(np.float64) / x.shape[0]
    w = check_array("weights", weights, shape=(x.shape[0],))
    if np.any(w < 0) or not w.sum() > 0:
        raise ValueError("weights must be non-negative with a positive sum")
    return np.bincount(codes, weights=w, minlength=2**n) / w.sum()


def _data(patterns: ArrayLike, weights: ArrayLike | None) -> tuple[FloatArray, int, int]:
    """The empirical distribution, the number of pixels and of patterns."""
    x = _patterns(patterns)
    return _histogram(x, weights), int(x.shape[1]), int(x.shape[0])


def _hadamard(v: FloatArray) -> FloatArray:
    """Walsh-Hadamard transform, :math:`(Hv)_a = \\sum_b (-1)^{|a \\wedge b|} v_b` (symmetric).

    Each of the ``n`` passes adds and subtracts the two contiguous halves of the vector and
    interleaves the results (a rotation of the index bits), so after ``n`` passes every
    bit has had its butterfly and the bits are back in place; contiguous reads make it
    several times faster than strided butterflies.
    """
    a = np.array(v, dtype=np.float64)
    b = np.empty_like(a)
    for _ in range(a.size.bit_length() - 1):
        x, y = a.reshape(2, -1), b.reshape(-1, 2)
        np.add(x[0], x[1], out=y[:, 0])
        np.subtract(x[0], x[1], out=y[:, 1])
        a, b = b, a
    return a


@functools.cache
def _popcount(n: int) -> IntArray:
    """Number of elements of every subset mask of ``n`` pixels (read-only)."""
    ones = ((np.arange(2**n, dtype=np.int64)[:, None] >> np.arange(n)) & 1).sum(axis=1)
    ones.setflags(write=False)
    return ones


def _moments(p: FloatArray) -> FloatArray:
    """:math:`\\langle\\chi_A\\rangle = \\sum_s p(s)\\prod_{i\\in A}s_i` for every mask ``A``.

    With :math:`s_i = +1` for bit ``i`` set, :math:`\\chi_A(s) = (-1)^{|A|}(-1)^{|A\\wedge s|}`.
    """
    parity = 1.0 - 2.0 * (_popcount(p.size.bit_length() - 1) % 2)
    return parity * _hadamard(p)


def _exponent(theta_full: FloatArray) -> FloatArray:
    """:math:`\\sum_A \\theta_A\\chi_A(s)` for every state (the transpose of :func:`_moments`)."""
    parity = 1.0 - 2.0 * (_popcount(theta_full.size.bit_length() - 1) % 2)
    return _hadamard(parity * theta_full)


def _bits(p: FloatArray) -> float:
    """Entropy in bits of a probability vector (0 log 0 = 0)."""
    nz = p[p > 0]
    return float(max(-(nz * np.log2(nz)).sum(), 0.0))


def _independent_entropy(q: FloatArray, n: int) -> float:
    """:math:`H_1 = \\sum_i H(x_i)` (bits) from the distribution ``q`` over the states."""
    m = _moments(q)[1 << np.arange(n)]
    up = np.clip((1.0 + m) / 2.0, 0.0, 1.0)
    return float(sum(_bits(np.array([u, 1.0 - u])) for u in up))


def subset_masks(n: int, order: int) -> IntArray:
    """Bit masks of every subset of ``n`` pixels with 1 to ``order`` elements.

    Sorted by size, then by value: the fields first (``1 << i``), then the pairs.

    Examples
    --------
    >>> subset_masks(3, 2).tolist()
    [1, 2, 4, 3, 5, 6]
    """
    n = check_int("n", n, 1, MAX_PIXELS)
    order = check_int("order", order, 1, n)
    sizes = _popcount(n)
    keep = np.flatnonzero((sizes >= 1) & (sizes <= order))
    return keep[np.argsort(sizes[keep], kind="stable")].astype(np.int64)


# --- the model ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaxEnt:
    """An exact maximum-entropy model of order ``order`` over ``n`` pixels, eq. (1).

    Attributes
    ----------
    n : int
        Number of pixels (spins).
    order : int
        Highest order of the constrained moments.
    masks : numpy.ndarray of int64
        Bit masks of the constrained subsets (:func:`subset_masks`).
    params : numpy.ndarray
        :math:`\\theta_A` for each mask: :math:`\\ln p(s) = \\sum_A\\theta_A\\chi_A(s) - \\ln Z`.
    log_z : float
        :math:`\\ln Z`.
    entropy : float
        Entropy of the model in bits (:math:`H_k`).
    iterations : int
        Newton steps used.
    moment_error : float
        Largest :math:`|\\langle\\chi_A\\rangle_\\theta - \\langle\\chi_A\\rangle_{data}|`
        at the end.
    """

    n: int
    order: int
    masks: IntArray
    params: FloatArray
    log_z: float
    entropy: float
    iterations: int
    moment_error: float

    def __post_init__(self) -> None:
        n = check_int("n", self.n, 1, MAX_PIXELS)
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "order", check_int("order", self.order, 1, n))
        masks = check_array("masks", self.masks, ndim=1, dtype=np.int64)
        if np.any((masks < 1) | (masks >= 2**n)):
            raise ValueError(f"masks must lie in [1, 2**n - 1] for n = {n}")
        object.__setattr__(self, "masks", masks)
        object.__setattr__(self, "params", check_array("params", self.params, shape=(masks.size,)))
        object.__setattr__(self, "log_z", check_real("log_z", self.log_z))
        object.__setattr__(self, "entropy", check_real("entropy", self.entropy, low=0.0))
        object.__setattr__(self, "iterations", check_int("iterations", self.iterations, 0))
        err = check_real("moment_error", self.moment_error, low=0.0)
        object.__setattr__(self, "moment_error", err)

    @property
    def n_params(self) -> int:
        """Number of parameters, :math:`\\sum_{k'\\le k}\\binom{n}{k'}`."""
        return int(self.masks.size)

    def exponent(self) -> FloatArray:
        """:math:`\\sum_A\\theta_A\\chi_A(s)` for every state (``2**n`` values), eq. (1)."""
        full = np.zeros(2**self.n)
        full[self.masks] = self.params
        return _exponent(full)

    def energies(self) -> FloatArray:
        """The Hamiltonian :math:`E(s) = -\\sum_A\\theta_A\\chi_A(s)` of every state (``2**n``)."""
        return -self.exponent()

    def probabilities(self) -> FloatArray:
        """:math:`p(s)` for every state (``2**n`` values, summing to 1)."""
        return np.exp(self.exponent() - self.log_z)

    def fields(self) -> FloatArray:
        """The fields :math:`h_i = \\theta_{\\{i\\}}`, shape ``(n,)``."""
        return self.params[: self.n].copy()

    def couplings(self) -> FloatArray:
        """The pair couplings :math:`J_{ij} = \\theta_{\\{i,j\\}}`, a symmetric ``(n, n)`` matrix.

        Zero on the diagonal, and everywhere for an order-1 model.
        """
        return coupling_matrix(self.n, self.masks, self.params)


def coupling_matrix(n: int, masks: ArrayLike, params: ArrayLike) -> FloatArray:
    """Symmetric ``(n, n)`` matrix of the pair terms among ``masks`` / ``params``.

    Examples
    --------
    >>> coupling_matrix(2, [1, 2, 3], [0.1, 0.2, 0.5]).tolist()
    [[0.0, 0.5], [0.5, 0.0]]
    """
    n = check_int("n", n, 1, MAX_PIXELS)
    m = check_array("masks", masks, ndim=1, dtype=np.int64)
    th = check_array("params", params, shape=(m.size,))
    if np.any((m < 1) | (m >= 2**n)):
        raise ValueError(f"masks must lie in [1, 2**n - 1] for n = {n}")
    bits = (m[:, None] >> np.arange(n)) & 1
    pairs = bits.sum(axis=1) == 2
    ij = np.nonzero(bits[pairs])[1].reshape(-1, 2)
    J = np.zeros((n, n))
    J[ij[:, 0], ij[:, 1]] = th[pairs]
    J[ij[:, 1], ij[:, 0]] = th[pairs]
    return J


def pairwise_model(fields: ArrayLike, couplings: ArrayLike) -> MaxEnt:
    """The pairwise model of eq. (1): fields :math:`h_i` and couplings :math:`J_{ij}` only.

    Normalised exactly over the :math:`2^n` states, so that a model fitted another way (by
    pseudo-likelihood, say) can be compared with :func:`fit_maxent` on held-out data
    through :func:`log_likelihood`.  ``iterations`` and ``moment_error`` are 0: no data
    were fitted.

    Examples
    --------
    >>> m = pairwise_model([0.0, 0.0], [[0.0, 0.5], [0.5, 0.0]])
    >>> round(float(m.probabilities()[0]), 6)  # both down: e^{0.5} / (2e^{0.5} + 2e^{-0.5})
    0.365529
    """
    h = check_array("fields", fields, ndim=1)
    n = h.size
    if n > MAX_PIXELS:
        raise ValueError(f"fields has n = {n} > MAX_PIXELS = {MAX_PIXELS} entries")
    J = check_array("couplings", couplings, shape=(n, n))
    if not np.allclose(J, J.T) or np.any(np.diag(J) != 0):
        raise ValueError("couplings must be symmetric with a zero diagonal")
    masks = subset_masks(n, min(2, n))
    i, j = np.triu_indices(n, k=1)
    by_mask = np.argsort((1 << i) | (1 << j), kind="stable")  # the order of subset_masks
    params = np.concatenate([h, J[i, j][by_mask]])
    full = np.zeros(2**n)
    full[masks] = params
    exponent = _exponent(full)
    log_z = float(logsumexp(exponent))
    entropy = _bits(np.exp(exponent - log_z))
    return MaxEnt(n, min(2, n), masks, params, log_z, entropy, 0, 0.0)


def _model_moments(theta: FloatArray, masks: IntArray, n: int) -> tuple[float, FloatArray]:
    """:math:`\\ln Z` and the moments of every subset under the model."""
    full = np.zeros(2**n)
    full[masks] = theta
    exponent = _exponent(full)
    log_z = float(logsumexp(exponent))
    return log_z, _moments(np.exp(exponent - log_z))


def fit_maxent(
    patterns: ArrayLike,
    order: int,
    *,
    weights: ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> MaxEnt:
    """Exact maximum-entropy model of order ``order`` reproducing the patterns' moments.

    Minimises the convex dual (2) by Newton's method with the exact Hessian and a
    backtracking line search, starting from the independent model
    (:math:`h_i = \\operatorname{artanh}\\langle s_i\\rangle`), over all :math:`2^n` states
    (see the module docstring).  Deterministic: no random start, one thread for the
    linear algebra.

    Parameters
    ----------
    patterns : array_like of 0/1, shape ``(N, n)``
        The data, one pattern per row, :math:`n \\le` :data:`MAX_PIXELS`.
    order : int
        Highest moment order constrained, 1 to ``n`` (1: independent pixels, 2: pairwise,
        the Ising model).
    weights : array_like, optional
        One non-negative weight per pattern (default: all equal).  With every state as a
        pattern and its probability as weight, the data *are* that distribution.
    tol : float, optional
        Stop when every moment matches the data within ``tol`` (default 1e-10).
    max_iter : int, optional
        Newton steps allowed (default 200).

    Returns
    -------
    MaxEnt

    Raises
    ------
    TypeError, ValueError
        For non-binary or empty patterns, ``n > MAX_PIXELS``, an ``order`` outside
        ``[1, n]``; a pixel that never changes (its field is infinite); or a fit that does
        not converge, which happens when the data lie on the boundary (a combination of up
        to ``order`` pixels that never occurs), where some :math:`\\theta_A` is infinite.

    Examples
    --------
    >>> x = np.array([[0, 0], [1, 1], [1, 1], [0, 1], [1, 0]])
    >>> model = fit_maxent(x, 2)  # two pixels: the pairwise model is the data's law
    >>> model.probabilities().round(6).tolist()  # states 00, 10, 01, 11 (pixel 0 first)
    [0.2, 0.2, 0.2, 0.4]
    """
    q, n, _ = _data(patterns, weights)
    order = check_int("order", order, 1, n)
    tol = check_tolerance("tol", tol)
    max_iter = check_int("max_iter", max_iter, 1, 10_000)
    return _fit(q, n, order, tol, max_iter)


def _fit(
    q: FloatArray, n: int, order: int, tol: float, max_iter: int, start: MaxEnt | None = None
) -> MaxEnt:
    """:func:`fit_maxent` from the empirical distribution ``q`` over the states.

    ``start``, a model of lower order fitted to the same data, is the first iterate (its
    parameters, zero for the new subsets), which saves most Newton steps.
    """
    masks = subset_masks(n, order)
    check_budget("order", 8.0 * 3 * masks.size**2 + 64.0 * 2**n, MAX_BYTES)
    target = _moments(q)[masks]
    stuck = np.flatnonzero(np.abs(target[:n]) >= 1.0 - 1e-15)
    if stuck.size:
        raise ValueError(
            f"patterns: pixel(s) {stuck.tolist()} never change, so their field is infinite; "
            "drop them before fitting"
        )
    # small dense solves: one thread is faster (on a loaded machine threads spin) and
    # gives the same digits wherever the book runs
    with threadpool_limits(limits=1):
        theta = np.zeros(masks.size)
        if start is None:
            theta[:n] = np.arctanh(target[:n])
        else:
            theta[: start.masks.size] = start.params  # masks are sorted by size
        model = _newton(theta, target, masks, n, order, tol, max_iter)
    if not model.moment_error < tol:
        raise ValueError(
            f"fit_maxent did not converge in max_iter = {max_iter} Newton steps (moment "
            f"error {model.moment_error:.2e} > tol = {tol:g}): the moments of order <= "
            f"{order} lie on or near the boundary (a combination of pixels that never "
            "occurs), where the parameters are infinite"
        )
    return model


def _newton(
    theta: FloatArray,
    target: FloatArray,
    masks: IntArray,
    n: int,
    order: int,
    tol: float,
    max_iter: int,
) -> MaxEnt:
    """Damped Newton steps on the dual (2) from ``theta``; the last iterate at ``max_iter``."""
    sym = masks[:, None] ^ masks[None, :]  # chi_A chi_B = chi_(A xor B)
    log_z, moments = _model_moments(theta, masks, n)
    dual = log_z - float(theta @ target)
    it, err, t_last = 0, math.inf, 1.0
    for it in range(max_iter + 1):  # noqa: B007 (it is reported)
        grad = moments[masks] - target
        err = float(np.abs(grad).max())
        if err < tol or it == max_iter:
            break
        hess = moments[sym] - np.outer(moments[masks], moments[masks])
        try:
            step = -cho_solve(cho_factor(hess), grad)
        except LinAlgError:  # numerically singular: on the boundary
            step = -np.linalg.lstsq(hess, grad, rcond=None)[0]
        slope = float(grad @ step)  # minus the squared Newton decrement
        # Near the optimum (decrement below 1e-6) the full step converges quadratically, and
        # the decrease of L falls under its round-off: no line search there.  Far from it
        # Newton overshoots for a while, so the search starts near the last step length.
        t = 1.0 if -slope < 1e-6 else min(1.0, 4.0 * t_last)
        while True:
            trial = theta + t * step
            log_z_t, moments_t = _model_moments(trial, masks, n)
            dual_t = log_z_t - float(trial @ target)
            if -slope < 1e-6 or dual_t <= dual + 1e-4 * t * slope or t < 1e-12:
                break
            t *= 0.5
        if t < 1e-12:  # no descent left at round-off: the moments are as close as they get
            break
        t_last = t
        theta, log_z, moments, dual = trial, log_z_t, moments_t, dual_t
    full = np.zeros(2**n)
    full[masks] = theta
    entropy = _bits(np.exp(_exponent(full) - log_z))
    return MaxEnt(n, order, masks, theta, log_z, entropy, it, err)


# --- information by order ------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderInformation:
    """Entropies of the maximum-entropy models of order 1..K and of the data (bits).

    Attributes
    ----------
    entropies : numpy.ndarray
        :math:`H_1, \\dots, H_K`.
    empirical : float
        :math:`H_N`, the plug-in entropy of the data.
    models : tuple of MaxEnt
        The fitted models of order 2..K.
    n_patterns : int
        Number of patterns.
    """

    entropies: FloatArray
    empirical: float
    models: tuple[MaxEnt, ...]
    n_patterns: int

    def __post_init__(self) -> None:
        H = check_array("entropies", self.entropies, ndim=1)
        if np.any(H < 0):
            raise ValueError("entropies must be >= 0")
        object.__setattr__(self, "entropies", H)
        object.__setattr__(self, "empirical", check_real("empirical", self.empirical, low=0.0))
        if not isinstance(self.models, tuple) or not all(
            isinstance(m, MaxEnt) for m in self.models
        ):
            raise TypeError("models must be a tuple of MaxEnt (the fits of order 2..K)")
        if len(self.models) != H.size - 1:
            raise ValueError(f"models must hold {H.size - 1} fits, one per order 2..K")
        object.__setattr__(self, "n_patterns", check_int("n_patterns", self.n_patterns, 1))

    @property
    def multi_information(self) -> float:
        """:math:`I_N = H_1 - H_N` (0, not a round-off residue, for independent pixels)."""
        value = float(self.entropies[0] - self.empirical)
        return 0.0 if abs(value) < ZERO_INFORMATION else value

    @property
    def connected(self) -> FloatArray:
        """:math:`I^{(2)}, \\dots, I^{(K)}`, then the remainder :math:`H_K - H_N` (sum: I_N)."""
        rest = float(self.entropies[-1] - self.empirical)
        by_order = self.entropies[:-1] - self.entropies[1:]
        return np.append(by_order, 0.0 if abs(rest) < ZERO_INFORMATION else rest)

    @property
    def pairwise_fraction(self) -> float:
        """:math:`(H_1 - H_2)/(H_1 - H_N)`; see :func:`pairwise_information_fraction`."""
        total = self.multi_information
        if total == 0.0:
            raise ValueError(
                "patterns have no multi-information (I_N = 0: the pixels are independent "
                "in the data), so the fraction (H1 - H2)/(H1 - HN) is 0/0, undefined"
            )
        if self.entropies.size < 2:
            raise ValueError("the pairwise fraction needs max_order >= 2")
        return float((self.entropies[0] - self.entropies[1]) / total)


def information_by_order(
    patterns: ArrayLike,
    max_order: int,
    *,
    weights: ArrayLike | None = None,
    tol: float = 1e-10,
) -> OrderInformation:
    """Fit the models of order 2..``max_order`` and collect the entropies by order.

    :math:`H_1` is the sum of the pixels' entropies (closed form); :math:`H_k` for
    :math:`k \\ge 2` comes from :func:`fit_maxent`; :math:`H_N` from the data.  One pass
    over the data serves all of them.

    Parameters
    ----------
    patterns : array_like of 0/1, shape ``(N, n)``
        The data (:math:`n \\le` :data:`MAX_PIXELS`).
    max_order : int
        Highest order fitted, 1 to ``n``.
    weights : array_like, optional
        One non-negative weight per pattern, as in :func:`fit_maxent`; the other
        functions of this section take it too.
    tol : float, optional
        Moment tolerance of each fit (default 1e-10).

    Returns
    -------
    OrderInformation

    Examples
    --------
    >>> x = np.array([[0, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1]])  # parity: pure 3rd order
    >>> info = information_by_order(x, 2)
    >>> info.entropies.tolist(), info.empirical
    ([3.0, 3.0], 2.0)
    """
    q, n, n_patterns = _data(patterns, weights)
    max_order = check_int("max_order", max_order, 1, n)
    tol = check_tolerance("tol", tol)
    models: list[MaxEnt] = []
    for k in range(2, max_order + 1):  # each order starts from the one below
        models.append(_fit(q, n, k, tol, 200, models[-1] if models else None))
    entropies = np.array([_independent_entropy(q, n), *(m.entropy for m in models)])
    return OrderInformation(entropies, _bits(q), tuple(models), n_patterns)


def empirical_entropy(patterns: ArrayLike, *, weights: ArrayLike | None = None) -> float:
    """Plug-in entropy (bits) of the patterns' empirical distribution, :math:`H_N`.

    The plug-in estimate is biased low, by about (occupied states − 1)/(2 N ln 2) bits
    for independent samples (Miller–Madow).

    Examples
    --------
    >>> empirical_entropy([[0, 0], [0, 1], [1, 0], [1, 1]])
    2.0
    """
    return _bits(_data(patterns, weights)[0])


def multi_information(patterns: ArrayLike, *, weights: ArrayLike | None = None) -> float:
    """Multi-information :math:`I_N = \\sum_i H(x_i) - H(x_1..x_n)` in bits (plug-in).

    It is :math:`H_1 - H_N`: how far the patterns are from independent pixels.  Exactly 0
    (not NaN, not a round-off residue) for patterns whose empirical distribution
    factorises.

    Examples
    --------
    >>> multi_information([[0, 0], [0, 1], [1, 0], [1, 1]])
    0.0
    >>> multi_information([[0, 0], [1, 1]])
    1.0
    """
    q, n, _ = _data(patterns, weights)
    value = _independent_entropy(q, n) - _bits(q)
    return 0.0 if abs(value) < ZERO_INFORMATION else value


def connected_information(
    patterns: ArrayLike, max_order: int, *, weights: ArrayLike | None = None
) -> FloatArray:
    """Connected informations :math:`I^{(k)} = H_{k-1} - H_k` (bits), Schneidman et al. 2003.

    Returns ``max_order`` numbers: :math:`I^{(2)}, \\dots, I^{(K)}` for ``K = max_order``,
    then the remainder :math:`H_K - H_N` carried by all orders above ``K``.  They sum to the
    multi-information :math:`I_N`.

    Examples
    --------
    >>> x = np.array([[0, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1]])  # parity of 3 bits
    >>> connected_information(x, 2).tolist()  # nothing pairwise, 1 bit of order 3
    [0.0, 1.0]
    """
    x = _patterns(patterns)
    max_order = check_int("max_order", max_order, 2, x.shape[1])
    return information_by_order(x, max_order, weights=weights).connected


def pairwise_information_fraction(
    patterns: ArrayLike, *, weights: ArrayLike | None = None
) -> float:
    """Share of the multi-information carried by pairwise terms: :math:`(H_1-H_2)/(H_1-H_N)`.

    1 when the order-2 (Ising) model reproduces the data's distribution; Schneidman et al.
    (2006) report about 0.9 for retinal neurons.

    Raises
    ------
    ValueError
        For patterns with no multi-information (:math:`I_N = 0`: the pixels are
        independent in the data), where the fraction is 0/0 and undefined; for a single
        pixel; and as :func:`fit_maxent`.

    Examples
    --------
    >>> x = np.array([[0, 0], [1, 1], [1, 1], [0, 1], [1, 0]])  # 2 pixels: pairs are all
    >>> round(pairwise_information_fraction(x), 6)
    1.0
    """
    x = _patterns(patterns)
    if x.shape[1] < 2:
        raise ValueError("patterns must have at least 2 pixels for a pairwise fraction")
    if multi_information(x, weights=weights) == 0.0:
        raise ValueError(
            "patterns have no multi-information (I_N = 0: the pixels are independent in "
            "the data), so the fraction (H1 - H2)/(H1 - HN) is 0/0, undefined"
        )
    return information_by_order(x, 2, weights=weights).pairwise_fraction


# --- thermodynamics ---------------------------------------------------------------------------


def heat_capacity(model: MaxEnt, temperatures: ArrayLike) -> FloatArray:
    """Heat capacity :math:`C(T) = \\mathrm{Var}_T(E)/T^2` of :math:`p_T \\propto e^{-E/T}`.

    ``E`` is the model's Hamiltonian (:meth:`MaxEnt.energies`), so :math:`T = 1` is the
    fitted model itself; summed exactly over the :math:`2^n` states.  Equivalently
    :math:`C = -T\\,\\partial^2 F/\\partial T^2` with :math:`F = -T\\ln Z(T)`
    (Stephens et al. 2013 read criticality off its peak).  In units of
    :math:`k_B` for the whole patch (divide by ``n`` for a value per pixel).

    Parameters
    ----------
    model : MaxEnt
        A fitted model.
    temperatures : array_like
        Positive temperatures (any shape).

    Returns
    -------
    numpy.ndarray
        :math:`C` at each temperature, same shape.

    Examples
    --------
    >>> m = fit_maxent([[0], [1], [1], [1]], 1)  # one spin in a field: a Schottky peak
    >>> bool(heat_capacity(m, [1.0])[0] > 0)
    True
    """
    if not isinstance(model, MaxEnt):
        raise TypeError(f"model must be a MaxEnt (from fit_maxent), got {type(model).__name__}")
    T = check_array("temperatures", temperatures)
    if np.any(T < MIN_TEMPERATURE):
        raise ValueError(
            f"temperatures must be >= MIN_TEMPERATURE = {MIN_TEMPERATURE:g} (> 0), got a "
            f"minimum of {T.min():.3g}"
        )
    check_budget("temperatures", 8.0 * 2 * T.size * 2**model.n, MAX_BYTES)
    E = model.energies()
    E = E - E.min()
    flat = T.ravel()
    out = np.empty(flat.size)
    for start in range(0, flat.size, 16):  # 16 temperatures at a time: bounded memory
        temps = flat[start : start + 16]
        logw = -E[None, :] / temps[:, None]
        w = np.exp(logw - logw.max(axis=1, keepdims=True))
        w /= w.sum(axis=1, keepdims=True)
        mean = w @ E
        # centred second moment: <E^2> - <E>^2 would lose digits when Var << <E>^2
        var = np.einsum("ts,ts->t", w, (E[None, :] - mean[:, None]) ** 2)
        out[start : start + 16] = var / temps**2
    return out.reshape(T.shape)


def heat_capacity_peak(model: MaxEnt, low: float = 0.2, high: float = 5.0) -> tuple[float, float]:
    """Temperature and height of the highest maximum of :func:`heat_capacity` in ``[low, high]``.

    A log-spaced grid of 41 temperatures finds the highest point; bounded Brent
    minimisation (:func:`scipy.optimize.minimize_scalar`) refines it between the grid
    neighbours to :math:`10^{-6}`.

    Returns
    -------
    (float, float)
        :math:`T^*` and :math:`C(T^*)` (whole patch, units of :math:`k_B`).

    Examples
    --------
    >>> m = fit_maxent([[0], [1], [1], [1], [1]], 1)  # h = artanh 0.6: x tanh x = 1 at h/T
    >>> round(heat_capacity_peak(m)[0], 4)
    0.5778
    """
    if not isinstance(model, MaxEnt):
        raise TypeError(f"model must be a MaxEnt (from fit_maxent), got {type(model).__name__}")
    low = check_real("low", low, low=MIN_TEMPERATURE)
    high = check_real("high", high)
    if not high > low:
        raise ValueError(f"high must be > low, got low = {low}, high = {high}")
    grid = np.geomspace(low, high, 41)
    k = int(np.argmax(heat_capacity(model, grid)))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    res = minimize_scalar(
        lambda T: -float(heat_capacity(model, [T])[0]),
        bounds=(a, b),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(res.x), float(-res.fun)


# --- locality and symmetry of the couplings ------------------------------------------------------


def pixel_pairs(size: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Every pair ``i < j`` of pixels of a ``size x size`` patch and its displacement.

    Returns ``(i, j, dr, dc)`` with ``dr = row_j - row_i >= 0`` and ``dc = col_j - col_i``.

    Examples
    --------
    >>> [a.tolist() for a in pixel_pairs(2)]
    [[0, 0, 0, 1, 1, 2], [1, 2, 3, 2, 3, 3], [0, 1, 1, 1, 1, 0], [1, 0, 1, -1, 0, 1]]
    """
    size = check_int("size", size, 1, MAX_SIDE)
    i, j = np.triu_indices(size * size, k=1)
    i, j = i.astype(np.int64), j.astype(np.int64)
    return i, j, j // size - i // size, j % size - i % size


def _pair_couplings(J: ArrayLike, size: int) -> tuple[FloatArray, IntArray, IntArray]:
    size = check_int("size", size, 2, MAX_SIDE)
    M = check_array("J", J, shape=(size * size, size * size))
    if not np.allclose(M, M.T):
        raise ValueError("J must be symmetric (a coupling matrix from MaxEnt.couplings)")
    i, j, dr, dc = pixel_pairs(size)
    return M[i, j], dr, dc


def locality_share(J: ArrayLike, size: int, radius: float = 1.0) -> float:
    """Share of the coupling weight :math:`\\sum|J_{ij}|` between pixels farther than ``radius``.

    With ``radius = 1`` this is the weight beyond nearest neighbours (diagonals count as
    beyond): 0 for a nearest-neighbour Ising model.

    Examples
    --------
    >>> J = np.zeros((4, 4)); J[0, 1] = J[1, 0] = 1.0; J[0, 3] = J[3, 0] = 0.5
    >>> round(locality_share(J, 2), 6)
    0.333333
    """
    values, dr, dc = _pair_couplings(J, size)
    radius = check_real("radius", radius, low=0.0)
    total = float(np.abs(values).sum())
    if total == 0.0:
        raise ValueError("J has no coupling at all: the share is 0/0, undefined")
    far = np.hypot(dr, dc) > radius + 1e-12
    return float(np.abs(values[far]).sum() / total)


def translation_spread(J: ArrayLike, size: int) -> float:
    """How far the couplings are from translation invariant, :math:`\\|J - \\bar J\\|/\\|J\\|`.

    :math:`\\bar J` replaces each coupling by the mean over all pairs with the same
    displacement (the translation-invariant projection); 0 means every displacement has
    one coupling wherever it sits in the patch.

    Examples
    --------
    >>> J = np.zeros((4, 4)); J[0, 1] = J[1, 0] = J[2, 3] = J[3, 2] = 1.0
    >>> translation_spread(J, 2)
    0.0
    """
    values, dr, dc = _pair_couplings(J, size)
    key = dr * 8 + dc
    norm = float(np.sqrt((values**2).sum()))
    if norm == 0.0:
        raise ValueError("J has no coupling at all: the spread is 0/0, undefined")
    _, inv = np.unique(key, return_inverse=True)
    means = np.bincount(inv, weights=values) / np.bincount(inv)
    return float(np.sqrt(((values - means[inv]) ** 2).sum()) / norm)


def orientation_couplings(J: ArrayLike, size: int) -> dict[str, float]:
    """Mean coupling of each nearest and diagonal displacement of a patch.

    Keys ``"horizontal"`` (same row, next column), ``"vertical"``, ``"diagonal"`` (down
    and right) and ``"antidiagonal"`` (down and left).  Rotation by 90 degrees maps
    horizontal to vertical; a reflection maps diagonal to antidiagonal.

    Examples
    --------
    >>> J = np.zeros((4, 4)); J[0, 1] = J[1, 0] = 2.0
    >>> orientation_couplings(J, 2)["horizontal"]
    1.0
    """
    values, dr, dc = _pair_couplings(J, size)
    out = {}
    for name, (r, c) in {
        "horizontal": (0, 1),
        "vertical": (1, 0),
        "diagonal": (1, 1),
        "antidiagonal": (1, -1),
    }.items():
        out[name] = float(values[(dr == r) & (dc == c)].mean())
    return out


def displacement_couplings(J: ArrayLike, size: int) -> FloatArray:
    """Mean coupling at each displacement: a ``(2 size - 1, 2 size - 1)`` map centred on 0.

    Entry ``[size - 1 + dr, size - 1 + dc]`` is the mean of :math:`J_{ij}` over the pairs
    of pixels displaced by ``(dr, dc)`` (and, by symmetry of :math:`J`, by
    ``(-dr, -dc)``); the centre is 0.  This is the coupling map of the chapter's figures:
    a translation-invariant Hamiltonian is exactly this kernel.

    Examples
    --------
    >>> J = np.zeros((4, 4)); J[0, 1] = J[1, 0] = J[2, 3] = J[3, 2] = 1.0
    >>> displacement_couplings(J, 2).tolist()
    [[0.0, 0.0, 0.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    """
    values, dr, dc = _pair_couplings(J, size)
    out = np.zeros((2 * size - 1, 2 * size - 1))
    key = (dr + size - 1) * (2 * size - 1) + (dc + size - 1)
    sums = np.bincount(key, weights=values, minlength=out.size)
    counts = np.bincount(key, minlength=out.size)
    flat = np.divide(sums, counts, out=np.zeros(out.size), where=counts > 0)
    out = flat.reshape(out.shape)
    return out + out[::-1, ::-1]  # the displacement -d holds the same pairs as d


# --- sampling and likelihoods -------------------------------------------------------------------


def sample_patterns(model: MaxEnt, n_samples: int, rng: np.random.Generator) -> Any:
    """Independent patterns drawn from a model, ``(n_samples, n)`` uint8 (exact sampling).

    Used as a null: data that a pairwise model generated, of the same size as the real
    data, show how far sampling alone moves the plug-in quantities.

    Examples
    --------
    >>> m = fit_maxent([[0, 0], [1, 1], [1, 1], [0, 1], [1, 0]], 2)
    >>> sample_patterns(m, 3, np.random.default_rng(0)).shape
    (3, 2)
    """
    if not isinstance(model, MaxEnt):
        raise TypeError(f"model must be a MaxEnt (from fit_maxent), got {type(model).__name__}")
    n_samples = check_int("n_samples", n_samples, 1, 10**8)
    rng = check_rng(rng)
    check_budget("n_samples", 8.0 * n_samples * (model.n + 1), MAX_BYTES)
    cdf = np.cumsum(model.probabilities())
    codes = np.searchsorted(cdf, rng.random(n_samples) * cdf[-1], side="right")
    codes = np.minimum(codes, 2**model.n - 1)  # a draw at the very top of the last bin
    return ((codes[:, None] >> np.arange(model.n)) & 1).astype(np.uint8)


def log_likelihood(model: MaxEnt, patterns: ArrayLike) -> float:
    """Mean log-likelihood of the patterns under the model, in bits per pixel (exact).

    :math:`\\frac{1}{Nn}\\sum_\\mu \\log_2 p(s^\\mu)`, with the exact :math:`Z`; on
    held-out patterns it measures how well the model generalises.

    Examples
    --------
    >>> m = fit_maxent([[0, 1], [1, 0], [1, 1], [0, 0]], 1)  # uniform: 1 bit per pixel
    >>> log_likelihood(m, [[1, 1]])
    -1.0
    """
    if not isinstance(model, MaxEnt):
        raise TypeError(f"model must be a MaxEnt (from fit_maxent), got {type(model).__name__}")
    x = _patterns(patterns)
    if x.shape[1] != model.n:
        raise ValueError(f"patterns have {x.shape[1]} pixels, the model {model.n}")
    q = _histogram(x)
    logp = (model.exponent() - model.log_z) / math.log(2)
    return float(q @ logp / model.n)


@dataclass(frozen=True)
class PseudoLikelihood:
    """A pairwise model fitted by pseudo-likelihood: one logistic regression per pixel.

    Pixel ``i`` given the others: :math:`P(s_i = 1\\mid s_{\\setminus i}) =
    \\sigma(b_i + \\sum_{j\\ne i} W_{ij}s_j)` (spins :math:`s = 2x - 1`), which for a
    pairwise model :math:`p \\propto \\exp(\\sum h_is_i + \\sum_{i<j}J_{ij}s_is_j)` is
    exact with :math:`b_i = 2h_i`, :math:`W_{ij} = 2J_{ij}` (Besag 1975).  A pixel that
    never changes in the training data keeps its smoothed frequency (``W`` row 0).

    Attributes
    ----------
    weights : numpy.ndarray, shape ``(n, n)``
        :math:`W` (zero diagonal; not symmetric: each row is its own regression).
    bias : numpy.ndarray, shape ``(n,)``
        :math:`b`.
    """

    weights: FloatArray
    bias: FloatArray

    def __post_init__(self) -> None:
        b = check_array("bias", self.bias, ndim=1)
        object.__setattr__(self, "bias", b)
        object.__setattr__(
            self, "weights", check_array("weights", self.weights, shape=(b.size, b.size))
        )

    @property
    def n(self) -> int:
        """Number of pixels."""
        return int(self.bias.size)

    def couplings(self) -> FloatArray:
        """Symmetric estimate :math:`J = (W + W^{\\mathsf T})/4` of the pair couplings."""
        return (self.weights + self.weights.T) / 4.0


def fit_pseudolikelihood(patterns: ArrayLike, *, C: float = 1.0) -> PseudoLikelihood:
    """Pairwise model of ``n`` pixels (any ``n``) by maximum pseudo-likelihood.

    Each pixel is regressed on the others by scikit-learn's ``LogisticRegression``
    (L2 penalty of strength ``1/C``, Newton–Cholesky solver, one thread): the sum of the
    conditional log-likelihoods is the pseudo-likelihood, and no partition function is
    needed, so it scales to images too large to enumerate (an 8 x 8 digit has
    :math:`2^{64}` states).

    Parameters
    ----------
    patterns : array_like of 0/1, shape ``(N, n)``
        Training data.
    C : float, optional
        Inverse regularisation strength (scikit-learn's convention), default 1.

    Returns
    -------
    PseudoLikelihood
    """
    from sklearn.linear_model import LogisticRegression

    x = _patterns_any(patterns)
    C = check_tolerance("C", C)
    n = x.shape[1]
    check_budget("patterns", 8.0 * 4 * x.size, MAX_BYTES)
    s = 2.0 * x - 1.0
    weights, bias = np.zeros((n, n)), np.zeros(n)
    with threadpool_limits(limits=1):
        for i in range(n):  # one small regression per pixel
            y = x[:, i]
            if y.min() == y.max():  # never changes: smoothed frequency, no weights
                up = (y.sum() + 1.0) / (y.size + 2.0)
                bias[i] = math.log(up / (1.0 - up))
                continue
            others = np.delete(np.arange(n), i)
            clf = LogisticRegression(C=C, solver="newton-cholesky", max_iter=100)
            clf.fit(s[:, others], y)
            weights[i, others] = clf.coef_[0]
            bias[i] = clf.intercept_[0]
    return PseudoLikelihood(weights, bias)


def conditional_log_likelihood(model: PseudoLikelihood, patterns: ArrayLike) -> float:
    """Mean of :math:`\\log_2 P(x_i \\mid x_{\\setminus i})` over pixels and patterns (bits).

    The pseudo-log-likelihood per pixel: how well each pixel is predicted from all the
    others.  For independent pixels it equals the log-likelihood per pixel.

    Examples
    --------
    >>> x = np.array([[0, 0], [1, 1], [1, 1], [0, 0], [0, 1], [1, 0]] * 5)
    >>> m = fit_pseudolikelihood(x)
    >>> conditional_log_likelihood(m, x) > -1.0  # the pixels agree 2 times in 3
    True
    """
    if not isinstance(model, PseudoLikelihood):
        raise TypeError(
            f"model must be a PseudoLikelihood (from fit_pseudolikelihood), got "
            f"{type(model).__name__}"
        )
    x = _patterns_any(patterns)
    if x.shape[1] != model.n:
        raise ValueError(f"patterns have {x.shape[1]} pixels, the model {model.n}")
    s = 2.0 * x - 1.0
    logit = model.bias[None, :] + s @ model.weights.T
    # log sigma(+-logit) for the observed value, stably
    return float(-np.logaddexp(0.0, -s * logit).mean() / math.log(2))


def independent_log_likelihood(train: ArrayLike, test: ArrayLike) -> float:
    """Held-out log-likelihood per pixel (bits) of independent pixels fitted on ``train``.

    Each pixel's frequency is smoothed by one pseudo-count per value (Laplace), so a pixel
    that never changed in ``train`` does not give :math:`\\log 0` on ``test``.

    Examples
    --------
    >>> independent_log_likelihood([[0], [1]], [[1]])
    -1.0
    """
    a, b = _patterns_any(train, "train"), _patterns_any(test, "test")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"train has {a.shape[1]} pixels, test {b.shape[1]}")
    up = (a.sum(axis=0) + 1.0) / (a.shape[0] + 2.0)
    ll = b * np.log2(up) + (1 - b) * np.log2(1.0 - up)
    return float(ll.mean())
