"""Restricted Boltzmann machines small enough to be summed exactly (spins on both layers).

An RBM here has ``N`` visible spins :math:`v_j = \\pm 1` and ``M`` hidden spins
:math:`h_i = \\pm 1` with energy

.. math:: E(v, h) = -\\sum_j a_j v_j - \\sum_i c_i h_i - \\sum_{ij} h_i W_{ij} v_j ,

weights ``W`` of shape ``(M, N)``.  The hidden spins are summed in closed form,

.. math:: q(v) = \\frac{1}{Z}\\, e^{a\\cdot v} \\prod_i 2\\cosh(c_i + W_i\\cdot v),

and the ``2**N`` visible states are enumerated, so the visible marginal, the
Kullback-Leibler divergence :math:`D(p\\,\\|\\,q)` from a target ``p`` and its gradient are
exact: no sampling anywhere.  State index ``i`` carries spins
:math:`s_j = 2\\,((i \\gg j) \\,\\&\\, 1) - 1` (bit set means spin up).

The module also gives

* the exact construction of Mehta and Schwab's one-hidden-unit-per-bond RBM: summing a
  hidden spin coupled by ``w`` to both ends of a bond leaves an Ising coupling
  :math:`K = \\tfrac12\\ln\\cosh 2w` (:func:`bond_coupling`, :func:`bond_weight`,
  :func:`bond_rbm`);
* Ising distributions over the same state order (:func:`ising_distribution`,
  :func:`ring_edges`, :func:`torus_edges`);
* the hidden layer's own distribution, which in Mehta and Schwab's variational RG is the
  coarse-grained Hamiltonian :math:`H^{RG}(h) = -\\ln\\sum_v e^{-E(v,h)}`
  (:func:`hidden_distribution`), and the trace of their coupling operator
  :math:`T(v,h) = -E(v,h) + H(v)` (:func:`mehta_schwab_log_trace`);
* the expansion of any energy over ``n`` spins into multi-spin couplings
  (:func:`walsh_coefficients`), which reads effective couplings off a coarse Hamiltonian;
* the conversion of scikit-learn's 0/1 ``BernoulliRBM`` into this form
  (:func:`from_bernoulli`), so a model trained by sampling can be scored exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import logsumexp
from threadpoolctl import threadpool_limits

from cheaplib._typing import FloatArray, IntArray
from cheaplib.validation import (
    MAX_BYTES,
    check_array,
    check_budget,
    check_finite_result,
    check_int,
    check_probability_vector,
    check_real,
    check_rng,
)

__all__ = [
    "MAX_ENERGY",
    "MAX_HIDDEN",
    "MAX_VISIBLE",
    "RBM",
    "bond_coupling",
    "bond_rbm",
    "bond_weight",
    "from_bernoulli",
    "hidden_distribution",
    "ising_distribution",
    "kl_divergence",
    "kl_gradient",
    "mehta_schwab_log_trace",
    "ring_edges",
    "spin_states",
    "torus_edges",
    "train_exact",
    "visible_distribution",
    "walsh_coefficients",
]

#: Default largest number of visible spins (2**16 states are enumerated).
MAX_VISIBLE = 16
#: Default largest number of hidden spins.
MAX_HIDDEN = 8
#: Hard ceiling on either layer, whatever budget a caller asks for.
_CEILING = 24
#: Largest possible :math:`|E(v, h)|` (the sum of the parameters' magnitudes) an RBM may
#: have: the exact sums over states stay finite in float64 below it.
MAX_ENERGY = 1e300


def _log2cosh(x: FloatArray) -> FloatArray:
    """:math:`\\ln 2\\cosh x` without overflow."""
    ax = np.abs(x)
    return ax + np.log1p(np.exp(-2.0 * ax))


#: Beyond this size of the largest log-weight, log-probabilities are normalised after
#: subtracting it (exact for the most probable states), not by ``logsumexp`` alone,
#: whose last bits would swallow ``ln`` of the number of such states.
_EXACT_SHIFT = 2.0**20


def _log_normalize(log_w: FloatArray) -> FloatArray:
    """``log_w - logsumexp(log_w)``, shifting by the maximum first when it is large."""
    top = float(log_w.max())
    if abs(top) <= _EXACT_SHIFT:
        out: FloatArray = log_w - logsumexp(log_w)
        return out
    shifted = log_w - top
    return shifted - math.log(float(np.exp(shifted).sum()))


def spin_states(n: int) -> FloatArray:
    """All ``2**n`` configurations of ``n`` spins, row ``i`` with :math:`s_j = 2((i\\gg j)\\&1)-1`.

    Examples
    --------
    >>> spin_states(2)
    array([[-1., -1.],
           [ 1., -1.],
           [-1.,  1.],
           [ 1.,  1.]])

    Raises
    ------
    TypeError, ValueError
        If ``n`` is not an integer in ``[1, 24]`` or the table would exceed the memory
        budget.
    """
    n = check_int("n", n, 1, _CEILING)
    check_budget("n", 8 * n * 2**n, MAX_BYTES)
    idx = np.arange(2**n, dtype=np.int64)
    return (2 * ((idx[:, None] >> np.arange(n)) & 1) - 1).astype(float)


@dataclass(frozen=True)
class RBM:
    """An RBM with ±1 spins on both layers (see the module docstring for the energy).

    Parameters
    ----------
    weights : array_like, shape ``(M, N)``
        :math:`W_{ij}`, hidden unit ``i`` to visible unit ``j``.
    visible_bias : array_like, shape ``(N,)``
        :math:`a_j`.
    hidden_bias : array_like, shape ``(M,)``
        :math:`c_i`.
    max_visible, max_hidden : int, optional
        Enumeration budget: at most :data:`MAX_VISIBLE` visible and :data:`MAX_HIDDEN`
        hidden units by default (raise them knowingly; the visible layer is enumerated,
        ``2**N`` states, the hidden layer only by :func:`hidden_distribution`).

    Raises
    ------
    TypeError, ValueError
        For non-finite or mis-shaped parameters, layers over the budget, or parameters
        whose energy :math:`|E| \\le \\sum|W| + \\sum|a| + \\sum|c|` may exceed
        :data:`MAX_ENERGY` (1e300: beyond it the exact sums overflow float64).

    Examples
    --------
    >>> m = RBM([[0.5, 0.5]], [0.0, 0.0], [0.0])
    >>> m.n_hidden, m.n_visible
    (1, 2)
    >>> RBM([[1.0]], [0.0, 0.0], [0.0])
    Traceback (most recent call last):
    ...
    ValueError: visible_bias must have shape (1), got (2,)
    """

    weights: FloatArray
    visible_bias: FloatArray
    hidden_bias: FloatArray
    max_visible: int = field(default=MAX_VISIBLE, repr=False, compare=False)
    max_hidden: int = field(default=MAX_HIDDEN, repr=False, compare=False)

    def __post_init__(self) -> None:
        max_v = check_int("max_visible", self.max_visible, 1, _CEILING)
        max_h = check_int("max_hidden", self.max_hidden, 1, _CEILING)
        w = check_array("weights", self.weights, ndim=2)
        m, n = w.shape
        if n > max_v:
            raise ValueError(
                f"weights has {n} visible units: at most max_visible = {max_v} "
                f"(2**{n} visible states would be enumerated)"
            )
        if m > max_h:
            raise ValueError(
                f"weights has {m} hidden units: at most max_hidden = {max_h} by default"
            )
        a = check_array("visible_bias", self.visible_bias, shape=(n,))
        c = check_array("hidden_bias", self.hidden_bias, shape=(m,))
        with np.errstate(over="ignore"):
            bound = float(np.abs(w).sum() + np.abs(a).sum() + np.abs(c).sum())
        if not bound <= MAX_ENERGY:
            raise ValueError(
                f"weights, visible_bias, hidden_bias: the energy can reach {bound:.3g}, over "
                f"MAX_ENERGY = {MAX_ENERGY:.0e} (the exact sums would overflow float64)"
            )
        for name, arr in (("weights", w), ("visible_bias", a), ("hidden_bias", c)):
            arr = np.array(arr, dtype=float)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def n_visible(self) -> int:
        """Number of visible spins ``N``."""
        return int(self.weights.shape[1])

    @property
    def n_hidden(self) -> int:
        """Number of hidden spins ``M``."""
        return int(self.weights.shape[0])

    def energy(self, v: ArrayLike, h: ArrayLike) -> FloatArray:
        """:math:`E(v,h)` for visible ``v`` of shape ``(..., N)`` and hidden ``h`` ``(..., M)``."""
        v = check_array("v", v)
        h = check_array("h", h)
        if v.shape[-1:] != (self.n_visible,) or h.shape[-1:] != (self.n_hidden,):
            raise ValueError(
                f"v must end in {self.n_visible} and h in {self.n_hidden} spins, "
                f"got shapes {v.shape} and {h.shape}"
            )
        wv = v @ self.weights.T
        return np.asarray(-(v @ self.visible_bias) - h @ self.hidden_bias - (h * wv).sum(-1))


def _model(model: object) -> RBM:
    if not isinstance(model, RBM):
        raise TypeError(f"model must be an RBM, got {type(model).__name__}")
    return model


def _log_visible(model: RBM) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(states, ln q(v) normalised, tanh(c + W v))`` over every visible state."""
    n, m = model.n_visible, model.n_hidden
    check_budget("model", 8 * 2**n * (n + 2 * m + 2), MAX_BYTES)
    v = spin_states(n)
    u = v @ model.weights.T + model.hidden_bias
    log_w = v @ model.visible_bias + _log2cosh(u).sum(axis=1)
    return v, _log_normalize(log_w), np.tanh(u)


def visible_distribution(model: RBM) -> FloatArray:
    """The exact visible marginal :math:`q(v) = \\sum_h e^{-E(v,h)}/Z`, all ``2**N`` states.

    Examples
    --------
    >>> q = visible_distribution(RBM([[0.5, 0.5]], [0.0, 0.0], [0.0]))
    >>> bool(q[0] > q[1]), round(float(q.sum()), 12)
    (True, 1.0)
    """
    _, log_q, _ = _log_visible(_model(model))
    return np.exp(log_q)


def hidden_distribution(model: RBM) -> FloatArray:
    """The hidden marginal :math:`\\sum_v e^{-E(v,h)}/Z` over the ``2**M`` hidden states.

    In Mehta and Schwab's mapping :math:`-\\ln` of it is the coarse-grained Hamiltonian
    :math:`H^{RG}(h)` (up to a constant).  Hidden state index ``i`` has spin ``i`` of the
    layer up when bit ``i`` is set, as for the visible layer.
    """
    model = _model(model)
    n, m = model.n_visible, model.n_hidden
    check_budget("model", 8 * 2**m * (n + m + 2), MAX_BYTES)
    h = spin_states(m)
    u = h @ model.weights + model.visible_bias
    log_w = h @ model.hidden_bias + _log2cosh(u).sum(axis=1)
    return np.exp(_log_normalize(log_w))


def _target(p: ArrayLike, n_visible: int | None = None) -> tuple[FloatArray, int]:
    p = check_probability_vector("p", p, atol=1e-8)
    if p.ndim != 1:
        raise ValueError(f"p must be a 1-D vector over 2**N states, got shape {p.shape}")
    n = int(round(math.log2(p.size))) if p.size > 1 else 0
    if p.size < 2 or 2**n != p.size:
        raise ValueError(f"p must have 2**N entries (N >= 1), got {p.size}")
    if n_visible is not None and n != n_visible:
        raise ValueError(f"p has 2**{n} entries but the model has {n_visible} visible units")
    return p, n


def kl_divergence(p: ArrayLike, model: RBM) -> float:
    """:math:`D(p\\,\\|\\,q) = \\sum_v p(v)\\ln[p(v)/q(v)]` in nats, summed exactly.

    Examples
    --------
    >>> m = RBM([[0.0, 0.0]], [0.0, 0.0], [0.0])
    >>> kl_divergence([0.25, 0.25, 0.25, 0.25], m)
    0.0
    """
    model = _model(model)
    p, _ = _target(p, model.n_visible)
    _, log_q, _ = _log_visible(model)
    pos = p > 0
    return float(max(np.sum(p[pos] * (np.log(p[pos]) - log_q[pos])), 0.0))


def kl_gradient(p: ArrayLike, model: RBM) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """:math:`D(p\\|q)` and its exact gradient in ``(weights, visible_bias, hidden_bias)``.

    With :math:`\\ln q(v) = a\\cdot v + \\sum_i\\ln 2\\cosh u_i(v) - \\ln Z`,
    :math:`u = c + Wv`, the gradient is the difference of model and data averages:
    :math:`\\partial D/\\partial W_{ij} = \\langle \\tanh u_i\\, v_j\\rangle_q -
    \\langle\\tanh u_i\\, v_j\\rangle_p`, and likewise ``v`` for ``a``, ``tanh u`` for ``c``.
    Both averages are sums over the ``2**N`` states.

    Returns
    -------
    (float, ndarray, ndarray, ndarray)
        KL in nats, ``dW`` ``(M, N)``, ``da`` ``(N,)``, ``dc`` ``(M,)``.
    """
    model = _model(model)
    p, _ = _target(p, model.n_visible)
    v, log_q, t = _log_visible(model)
    q = np.exp(log_q)
    pos = p > 0
    kl = float(max(np.sum(p[pos] * (np.log(p[pos]) - log_q[pos])), 0.0))
    d = q - p
    return kl, (t * d[:, None]).T @ v, v.T @ d, t.T @ d


def _pack(model: RBM) -> FloatArray:
    return np.concatenate([model.weights.ravel(), model.visible_bias, model.hidden_bias])


def _unpack(x: FloatArray, m: int, n: int, max_hidden: int) -> RBM:
    return RBM(
        x[: m * n].reshape(m, n), x[m * n : m * n + n], x[m * n + n :], max_hidden=max_hidden
    )


def train_exact(
    p: ArrayLike,
    n_hidden: int,
    rng: np.random.Generator,
    *,
    n_restarts: int = 3,
    max_iter: int = 2000,
    init_scale: float = 0.5,
    l1: float = 0.0,
    max_hidden: int = MAX_HIDDEN,
) -> RBM:
    """Minimise :math:`D(p\\|q)` over the RBM's parameters with the exact gradient.

    L-BFGS (:func:`scipy.optimize.minimize`) from ``n_restarts`` random starts (weights
    normal with standard deviation ``init_scale``, biases zero); the best model is
    returned.  ``l1 > 0`` adds the sparsity penalty :math:`\\lambda\\sum_{ij}|W_{ij}|`
    (smoothed as :math:`\\sqrt{W^2 + 10^{-8}}` for the quasi-Newton steps), the kind of
    penalty Mehta and Schwab used to obtain local receptive fields.

    Parameters
    ----------
    p : array_like, shape ``(2**N,)``
        Target distribution (order of :func:`spin_states`), ``N <= 16``.
    n_hidden : int
        Number of hidden spins, ``1 <= n_hidden <= max_hidden``.
    rng : numpy.random.Generator
        Source of the random starts.
    n_restarts, max_iter : int, optional
        Random starts and L-BFGS iterations per start.
    init_scale : float, optional
        Standard deviation of the initial weights (> 0).
    l1 : float, optional
        Sparsity penalty :math:`\\lambda \\ge 0` (default none).
    max_hidden : int, optional
        Budget for ``n_hidden``.

    Returns
    -------
    RBM
        The model with the lowest objective.

    Examples
    --------
    >>> p = ising_distribution(4, ring_edges(4), 0.5)
    >>> m = train_exact(p, 4, np.random.default_rng(0))
    >>> kl_divergence(p, m) < 1e-8
    True
    """
    p, n = _target(p)
    if n > MAX_VISIBLE:
        raise ValueError(f"p has 2**{n} entries: at most 2**{MAX_VISIBLE} are enumerated")
    max_hidden = check_int("max_hidden", max_hidden, 1, _CEILING)
    m = check_int("n_hidden", n_hidden, 1, max_hidden)
    rng = check_rng(rng)
    n_restarts = check_int("n_restarts", n_restarts, 1, 1000)
    max_iter = check_int("max_iter", max_iter, 1, 10**6)
    init_scale = check_real("init_scale", init_scale, low=0.0, low_open=True)
    l1 = check_real("l1", l1, low=0.0)
    cost = float(n_restarts) * max_iter * 2**n * (m + 1) * n
    check_budget("max_iter", cost, 1e12, unit="operations")

    v = spin_states(n)
    pos = p > 0
    neg_entropy = float(np.sum(p[pos] * np.log(p[pos])))
    mn = m * n

    def objective(x: FloatArray) -> tuple[float, FloatArray]:
        w, a, c = x[:mn].reshape(m, n), x[mn : mn + n], x[mn + n :]
        u = v @ w.T + c
        log_w = v @ a + _log2cosh(u).sum(axis=1)
        top = float(log_w.max())
        q = np.exp(log_w - top)
        z = float(q.sum())
        q /= z
        kl = neg_entropy - float(p @ log_w) + top + math.log(z)
        d = q - p
        t = np.tanh(u)
        grad = np.concatenate([((t * d[:, None]).T @ v).ravel(), v.T @ d, t.T @ d])
        if l1 > 0:
            smooth = np.sqrt(x[:mn] ** 2 + 1e-8)
            kl += l1 * float(smooth.sum())
            grad[:mn] += l1 * x[:mn] / smooth
        return kl, grad

    best: tuple[float, FloatArray] | None = None
    with threadpool_limits(limits=1):  # small matrices: threads only add overhead
        for _ in range(n_restarts):
            best = _restart(objective, best, m, n, init_scale, max_iter, rng)
    assert best is not None
    return _unpack(best[1], m, n, max_hidden)


def _restart(
    objective: Callable[[FloatArray], tuple[float, FloatArray]],
    best: tuple[float, FloatArray] | None,
    m: int,
    n: int,
    init_scale: float,
    max_iter: int,
    rng: np.random.Generator,
) -> tuple[float, FloatArray]:
    """One L-BFGS run from a random start; the better of it and ``best``."""
    x0 = np.concatenate([init_scale * rng.standard_normal(m * n), np.zeros(n), np.zeros(m)])
    res = minimize(
        objective,
        x0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-11},
    )
    if best is None or res.fun < best[0]:
        best = (float(res.fun), np.asarray(res.x, dtype=float))
    return best


# --- exact constructions: one hidden unit per bond ----------------------------------------


def bond_coupling(w: ArrayLike) -> FloatArray | float:
    """Ising coupling left by summing a hidden spin tied by ``w`` to both ends of a bond.

    :math:`\\sum_{h=\\pm1} e^{h w (s_1 + s_2)} = 2\\cosh(w(s_1+s_2))`, which is
    :math:`2\\cosh 2w` for :math:`s_1 = s_2` and 2 otherwise, i.e.
    :math:`\\propto e^{K s_1 s_2}` with :math:`K = \\tfrac12\\ln\\cosh 2w`.

    Examples
    --------
    >>> round(float(bond_coupling(0.0)), 12)
    0.0
    >>> bond_coupling(1e308)  # 2w overflows; K = |w| - ln(2)/2 exactly in float64
    1e+308
    """
    w = check_array("w", w, min_size=1)
    with np.errstate(over="ignore", invalid="ignore"):
        x = 2.0 * w
        out = 0.5 * (_log2cosh(x) - math.log(2.0))
    if not np.all(np.isfinite(x)):  # |w| beyond 9e307: ln cosh 2w = 2|w| - ln 2 exactly
        out = np.where(np.isfinite(x), out, np.abs(w) - 0.5 * math.log(2.0))
    return float(out) if out.ndim == 0 else out


def bond_weight(K: float) -> float:
    """The weight ``w >= 0`` with :math:`\\tfrac12\\ln\\cosh 2w = |K|`: bond_coupling inverted.

    :math:`w = \\tfrac12\\operatorname{arccosh} e^{2|K|}`.  For an antiferromagnetic bond
    (``K < 0``) :func:`bond_rbm` gives the second end the weight ``-w``.

    Examples
    --------
    >>> round(float(bond_coupling(bond_weight(0.7))), 12)
    0.7
    """
    K = abs(check_real("K", K))
    check_real("K", K, high=300.0)
    # arccosh(e^x) = x + ln(1 + sqrt(1 - e^{-2x})), stable for large x
    x = 2.0 * K
    return 0.5 * (x + math.log1p(math.sqrt(-math.expm1(-2.0 * x))))


def _edges(name: str, edges: ArrayLike, n: int) -> IntArray:
    raw = np.asarray(edges)
    if raw.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer site indices, got dtype {raw.dtype}")
    e = check_array(name, raw, dtype=np.int64, ndim=2)
    if e.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n_edges, 2), got {e.shape}")
    if np.any(e < 0) or np.any(e >= n) or np.any(e[:, 0] == e[:, 1]):
        raise ValueError(f"{name} must join two different sites among 0..{n - 1}")
    return e


def ring_edges(n: int) -> IntArray:
    """The ``n`` bonds ``(j, j+1 mod n)`` of a ring (``n >= 3``)."""
    n = check_int("n", n, 3, _CEILING)
    j = np.arange(n)
    return np.stack([j, (j + 1) % n], axis=1).astype(np.int64)


def torus_edges(L1: int, L2: int) -> IntArray:
    """The ``2 L1 L2`` bonds of a periodic ``L1 x L2`` lattice, site ``(r, c)`` at ``r L2 + c``.

    Each site is joined to its right and lower neighbour (sides ``>= 3``, so no bond is
    doubled).
    """
    L1 = check_int("L1", L1, 3, _CEILING)
    L2 = check_int("L2", L2, 3, _CEILING)
    r, c = np.divmod(np.arange(L1 * L2), L2)
    right = r * L2 + (c + 1) % L2
    down = ((r + 1) % L1) * L2 + c
    site = np.arange(L1 * L2)
    return np.concatenate([np.stack([site, right], 1), np.stack([site, down], 1)]).astype(np.int64)


def ising_distribution(n: int, edges: ArrayLike, K: float) -> FloatArray:
    """:math:`p(s)\\propto\\exp(K\\sum_{(j,k)} s_j s_k)` over the states of :func:`spin_states`.

    Examples
    --------
    >>> p = ising_distribution(2, [[0, 1]], 1.0)
    >>> round(float(p[0] / p[1]), 6) == round(math.exp(2.0), 6)
    True

    Raises
    ------
    TypeError, ValueError
        For a bad ``n`` or ``edges``, a non-finite ``K``, or ``|K|`` times the number of
        bonds beyond float64 (the log-weights would overflow; computed stably below).
    """
    n = check_int("n", n, 1, MAX_VISIBLE)
    e = _edges("edges", edges, n)
    K = check_real("K", K)
    s = spin_states(n)
    with np.errstate(over="ignore", invalid="ignore"):
        log_w = check_finite_result(K * (s[:, e[:, 0]] * s[:, e[:, 1]]).sum(axis=1), "K")
    return np.exp(_log_normalize(log_w))


def bond_rbm(n_visible: int, edges: ArrayLike, K: float) -> RBM:
    """The exact RBM of an Ising model: one hidden spin per bond, weight :func:`bond_weight`.

    Its visible marginal is :func:`ising_distribution` exactly; it needs as many hidden
    units as bonds, so ``max_hidden`` is set to the number of bonds.

    Examples
    --------
    >>> m = bond_rbm(4, ring_edges(4), 0.5)
    >>> kl_divergence(ising_distribution(4, ring_edges(4), 0.5), m) < 1e-12
    True
    """
    n = check_int("n_visible", n_visible, 1, MAX_VISIBLE)
    e = _edges("edges", edges, n)
    K = check_real("K", K)
    w = bond_weight(K)
    weights = np.zeros((len(e), n))
    rows = np.arange(len(e))
    weights[rows, e[:, 0]] = w
    weights[rows, e[:, 1]] += w if K >= 0 else -w
    return RBM(weights, np.zeros(n), np.zeros(len(e)), max_hidden=max(len(e), 1))


# --- variational RG, effective couplings, scikit-learn models --------------------------------


def mehta_schwab_log_trace(p: ArrayLike, model: RBM) -> FloatArray:
    """:math:`\\ln\\mathrm{Tr}_h e^{T(v,h)}` for Mehta and Schwab's :math:`T = -E(v,h) + H(v)`.

    With :math:`e^{-H(v)} = Z_{RBM}\\,p(v)` (the constant in :math:`H` chosen so the
    partition functions match), :math:`\\mathrm{Tr}_h e^{T(v,h)} = q(v)/p(v)`: the trace
    condition (identically 0 here) holds exactly when the RBM's marginal is ``p``.  States
    with :math:`p(v) = 0` get ``+inf``.
    """
    model = _model(model)
    p, _ = _target(p, model.n_visible)
    _, log_q, _ = _log_visible(model)
    with np.errstate(divide="ignore"):
        return log_q - np.log(p)


def walsh_coefficients(energies: ArrayLike) -> FloatArray:
    """Multi-spin couplings of an energy: :math:`E(s) = \\sum_S J_S\\prod_{j\\in S}s_j`.

    ``J[S]`` is indexed by the bit mask of the subset ``S`` (bit ``j`` for spin ``j``), so
    ``J[0]`` is the constant, ``J[1 << j]`` the field on spin ``j`` and
    ``J[(1 << j) | (1 << k)]`` the pair term; an Ising coupling ``K`` appears as
    :math:`J = -K`.  Computed by a fast Walsh-Hadamard transform,
    :math:`J_S = 2^{-n}\\sum_s E(s)\\prod_{j\\in S}s_j`.

    Examples
    --------
    >>> s = spin_states(2)
    >>> J = walsh_coefficients(-0.3 * s[:, 0] * s[:, 1] + 0.1 * s[:, 1])
    >>> [round(float(x), 12) for x in J]
    [0.0, 0.0, 0.1, -0.3]
    """
    e = check_array("energies", energies, ndim=1)
    n = int(round(math.log2(e.size))) if e.size > 1 else 0
    if e.size < 2 or 2**n != e.size:
        raise ValueError(f"energies must have 2**n entries (n >= 1), got {e.size}")
    out = e.copy()
    for j in range(n):
        x = out.reshape(-1, 2, 2**j)
        lo, hi = x[:, 0, :].copy(), x[:, 1, :].copy()
        x[:, 0, :] = (hi + lo) / 2
        x[:, 1, :] = (hi - lo) / 2
    return out


def from_bernoulli(
    components: ArrayLike, intercept_visible: ArrayLike, intercept_hidden: ArrayLike
) -> RBM:
    """The ±1 RBM with the same visible marginal as a 0/1 (scikit-learn) Bernoulli RBM.

    With :math:`x = (v+1)/2`, :math:`y = (h+1)/2` the energy
    :math:`-b\\cdot x - d\\cdot y - y^{\\mathsf T}Ux` becomes (up to a constant) the ±1 energy
    with :math:`W = U/4`, :math:`a = b/2 + U^{\\mathsf T}\\mathbf 1/4`,
    :math:`c = d/2 + U\\mathbf 1/4`.

    Parameters
    ----------
    components : array_like, shape ``(M, N)``
        ``BernoulliRBM.components_``.
    intercept_visible : array_like, shape ``(N,)``
        ``BernoulliRBM.intercept_visible_``.
    intercept_hidden : array_like, shape ``(M,)``
        ``BernoulliRBM.intercept_hidden_``.
    """
    u = check_array("components", components, ndim=2)
    b = check_array("intercept_visible", intercept_visible, shape=(u.shape[1],))
    d = check_array("intercept_hidden", intercept_hidden, shape=(u.shape[0],))
    return RBM(u / 4, b / 2 + u.sum(axis=0) / 4, d / 2 + u.sum(axis=1) / 4)
