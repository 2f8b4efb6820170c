"""tools.mutants: a check cell kills a mutant of the cheaplib function behind it when its
shown output changes; a check that rounds the change away lets it survive; a mutant that
leaves every number of the claim records bit-identical is equivalent."""

from __future__ import annotations

import nbformat
import pytest

from tools import mutants
from tools.execute_notebooks import execute


def test_called_read_and_assigned_names():
    src = "%time x = 1\nimport numpy as np\ny = gates.f(a, b) + g(np.sum(c))\nz: int = h()"
    assert sorted(mutants.called_names(src)) == ["g", "gates.f", "h", "np.sum"]
    assert {"a", "b", "c", "gates", "g", "np", "h"} <= mutants.read_names(src)
    assert {"y", "z"} <= mutants.assigned_names(src)


def test_shown_text_is_what_strict_nbval_compares():
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "a at 0x7f00aa11bb22\n"},
        {"output_type": "stream", "name": "stdout", "text": "b\n"},
        {"output_type": "display_data", "data": {"image/png": "...", "text/plain": "<Fig>"}},
        {
            "output_type": "display_data",
            "data": {
                "text/plain": "v",
                "text/html": "<b>v</b>",
                mutants.GLUE_PREFIX + "text/plain": "1",
            },
        },
    ]
    assert mutants.shown_text(outputs) == [
        ("stream:stdout", "a at 0xADDRESS\nb\n"),
        (mutants.GLUE_PREFIX + "text/plain", "1"),
        ("text/html", "<b>v</b>"),
        ("text/plain", "v"),
    ]


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    path = tmp_path_factory.mktemp("chapters") / "09_mutants.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from cheaplib.claims import Compare, check\nfrom cheaplib import gates\n"
            "from cheaplib.gates import gate_error_constant\n"
            "import numpy as np\nfrom cheaplib.swindle import GaussianClasses\n"
            "gc = GaussianClasses(means=[0.0, 1.0], sigmas=[1.0, 1.0], priors=[0.5, 0.5])",
            id="setup",
        ),
        nbformat.v4.new_code_cell(
            "_ = check('m-sharp', statement='s', source='001', compare=Compare('C', "
            "gate_error_constant('softplus'), -1 / 12, rtol=1e-9, reason='round-off'))",
            id="sharp",
        ),
        nbformat.v4.new_code_cell(
            "_ = check('m-blunt', statement='s', source='001', compare=Compare('C', "
            "gates.gate_error_constant('exp'), 0.2, atol=0.05, reason='r', "
            "digits=1), show=False)",
            id="blunt",
        ),
        nbformat.v4.new_code_cell(
            "_ = check('m-sign', statement='s', source='001', compare=Compare('positive', "
            "float(gates.gate_error_constant('exp') > 0), 1.0))",
            id="sign",
        ),
        nbformat.v4.new_code_cell("c = gate_error_constant('exp')", id="producer"),
        nbformat.v4.new_code_cell(
            "_ = check('m-later', statement='s', source='001', "
            "compare=Compare('C', c, 1 / 6, rtol=1e-9, reason='round-off'))",
            id="consumer",
        ),
    ]
    nb.cells += [
        # a method of a cheaplib object: p(0) = (1 + e^{-1/2}) / (2 sqrt(2 pi))
        nbformat.v4.new_code_cell(
            "_ = check('m-method', statement='s', source='001', compare=Compare('p0', "
            "float(gc.evidence(np.array([0.0]))[0]), (1 + np.exp(-0.5)) / (2 * np.sqrt("
            "2 * np.pi)), rtol=1e-9, reason='round-off'))",
            id="method",
        ),
        # check cells as producers: a loose one lets the mutant through to its consumer,
        # a strict one fails itself
        nbformat.v4.new_code_cell(
            "c2 = gate_error_constant('softplus')\n_ = check('m-loose', statement='s', "
            "source='001', compare=Compare('C', c2, -1 / 12, atol=0.01, reason='r'))",
            id="loose-producer",
        ),
        nbformat.v4.new_code_cell(
            "_ = check('m-after-loose', statement='s', source='001', "
            "compare=Compare('C2', 2 * c2, -1 / 6, rtol=1e-9, reason='round-off'))",
            id="after-loose",
        ),
        nbformat.v4.new_code_cell(
            "c3 = gate_error_constant('softplus')\n_ = check('m-strict', statement='s', "
            "source='001', compare=Compare('C', c3, -1 / 12, rtol=1e-9, reason='r'))",
            id="strict-producer",
        ),
        nbformat.v4.new_code_cell(
            "_ = check('m-after-strict', statement='s', source='001', "
            "compare=Compare('C2', 2 * c3, -1 / 6, rtol=1e-9, reason='round-off'))",
            id="after-strict",
        ),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    execute(path)
    return path


def test_mutants_are_killed_survive_or_go_through_the_producer(chapter):
    result = mutants.mutate_chapter(chapter)
    killed = {(w.split()[0], name) for w, name, _ in result.killed}
    survived = {(w.split()[0], name) for w, name, _ in result.survived}
    assert ("sharp", "gate_error_constant") in killed
    equivalent = {(w.split()[0], name) for w, name, _ in result.equivalent}
    # the recorded value moved by 1e-3 and the blunt check did not see it: a survivor
    assert ("blunt", "gates.gate_error_constant") in survived
    # only the sign reaches the record, bit-identical: equivalent, not counted
    assert equivalent == {("sign", "gates.gate_error_constant")}
    assert ("consumer", "gate_error_constant") in killed  # through the producer cell
    # m-sign: equivalents only
    assert result.claims == {"m-sharp", "m-blunt", "m-later", "m-loose", "m-strict"}
    # by default a method is not mutated, and a check cell is no producer
    skipped = {w.split()[0] for w, _ in result.skipped}
    assert skipped == {"method", "after-loose", "after-strict"}
    assert result.upstream == []


def test_wide_mutates_methods_and_lets_check_cells_produce(chapter):
    result = mutants.mutate_chapter(chapter, wide=True)
    killed = {(w.split()[0], name) for w, name, _ in result.killed}
    upstream = {(w.split()[0], name) for w, name, _ in result.upstream}
    assert ("method", "gc.evidence") in killed
    assert ("after-loose", "gate_error_constant") in killed  # seen by the consumer
    # the strict producer's own check fails: seen there, not counted for the consumer
    assert upstream == {("after-strict", "gate_error_constant")}
    assert ("strict-producer", "gate_error_constant") in killed
    assert result.skipped == []


def test_unchanged_is_round_off_of_every_recorded_number():
    out = [
        {
            "output_type": "display_data",
            "metadata": {
                mutants.METADATA_KEY: {
                    "claim": {
                        "id": "c",
                        "compare": [
                            {"name": "x", "measured": 2.0, "reference": 0.0},
                            {"name": "r", "measured": 3e-16, "reference": 0.0, "scale": 1.0},
                        ],
                        "sharper": [{"name": "y", "measured": 1.0, "lower": 0.5}],
                    }
                }
            },
        }
    ]
    base = mutants.recorded_numbers(out)
    assert [b[1:3] for b in base] == [
        ("compare:x", "measured"),
        ("compare:x", "reference"),
        ("compare:r", "measured"),
        ("compare:r", "reference"),
        ("sharper:y", "measured"),
        ("sharper:y", "lower"),
    ]

    def moved(i, value):
        return [(*b[:3], value if j == i else b[3], b[4]) for j, b in enumerate(base)]

    assert mutants.unchanged(moved(0, 2.0 * (1 + 1e-12)), base)  # round-off: equivalent
    assert mutants.unchanged(moved(0, 2.0 * (1 + 1e-9)), base)  # a fit's stopping tolerance
    assert not mutants.unchanged(moved(0, 2.0 * (1 + 1e-6)), base)  # moved: a survivor
    assert not mutants.unchanged(moved(1, 1e-300), base)  # a zero must stay zero
    # a residual of round-off, scaled, is still round-off of a quantity of size 1
    assert mutants.unchanged(moved(2, 3.003e-16), base)
    assert not mutants.unchanged(moved(2, 1e-6), base)  # a residual that grew
    assert not mutants.unchanged(moved(5, 0.5005), base)  # a bound counts too
    assert not mutants.unchanged(base[:2], base)  # a row lost
    assert not mutants.unchanged([], [])  # no record: nothing to call equivalent


def test_a_dataclass_keeps_its_integer_fields_and_a_refused_rebuild_is_no_mutant():
    # The kernel helper, run here in a namespace of its own: an object's sizes stay
    # integers (its validation would refuse a scaled one and nothing would be mutated).
    import dataclasses

    import numpy as np

    @dataclasses.dataclass(frozen=True)
    class Model:
        n: int
        masks: np.ndarray
        weights: np.ndarray

        def __post_init__(self):
            if not isinstance(self.n, int):
                raise TypeError("n must be an int")

    @dataclasses.dataclass(frozen=True)
    class Strict:
        w: float

        def __post_init__(self):
            if self.w != 2.0:
                raise ValueError("w must be 2")

    def fit():
        return Model(3, np.array([1, 2]), np.array([0.5, -1.0]))

    def strict():
        return Strict(2.0)

    fit.__module__ = strict.__module__ = "cheaplib.example"  # what the helper mutates
    ns = {"fit": fit, "strict": strict}
    exec(mutants._HELPER % {"skip": (), "wide": False}, ns)
    ns["__mut_patch"]("fit", 1.001)
    got = ns["fit"]()
    assert got.n == 3 and got.masks.dtype.kind == "i" and list(got.masks) == [1, 2]
    np.testing.assert_array_equal(got.weights, [0.5005, -1.001])
    assert ns["__mut_unpatch"]() == 1  # applied
    ns["__mut_patch"]("strict", 1.001)
    assert ns["strict"]().w == 2.0
    assert ns["__mut_unpatch"]() == 0  # refused rebuild: not applicable, not "equivalent"
