"""cheaplib.information, markov, sufficiency: entropy, eq. (22), chains, sufficient statistics."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

from cheaplib.information import (
    compressed_bits,
    compression_ratio,
    entropy,
    kl_divergence,
    mutual_information,
)
from cheaplib.markov import (
    animal_hierarchy,
    animal_templates,
    backward_markov_gap,
    chain_joint,
    joints_to,
    markov_chain,
    parity_hierarchy,
    path_joint,
    sample_chain,
    transfer_matrix,
)
from cheaplib.sufficiency import (
    best_partition_brute_force,
    distillation_curve,
    induced_map,
    is_sufficient,
    minimal_sufficient_statistic,
    optimal_binary_distillation,
    posterior,
    statistic_joint,
)


def _mi_bits(pair):
    # eq. (22) written out directly on a joint table, for derived expectations
    pair = pair / pair.sum()
    px, py = pair.sum(axis=0, keepdims=True), pair.sum(axis=1, keepdims=True)
    pos = pair > 0
    return float((pair[pos] * np.log2(pair[pos] / (py * px)[pos])).sum())


def _h2(p):
    return 0.0 if p in (0.0, 1.0) else -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def _random_chain(rng, sizes):
    p0 = rng.dirichlet(np.ones(sizes[0]))
    mats = [rng.dirichlet(np.ones(b), size=a).T for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return p0, mats


chains = st.tuples(st.lists(st.integers(2, 5), min_size=2, max_size=5), st.integers(0, 2**32 - 1))


# --- closed forms ------------------------------------------------------------------------


def test_entropy_closed_forms():
    for n in (1, 2, 7, 64):
        assert entropy(np.full(n, 1 / n)) == pytest.approx(math.log2(n), abs=1e-12)
    for p in (0.0, 0.1, 0.5, 0.9):
        assert entropy([p, 1 - p]) == pytest.approx(_h2(p), abs=1e-12)
    assert entropy([0.25] * 4, base=math.e) == pytest.approx(math.log(4))
    assert entropy(np.full((2, 3), 1 / 6)) == pytest.approx(math.log2(6))  # joint entropy


def test_mutual_information_closed_forms():
    rng = np.random.default_rng(0)
    px, py = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(7))
    assert mutual_information(np.outer(py, px)) == pytest.approx(0.0, abs=1e-14)
    perm = rng.permutation(6)
    p = rng.dirichlet(np.ones(6))
    joint = np.zeros((6, 6))
    joint[perm, np.arange(6)] = p  # a deterministic invertible channel keeps it all
    assert mutual_information(joint) == pytest.approx(entropy(p), abs=1e-12)
    for eps in (0.0, 0.05, 0.3, 0.5):  # binary symmetric channel: I = 1 - h(eps)
        bsc = 0.5 * np.array([[1 - eps, eps], [eps, 1 - eps]])
        assert mutual_information(bsc) == pytest.approx(1 - _h2(eps), abs=1e-12)
    # I = H(x) + H(y) - H(x, y)
    j = rng.dirichlet(np.ones(12)).reshape(3, 4)
    assert mutual_information(j) == pytest.approx(
        entropy(j.sum(0)) + entropy(j.sum(1)) - entropy(j), abs=1e-12
    )
    assert mutual_information(j, base=math.e) == pytest.approx(mutual_information(j) * math.log(2))


def test_kl_divergence():
    p, q = 0.3, 0.6
    closed = p * math.log2(p / q) + (1 - p) * math.log2((1 - p) / (1 - q))
    assert kl_divergence([p, 1 - p], [q, 1 - q]) == pytest.approx(closed)
    assert kl_divergence([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)
    # I(x, y) = D(p(x, y) || p(x) p(y))
    j = np.random.default_rng(1).dirichlet(np.ones(6)).reshape(2, 3)
    assert kl_divergence(j, np.outer(j.sum(1), j.sum(0))) == pytest.approx(mutual_information(j))


@given(st.integers(2, 8), st.integers(0, 2**32 - 1))
def test_gibbs_inequality(n, seed):
    rng = np.random.default_rng(seed)
    assert kl_divergence(rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))) >= 0


# --- the chain (eqs. 15-17) --------------------------------------------------------------


@given(chains)
@settings(max_examples=40, deadline=None)
def test_chain_marginals_and_joints_match_brute_force(args):
    sizes, seed = args
    p0, mats = _random_chain(np.random.default_rng(seed), sizes)
    margs = markov_chain(p0, mats)
    n = len(mats)
    full, supports = path_joint(p0, mats)
    for i in range(n + 1):
        axes = tuple(a for a in range(n + 1) if a != i)
        np.testing.assert_allclose(full.sum(axis=axes), margs[i][supports[i]], atol=1e-13)
    prod = np.linalg.multi_dot([np.eye(sizes[-1]), *mats[::-1], np.eye(sizes[0])])
    np.testing.assert_allclose(margs[-1], prod @ p0, atol=1e-13)  # eq. (16)
    np.testing.assert_allclose(transfer_matrix(mats, 0, n), prod, atol=1e-13)
    for j_lev, joints in ((n, joints_to(p0, mats, n)),):
        for i, jt in enumerate(joints):
            np.testing.assert_allclose(jt, chain_joint(p0, mats, i, j_lev), atol=1e-14)
    pair, _ = path_joint(p0, mats, [0, n])
    np.testing.assert_allclose(pair, chain_joint(p0, mats, 0, n), atol=1e-13)
    np.testing.assert_allclose(chain_joint(p0, mats, n, 0), chain_joint(p0, mats, 0, n).T)


@given(chains)
@settings(max_examples=40, deadline=None)
def test_backward_markovity(args):
    sizes, seed = args
    p0, mats = _random_chain(np.random.default_rng(seed), sizes)
    n = len(mats)
    for i in range(n):
        for k in range(1, n - i + 1):
            assert backward_markov_gap(p0, mats, i, k) < 1e-12


@given(chains)
@settings(max_examples=60, deadline=None)
def test_data_processing_inequality_along_random_chains(args):
    sizes, seed = args
    rng = np.random.default_rng(seed)
    p0, mats = _random_chain(rng, sizes)
    n = len(mats)
    info = [mutual_information(chain_joint(p0, mats, 0, i)) for i in range(n + 1)]
    assert info[0] == pytest.approx(entropy(p0))
    assert all(b <= a + 1e-12 for a, b in zip(info, info[1:], strict=False))
    # any function of the observation loses information (eq. 21) ...
    joint = chain_joint(p0, mats, 0, n)
    labels = rng.integers(0, 3, size=sizes[-1])
    assert mutual_information(statistic_joint(joint, labels)) <= info[-1] + 1e-12
    # ... except the minimal sufficient statistic, which keeps all of it
    mss = minimal_sufficient_statistic(joint)
    assert mutual_information(statistic_joint(joint, mss)) == pytest.approx(info[-1], abs=1e-12)


def test_sampling_reproduces_the_marginals():
    h = animal_hierarchy(0.3, 3, 0.1, n_pixels=6)
    runs = sample_chain(h.p0, h.matrices, 200_000, np.random.default_rng(7))
    for lev, marg in enumerate(h.marginals()):
        freq = np.bincount(runs[:, lev], minlength=marg.size) / runs.shape[0]
        sd = np.sqrt(marg * (1 - marg) / runs.shape[0])
        assert np.all(np.abs(freq - marg) <= 5 * sd + 1e-12)
    again = sample_chain(h.p0, h.matrices, 1000, np.random.default_rng(7))
    assert np.array_equal(again, sample_chain(h.p0, h.matrices, 1000, np.random.default_rng(7)))


# --- sufficient statistics (Theorem 2, Corollary 2) --------------------------------------


def test_minimal_sufficient_statistic_brute_force():
    rng = np.random.default_rng(3)
    base = rng.dirichlet(np.ones(3), size=4).T  # 4 distinct posteriors over 3 values of y
    pick = rng.integers(0, 4, size=12)
    weights = rng.uniform(0.1, 1.0, size=12)
    joint = base[:, pick] * weights
    joint /= joint.sum()
    joint[:, 5] = 0.0  # one impossible observation
    joint /= joint.sum()
    labels = minimal_sufficient_statistic(joint)
    assert labels[5] == -1
    cond = posterior(joint)
    for a, b in itertools.combinations([i for i in range(12) if i != 5], 2):
        same = np.allclose(cond[:, a], cond[:, b], atol=1e-12)
        assert (labels[a] == labels[b]) == same
    assert is_sufficient(joint, labels)
    assert mutual_information(statistic_joint(joint, labels)) == pytest.approx(
        mutual_information(joint), abs=1e-13
    )
    # merging two classes is no longer sufficient and loses information
    merged = np.where(labels == 1, 0, labels)
    assert not is_sufficient(joint, merged)
    assert mutual_information(statistic_joint(joint, merged)) < mutual_information(joint) - 1e-6
    # minimality: the MSS is a function of every sufficient statistic (here x itself)
    f = induced_map(np.where(labels >= 0, np.arange(12), -1), labels)
    assert np.array_equal(f[np.arange(12) != 5], labels[np.arange(12) != 5])


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(flip=0.0),
        dict(shift_range=0),
        dict(shift_range=3, flip=0.2),
        dict(trait_noise=1.0),
    ],
)
def test_theorem2_and_corollary2_on_the_toy_hierarchy(params):
    h = animal_hierarchy(**params)
    joints = joints_to(h.p0, h.matrices, 4)
    stats = [minimal_sufficient_statistic(j) for j in joints[:4]]
    for i in range(3):  # T_i = f_i o T_(i+1)
        f = induced_map(stats[i + 1], stats[i])
        ok = stats[i + 1] >= 0
        assert np.array_equal(f[stats[i + 1][ok]], stats[i][ok])
        assert is_sufficient(joints[i], stats[i + 1])
    # compose: posterior of y_0 from the statistic chain equals Bayes on the observation
    f0 = posterior(statistic_joint(joints[0], stats[0]))
    t = stats[3]
    for i in (2, 1, 0):
        t = np.where(t >= 0, induced_map(stats[i + 1], stats[i])[np.maximum(t, 0)], -1)
    ok = t >= 0
    np.testing.assert_allclose(f0[:, t[ok]], posterior(joints[0])[:, ok], atol=1e-12)


def test_toy_hierarchy_structure():
    tpl = animal_templates(8)
    assert len(set(tpl.tolist())) == 8 and tpl[0] == 0b11 and tpl[1] == 0b01
    h = animal_hierarchy(flip=0.0)
    assert np.array_equal(h.matrices[3], np.eye(256))
    # a uniform shift over the whole ring: T_2 is the rotation class (necklace) of x
    h = animal_hierarchy(shift_range=7, flip=0.1)
    t2 = minimal_sufficient_statistic(h.joint(2, 4))
    x = np.arange(256)
    necklace = np.min([((x << s) | (x >> (8 - s))) & 255 for s in range(8)], axis=0)
    induced_map(t2, necklace)
    induced_map(necklace, t2)
    assert t2.max() + 1 == 36
    with pytest.raises(ValueError, match="shift_range"):
        animal_hierarchy(shift_range=8)
    with pytest.raises(ValueError, match="flip"):
        animal_hierarchy(flip=0.6)


# --- distillation -------------------------------------------------------------------------


def _partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        yield [[first], *part]
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]


@pytest.mark.parametrize("seed", range(4))
def test_optimal_binary_distillation_beats_every_partition(seed):
    rng = np.random.default_rng(seed)
    joint = rng.dirichlet(np.ones(12)).reshape(2, 6)
    best = {}
    for part in _partitions(list(range(6))):
        labels = np.empty(6, dtype=np.int64)
        for c, block in enumerate(part):
            labels[block] = c
        val = mutual_information(statistic_joint(joint, labels))
        best[len(part)] = max(best.get(len(part), 0.0), val)
    curve = distillation_curve(joint)
    for k in range(1, 7):
        opt, labels = optimal_binary_distillation(joint, k)
        brute = max(v for size, v in best.items() if size <= k)
        assert opt == pytest.approx(brute, abs=1e-12)
        assert labels.max() + 1 <= k
        assert mutual_information(statistic_joint(joint, labels)) == pytest.approx(opt, abs=1e-12)
        assert curve.information[curve.sizes == k][0] <= opt + 1e-12


def test_distillation_curve_shape():
    h = animal_hierarchy()
    joint = h.joint(0, 4)
    curve = distillation_curve(joint)
    assert curve.sizes[0] == 36 and curve.sizes[-1] == 1
    assert np.all(np.diff(curve.sizes) == -1)
    assert np.all(np.diff(curve.information) <= 1e-12)
    assert curve.information[0] == pytest.approx(mutual_information(joint), abs=1e-12)
    assert curve.information[-1] == pytest.approx(0.0, abs=1e-12)
    assert all(row.max() + 1 == k for row, k in zip(curve.labels, curve.sizes, strict=True))
    with pytest.raises(ValueError, match="binary"):
        optimal_binary_distillation(h.joint(1, 4), 2)


# --- compression --------------------------------------------------------------------------


def test_compression():
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    for method in ("lzma", "zlib"):
        assert compression_ratio(noise, method) >= 1.0
        assert compression_ratio(bytes(20_000), method) < 0.01
    bits = np.tile([1, 0, 1, 1, 0, 0, 0, 0], 5000)
    assert compression_ratio(bits) < 0.05
    assert compressed_bits(bits, "zlib") % 8 == 0
    with pytest.raises(ValueError, match="method"):
        compressed_bits(noise, "gzip")
    with pytest.raises(ValueError, match="bits"):
        compression_ratio(np.array([0, 1, 2]))


# --- bad input ----------------------------------------------------------------------------


def test_bad_input():
    with pytest.raises(ValueError, match="negative"):
        entropy([1.2, -0.2])
    with pytest.raises(ValueError, match="sum to 1"):
        entropy([0.5, 0.6])
    with pytest.raises(ValueError, match="base"):
        entropy([0.5, 0.5], base=1)
    with pytest.raises(ValueError, match="joint must have 2 dim"):
        mutual_information([0.5, 0.5])
    with pytest.raises(ValueError, match="joint must be finite"):
        mutual_information([[np.nan, 0.5], [0.25, 0.25]])
    with pytest.raises(ValueError, match="different shapes"):
        kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="column-stochastic"):
        markov_chain([0.5, 0.5], [np.array([[0.5, 0.5], [0.4, 0.5]])])
    with pytest.raises(ValueError, match="negative"):
        markov_chain([0.5, 0.5], [np.array([[1.5, 0.5], [-0.5, 0.5]])])
    with pytest.raises(ValueError, match="columns but the previous level"):
        markov_chain([0.5, 0.5], [np.full((3, 3), 1 / 3)])
    with pytest.raises(TypeError, match="sequence"):
        markov_chain([0.5, 0.5], np.eye(2))
    with pytest.raises(ValueError, match="j"):
        chain_joint([0.5, 0.5], [np.eye(2)], 0, 2)
    with pytest.raises(ValueError, match="k"):
        backward_markov_gap([0.5, 0.5], [np.eye(2)], 0, 2)
    with pytest.raises(ValueError, match="atol"):
        minimal_sufficient_statistic(np.full((2, 2), 0.25), atol=-1)
    with pytest.raises(ValueError, match="one label per column"):
        statistic_joint(np.full((2, 2), 0.25), [0, 1, 2])
    with pytest.raises(TypeError, match="integers"):
        statistic_joint(np.full((2, 2), 0.25), [0.0, 1.0])
    with pytest.raises(ValueError, match="reserved"):
        statistic_joint(np.full((2, 2), 0.25), [0, -1])
    with pytest.raises(ValueError, match="not a function"):
        induced_map([0, 0, 1], [0, 1, 1])
    with pytest.raises(TypeError, match="Generator"):
        sample_chain([0.5, 0.5], [np.eye(2)], 10, 0)
    with pytest.raises(ValueError, match="size"):
        sample_chain([0.5, 0.5], [np.eye(2)], 0, np.random.default_rng(0))


def test_widget_summary_numbers():
    from cheaplib.widgets.hierarchies import hierarchy_summary

    # every expected number derived independently: supports and posteriors from the
    # brute-force sum over paths, grouped as connected components of near-equal
    # posteriors instead of by sorting
    for flip, noise in [(0.0, 0.2), (0.5, 0.2), (0.05, 1.0), (0.05, 0.2)]:
        info, stat, support = hierarchy_summary(flip, noise, 7)
        h = animal_hierarchy(trait_noise=noise, shift_range=7, flip=flip)
        sizes, supports = [], []
        for i in range(5):
            pair, (s_i, _) = path_joint(h.p0, h.matrices, [i, 4] if i < 4 else [3, 4])
            post = pair / pair.sum(axis=0)
            dist = np.abs(post[:, :, None] - post[:, None, :]).max(axis=0)
            sizes.append(connected_components(csr_array(dist < 1e-7), directed=False)[0])
            supports.append(s_i.size)
        pair0, _ = path_joint(h.p0, h.matrices, [0, 4])
        expect_info4 = _mi_bits(pair0)
        sizes[4] = path_joint(h.p0, h.matrices, [4])[1][0].size  # possible observations
        supports[4] = sizes[4]
        assert stat.tolist() == sizes and support.tolist() == supports
        assert info[0] == pytest.approx(_h2(0.5)) and info[4] == pytest.approx(expect_info4)


# --- a chain whose sufficient statistics shrink at every stage ----------------------------


@pytest.mark.parametrize("flip", [0.0, 0.05, 0.2])
def test_parity_hierarchy_statistics_are_the_iterated_pairwise_xors(flip):
    h = parity_hierarchy(3, flip)
    joints = joints_to(h.p0, h.matrices, 4)
    x = np.arange(256)
    stat = x  # T_3: with noise every observation has its own posterior over y_3
    expected = {3: x}
    for i in (2, 1, 0):  # pairwise XOR of the previous statistic's bits, done by hand
        n_bits = 2 ** (i + 1)
        bits = (stat[:, None] >> np.arange(n_bits)) & 1
        stat = ((bits[:, 0::2] ^ bits[:, 1::2]) << np.arange(n_bits // 2)).sum(axis=1)
        expected[i] = stat
    for i in range(4):
        T = minimal_sufficient_statistic(joints[i])
        if flip == 0.0 and i == 3:
            continue  # noiseless: the observation is y_3 itself, T_3 = x as well
        induced_map(T, expected[i])
        induced_map(expected[i], T)  # the same partition
        assert T.max() + 1 == 2 ** (2**i)


def test_brute_force_partitions_agree_with_the_interval_programme():
    rng = np.random.default_rng(12)
    for _ in range(5):
        joint = rng.dirichlet(np.ones(16)).reshape(2, 8)
        for k in (1, 2, 3, 8):
            best, labels, tried = best_partition_brute_force(joint, k)
            opt, _ = optimal_binary_distillation(joint, k)
            assert best == pytest.approx(opt, abs=1e-12)
            assert mutual_information(statistic_joint(joint, labels)) == pytest.approx(best)
            assert labels.max() + 1 <= k
    # the number of partitions is a Bell number when size >= m: B(8) = 4140
    assert best_partition_brute_force(rng.dirichlet(np.ones(16)).reshape(2, 8), 8)[2] == 4140
