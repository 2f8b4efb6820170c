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
