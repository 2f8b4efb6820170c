"""Bad input for every public function of cheaplib.rg.

Classes of bad input: NaN and infinities, wrong types (bool, str, float where an integer is
meant), wrong shapes, non-normalisable couplings, degenerate data, out-of-range parameters
and sizes over the budget.  Each must raise ValueError or TypeError whose message names
the argument; none may return a NaN, an absurd number or hang.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cheaplib import rg
from cheaplib.ising import all_spin_states

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_AN_INT = st.sampled_from([True, False, 2.5, 4.0, "4", np.float64(2.0)])
RNG = np.random.default_rng(0)
FIELD = RNG.standard_normal((2, 16, 16))
Y = [0.1, 1.0, 0.5]
P = rg.coarse_spectrum((32, 32), Y, 1)
H4 = np.array([0.0, 1.0, 2.0, 3.0])
T4 = np.zeros((4, 2)) - math.log(2)
W, C, A = np.zeros((2, 3)), np.zeros(2), np.zeros(3)
V = np.array([[0, 1, 0], [1, 1, 0]], dtype=float)


def _raises(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def _with(arr, value, index=(0,)):
    out = np.array(arr, dtype=float, copy=True)
    out[index] = value
    return out


# (argument, builder of a call with one entry of an array replaced by the bad value)
ARRAY_ENTRY = [
    ("field", lambda v: rg.gaussian_energy(_with(FIELD, v, (0, 0, 0)), Y)),
    ("y", lambda v: rg.gaussian_energy(FIELD, _with(Y, v))),
    ("y", lambda v: rg.spectrum_energy((8, 8), _with(Y, v))),
    ("y", lambda v: rg.gaussian_field((8, 8), _with(Y, v), RNG)),
    ("y", lambda v: rg.coarse_spectrum((8, 8), _with(Y, v), 2)),
    ("y", lambda v: rg.fisher_information((8, 8), _with(Y, v), 2)),
    ("y", lambda v: rg.fisher_information_kept((8, 8), _with(Y, v), 2)),
    ("field", lambda v: rg.block_average(_with(FIELD, v, (0, 0, 0)), 2)),
    ("field", lambda v: rg.power_spectrum(_with(FIELD, v, (0, 0, 0)))),
    ("field", lambda v: rg.measure_couplings(_with(FIELD, v, (0, 0, 0)), 2)),
    ("spectrum", lambda v: rg.fit_couplings(_with(P, v, (0, 0)), 2)),
    ("H", lambda v: rg.counterexample(_with(H4, v), H4)),
    ("K", lambda v: rg.counterexample(H4, _with(H4, v))),
    ("H", lambda v: rg.coarse_grain(_with(H4, v), T4)),
    ("W", lambda v: rg.rbm_conditional_coupling(_with(W, v, (0, 0)), C, V)),
    ("c", lambda v: rg.rbm_conditional_coupling(W, _with(C, v), V)),
    ("visible", lambda v: rg.rbm_conditional_coupling(W, C, _with(V, v, (0, 0)))),
    ("a", lambda v: rg.rbm_energy_coupling(W, _with(A, v), C, V, [0.0, 1.0])),
    ("H", lambda v: rg.rbm_energy_coupling(W, A, C, V, _with([0.0, 1.0], v))),
    ("H_other", lambda v: rg.independent_coupling(3, _with([0.0, 1.0], v))),
    ("visible", lambda v: rg.fit_rbm(_with(V, v, (0, 0)), 2, RNG)),
    ("visible", lambda v: rg.majority_rule_coupling(_with(all_spin_states(3), v, (0, 0)), 3)),
]

SCALARS = [
    ("lam_max", lambda v: rg.fit_couplings(P, 2, v)),
    ("lam_max", lambda v: rg.measure_couplings(FIELD, 2, v)),
    ("learning_rate", lambda v: rg.fit_rbm(V, 2, RNG, learning_rate=v)),
]

INTS = [
    ("shape", lambda v: rg.lattice_symbol((8, v))),
    ("shape", lambda v: rg.spectrum_energy((v, 8), Y)),
    ("shape", lambda v: rg.gaussian_field((v, 8), Y, RNG)),
    ("shape", lambda v: rg.coarse_spectrum((8, v), Y, 2)),
    ("shape", lambda v: rg.fisher_information_kept((8, v), Y, 2)),
    ("n_fields", lambda v: rg.gaussian_field((8, 8), Y, RNG, n_fields=v)),
    ("b", lambda v: rg.block_average(FIELD, v)),
    ("b", lambda v: rg.coarse_spectrum((8, 8), Y, v)),
    ("b", lambda v: rg.fisher_information((8, 8), Y, v)),
    ("b", lambda v: rg.fisher_information_kept((8, 8), Y, v)),
    ("n_terms", lambda v: rg.fit_couplings(P, v)),
    ("n_terms", lambda v: rg.measure_couplings(FIELD, v)),
    ("n_hidden", lambda v: rg.fit_rbm(V, v, RNG)),
    ("n_iter", lambda v: rg.fit_rbm(V, 2, RNG, n_iter=v)),
    ("batch_size", lambda v: rg.fit_rbm(V, 2, RNG, batch_size=v)),
    ("block", lambda v: rg.majority_rule_coupling(all_spin_states(3), v)),
    ("n_visible_states", lambda v: rg.independent_coupling(v, [0.0, 1.0])),
]


def _ids(table):
    return [f"{n}-{i}" for i, (n, _) in enumerate(table)]


@pytest.mark.parametrize(("name", "call"), ARRAY_ENTRY, ids=_ids(ARRAY_ENTRY))
@given(bad=NON_FINITE)
@settings(max_examples=3, deadline=None)
def test_non_finite_array_entries_are_refused(name, call, bad):
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(("name", "call"), SCALARS, ids=_ids(SCALARS))
@given(bad=st.one_of(NON_FINITE, st.sampled_from([True, "1.0", None, -1.0, 0.0])))
@settings(max_examples=8, deadline=None)
def test_bad_scalars_are_refused(name, call, bad):
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(("name", "call"), INTS, ids=_ids(INTS))
@given(bad=NOT_AN_INT)
@settings(max_examples=6, deadline=None)
def test_non_integers_are_refused(name, call, bad):
    _raises(lambda: call(bad), name)


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("shape", lambda: rg.lattice_symbol((8,))),
        ("shape", lambda: rg.lattice_symbol("ab")),
        ("shape", lambda: rg.lattice_symbol((1, 8))),
        ("shape", lambda: rg.gaussian_field((10**5, 10**5), Y, RNG)),
        ("y", lambda: rg.gaussian_field((8, 8), [-1.0, 1.0], RNG)),
        ("y", lambda: rg.gaussian_field((8, 8), [True, False], RNG)),
        ("y", lambda: rg.gaussian_field((8, 8), [[1.0]], RNG)),
        ("y", lambda: rg.gaussian_field((8, 8), ["a"], RNG)),
        ("y", lambda: rg.coarse_spectrum((8, 8), [0.0, 1.0], 2)),
        ("y", lambda: rg.fisher_information((8, 8), [0.0, 1.0], 2)),
        ("n_fields", lambda: rg.gaussian_field((1024, 1024), Y, RNG, n_fields=10**4)),
        ("rng", lambda: rg.gaussian_field((8, 8), Y, 0)),
        ("field", lambda: rg.gaussian_energy(np.ones(8), Y)),
        ("field", lambda: rg.block_average(np.ones((3, 3)), 2)),
        ("field", lambda: rg.power_spectrum([["a", "b"], ["c", "d"]])),
        ("field", lambda: rg.measure_couplings(np.ones((64, 64)), 2, return_stderr=True)),
        ("field", lambda: rg.measure_couplings(np.ones((4, 4)), 2)),
        ("return_stderr", lambda: rg.measure_couplings(FIELD, 2, return_stderr="yes")),
        ("shape", lambda: rg.coarse_spectrum((9, 9), Y, 2)),
        ("shape", lambda: rg.fisher_information_kept((9, 9), Y, 2)),
        ("shape", lambda: rg.fisher_information_kept((4096, 4096), Y, 2)),
        ("spectrum", lambda: rg.fit_couplings(-np.ones((16, 16)), 2)),
        ("spectrum", lambda: rg.fit_couplings(np.ones(16), 2)),
        ("spectrum", lambda: rg.fit_couplings(_with(P, 0.0, (1, 0)), 2)),
        ("n_terms", lambda: rg.fit_couplings(P, 5)),
        ("lam_max", lambda: rg.fit_couplings(P, 2, 9.0)),
        ("symbol", lambda: rg.fit_couplings(P, 2, symbol="fourier")),
        ("H", lambda: rg.counterexample([1.0], [1.0])),
        ("H", lambda: rg.counterexample([[1.0, 2.0]], [[1.0, 2.0]])),
        ("H", lambda: rg.counterexample([True, False], [1.0, 2.0])),
        ("H", lambda: rg.counterexample([1.0, 2.0], [1.0, 2.0, 3.0])),
        ("T", lambda: rg.trace_condition(np.ones(3))),
        ("T", lambda: rg.trace_condition([[np.nan, 0.0]])),
        ("T", lambda: rg.trace_condition([[np.inf, 0.0]])),
        ("T", lambda: rg.trace_condition([["a"]])),
        ("T", lambda: rg.trace_condition([[-np.inf, -np.inf]])),
        ("T", lambda: rg.coarse_grain([0.0, 1.0], np.zeros((3, 2)))),
        ("W", lambda: rg.rbm_conditional_coupling(np.ones((17, 3)), np.ones(17), V)),
        ("c", lambda: rg.rbm_conditional_coupling(np.ones((2, 3)), np.ones(3), V)),
        ("visible", lambda: rg.rbm_conditional_coupling(np.ones((2, 3)), C, np.ones((4, 2)))),
        ("visible", lambda: rg.rbm_conditional_coupling(W, C, np.full((2, 3), 0.5))),
        ("a", lambda: rg.rbm_energy_coupling(W, np.ones(4), C, V, [0.0, 1.0])),
        ("H", lambda: rg.rbm_energy_coupling(W, A, C, V, [0.0, 1.0, 2.0])),
        ("block", lambda: rg.majority_rule_coupling(all_spin_states(4), 2)),
        ("visible", lambda: rg.majority_rule_coupling(all_spin_states(4), 3)),
        ("visible", lambda: rg.majority_rule_coupling(np.zeros((2, 3)), 3)),
        ("n_visible_states", lambda: rg.independent_coupling(0, [1.0, 2.0])),
        ("n_visible_states", lambda: rg.independent_coupling(10**9, [1.0, 2.0])),
        ("visible", lambda: rg.fit_rbm(np.full((5, 3), 0.5), 2, RNG)),
        ("n_hidden", lambda: rg.fit_rbm(np.ones((5, 3)), 17, RNG)),
        ("rng", lambda: rg.fit_rbm(np.ones((5, 3)), 2, 7)),
    ],
)
def test_out_of_range_and_malformed_input_is_refused(name, call):
    _raises(call, name)


@given(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4))
@settings(max_examples=40, deadline=None)
def test_large_energies_stay_finite_in_log_space(shift, scale):
    H = np.array([0.0, 1.0, 2.0]) * scale + shift
    ce = rg.counterexample(H, np.array([0.0, 1.0, -1.0]))
    assert math.isfinite(ce["log_Z"]) and math.isfinite(ce["log_Z_tot"])
    assert abs(ce["log_Z"] - ce["log_Z_tot"]) <= 1e-9 * max(1.0, abs(ce["log_Z"]))
    assert np.all(np.isfinite(ce["p"])) and np.all(np.isfinite(ce["p_tilde"]))


# --- extreme finite couplings and fields ---------------------------------------------------


@pytest.mark.parametrize("y0", [1e-160, 1e-300, 1e300])
def test_fisher_information_kept_is_computed_beyond_float64_informations(y0):
    # y0 = 1e-160 once made 1/E(0)^2 overflow and returned NaN; the fractions stay in [0, 1]
    kept = rg.fisher_information_kept((16, 16), [y0, 1.0, 1.0], 2)
    assert np.all(np.isfinite(kept)) and np.all((kept >= 0) & (kept <= 1 + 1e-12))
    _raises(lambda: rg.fisher_information((16, 16), [1e-160, 1.0], 2), "y")


def test_fisher_information_kept_of_moderate_couplings_is_unchanged():
    # the scaled path agrees with the direct one where both are finite
    assert rg.fisher_information_kept((16, 16), [1e-10, 1.0], 2)[0] == pytest.approx(
        rg.fisher_information_kept((16, 16), [1e-160, 1.0], 2)[0], rel=1e-6
    )


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: rg.block_average(np.full((4, 4), 1e308), 2), "field"),
        (lambda: rg.power_spectrum(np.full((4, 4), 1e200)), "field"),
        (lambda: rg.gaussian_energy(np.full((4, 4), 1e200), [1.0]), "field, y"),
        (lambda: rg.trace_condition(np.full((2, 2), 1e308)), "T"),
        (lambda: rg.coarse_grain([0.0, 1.0], np.full((2, 2), 800.0)), "T"),
    ],
)
def test_values_whose_results_overflow_are_refused(call, name):
    _raises(call, name)
