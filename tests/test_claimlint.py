"""tools.claimlint: a Compare or Bound whose measured value cannot disagree with the code."""

from __future__ import annotations

import json

import pytest

from tools.claimlint import lint_cells, lint_notebook, lint_source


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ('Compare("x", 1.0, reference=1.0)', "literal 1.0"),
        ('Compare("x", -2, 2.0, atol=0.1, reason="r")', "literal -2"),
        ('Compare("x", measured=3, reference=f())', "literal 3"),
        ('Compare("x", r, r, rtol=1e-9, reason="r")', "same expression as its reference"),
        ('Compare("x", a.b[0], reference=a.b[0])', "same expression as its reference"),
        ('Bound("x", 4.0, lower=4.0, reason="r")', "literal 4.0"),
        ('Bound("x", v, lower=v, reason="r")', "same expression as its lower"),
        ("kept = 1.0\nCompare('kept', kept, 1.0)", "only ever assigned a literal"),
        ("kept = y = 2\nC.Compare('kept', y, 2)", "only ever assigned a literal"),
        ("a, kept = f(), 1.0\nCompare('k', kept, 1.0)", "only ever assigned a literal"),
    ],
)
def test_rows_that_cannot_fail_are_found(code, rule):
    found = lint_source(code)
    assert len(found) == 1 and rule in found[0].rule, found


@pytest.mark.parametrize(
    "code",
    [
        'Compare("x", f(), 1.0, rtol=1e-9, reason="r")',
        "kept = compute()\nCompare('kept', kept, 1.0)",
        "kept = 1.0\nkept = compute(kept)\nCompare('kept', kept, 1.0)",
        "kept = 0\nfor kept in range(3):\n    pass\nCompare('kept', kept, 2)",
        "kept = 0\nkept += f()\nCompare('kept', kept, 2)",
        'Compare("x", r, s)',
        'Bound("x", v, lower=0.0, reason="r")',
        "%time x = 1\ny = g()\nCompare('y', y, 1.0)",
    ],
)
def test_rows_that_can_fail_pass(code):
    assert lint_source(code) == []


def test_a_literal_assigned_in_another_cell_is_seen_and_the_claim_named():
    cells = [
        {"cell_type": "code", "id": "a", "source": "kept_one_bit = 1.0\n"},
        {"cell_type": "markdown", "id": "m", "source": "kept_one_bit = f()"},
        {
            "cell_type": "code",
            "id": "b",
            "source": "check('c-1', statement='s', source='001',\n"
            "      compare=Compare('kept_one_bit', kept_one_bit, 1.0))",
        },
    ]
    (finding,) = lint_cells(cells, "07_x")
    assert (finding.chapter, finding.cell, finding.claim, finding.row) == (
        "07_x",
        "b",
        "c-1",
        "kept_one_bit",
    )
    assert "07_x cell b (c-1)" in str(finding)


def test_the_chapters_hold_only_the_known_findings(root):
    from tools.claims import KNOWN_LINT

    found = {
        (f.claim, f.row)
        for path in sorted((root / "chapters").glob("*.ipynb"))
        for f in lint_notebook(path)
    }
    assert found <= KNOWN_LINT, found - KNOWN_LINT
    assert KNOWN_LINT <= found, f"fixed, remove from KNOWN_LINT: {KNOWN_LINT - found}"


# --- a zero reference's scale is computed, or 1 ----------------------------------------------
#: Chapter 3's row ``independent`` of hier-mutual-information, tampered: tolerance and scale
#: inflated together pass the vacuity and half-width rules (1e3 / 1e4 = 0.1 relative).
TAMPERED = (
    'Compare("independent", mi, 0.0, atol=1e3, scale=1e4, reason="round-off", kind="independent")'
)


@pytest.mark.parametrize(
    "code",
    [
        TAMPERED,
        'Compare("d", dev, 0, atol=1e-12, scale=256 * 255 / 2, reason="r")',
        'Compare("d", dev, -0.0, rtol=1e-9, scale=1 / 32, reason="r")',
        'Compare("d", dev, 0.0, 1e-12, 0.0, "r", 0.1)',  # positional atol and scale
        'Compare("d", dev, reference=0, atol=tol, scale=float(1e4), reason="r")',
        's = 1e4\nCompare("independent", mi, 0.0, atol=1e3, scale=s, reason="round-off")',
        's = 2 * 5e3\nC.Compare("d", dev, 0.0, atol=1e3, scale=s, reason="r")',
        # a number named but used by nothing else is still typed, in an expression too
        'n = 5\nCompare("d", dev, 0.0, atol=1e-12, scale=1 / 2**n, reason="r")',
        's = 1.0\ns = 1e4\nCompare("d", dev, 0.0, atol=1e3, scale=s, reason="r")',
    ],
)
def test_a_typed_scale_on_a_zero_reference_is_refused(code):
    (finding,) = lint_source(code)
    assert "typed on a zero reference" in finding.rule
    assert "compute it from the quantities compared (or use 1)" in finding.rule


@pytest.mark.parametrize(
    "code",
    [
        'Compare("independent", mi, 0.0, atol=1e-15, scale=1.0, reason="round-off")',
        'Compare("d", dev, 0.0, atol=1e-12, scale=2 / 2, reason="relative")',
        's = 1\nCompare("d", dev, 0.0, atol=1e-12, scale=s, reason="r")',
        'Compare("d", dev, 0.0, atol=0.5, scale=len(pairs), reason="exact count")',
        'Compare("d", dev, 0.0, atol=1e-9, scale=float(np.abs(x).max()), reason="r")',
        'Compare("d", dev, 0.0, atol=1e-9, scale=math.log(16), reason="r")',
        'Compare("d", dev, 0.0, atol=1e-12, scale=1 / 2**n_visible, reason="r")',
        'from x import K_C\nCompare("d", dev, 0.0, atol=1e-3, scale=K_C, reason="r")',
        # a parameter of the computation: the number of runs drawn
        "n_runs = 100_000\nruns = sample(p, n_runs)\n"
        'Compare("n", bad, 0.0, atol=0.5, scale=n_runs, reason="exact count")',
        "n = 1000\nk = sum(f() for _ in range(n))\n"
        'Compare("k", k, 0.0, atol=0.5, scale=n, reason="exact count")',
        # an exact comparison: the scale bounds no tolerance
        'Compare("d", dev, 0.0, atol=0, scale=1e4)',
        'Compare("d", dev, 0.0, atol=0.0, rtol=0, scale=1e4)',
        'Compare("d", dev, 0.0, scale=1e4)',
        # a non-zero reference: the tolerance is judged against it
        'Compare("d", dev, 2.0, atol=1e-9, scale=1e4, reason="r")',
        'Compare("d", dev, ref, atol=1e-9, scale=1e4, reason="r")',
        'Bound("d", dev, upper=1e4, reason="r")',
    ],
)
def test_a_computed_scale_or_1_passes(code):
    assert lint_source(code) == []


def _refused(code: str, rule: str) -> None:
    """The code holds one row, and the lint refuses it for ``rule``."""
    (finding,) = lint_source(code)
    assert rule in finding.rule, finding


# --- a constant expression, or the reference up to constant arithmetic ----------------------
@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ('Bound("kept_one_bit", float("1.0"), lower=0.5, reason="r")', "constant expression"),
        ('Bound("kept_one_bit", float(1.0), lower=0.5, reason="r")', "constant expression"),
        ('Bound("kept_one_bit", 0.5 + 0.5, lower=0.5, reason="r")', "constant expression"),
        ('Compare("x", np.float64(2 / 4), reference=f(), rtol=1e-9, reason="r")', "constant"),
        ('Compare("x", -abs(-0.5) * 2, reference=f(), rtol=1e-9, reason="r")', "constant"),
        ("n = 4\nCompare('states', 2**n, len(states))", "constant expression 2 ** n"),
        (
            "kept_one_bit = 0.5 + 0.5\nBound('kept_one_bit', kept_one_bit, lower=0.5, reason='r')",
            "'kept_one_bit' is only ever assigned a constant expression",
        ),
        (
            "kept = float('1.0')\nkept = 2 * 0.5\nCompare('kept', kept, f())",
            "'kept' is only ever assigned a constant expression",
        ),
    ],
)
def test_a_constant_measured_value_is_refused(code, rule):
    _refused(code, rule)


@pytest.mark.parametrize(
    "measured",
    [
        "brute_best[k][0] * 1.0",
        "brute_best[k][0] + 0",
        "0 + brute_best[k][0] * 1.0 / 1",
        "float(brute_best[k][0])",
        "np.float64(brute_best[k][0])",
        "numpy.asarray(brute_best[k][0], dtype=float)",
        "abs(brute_best[k][0])",
        "math.fabs(-brute_best[k][0])",
        "int(brute_best[k][0]) * (1 + 1e-12)",
        "brute_best[k][0].item()",
    ],
)
def test_the_reference_up_to_constant_arithmetic_is_refused(measured):
    code = f'Compare("dp_vs_brute", {measured}, reference=brute_best[k][0], rtol=1e-12, reason="r")'
    (finding,) = lint_source(code)
    assert finding.rule.startswith("measured is its reference up to constant arithmetic"), finding


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ('Compare("x", m, float(m) * 1.0, rtol=1e-9, reason="r")', "its reference up to"),
        ('Bound("x", v + 1, lower=v, reason="r")', "its lower up to constant arithmetic"),
        ('Bound("x", 0.5 * v, upper=np.asarray(v), reason="r")', "its upper up to constant"),
        # a name assigned once stands for its expression
        ("kept = ref * 1.0\nCompare('kept', kept, ref, rtol=1e-9, reason='r')", "reference up"),
        (
            "a = f(x)\nkept = float(a)\nCompare('kept', kept, a + 0, rtol=1e-9, reason='r')",
            "reference up",
        ),
    ],
)
def test_a_bound_or_a_name_up_to_constant_arithmetic_is_refused(code, rule):
    _refused(code, rule)


@pytest.mark.parametrize(
    "code",
    [
        'Compare("x", f(a) * 1.0, g(a), rtol=1e-9, reason="r")',
        'Compare("x", a * b, b, rtol=1e-9, reason="r")',  # b is not a constant
        'Compare("x", float(m), 1.0, rtol=1e-9, reason="r")',
        "n = 4\nCompare('states', len(states), 2**n)",
        'Compare("x", np.float64(optimal[2] / i_x), reference=0.897, atol=1e-3, reason="r")',
        # a name bound twice is not replaced by one of its expressions
        "m = ref * 1.0\nm = compute(m)\nCompare('m', m, ref, rtol=1e-9, reason='r')",
        "for v in values:\n    Bound('v', v, lower=w, reason='r')",
        'Compare("x", np.sum(ref), ref, rtol=1e-9, reason="r")',  # sum computes
    ],
)
def test_computed_measured_values_pass(code):
    assert lint_source(code) == []


def _chapter_3_tampered(root, old, new):
    nb = json.loads((root / "chapters" / "03_hierarchies.ipynb").read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if c.get("id") == "check-distillation"]
    source = "".join(cell["source"])
    assert source.count(old) == 1
    cell["source"] = source.replace(old, new)
    return nb["cells"]


@pytest.mark.parametrize(
    ("old", "new", "row", "rule"),
    [
        (
            "optimal[2] / i_x,\n            lower=0.5",
            'float("1.0"),\n            lower=0.5',
            "kept_one_bit",
            "measured is the constant expression float('1.0')",
        ),
        (
            "brute_best = {k:",
            "kept_one_bit = 0.5 + 0.5\nbrute_best = {k:",
            None,  # the name is bound; the row below uses it
            None,
        ),
        (
            "optimal_binary_distillation(lit_joint, k)[0],\n            reference=brute_best[k][0]",
            "brute_best[k][0] * 1.0,\n            reference=brute_best[k][0]",
            "f'dp_vs_brute_k{k}'",
            "measured is its reference up to constant arithmetic",
        ),
    ],
)
def test_the_audits_tamperings_of_chapter_3_are_refused(root, old, new, row, rule):
    cells = _chapter_3_tampered(root, old, new)
    found = lint_cells(cells, "03_hierarchies")
    if row is None:  # bound but not used as measured: nothing to refuse yet
        assert found == []
        return
    (finding,) = found
    assert (finding.claim, finding.row) == ("hier-approximate-distillation", row)
    assert finding.rule.startswith(rule), finding


def test_a_name_assigned_constant_arithmetic_in_chapter_3_is_refused(root):
    cells = _chapter_3_tampered(
        root, "optimal[2] / i_x,\n            lower=0.5", "kept_one_bit,\n            lower=0.5"
    )
    cells.insert(0, {"cell_type": "code", "id": "t", "source": "kept_one_bit = 0.5 + 0.5\n"})
    (finding,) = lint_cells(cells, "03_hierarchies")
    assert finding.rule == "measured 'kept_one_bit' is only ever assigned a constant expression"
