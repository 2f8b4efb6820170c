"""Bad input to cheaplib.maxent: a clear TypeError or ValueError naming the argument."""

import numpy as np
import pytest

from cheaplib.maxent import (
    MAX_PIXELS,
    binary_patches,
    conditional_log_likelihood,
    connected_information,
    displacement_couplings,
    empirical_entropy,
    fit_maxent,
    fit_pseudolikelihood,
    heat_capacity,
    heat_capacity_peak,
    independent_log_likelihood,
    information_by_order,
    locality_share,
    log_likelihood,
    multi_information,
    orientation_couplings,
    pairwise_information_fraction,
    sample_patterns,
    translation_spread,
)

ERR = (ValueError, TypeError)
GOOD = np.array([[0, 1, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 1], [0, 0, 0]])
PATTERN_FUNCTIONS = [
    lambda x: fit_maxent(x, 1),
    lambda x: information_by_order(x, 1),
    empirical_entropy,
    multi_information,
    pairwise_information_fraction,
    lambda x: connected_information(x, 2),
]


@pytest.mark.parametrize("fn", PATTERN_FUNCTIONS)
@pytest.mark.parametrize(
    "bad,match",
    [
        ([[0, 2], [1, 0]], "binary"),
        ([[0, 0.5], [1, 0]], "binary"),
        ([[0, -1], [1, 0]], "binary"),
        ([[0, np.nan], [1, 0]], "finite"),
        ([[0, 1], [1, np.inf]], "finite"),
        (np.zeros((0, 3)), "empty"),
        (np.zeros((4, 0)), "empty"),
        ([0, 1, 1, 0], "dimension"),
        ([[["a"]]], "numeric"),
    ],
)
def test_patterns_must_be_a_binary_matrix(fn, bad, match):
    with pytest.raises(ERR, match=match) as info:
        fn(bad)
    assert "patterns" in str(info.value)


@pytest.mark.parametrize("fn", PATTERN_FUNCTIONS)
def test_more_pixels_than_can_be_enumerated_are_refused(fn):
    x = np.zeros((3, MAX_PIXELS + 1), dtype=np.uint8)
    x[1] = 1
    with pytest.raises(ValueError, match=r"patterns has n = 17 pixels.*2\*\*17.*MAX_PIXELS"):
        fn(x)


def test_no_multi_information_is_explained():
    every_state = (np.arange(8)[:, None] >> np.arange(3)) & 1
    with pytest.raises(ValueError, match=r"no multi-information.*I_N = 0.*0/0"):
        pairwise_information_fraction(every_state)
    assert multi_information(every_state) == 0.0  # the information itself is a clean 0
    with pytest.raises(ValueError, match="at least 2 pixels"):
        pairwise_information_fraction([[0], [1]])


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"order": 0}, "order"),
        ({"order": 4}, "order"),
        ({"order": True}, "order"),
        ({"order": 2.0}, "order"),
        ({"order": 2, "tol": 0.0}, "tol"),
        ({"order": 2, "tol": float("nan")}, "tol"),
        ({"order": 2, "max_iter": 0}, "max_iter"),
        ({"order": 2, "weights": [1, 1, 1]}, "weights"),
        ({"order": 2, "weights": [1, 1, 1, 1, 1, -1]}, "weights"),
        ({"order": 2, "weights": [0, 0, 0, 0, 0, 0]}, "weights"),
        ({"order": 2, "weights": [1, 1, 1, 1, 1, np.nan]}, "weights"),
    ],
)
def test_fit_arguments(kw, match):
    with pytest.raises(ERR, match=match):
        fit_maxent(GOOD, **kw)


def test_a_pixel_that_never_changes_is_refused_with_its_index():
    x = GOOD.copy()
    x[:, 1] = 1
    with pytest.raises(ValueError, match=r"pixel\(s\) \[1\] never change"):
        fit_maxent(x, 2)


def test_data_on_the_boundary_do_not_hang():
    # pixel 1 is never on while pixel 0 is off: the pair's (0, 1) cell is empty, the
    # coupling is infinite, and a short budget of steps ends in a clear error
    x = np.array([[0, 0], [1, 1], [1, 0], [1, 1]] * 3)
    with pytest.raises(ValueError, match=r"did not converge.*max_iter = 3.*boundary"):
        fit_maxent(x, 2, max_iter=3)


def test_max_order_ranges():
    with pytest.raises(ValueError, match="max_order"):
        information_by_order(GOOD, 4)
    with pytest.raises(ValueError, match="max_order"):
        connected_information(GOOD, 1)
    info = information_by_order(GOOD, 1)
    with pytest.raises(ValueError, match="max_order >= 2"):
        _ = info.pairwise_fraction


@pytest.mark.parametrize(
    "args,kw,match",
    [
        ((np.zeros((8, 8, 3)), 3), {}, "rgb2gray"),
        ((np.arange(64.0).reshape(8, 8), 5), {}, "size"),
        ((np.arange(64.0).reshape(8, 8), 0), {}, "size"),
        ((np.arange(64.0).reshape(8, 8), 2.0), {}, "size"),
        ((np.arange(64.0).reshape(8, 8), 3), {"threshold": "mean"}, "threshold"),
        ((np.arange(64.0).reshape(8, 8), 3), {"threshold": np.nan}, "threshold"),
        ((np.arange(64.0).reshape(8, 8), 3), {"step": 0}, "step"),
        ((np.ones((8, 8)), 3), {}, "constant"),
        ((np.arange(4.0).reshape(2, 2), 3), {}, "smaller"),
        ((np.full((8, 8), np.nan), 3), {}, "finite"),
        ((np.array([["a"]]), 1), {}, "numeric"),
    ],
)
def test_binary_patches_arguments(args, kw, match):
    with pytest.raises(ERR, match=match):
        binary_patches(*args, **kw)


def model():
    return fit_maxent(GOOD, 2)


@pytest.mark.parametrize(
    "temps,match",
    [
        ([0.0, 1.0], ">= MIN"),
        ([-1.0], ">= MIN"),
        ([1e-310], ">= MIN"),
        ([np.nan], "finite"),
        ([], "at least 1"),
    ],
)
def test_heat_capacity_temperatures(temps, match):
    with pytest.raises(ValueError, match="temperatures") as info:
        heat_capacity(model(), temps)
    assert match in str(info.value)


@pytest.mark.parametrize("fn", [heat_capacity, log_likelihood])
def test_functions_of_a_model_need_a_model(fn):
    with pytest.raises(TypeError, match="model must be a MaxEnt"):
        fn(np.zeros(8), [[0, 1, 0]])


def test_heat_capacity_peak_bounds():
    with pytest.raises(TypeError, match="model"):
        heat_capacity_peak("model")
    with pytest.raises(ValueError, match="low"):
        heat_capacity_peak(model(), low=0.0)
    with pytest.raises(ValueError, match="high must be > low"):
        heat_capacity_peak(model(), low=2.0, high=1.0)


def test_sample_patterns_arguments():
    with pytest.raises(TypeError, match="rng"):
        sample_patterns(model(), 10, 0)
    with pytest.raises(ValueError, match="n_samples"):
        sample_patterns(model(), 0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="model"):
        sample_patterns(None, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_samples is too large"):
        sample_patterns(model(), 10**8, np.random.default_rng(0))


def test_likelihood_pixel_counts_must_match():
    with pytest.raises(ValueError, match="patterns have 2 pixels, the model 3"):
        log_likelihood(model(), [[0, 1]])
    pl = fit_pseudolikelihood(GOOD)
    with pytest.raises(ValueError, match="patterns have 2 pixels, the model 3"):
        conditional_log_likelihood(pl, [[0, 1]])
    with pytest.raises(TypeError, match="PseudoLikelihood"):
        conditional_log_likelihood(model(), GOOD)
    with pytest.raises(ValueError, match="train has 3 pixels, test 2"):
        independent_log_likelihood(GOOD, [[0, 1]])
    with pytest.raises(ValueError, match="binary"):
        independent_log_likelihood(GOOD, [[0, 1, 3]])
    with pytest.raises(ValueError, match="C"):
        fit_pseudolikelihood(GOOD, C=0.0)


@pytest.mark.parametrize(
    "fn", [locality_share, translation_spread, orientation_couplings, displacement_couplings]
)
def test_coupling_maps_need_a_symmetric_matrix_of_the_patch(fn):
    with pytest.raises(ValueError, match="J must have shape"):
        fn(np.zeros((3, 3)), 2)
    asym = np.zeros((4, 4))
    asym[0, 1] = 1.0
    with pytest.raises(ValueError, match="symmetric"):
        fn(asym, 2)
    with pytest.raises(ERR, match="size"):
        fn(np.zeros((1, 1)), 1)


@pytest.mark.parametrize("fn", [locality_share, translation_spread])
def test_a_zero_coupling_matrix_has_no_share(fn):
    with pytest.raises(ValueError, match="0/0"):
        fn(np.zeros((4, 4)), 2)


def test_unknown_images_are_refused():
    from cheaplib.maxent import bundled_file, load_image

    with pytest.raises(ValueError, match="name must be one of"):
        load_image("lena")
    with pytest.raises(TypeError, match="name"):
        bundled_file(3)


def test_pairwise_model_arguments():
    from cheaplib.maxent import pairwise_model

    with pytest.raises(ValueError, match="couplings must have shape"):
        pairwise_model([0.0, 0.0], np.zeros((3, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        pairwise_model([0.0, 0.0], [[0.0, 1.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="fields has n = 17"):
        pairwise_model(np.zeros(17), np.zeros((17, 17)))
    with pytest.raises(ValueError, match="fields must be finite"):
        pairwise_model([np.nan, 0.0], np.zeros((2, 2)))


def test_result_objects_validate_their_parts():
    from cheaplib.maxent import MaxEnt, OrderInformation, PseudoLikelihood

    good = fit_maxent(GOOD, 2)
    parts = {f: getattr(good, f) for f in good.__dataclass_fields__}
    for field, bad in [
        ("n", 17),
        ("order", 0),
        ("masks", np.array([0, 1, 2])),
        ("params", np.full(good.params.shape, np.nan)),
        ("log_z", np.inf),
        ("entropy", -1.0),
        ("iterations", -1),
        ("moment_error", np.nan),
    ]:
        with pytest.raises(ERR, match=field):
            MaxEnt(**(parts | {field: bad}))
    with pytest.raises(ValueError, match="entropies"):
        OrderInformation(np.array([np.nan, 1.0]), 0.5, (good,), 6)
    with pytest.raises(TypeError, match="models"):
        OrderInformation(np.array([2.0, 1.0]), 0.5, ("x",), 6)
    with pytest.raises(ValueError, match="models must hold 1"):
        OrderInformation(np.array([2.0, 1.0]), 0.5, (), 6)
    with pytest.raises(ValueError, match="weights"):
        PseudoLikelihood(np.full((2, 2), np.inf), np.zeros(2))
    with pytest.raises(ValueError, match="weights must have shape"):
        PseudoLikelihood(np.zeros((3, 3)), np.zeros(2))
