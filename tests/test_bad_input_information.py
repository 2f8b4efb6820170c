"""Bad input to every public function of the chapter-3 modules is refused by name.

Modules: cheaplib.information (entropy, eq. 22, compression), cheaplib.markov (the chain,
eqs. 15-17, and the toy hierarchies), cheaplib.sufficiency (Theorem 2, distillation) and
the chapter's widget.  Each class of bad input — NaN/inf, wrong shape, wrong type (bool,
str, float for int), non-distributions, out-of-range parameters, sizes over budget —
raises a ValueError or TypeError whose message names the argument; nothing returns NaN
or a wrong number (a negative divergence, say).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import information as inf
from cheaplib import markov as mk
from cheaplib import sufficiency as sf
from cheaplib.widgets.hierarchies import hierarchy_summary, render_hierarchy_noise

P0 = np.array([0.5, 0.5])
M1 = np.array([[0.9, 0.2], [0.1, 0.8]])
JOINT = np.array([[0.3, 0.1, 0.05, 0.05], [0.05, 0.05, 0.1, 0.3]])
BAD = st.sampled_from([np.nan, np.inf, -np.inf])


def _raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


# --- non-distributions: negative, not summing to 1, NaN/inf ------------------------------


@given(
    bad=st.one_of(
        BAD.map(lambda v: [v, 0.5]),
        st.floats(0.01, 0.99).map(lambda a: [a, a + 0.5]),  # sums off 1
        st.floats(0.01, 2.0).map(lambda a: [1.0 + a, -a]),  # negative entry
    )
)
@settings(max_examples=40, deadline=None)
def test_distributions_are_checked(bad):
    _raises(ValueError, r"\bp\b", inf.entropy, bad)
    _raises(ValueError, r"\bp\b", inf.kl_divergence, bad, [0.5, 0.5])
    _raises(ValueError, r"\bq\b", inf.kl_divergence, [0.5, 0.5], bad)
    _raises(ValueError, "p0", mk.markov_chain, bad, [M1])
    joint = np.array([bad, [0.0, 0.0]])
    for fn in (
        inf.mutual_information,
        sf.posterior,
        sf.minimal_sufficient_statistic,
        sf.distillation_curve,
    ):
        _raises(ValueError, "joint", fn, joint)
    _raises(ValueError, "joint", sf.statistic_joint, joint, [0, 1])
    _raises(ValueError, "joint", sf.is_sufficient, joint, [0, 1])
    _raises(ValueError, "joint", sf.optimal_binary_distillation, joint, 2)
    _raises(ValueError, "joint", sf.best_partition_brute_force, joint, 2)


def test_categorical_divergence_is_never_negative_on_non_distributions():
    # A KL of [.5, .5] against [.9, .9] used to come out negative
    _raises(ValueError, r"\bq\b", inf.kl_divergence, [0.5, 0.5], [0.9, 0.9])


@given(bad=BAD, j=st.integers(0, 1))
@settings(max_examples=20, deadline=None)
def test_matrices_are_checked(bad, j):
    m = M1.copy()
    m[0, j] = bad
    for fn in (mk.markov_chain, mk.joints_to):
        args = (P0, [m]) if fn is mk.markov_chain else (P0, [m], 1)
        _raises(ValueError, "M_1", fn, *args)
    _raises(ValueError, "M_1", mk.chain_joint, P0, [m], 0, 1)
    _raises(ValueError, "M_1", mk.transfer_matrix, [m], 0, 1)
    _raises(ValueError, "M_1", mk.path_joint, P0, [m])
    _raises(ValueError, "M_2", mk.backward_markov_gap, P0, [M1, m], 0, 1)
    _raises(ValueError, "M_1", mk.sample_chain, P0, [m], 5, np.random.default_rng(0))


def test_non_stochastic_and_mismatched_matrices():
    _raises(ValueError, "column-stochastic", mk.markov_chain, P0, [np.full((2, 2), 0.6)])
    _raises(ValueError, "M_1", mk.markov_chain, P0, [np.array([[1.5, 0.5], [-0.5, 0.5]])])
    _raises(ValueError, "M_1", mk.markov_chain, P0, [np.full((3, 3), 1 / 3)])
    _raises(ValueError, "M_1", mk.markov_chain, P0, [np.ones(2)])
    _raises(TypeError, "matrices", mk.markov_chain, P0, M1)
    _raises(TypeError, "matrices", mk.markov_chain, P0, "M1")


# --- integers and levels: bool, float, str, out of range ----------------------------------


@given(bad=st.one_of(st.just(True), st.floats(0.5, 3.0), st.text(max_size=2), st.none()))
@settings(max_examples=25, deadline=None)
def test_integer_arguments_refuse_other_types(bad):
    _raises((TypeError, ValueError), r"\bi\b", mk.chain_joint, P0, [M1], bad, 1)
    _raises((TypeError, ValueError), r"\bj\b", mk.joints_to, P0, [M1], bad)
    _raises((TypeError, ValueError), r"\bk\b", mk.backward_markov_gap, P0, [M1, M1], 0, bad)
    _raises(
        (TypeError, ValueError), "size", mk.sample_chain, P0, [M1], bad, np.random.default_rng(0)
    )
    _raises((TypeError, ValueError), "size", sf.optimal_binary_distillation, JOINT, bad)
    _raises((TypeError, ValueError), "size", sf.best_partition_brute_force, JOINT, bad)
    _raises((TypeError, ValueError), "n_pixels", mk.animal_templates, bad)
    _raises((TypeError, ValueError), "shift_range", mk.animal_hierarchy, shift_range=bad)
    _raises((TypeError, ValueError), "depth", mk.parity_hierarchy, bad)


@pytest.mark.parametrize(
    ("fn", "args", "kwargs", "name"),
    [
        (mk.chain_joint, (P0, [M1], 0, 2), {}, r"\bj\b"),
        (mk.transfer_matrix, ([M1], 1, 0), {}, "i <= j"),
        (mk.path_joint, (P0, [M1], [1, 0]), {}, "levels"),
        (mk.backward_markov_gap, (P0, [M1], 0, 2), {}, r"\bk\b"),
        (mk.backward_markov_gap, (P0, [M1], 1, 1), {}, r"\bi\b"),
        (mk.sample_chain, (P0, [M1], 0, np.random.default_rng(0)), {}, "size"),
        (mk.sample_chain, (P0, [M1], 10**8, np.random.default_rng(0)), {}, "size"),
        (mk.animal_templates, (5,), {}, "n_pixels"),
        (mk.animal_hierarchy, (), {"flip": 0.6}, "flip"),
        (mk.animal_hierarchy, (), {"flip": np.nan}, "flip"),
        (mk.animal_hierarchy, (), {"trait_noise": -0.1}, "trait_noise"),
        (mk.animal_hierarchy, (), {"p_cat": 1.0}, "p_cat"),
        (mk.animal_hierarchy, (), {"p_cat": True}, "p_cat"),
        (mk.animal_hierarchy, (), {"shift_range": 8}, "shift_range"),
        (mk.parity_hierarchy, (4,), {}, "depth"),
        (mk.parity_hierarchy, (2, 0.7), {}, "flip"),
        (mk.parity_hierarchy, (2, "0.1"), {}, "flip"),
        (sf.optimal_binary_distillation, (JOINT, 0), {}, "size"),
        (sf.optimal_binary_distillation, (np.full((3, 2), 1 / 6), 2), {}, "binary"),
        (sf.best_partition_brute_force, (JOINT, 0), {}, "size"),
        (sf.minimal_sufficient_statistic, (JOINT,), {"atol": np.nan}, "atol"),
        (sf.minimal_sufficient_statistic, (JOINT,), {"atol": 0.7}, "atol"),
        (sf.is_sufficient, (JOINT, [0, 0, 1, 1]), {"atol": -1.0}, "atol"),
        (inf.entropy, ([0.5, 0.5],), {"base": 1}, "base"),
        (inf.entropy, ([0.5, 0.5],), {"base": 0}, "base"),
        (inf.entropy, ([0.5, 0.5],), {"base": np.nan}, "base"),
        (inf.entropy, ([0.5, 0.5],), {"base": True}, "base"),
        (inf.mutual_information, (JOINT,), {"base": "e"}, "base"),
        (inf.mutual_information, ([0.5, 0.5],), {}, "joint"),
        (inf.kl_divergence, ([0.5, 0.5], [0.2, 0.3, 0.5]), {}, "shapes"),
        (inf.compressed_bits, (np.array([0, 1, 2]),), {}, "data"),
        (inf.compressed_bits, (np.array([0.0, 1.0]),), {}, "data"),
        (inf.compressed_bits, (b"",), {}, "data"),
        (inf.compressed_bits, (np.array([0, 1]),), {"method": "gzip"}, "method"),
        (inf.compression_ratio, (np.zeros((2, 2), dtype=int),), {}, "data"),
    ],
)
def test_out_of_range_and_wrong_types(fn, args, kwargs, name):
    _raises((TypeError, ValueError), name, fn, *args, **kwargs)


# --- labels of statistics: wrong type, shape, reserved -1, budgets ------------------------


def test_labels_are_checked():
    _raises(ValueError, "labels", sf.statistic_joint, JOINT, [0, 1, 2])
    _raises(TypeError, "labels", sf.statistic_joint, JOINT, [0.0, 1.0, 0.0, 1.0])
    _raises(TypeError, "labels", sf.statistic_joint, JOINT, ["a", "b", "a", "b"])
    _raises(ValueError, "label -1", sf.statistic_joint, JOINT, [0, -1, 0, 1])
    _raises(ValueError, "labels", sf.statistic_joint, JOINT, [0, -2, 0, 1])
    _raises(ValueError, "labels", sf.is_sufficient, JOINT, [0, 1])
    _raises(ValueError, "start", sf.distillation_curve, JOINT, [0, 1])
    _raises(ValueError, "fine|coarse", sf.induced_map, [0, 0, 1], [0, 1])
    _raises(TypeError, "fine", sf.induced_map, [0.0, 1.0], [0, 1])
    _raises(ValueError, "not a function", sf.induced_map, [0, 0, 1], [0, 1, 1])


def test_huge_labels_are_refused_before_allocating():
    # A label of 2**33 used to allocate 2**33 columns
    _raises(ValueError, "labels", sf.statistic_joint, JOINT, [0, 1, 2, 2**33])
    _raises(ValueError, "fine", sf.induced_map, [0, 1, 2, 2**33], [0, 0, 1, 1])
    _raises(ValueError, "labels", sf.statistic_joint, JOINT, [0, 1, 2, 2**30])
    _raises(ValueError, "fine", sf.induced_map, [0, 1, 2, 2**30], [0, 0, 1, 1])


def test_brute_force_partitions_are_budgeted():
    joint = np.full((2, 20), 1 / 40)
    _raises(ValueError, "joint", sf.best_partition_brute_force, joint, 10)


def test_path_joint_is_budgeted():
    big = np.full((64, 64), 1 / 64)
    p = np.full(64, 1 / 64)
    _raises(ValueError, "entries", mk.path_joint, p, [big, big, big, big, big])


def test_rng_must_be_a_generator():
    _raises(TypeError, "Generator|rng", mk.sample_chain, P0, [M1], 5, 0)


# --- the widget -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((np.nan, 0.2, 7), "flip"),
        ((0.6, 0.2, 7), "flip"),
        (("0.1", 0.2, 7), "flip"),
        ((0.05, 1.5, 7), "trait_noise"),
        ((0.05, True, 7), "trait_noise"),
        ((0.05, 0.2, 8), "shift_range"),
        ((0.05, 0.2, 2.5), "shift_range"),
    ],
)
def test_widget_refuses_bad_settings(args, name):
    _raises((TypeError, ValueError), name, render_hierarchy_noise, *args)


def test_widget_summary_refuses_bad_settings():
    _raises((TypeError, ValueError), "flip", hierarchy_summary, 0.9, 0.2, 7)


# --- a Hierarchy is checked when it is built, not when it is used ------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"names": ("a",)}, "one name per level"),
        ({"names": ("a", "b", "c")}, "one name per level"),
        ({"names": "ab"}, "names"),
        ({"names": ("a", 2)}, "names"),
        ({"p0": np.array([np.nan, 0.5])}, "p0"),
        ({"p0": np.array([0.7, 0.7])}, "p0"),
        ({"matrices": (np.full((2, 2), 0.7),)}, "M_1"),
        ({"matrices": np.eye(2)}, "matrices"),
    ],
)
def test_a_malformed_hierarchy_is_refused(kwargs, match):
    good = {"p0": np.array([0.5, 0.5]), "matrices": (np.eye(2),), "names": ("a", "b")}
    _raises((ValueError, TypeError), match, mk.Hierarchy, **{**good, **kwargs})


def test_a_well_formed_hierarchy_keeps_its_values():
    h = mk.Hierarchy([0.25, 0.75], [np.eye(2)], ["a", "b"])
    assert h.depth == 1 and h.names == ("a", "b")
    np.testing.assert_array_equal(h.marginals()[1], [0.25, 0.75])
