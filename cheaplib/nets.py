"""Feed-forward networks as plain data: layers of (W, b) and an activation.

A :class:`Network` is the object every chapter counts and evaluates.  It follows the
notation of Lin, Tegmark & Rolnick (2017), eq. (9): a network is the alternation

.. math:: f(x) = A_{L}\\,\\sigma(\\cdots\\sigma(A_2\\,\\sigma(A_1 x)))

of affine maps :math:`A_i x = W_i x + b_i` and an element-wise nonlinearity
:math:`\\sigma`.  The last affine map is followed by an optional output nonlinearity
(``"identity"``, ``"softmax"`` of eq. (8), or ``"logistic"``).

The module also knows the activations used in the book and their Taylor coefficients
:math:`\\sigma_k = \\sigma^{(k)}(b)/k!` (eqs. (10), (28), (A1)), computed by a Cauchy
integral so that any order is available to round-off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cheaplib._typing import FloatArray
from cheaplib.validation import check_array, check_finite_result, check_int, check_real

__all__ = [
    "ACTIVATIONS",
    "Layer",
    "Network",
    "activation",
    "softmax_posterior",
    "taylor_coefficients",
    "taylor_points_needed",
]


def _softplus(z: NDArray) -> NDArray:
    # log(1 + e^z), stable for real z; for complex z (Taylor coefficients) use the
    # principal branch, analytic inside |Im z| < pi.
    if np.iscomplexobj(z):
        return np.log1p(np.exp(z))
    return np.logaddexp(0.0, z)


def _logistic(z: NDArray) -> NDArray:
    if np.iscomplexobj(z):
        return 1.0 / (1.0 + np.exp(-z))
    out: NDArray = 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for large |z|
    return out


def _silu(z: NDArray) -> NDArray:
    # SiLU (swish) z * logistic(z); analytic inside |Im z| < pi, like the logistic
    out: NDArray = z * _logistic(z)
    return out


ACTIVATIONS: dict[str, Callable[[NDArray], NDArray]] = {
    "softplus": _softplus,
    "logistic": _logistic,
    "tanh": np.tanh,
    "exp": np.exp,
    "silu": _silu,
    "identity": lambda z: z,
}
"""Element-wise activations by name.  All but ``identity`` are smooth and generic
in the sense of eq. (10); ``relu`` is deliberately absent (its Taylor series at 0 does
not exist, so the constructions of Section II C do not apply).  ``silu``
(:math:`z/(1+e^{-z})`) is the one activation here whose derivative vanishes at a real
point, :math:`b^* = -1 - W(1/e) \\approx -1.2785` (chapter 5)."""

# Distance from the expansion point to the nearest complex singularity, used to pick a
# safe radius for the Cauchy integral in ``taylor_coefficients``.
_RADIUS_OF_CONVERGENCE: dict[str, float] = {
    "softplus": np.pi,
    "logistic": np.pi,
    "tanh": np.pi / 2,
    "exp": np.inf,
    "silu": np.pi,
    "identity": np.inf,
}


def activation(name: str) -> Callable[[NDArray], NDArray]:
    """Return the activation function called ``name``.

    Parameters
    ----------
    name : str
        One of :data:`ACTIVATIONS` (``softplus``, ``logistic``, ``tanh``, ``exp``,
        ``silu``, ``identity``).

    Returns
    -------
    callable
        The element-wise function, vectorised over NumPy arrays.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not a known activation.

    Examples
    --------
    >>> float(activation("silu")(np.array(0.0)))
    0.0
    """
    if not isinstance(name, str):
        raise TypeError(f"activation name must be a string, got {type(name).__name__}")
    if name not in ACTIVATIONS:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; choose one of: {known}")
    return ACTIVATIONS[name]


def taylor_coefficients(name: str, k_max: int, at: float = 0.0, points: int = 128) -> FloatArray:
    """Taylor coefficients :math:`\\sigma_k = \\sigma^{(k)}(a)/k!` for ``k = 0..k_max``.

    These are the :math:`\\sigma_k` of eq. (10) (expansion at ``a = 0``) and of the
    bias-shifted gates of Section II C (expansion at ``a = b``).  They are computed from
    Cauchy's integral formula on a circle of radius ``r`` around ``a`` with the trapezoid
    rule (an FFT), whose error falls like :math:`(r/R)^{N}` for a function analytic in the
    disc of radius ``R``.

    Parameters
    ----------
    name : str
        Activation name (see :func:`activation`).
    k_max : int
        Highest order wanted, ``0 <= k_max <= 40``.
    at : float, optional
        Expansion point ``a`` (the bias shift), by default 0.
    points : int, optional
        Number of quadrature points on the circle, by default 128; at most 4096.  Fewer
        than :func:`taylor_points_needed` would alias higher orders onto the ones asked
        for (e.g. 3 points give :math:`\\tanh` the coefficients -0.159, 0.988, 0.064
        instead of 0, 1, 0) and are refused.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(k_max + 1,)``.

    Raises
    ------
    TypeError
        For a non-integer ``k_max`` or ``points`` or a non-real ``at``.
    ValueError
        For an unknown activation, ``k_max`` out of range, a non-finite ``at`` or too
        few ``points``; for an ``at`` so large that the activation overflows float64 on
        the circle (``exp`` beyond about 709, ``softplus`` beyond about 700).

    Examples
    --------
    >>> taylor_coefficients("softplus", 3).round(6) + 0.0
    array([0.693147, 0.5     , 0.125   , 0.      ])
    """
    fn = activation(name)
    k_max = check_int("k_max", k_max, 0, 40)
    at = check_real("at", at)
    points = check_int("points", points, 1, 4096)
    radius = _cauchy_radius(name, at)
    need = taylor_points_needed(name, k_max, at)
    if points < need:
        raise ValueError(
            f"points must be >= {need} for k_max={k_max} (fewer alias higher Taylor "
            f"orders onto the ones asked for), got {points}"
        )
    theta = 2.0 * np.pi * np.arange(points) / points
    with np.errstate(over="ignore", invalid="ignore"):
        samples = fn(at + radius * np.exp(1j * theta))
        coeffs = np.fft.fft(samples) / points
        k = np.arange(k_max + 1)
        out: FloatArray = (coeffs[: k_max + 1] / radius**k).real
    return check_finite_result(out, "at")


def _cauchy_radius(name: str, at: float) -> float:
    big = _RADIUS_OF_CONVERGENCE[name]
    # Singularities of softplus/logistic/tanh/silu lie on the imaginary axis through 0;
    # from a real shift a their distance grows to sqrt(a^2 + R^2).
    reach = float(np.hypot(at, big)) if np.isfinite(big) else np.inf
    return min(0.5 * reach, 2.0)


def taylor_points_needed(name: str, k_max: int, at: float = 0.0) -> int:
    """Fewest quadrature points for which :func:`taylor_coefficients` does not alias.

    The trapezoid rule with :math:`N` points on a circle of radius :math:`r` returns
    :math:`\\sigma_k + \\sigma_{k+N} r^N + \\sigma_{k+2N} r^{2N} + \\dots`, so the
    aliased terms are of relative size :math:`(r/R)^N` for a function analytic in the
    disc of radius :math:`R`.  The radius is chosen with :math:`r \\le R/2`, so
    :math:`N \\ge 2(k_{max}+1)` and :math:`2^{-N} \\le 10^{-16}` (:math:`N \\ge 54`)
    keep them below round-off.

    Examples
    --------
    >>> taylor_points_needed("tanh", 2), taylor_points_needed("tanh", 40)
    (54, 82)
    """
    activation(name)
    k_max = check_int("k_max", k_max, 0, 40)
    check_real("at", at)
    return max(54, 2 * (k_max + 1))


def softmax_posterior(H: ArrayLike, mu: ArrayLike) -> FloatArray:
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
        If the shapes do not match or an entry is not finite (the message names ``H``
        or ``mu``).

    Examples
    --------
    >>> softmax_posterior([[0.0, 0.0]], [0.0, np.log(3.0)]).round(3)
    array([[0.75, 0.25]])
    """
    H = check_array("H", H)
    mu = check_array("mu", mu, ndim=1)
    if H.ndim < 1 or H.shape[-1] != mu.shape[0]:
        raise ValueError(
            f"H must have shape (..., n_classes) matching mu {mu.shape}; got H {H.shape}"
        )
    z = -H - mu
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: FloatArray = e / e.sum(axis=-1, keepdims=True)
    return out


@dataclass(frozen=True)
class Layer:
    """One affine map ``x -> W x + b``.

    Parameters
    ----------
    W : numpy.ndarray
        Weights, shape ``(n_out, n_in)``.
    b : numpy.ndarray
        Biases, shape ``(n_out,)``.
    """

    W: FloatArray
    b: FloatArray

    def __post_init__(self) -> None:
        W = np.array(check_array("W", self.W, ndim=2, min_size=0), dtype=float)
        b = np.array(check_array("b", self.b, min_size=0), dtype=float)
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape ({W.shape[0]},), got {b.shape}")
        W.setflags(write=False)
        b.setflags(write=False)
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", b)

    @property
    def n_in(self) -> int:
        """Number of inputs of the map."""
        return int(self.W.shape[1])

    @property
    def n_out(self) -> int:
        """Number of outputs of the map."""
        return int(self.W.shape[0])


_OUTPUTS = ("identity", "softmax", "logistic")


@dataclass(frozen=True)
class Network:
    """A feed-forward network: affine layers with an activation between them (eq. 9).

    The activation acts after every layer but the last; ``output`` acts after the last.

    Parameters
    ----------
    layers : sequence of Layer
        The affine maps, input side first.  Consecutive shapes must chain.
    activation : str, optional
        Hidden activation name, by default ``"softplus"``.
    output : str, optional
        ``"identity"`` (default), ``"softmax"`` (eq. 8) or ``"logistic"``.

    Examples
    --------
    >>> import numpy as np
    >>> net = Network([Layer(np.eye(2), np.zeros(2)), Layer(np.ones((1, 2)), np.zeros(1))])
    >>> net.neurons, net.synapses, net.depth
    (2, 4, 1)
    """

    layers: tuple[Layer, ...]
    activation: str = "softplus"
    output: str = "identity"
    _fn: Callable[[NDArray], NDArray] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        layers = tuple(self.layers)
        if not layers:
            raise ValueError("a network needs at least one layer")
        if not all(isinstance(layer, Layer) for layer in layers):
            raise TypeError("layers must be Layer instances")
        for i, (a, b) in enumerate(zip(layers[:-1], layers[1:], strict=True)):
            if b.n_in != a.n_out:
                raise ValueError(
                    f"layer {i + 1} expects {b.n_in} inputs but layer {i} gives {a.n_out}"
                )
        if not isinstance(self.output, str) or self.output not in _OUTPUTS:
            raise ValueError(f"unknown output {self.output!r}; choose one of {_OUTPUTS}")
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "_fn", activation(self.activation))

    @property
    def n_in(self) -> int:
        """Number of inputs."""
        return self.layers[0].n_in

    @property
    def n_out(self) -> int:
        """Number of outputs."""
        return self.layers[-1].n_out

    @property
    def depth(self) -> int:
        """Number of hidden layers (layers of neurons with the nonlinearity)."""
        return len(self.layers) - 1

    @property
    def neurons(self) -> int:
        """Number of hidden neurons (outputs of every layer but the last), as in Sec. III F."""
        return sum(layer.n_out for layer in self.layers[:-1])

    @property
    def synapses(self) -> int:
        """Number of non-zero weights (biases not counted), the :math:`N_s` of eq. (25)."""
        return sum(int(np.count_nonzero(layer.W)) for layer in self.layers)

    def hidden(self, X: ArrayLike) -> list[FloatArray]:
        """Activations of every hidden layer for a batch ``X`` of shape ``(m, n_in)``."""
        Z = self._check_input(X)
        out = []
        for layer in self.layers[:-1]:
            Z = self._fn(Z @ layer.W.T + layer.b)
            out.append(Z)
        return out

    def __call__(self, X: ArrayLike) -> FloatArray:
        """Evaluate the network on a batch.

        Parameters
        ----------
        X : array_like
            Inputs of shape ``(m, n_in)`` (or ``(n_in,)`` for a single input).

        Returns
        -------
        numpy.ndarray
            Outputs of shape ``(m, n_out)`` (or ``(n_out,)`` for a single input).
        """
        single = np.ndim(X) == 1
        Z = self._check_input(np.atleast_2d(X) if single else X)
        for layer in self.layers[:-1]:
            Z = self._fn(Z @ layer.W.T + layer.b)
        last = self.layers[-1]
        Z = Z @ last.W.T + last.b
        if self.output == "softmax":
            # softmax(Z) = softmax(-H - mu) with H = -Z, mu = 0 (eq. 8)
            Z = softmax_posterior(-Z, np.zeros(Z.shape[1]))
        elif self.output == "logistic":
            Z = _logistic(Z)
        return Z[0] if single else Z

    def _check_input(self, X: ArrayLike) -> FloatArray:
        X = check_array("X", X, min_size=0)
        if X.ndim != 2 or X.shape[1] != self.n_in:
            raise ValueError(f"X: expected inputs of shape (m, {self.n_in}), got {X.shape}")
        return X


def compose(first: Network, second: Network) -> Network:
    """Feed the outputs of ``first`` into ``second`` (same activation, identity output).

    The last affine map of ``first`` and the first of ``second`` merge into one, so the
    result has ``first.depth + second.depth`` hidden layers, as when the gates of
    Section II C are wired into a tree.

    Raises
    ------
    ValueError
        If the activations differ, ``first`` has a non-identity output, or shapes do not
        chain.
    """
    if not isinstance(first, Network) or not isinstance(second, Network):
        raise TypeError("first and second must be cheaplib.nets.Network instances")
    if first.activation != second.activation:
        raise ValueError("cannot compose networks with different activations")
    if first.output != "identity":
        raise ValueError("the first network must have identity output")
    a, b = first.layers[-1], second.layers[0]
    if b.n_in != a.n_out:
        raise ValueError(f"second network expects {b.n_in} inputs, first gives {a.n_out}")
    merged = Layer(b.W @ a.W, b.W @ a.b + b.b)
    layers: Sequence[Layer] = (*first.layers[:-1], merged, *second.layers[1:])
    return Network(tuple(layers), first.activation, second.output)


__all__ += ["compose"]
