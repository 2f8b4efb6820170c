"""Bad input to every public function of cheaplib.flows is refused, naming the argument.

Classes of bad input: NaN/inf, wrong shape, wrong type (bool, str, float for
an int), non-densities, out-of-range parameters and sizes over budget. Each case calls the
function with one argument replaced and requires a ValueError/TypeError whose message
names that argument -- never a NaN result.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from cheaplib import flows

X = np.linspace(-4.0, 4.0, 41)
XP = np.linspace(0, 2 * np.pi, 32, endpoint=False)
P = flows.normalize(norm.pdf(X, 0.2, 1.0), X)
Q = flows.normalize(norm.pdf(X), X)
ETA = flows.normalize(norm.pdf(X, 1.0, 1.0), X) - P  # a tangent vector
PARTICLES = norm.ppf((np.arange(50) + 0.5) / 50)
RNG = np.random.default_rng(0)


def _c(_lnl):
    return 0.5


def _cdot(_lnl):
    return 0.1


def _drift(z, t):
    return -z


def _v(z):
    return z**2 / 2


def _dv(z):
    return z


def _d2v(z):
    return np.ones_like(z)


# function -> the keyword arguments of a valid call
GOOD = {
    flows.grid_weights: {"grid": X},
    flows.normalize: {"p": 2 * P, "grid": X},
    flows.relative_entropy: {"p": P, "q": Q, "x": X},
    flows.differential_entropy: {"p": P, "x": X},
    flows.relative_fisher_information: {"p": P, "q": Q, "x": X},
    flows.free_energy: {"p": P, "V": X**2 / 2, "x": X},
    flows.dirichlet_energy: {"p": np.sin(XP), "x": XP},
    flows.periodic_laplacian: {"p": np.sin(XP), "x": XP},
    flows.heat_flow: {"p0": np.sin(XP), "x": XP, "t_values": [0.0, 0.1], "diffusivity": 1.0},
    flows.neumann_laplacian: {"p": P, "x": X},
    flows.w2_potential_gradient: {"eta": ETA, "p": P, "x": X},
    flows.w2_inner: {"eta1": ETA, "eta2": ETA, "p": P, "x": X},
    flows.w2_gradient: {"dF": np.log(P), "p": P, "x": X, "sign": -1},
    flows.fokker_planck_matrix: {"V": X**2 / 2, "x": X},
    flows.fokker_planck: {"p0": P, "V": X**2 / 2, "x": X, "t_values": [0.0, 0.5]},
    flows.ou_transition_density: {"x": X, "y": 0.5, "t": 0.3, "theta": 1.0, "diffusivity": 1.0},
    flows.density_quantiles: {"p": P, "x": X, "levels": [0.25, 0.5, 0.75]},
    flows.jko_step: {"particles": PARTICLES, "V": _v, "dV": _dv, "d2V": _d2v, "h": 0.1},
    flows.wegner_morris_gaussian_mode: {
        "p0": Q,
        "phi": X,
        "C": _c,
        "C_dot": _cdot,
        "log_lambda": [1.0, 0.5, 0.0],
    },
    flows.euler_maruyama: {
        "drift": _drift,
        "x0": np.zeros(5),
        "dt": 0.01,
        "n_steps": 10,
        "rng": RNG,
    },
}

NONFINITE = st.sampled_from([math.nan, math.inf, -math.inf])
WRONG_TYPE = st.sampled_from(["a", None, object()])

# (function, argument, how to break it): each entry is a strategy of bad values
ARRAY_ARGS = [
    (f, name)
    for f, kw in GOOD.items()
    for name, v in kw.items()
    if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size > 1
]


def test_good_calls_are_valid_and_finite():
    for f, kw in GOOD.items():
        out = f(**kw)
        arr = np.asarray(
            out[1] if isinstance(out, tuple) else out.toarray() if hasattr(out, "toarray") else out
        )
        assert np.all(np.isfinite(arr)), f.__name__


@pytest.mark.parametrize(("func", "name"), ARRAY_ARGS, ids=lambda v: getattr(v, "__name__", v))
@settings(max_examples=15, deadline=None)
@given(bad=NONFINITE, where=st.floats(0, 1))
def test_nonfinite_entries_are_refused(func, name, bad, where):
    kw = dict(GOOD[func])
    arr = np.array(kw[name], dtype=float)
    arr.flat[int(where * (arr.size - 1))] = bad
    kw[name] = arr
    with pytest.raises((ValueError, TypeError), match=name):
        func(**kw)


@pytest.mark.parametrize(("func", "name"), ARRAY_ARGS, ids=lambda v: getattr(v, "__name__", v))
@settings(max_examples=10, deadline=None)
@given(bad=WRONG_TYPE)
def test_non_numeric_arrays_are_refused(func, name, bad):
    kw = dict(GOOD[func])
    kw[name] = [bad] * 3
    with pytest.raises((ValueError, TypeError), match=name):
        func(**kw)


# arguments whose shape is free by design (broadcast, or one sample per entry)
SHAPE_FREE = {(flows.ou_transition_density, "x"), (flows.euler_maruyama, "x0")}


@pytest.mark.parametrize(
    ("func", "name"),
    [a for a in ARRAY_ARGS if a not in SHAPE_FREE],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_wrong_shapes_are_refused(func, name):
    kw = dict(GOOD[func])
    kw[name] = np.stack([np.asarray(kw[name])] * 2)
    with pytest.raises((ValueError, TypeError), match=name):
        func(**kw)


SCALARS = [
    (flows.heat_flow, "diffusivity", [0.0, -1.0, math.nan, True, "1"]),
    (flows.ou_transition_density, "t", [0.0, -1.0, math.inf, True, "1"]),
    (flows.ou_transition_density, "theta", [0.0, math.nan, False]),
    (flows.ou_transition_density, "diffusivity", [-2.0, math.nan]),
    (flows.w2_gradient, "sign", [0, 2, True, "+"]),
    (flows.jko_step, "h", [0.0, -0.1, math.nan, True]),
    (flows.jko_step, "tol", [0.0, math.nan]),
    (flows.jko_step, "max_iter", [0, 1.5, True, "3"]),
    (flows.wegner_morris_gaussian_mode, "psi_factor", [0.0, -1.0, math.nan]),
    (flows.wegner_morris_gaussian_mode, "sigma_factor", [math.nan, "2"]),
    (flows.euler_maruyama, "dt", [0.0, -1e-3, math.nan, True]),
    (flows.euler_maruyama, "n_steps", [0, -3, 2.0, True, "10"]),
    (flows.euler_maruyama, "record_every", [0, 1.5, False]),
    (flows.euler_maruyama, "sigma", [0.0, -1.0, math.nan]),
    (flows.euler_maruyama, "t0", [math.nan, "0"]),
    (flows.euler_maruyama, "rng", [0, None, np.random.RandomState(0)]),
]


@pytest.mark.parametrize(
    ("func", "name", "values"),
    SCALARS,
    ids=[f"{f.__name__}-{n}" for f, n, _ in SCALARS],  # stable ids (xdist compares them)
)
def test_bad_scalars_are_refused(func, name, values):
    for bad in values:
        kw = dict(GOOD[func])
        kw[name] = bad
        with pytest.raises((ValueError, TypeError), match=name):
            func(**kw)


@settings(max_examples=20, deadline=None)
@given(scale=st.floats(0.1, 10.0).filter(lambda s: abs(s - 1) > 1e-3))
def test_non_densities_are_refused(scale):
    for func, name in [
        (flows.relative_entropy, "p"),
        (flows.relative_entropy, "q"),
        (flows.differential_entropy, "p"),
        (flows.free_energy, "p"),
        (flows.fokker_planck, "p0"),
        (flows.w2_gradient, "p"),
        (flows.density_quantiles, "p"),
        (flows.wegner_morris_gaussian_mode, "p0"),
    ]:
        kw = dict(GOOD[func])
        kw[name] = scale * np.asarray(kw[name])
        with pytest.raises(ValueError, match=name):
            func(**kw)
        kw[name] = np.asarray(GOOD[func][name]) - 0.5 * np.asarray(GOOD[func][name]).max()
        with pytest.raises(ValueError, match=name):
            func(**kw)


def test_out_of_range_and_structural_errors_name_the_argument():
    cases = [
        (flows.grid_weights, {"grid": X[::-1]}, "grid"),
        (flows.grid_weights, {"grid": X[:2]}, "grid"),
        (flows.grid_weights, {"grid": (X, X[::-1])}, "grid"),
        (flows.relative_entropy, {"p": P, "q": Q, "x": X[::-1]}, "x"),
        (flows.normalize, {"p": 0 * P, "grid": X}, "p"),
        (flows.dirichlet_energy, {"p": X, "x": np.sqrt(X + 5)}, "x"),
        (flows.heat_flow, {"p0": XP, "x": XP, "t_values": [0.5, 0.1]}, "t_values"),
        (flows.heat_flow, {"p0": XP, "x": XP, "t_values": [-0.1]}, "t_values"),
        (flows.w2_potential_gradient, {"eta": P, "p": P, "x": X}, "eta"),
        (flows.w2_potential_gradient, {"eta": ETA, "p": np.where(X > 0, 2 * P, 0), "x": X}, "p"),
        (flows.relative_fisher_information, {"p": P, "q": np.where(X > 0, 2 * Q, 0), "x": X}, "q"),
        (flows.density_quantiles, {"p": P, "x": X, "levels": [0.0, 0.5]}, "levels"),
        (flows.density_quantiles, {"p": P, "x": X, "levels": [0.5, 1.2]}, "levels"),
        (flows.jko_step, {**GOOD[flows.jko_step], "particles": PARTICLES[::-1]}, "particles"),
        (flows.jko_step, {**GOOD[flows.jko_step], "V": 3.0}, "V"),
        (
            flows.wegner_morris_gaussian_mode,
            {**GOOD[flows.wegner_morris_gaussian_mode], "log_lambda": [0.0, 1.0]},
            "log_lambda",
        ),
        (
            flows.wegner_morris_gaussian_mode,
            {**GOOD[flows.wegner_morris_gaussian_mode], "C": lambda lnl: -1.0},
            "C",
        ),
        (flows.euler_maruyama, {**GOOD[flows.euler_maruyama], "drift": 1.0}, "drift"),
        (
            flows.euler_maruyama,
            {**GOOD[flows.euler_maruyama], "drift": lambda z, t: np.zeros(3)},
            "drift",
        ),
        (flows.ou_transition_density, {"x": np.zeros(3), "y": np.zeros(4), "t": 1.0}, "x"),
        (flows.free_energy, {"p": P, "V": lambda z: z[:-1], "x": X}, "V"),
    ]
    for func, kw, name in cases:
        with pytest.raises((ValueError, TypeError), match=name):
            func(**kw)


def test_sizes_over_budget_are_refused_before_allocating():
    xg = np.linspace(-1, 1, 5000)
    with pytest.raises(ValueError, match="x is too large"):
        flows.fokker_planck(flows.normalize(np.ones(5000), xg), xg**2, xg, [0.1])
    with pytest.raises(ValueError, match="n_steps is too large"):
        flows.euler_maruyama(_drift, np.zeros(10), 1e-3, 10**9, RNG)
    with pytest.raises(ValueError, match="t_values is too large"):
        flows.heat_flow(np.sin(XP), XP, np.linspace(0, 1, 2 * 10**6))
    with pytest.raises(ValueError, match="x, y is too large"):
        flows.ou_transition_density(np.zeros((20000, 1)), np.zeros((1, 20000)), 1.0)


def test_the_sde_blowing_up_is_reported_not_returned_as_nan():
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ValueError, match="blew up"):
        flows.euler_maruyama(lambda z, t: z**3, np.full(3, 10.0), 0.1, 50, RNG)


# --- extreme but finite values: scaled, or refused; never zeros, NaN or inf --------------


def test_normalize_of_values_whose_mass_overflows_is_the_density():
    x = np.linspace(0.0, 10.0, 11)
    out = flows.normalize(np.full(11, 1e308), x)  # the mass, 1e309, overflows
    np.testing.assert_allclose(out, 0.1, rtol=1e-15)
    tiny = flows.normalize(np.full(11, 5e-324), x)  # the mass underflows to 0
    np.testing.assert_allclose(tiny, 0.1, rtol=1e-15)
    with pytest.raises(ValueError, match="p, grid"):  # the density itself is beyond float64
        flows.normalize([0.0, 1.0, 0.0], [0.0, 1e-309, 2e-309])


def test_relative_fisher_information_where_p_vanishes_in_its_tails():
    x = np.linspace(-40.0, 40.0, 4001)
    p = flows.normalize(np.exp(-(x**2) / 2), x)  # underflows to 0 in its tails
    q = flows.normalize(np.exp(-(x**2) / 2.4), x)  # variance 1.2, positive everywhere
    assert np.any(p == 0) and np.all(q > 0)
    # N(0, 1) against N(0, s2): I = (1 - 1/s2)^2 for unit variance
    assert flows.relative_fisher_information(p, q, x) == pytest.approx((1 - 1 / 1.2) ** 2, 1e-3)


def test_relative_fisher_information_of_a_jump_grows_with_the_grid():
    values = []
    for n in (401, 801, 1601):  # p jumps to 0 at x = 0: the information is infinite
        x = np.linspace(-8.0, 8.0, n)
        q = flows.normalize(norm.pdf(x), x)
        values.append(
            flows.relative_fisher_information(flows.normalize(np.where(x > 0, q, 0), x), q, x)
        )
    assert values[1] > 1.9 * values[0] and values[2] > 1.9 * values[1]


@pytest.mark.parametrize(("t", "theta", "d"), [(5e-324, 1.0, 5e-324), (1.0, 1e-300, 1e300)])
def test_ou_parameters_whose_variance_leaves_float64_are_refused(t, theta, d):
    with pytest.raises(ValueError, match="t, theta, diffusivity"):
        flows.ou_transition_density(X, 0.0, t, theta, d)


def test_a_time_whose_propagator_overflows_is_refused():
    with pytest.raises(ValueError, match="t_values"):
        flows.fokker_planck(P, X**2 / 2, X, [1e308])
