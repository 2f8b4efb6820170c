"""cheaplib.rsmi.mutual_information_rg against brute-force enumeration of a long open chain."""

import itertools
import math

import numpy as np
import pytest

from cheaplib.rsmi import (
    block_environment_joint,
    mutual_information_rg,
    optimal_block_rule,
)


def _open_chain_joint(K, n):
    """p(s) of an open zero-field chain of n spins by enumeration (spin j = bit j)."""
    states = np.array(list(itertools.product([-1, 1], repeat=n)))[:, ::-1]
    w = np.exp(K * (states[:, 1:] * states[:, :-1]).sum(axis=1))
    return states, w / w.sum()


def _mi_bits(p_xy):
    px = p_xy.sum(1, keepdims=True)
    py = p_xy.sum(0, keepdims=True)
    m = p_xy > 0
    return float(np.sum(p_xy[m] * np.log2(p_xy[m] / (px * py)[m])))


def _brute_force(K, rule_fn, block, buffer, env=3):
    """I(H; whole environment) on an open chain: env spins | buffer | block | buffer | env.

    An open zero-field chain restricted to a segment is exactly the infinite chain's
    marginal, and the environment here is every one of its 2*env outer spins, not only
    the two next to the buffers.
    """
    n = 2 * env + 2 * buffer + block
    states, p = _open_chain_joint(K, n)
    start = env + buffer
    blk = states[:, start : start + block]
    outer = np.concatenate([states[:, :env], states[:, n - env :]], axis=1)
    e_idx = ((outer + 1) // 2) @ (1 << np.arange(2 * env))
    p_up = np.array([rule_fn(b) for b in blk])
    joint = np.zeros((2, 2 ** (2 * env)))
    np.add.at(joint[1], e_idx, p * p_up)
    np.add.at(joint[0], e_idx, p * (1 - p_up))
    return _mi_bits(joint)


def _decimation(b):
    return float(b[0] > 0)


def _majority(b):
    s = b.sum()
    return 0.5 if s == 0 else float(s > 0)


@pytest.mark.parametrize("K", [0.3, 0.9, -0.6])
@pytest.mark.parametrize("block,buffer", [(2, 0), (2, 1), (3, 1), (4, 0)])
def test_rules_against_open_chain_brute_force(K, block, buffer):
    env = 2 if block + buffer > 4 else 3
    for rule, fn in (("decimation", _decimation), ("majority", _majority)):
        ref = _brute_force(K, fn, block, buffer, env)
        assert mutual_information_rg(K, rule, block, buffer) == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("K,block,buffer", [(0.5, 2, 0), (1.2, 2, 1), (0.4, 3, 0)])
def test_optimal_against_brute_force_search(K, block, buffer):
    best = 0.0
    for mask in range(2 ** (2**block)):

        def fn(b, mask=mask):
            i = int(((b + 1) // 2) @ (1 << np.arange(block)))
            return float(mask >> i & 1)

        best = max(best, _brute_force(K, fn, block, buffer, env=2))
    assert mutual_information_rg(K, "optimal", block, buffer) == pytest.approx(best, abs=1e-12)
    bits, rule = optimal_block_rule(K, block, buffer)
    assert bits == pytest.approx(best, abs=1e-12) and set(np.unique(rule)) <= {-1.0, 1.0}


def test_decimation_closed_form():
    # given v1, e_L and e_R are independent: I = 1 + h(q_{2L+b+1}) - h(q_{L+1}) - h(q_{L+b})
    def h2(x):
        return 0.0 if x in (0.0, 1.0) else -x * math.log2(x) - (1 - x) * math.log2(1 - x)

    for K, b, L in ((0.7, 3, 2), (0.2, 5, 0), (2.0, 2, 4)):
        t = math.tanh(K)

        def q(d, t=t):
            return (1 - t**d) / 2

        ref = 1 + h2(q(2 * L + b + 1)) - h2(q(L + 1)) - h2(q(L + b))
        assert mutual_information_rg(K, "decimation", b, L) == pytest.approx(ref, abs=1e-12)


def test_joint_is_a_distribution_with_the_chain_correlation():
    j = block_environment_joint(0.8, 3, 2)
    assert j.sum() == pytest.approx(1.0, abs=1e-14)
    pe = j.sum(axis=0)  # e = bit(e_L) + 2 bit(e_R)
    assert pe[0] + pe[1] == pytest.approx(0.5, abs=1e-14)
    corr = pe[0] + pe[3] - pe[1] - pe[2]  # <e_L e_R> across 2*2 + 3 + 1 = 8 bonds
    assert corr == pytest.approx(math.tanh(0.8) ** 8, abs=1e-14)


def test_information_falls_with_buffer_and_optimum_dominates():
    for rule in ("decimation", "majority", "optimal"):
        vals = [mutual_information_rg(0.8, rule, 2, L) for L in range(4)]
        assert all(a > b for a, b in zip(vals, vals[1:], strict=False))
    for b in (1, 2, 3, 4):
        opt = mutual_information_rg(0.8, "optimal", b, 1)
        assert opt >= mutual_information_rg(0.8, "majority", b, 1) - 1e-15
        assert opt >= mutual_information_rg(0.8, "decimation", b, 1) - 1e-15
    assert mutual_information_rg(0.0, "optimal", 3, 0) == pytest.approx(0.0, abs=1e-15)
