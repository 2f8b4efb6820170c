"""Real-space mutual-information RG on the Ising chain, computed exactly (chapter 7).

Koch-Janusz and Ringel's mutual-information renormalization group asks which coarse
variable :math:`H = f(V)` of a block of spins ``V`` keeps the most information
:math:`I(H;E)` (eq. 22 of the preprint, in bits) about the block's environment ``E``
beyond a buffer.  On the infinite zero-field Ising chain everything is exact:
:func:`block_environment_joint` gives the joint law of a block and the two spins that
shield it from the rest of the environment (a sufficient statistic, Sec. III C of the
preprint), :func:`mutual_information_rg` the information kept by decimation, majority rule
or the best binary rule, and :func:`optimal_block_rule` that best rule, found by exhaustive
search over all :math:`2^{2^b}` binary functions of a block of ``b`` spins.  A coarse
spin that keeps all of :math:`I(V;E)` would be a sufficient statistic of the block for its
environment: renormalization as distillation (Sec. III E).

Every number is a sum over at most :math:`2^{16}` block states: no sampling.  Layering:
imports only :mod:`cheaplib.validation` and :mod:`cheaplib._typing`; the chapter's widget
(:mod:`cheaplib.widgets.learning_rg`) plots it.
"""

from __future__ import annotations

import math

import numpy as np

from cheaplib._typing import FloatArray
from cheaplib.validation import (
    MAX_BYTES,
    check_budget,
    check_choice,
    check_int,
    check_real,
)

__all__ = [
    "MAX_OPTIMAL_BLOCK",
    "MAX_RSMI_BLOCK",
    "RSMI_RULES",
    "block_environment_joint",
    "mutual_information_rg",
    "optimal_block_rule",
]

RSMI_RULES = ("decimation", "majority", "optimal")
"""Coarse-graining rules :func:`mutual_information_rg` compares."""

MAX_RSMI_BLOCK = 16
"""Largest block the decimation and majority rules enumerate (2**16 block states)."""

MAX_OPTIMAL_BLOCK = 4
"""Largest block of the exhaustive search (2**(2**4) = 65536 binary functions)."""


def _block_spins(n: int) -> FloatArray:
    """Block states, row ``i`` with spin ``j`` equal to ``2((i >> j) & 1) - 1``."""
    idx = np.arange(2**n, dtype=np.int64)
    return (2 * ((idx[:, None] >> np.arange(n)) & 1) - 1).astype(float)


def block_environment_joint(K: float, block: int = 2, buffer: int = 1) -> FloatArray:
    """Joint law of a block and its environment in the infinite zero-field Ising chain.

    The chain :math:`p(s)\\propto e^{K\\sum_i s_i s_{i+1}}` is a stationary Markov chain
    with :math:`p(s_i) = 1/2` and :math:`p(s_{i+d}|s_i) = (1 + s_i s_{i+d} t^d)/2`,
    :math:`t = \\tanh K` (the transfer matrix's eigenvalue ratio).  So, given the two spins
    :math:`e_L, e_R` just beyond the buffers, the block ``V`` is independent of the rest
    of the environment: :math:`(e_L, e_R)` is a sufficient statistic of the environment
    ``E`` for ``V`` and :math:`I(f(V); E) = I(f(V); e_L, e_R)` for any rule ``f``.

    Parameters
    ----------
    K : float
        Coupling (any finite real; :math:`K<0` is antiferromagnetic).
    block : int
        Block length, 1 to :data:`MAX_RSMI_BLOCK`.
    buffer : int
        Spins skipped on each side between the block and the environment, ``>= 0``.

    Returns
    -------
    numpy.ndarray, shape ``(2**block, 4)``
        ``joint[v, e]``; block state ``v`` as in :func:`_block_spins`, environment state
        ``e = bit(e_L) + 2 bit(e_R)`` with ``bit = (s + 1)/2``.

    Examples
    --------
    >>> j = block_environment_joint(0.5, block=1, buffer=0)
    >>> j.shape, round(float(j.sum()), 12)
    ((2, 4), 1.0)
    """
    K = check_real("K", K)
    block = check_int("block", block, 1, MAX_RSMI_BLOCK)
    buffer = check_int("buffer", buffer, 0, 10**6)
    t = math.tanh(K)
    s = _block_spins(block)
    chain = np.prod((1.0 + s[:, 1:] * s[:, :-1] * t) / 2.0, axis=1)
    e = _block_spins(2)  # columns: e_L, e_R
    reach = t ** (buffer + 1)
    left = (1.0 + e[None, :, 0] * s[:, :1] * reach) / 2.0
    right = (1.0 + e[None, :, 1] * s[:, -1:] * reach) / 2.0
    return 0.5 * chain[:, None] * left * right


def _rule_channel(rule: str, block: int) -> FloatArray:
    """``p(h | v)`` of a rule over the block states, shape ``(2**block, 2)`` (h = -1, +1)."""
    s = _block_spins(block)
    if rule == "decimation":
        up = (s[:, 0] > 0).astype(float)
    else:  # majority, ties broken by a fair coin
        total = s.sum(axis=1)
        up = np.where(total > 0, 1.0, np.where(total < 0, 0.0, 0.5))
    return np.stack([1.0 - up, up], axis=1)


def _information_bits(p_he: FloatArray) -> FloatArray:
    """:math:`I(H;E)` in bits for joints ``p_he[..., h, e]``."""
    ph = p_he.sum(axis=-1, keepdims=True)
    pe = p_he.sum(axis=-2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p_he > 0, p_he * np.log2(p_he / (ph * pe)), 0.0)
    return np.maximum(terms.sum(axis=(-2, -1)), 0.0)


def optimal_block_rule(K: float, block: int = 2, buffer: int = 1) -> tuple[float, FloatArray]:
    """The binary function of the block that keeps the most information about the environment.

    Exhaustive search over all :math:`2^{2^{b}}` deterministic functions
    :math:`h = f(v)` of a block of ``b`` spins (stochastic rules cannot do better:
    :math:`I(H;E)` is convex in the channel :math:`p(h|v)`, so its maximum sits at a
    deterministic rule).  The first maximiser in the order of the functions' bit masks is
    returned.

    Returns
    -------
    (float, numpy.ndarray)
        :math:`\\max_f I(f(V); E)` in bits and the rule as spins ``h(v)`` (``+-1``) over
        the block states.

    Examples
    --------
    >>> bits, rule = optimal_block_rule(0.5, block=2, buffer=0)
    >>> rule.shape
    (4,)
    """
    block = check_int("block", block, 1, MAX_OPTIMAL_BLOCK)
    check_budget("block", 8 * 10 * 2 ** (2**block), MAX_BYTES)
    joint = block_environment_joint(K, block, buffer)
    n_states = 2**block
    masks = np.arange(2**n_states, dtype=np.int64)
    up = ((masks[:, None] >> np.arange(n_states)) & 1).astype(float)  # (n_f, n_states)
    p_up = up @ joint  # (n_f, 4)
    p_he = np.stack([joint.sum(axis=0)[None, :] - p_up, p_up], axis=1)
    info = _information_bits(p_he)
    best = int(np.argmax(info))
    return float(info[best]), 2.0 * up[best] - 1.0


def mutual_information_rg(K: float, rule: str, block: int = 2, buffer: int = 1) -> float:
    """:math:`I(H;E)` in bits between a block's coarse spin and the environment beyond a buffer.

    Real-space mutual-information RG (Koch-Janusz and Ringel) on the infinite zero-field
    Ising chain, computed exactly from :func:`block_environment_joint`.  The coarse
    variable :math:`H` of a block of ``block`` spins is

    * ``"decimation"`` — the block's first spin;
    * ``"majority"`` — the sign of the block's sum, a tie broken by a fair coin;
    * ``"optimal"`` — the best binary function of the block (:func:`optimal_block_rule`,
      ``block <= 4``).

    Parameters
    ----------
    K : float
        Coupling.
    rule : str
        One of :data:`RSMI_RULES`.
    block : int, optional
        Block length (default 2).
    buffer : int, optional
        Spins between the block and the environment on each side (default 1).

    Returns
    -------
    float
        The information in bits (at most 1: :math:`H` is binary).

    Examples
    --------
    >>> round(mutual_information_rg(0.0, "majority"), 12)
    0.0
    >>> mutual_information_rg(1.0, "optimal", 2, 1) >= mutual_information_rg(1.0, "majority", 2, 1)
    True
    """
    rule = check_choice("rule", rule, RSMI_RULES)
    if rule == "optimal":
        block = check_int("block", block, 1, MAX_OPTIMAL_BLOCK)
        return optimal_block_rule(K, block, buffer)[0]
    joint = block_environment_joint(K, block, buffer)
    channel = _rule_channel(rule, int(block))
    return float(_information_bits(channel.T @ joint))
