"""tools.prose: numbers typed into a chapter's prose in place of glued results."""

from __future__ import annotations

import pytest

from tools.prose import kind_of, scan_text, typed_numbers


@pytest.mark.parametrize(
    ("markdown", "rule"),
    [
        ("The accuracy reaches 89.7% on the test set.", "percentage"),
        ("The accuracy reaches 93.5 % on the test set.", "percentage"),
        ("A share of 50\\% of the runs.", "percentage"),
        ("The ratio is 0.50 at the end.", "decimal"),
        ("The excess is 0.13 nats.", "decimal"),
        ("It settles at 1.5 after the fit.", "decimal"),
        ("The residual is 1e-11 or less.", "e-notation"),
        ("The residual is 6.15e-05 or less.", "e-notation"),
        ("A residual of $6.15e-05$ in maths.", "e-notation"),
        ("The slope is $s = 0.13$ here.", "decimal"),
    ],
)
def test_typed_results_are_refused(markdown, rule):
    found = scan_text(markdown)
    assert len(found) == 1 and f"({rule})" in found[0], found


def test_an_integer_equal_to_a_glued_value_is_refused():
    glue = {"c-1.n_images": "256", "c-2.count": "2,408,240"}
    assert scan_text("There are 256 images.", glue=glue) == [
        "cell md: 256 equals the glued c-1.n_images"
    ]
    assert scan_text("A total of 2,408,240 paths.", glue=glue) == [
        "cell md: 2,408,240 equals the glued c-2.count"
    ]
    assert scan_text("There are 212 images.", glue={"c.n": "212"})
    assert scan_text("There are {glue:text}`c-1.n_images` images.", glue=glue) == []
    assert scan_text("There are 255 images.", glue=glue) == []  # not a glued value
    assert scan_text("Take 4 neurons.", glue={"c.n": "4"}) == []  # one digit: not compared


@pytest.mark.parametrize(
    ("markdown", "code"),
    [
        ("We draw 100,000 runs with a tolerance of 1e-12.", "n_runs = 100_000\natol = 1e-12"),
        ("Within 10 % of the entropy.", "Compare('x', m, 1.0, atol=0.1, reason='r')"),
        ("The noise is 0.05 per pixel.", "NOISE = 0.05"),
        ("Onsager's $K_c = 0.4407$.", ""),  # a cited constant of the allowlist
        ("One half, 0.5, and 2.0 are fine.", ""),
        ("See eq. (15) and eqs. 15–16 of Sec. 3, Fig. 12.", ""),
        ('The text says it exceeds the atoms "if $n > 260$".', ""),
        ("Run `f(0.13)` or {glue:text}`c.x` or [x](https://a.b/1.25).", ""),
        ("$2^{32}$ inputs, $1/24$ of it.", ""),
    ],
)
def test_parameters_allowlisted_constants_and_non_prose_pass(markdown, code):
    assert scan_text(markdown, code=code, glue={"c.x": "260", "d.y": "32", "e.z": "15"}) == []


def test_a_regression_reference_is_not_a_parameter():
    code = "Compare('kl', kl, reference=0.0934, rtol=0.02, reason='r', kind='regression')"
    assert scan_text("It reaches 0.0934 nats.", code=code)
    plain = "Compare('kl', kl, reference=0.0934, rtol=0.02, reason='r', kind='source')"
    assert scan_text("It reaches 0.0934 nats.", code=plain) == []


def test_kind_of():
    assert [kind_of(n, False) for n in ("0.5", "2.0", "0.05", "12", "1e3")] == [
        "",
        "",
        "decimal",
        "integer",
        "e-notation",
    ]


def test_no_chapter_types_a_number_into_its_prose(root):
    found = {p.name: typed_numbers(p) for p in sorted((root / "chapters").glob("*.ipynb"))}
    assert len(found) >= 8
    assert {name: f for name, f in found.items() if f} == {}
