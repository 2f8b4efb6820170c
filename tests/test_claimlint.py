"""tools.claimlint: a Compare or Bound whose measured value cannot disagree with the code."""

from __future__ import annotations

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
