"""tools.prose: numbers typed into a chapter's prose in place of glued results."""

from __future__ import annotations

import json

import pytest

from tools import prose
from tools.prose import kind_of, scan_cells, scan_text, typed_numbers


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


def test_no_page_types_a_number_into_its_prose():
    pages = prose.pages()
    assert sum(p.suffix == ".ipynb" for p in pages) >= 8
    assert {p.name for p in pages} >= {"intro.md", "dictionary.md", "notation.md"}
    found = {p.name: typed_numbers(p) for p in pages}
    assert {name: f for name, f in found.items() if f} == {}
    assert prose.unused_phrases(pages) == []  # every allowlisted phrase is still needed


# --- a "<" before a number is text, not a tag ---------------------------------------------
def test_a_less_than_sign_does_not_hide_the_numbers_after_it():
    # the old stripper, <[^>]+>, removed everything from "<0.13" to the comment's ">"
    assert scan_text("measured <0.13 here and 89.7% there <!--x-->") == [
        "cell md: 0.13 (decimal)",
        "cell md: 89.7% (percentage)",
    ]
    assert scan_text("The deviation is measured <1e-11 <details>") == [
        "cell md: 1e-11 (e-notation)"
    ]
    assert scan_text("If $a<b$ and $c>d$, the excess is 0.13.") == ["cell md: 0.13 (decimal)"]


def test_tags_comments_and_the_books_markers_are_still_skipped():
    markdown = (
        "<details>\n<summary>Solution</summary>\n\n"
        "The deviation is <!--g:c.dev--><1e-11<!--/g--> (<!--g:c.kept:.1%-->89.7%<!--/g-->), "
        "see <!--r:{numref}`fig-x`-->Fig. 3.5<!--/r--> and <a href='x'>a link</a>.<br/>\n"
        "<!-- a comment with 0.13 and a > sign -->\n</details>"
    )
    assert scan_text(markdown, glue={"c.dev": "<1e-11", "c.kept": "0.897"}) == []


# --- a glued value is refused even where a code cell holds the same literal ----------------
@pytest.mark.parametrize(
    ("markdown", "code", "glue", "finding"),
    [
        # chapter 3 md-019: "0.50" in place of the glue of ex-hier-converse-dev, atol=0.5 in code
        (
            "Using $T_0$ for $y_2$ misses posteriors by up to 0.50.",
            "assert np.allclose(a, b, atol=0.5)",
            {"ex-hier-converse-dev": "0.50"},
            "cell md: 0.50 (decimal) equals the glued ex-hier-converse-dev",
        ),
        # chapter 3's values_T3, chapter 5's n_first: 256 is a literal of the code
        (
            "$T_3$ still needs all of them (256 values).",
            "likelihood = np.zeros((256, 2))",
            {"hier-minimal-sufficient-statistic.values_T3": "256"},
            "cell md: 256 equals the glued hier-minimal-sufficient-statistic.values_T3",
        ),
        (
            "so the answer is $n =$ 256.",
            "n_big, p_big = 256, 0.2",
            {"ex-noflat-fft-tenth.n_first": "256"},
            "cell md: 256 equals the glued ex-noflat-fft-tenth.n_first",
        ),
        # a glued percentage is its fraction; a glued bound is its number
        (
            "A single bit keeps 89.7% of it.",
            "x = 0.897",
            {"c.kept": "0.897"},
            "cell md: 89.7% (percentage) equals the glued c.kept",
        ),
        (
            "A single bit keeps 0.897 of it.",
            "x = 0.897",
            {"c.kept": "89.7%"},
            "cell md: 0.897 (decimal) equals the glued c.kept",
        ),
        (
            "The largest deviation is <1e-11.",
            "atol = 1e-11",
            {"c.dev": "<1e-11"},
            "cell md: 1e-11 (e-notation) equals the glued c.dev",
        ),
        (
            "Between 0.066 and 0.081.",
            "lo, hi = 0.066, 0.081",
            {"c.range": "0.066–0.081"},
            "cell md: 0.066 (decimal) equals the glued c.range",
        ),
    ],
)
def test_a_glued_value_is_refused_even_if_a_code_literal(markdown, code, glue, finding):
    assert scan_text(markdown, code=code) == []  # what the old exemption let through
    assert finding in scan_text(markdown, code=code, glue=glue)


def test_a_chosen_phrase_lets_only_its_own_number_through(monkeypatch):
    monkeypatch.setitem(prose.CHOSEN, "ch", {"256 observations": "2^8 observations"})
    glue = {"c.values_T3": "256"}
    code = "likelihood = np.zeros((256, 2))"
    assert scan_text("From the 256\nobservations.", code=code, glue=glue, page="ch") == []
    assert scan_text("From the 256 observations.", code=code, glue=glue) != []  # other page
    assert scan_text(
        "From the 256 observations, $T_3$ takes 256 values.", code=code, glue=glue, page="ch"
    ) == ["cell md: 256 equals the glued c.values_T3"]
    # numbers the prose chooses and nothing glues still pass by the code literal
    assert scan_text("A grid of 256 points, n = 8.", code="grid = np.linspace(0, 1, 256)") == []
    # a source's number is not a result
    assert scan_text("As 002 and 003 state.", glue={"c.n": "2", "c.m": "3"}) == []


def _tampered(root, stem, cell_id, mark, typed):
    nb = json.loads((root / "chapters" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if c.get("id") == cell_id]
    source = "".join(cell["source"])
    assert source.count(mark) == 1
    cell["source"] = source.replace(mark, typed)
    return nb["cells"]


@pytest.mark.parametrize(
    ("stem", "cell_id", "mark", "typed", "finding"),
    [
        (
            "03_hierarchies",
            "md-019",
            "<!--g:ex-hier-converse-dev-->0.50<!--/g-->",
            "0.50",
            "cell md-019: 0.50 (decimal) equals the glued ex-hier-converse-dev",
        ),
        (
            "03_hierarchies",
            "md-009",
            "<!--g:hier-minimal-sufficient-statistic.values_T3-->256<!--/g-->",
            "256",
            "cell md-009: 256 equals the glued hier-minimal-sufficient-statistic.values_T3",
        ),
        (
            "03_hierarchies",
            "md-019",
            "<!--g:ex-hier-sufficient.T2_for_y0_dev--><1e-11<!--/g-->",
            "<1e-11",
            "cell md-019: 1e-11 (e-notation) equals the glued",
        ),
        (
            "05_no_flattening",
            "md-021",
            "<!--g:ex-noflat-fft-tenth.n_first-->256<!--/g-->",
            "256",
            "cell md-021: 256 equals the glued ex-noflat-fft-tenth.n_first",
        ),
    ],
)
def test_the_audits_tamperings_of_the_chapters_are_refused(
    root, stem, cell_id, mark, typed, finding
):
    cells = _tampered(root, stem, cell_id, mark, typed)
    found = scan_cells(cells, stem)
    assert len(found) == 1 and found[0].startswith(finding), found


def test_main_exits_non_zero_on_a_finding(tmp_path, capsys):
    clean, typed = tmp_path / "clean.md", tmp_path / "typed.md"
    clean.write_text("# A page\n\nNo typed result here, only $2^{32}$.\n", encoding="utf-8")
    typed.write_text("# A page\n\nThe excess is 0.13 nats.\n", encoding="utf-8")
    assert prose.main([str(clean)]) == 0
    assert prose.main([str(typed)]) == 1
    assert "typed: cell typed: 0.13 (decimal)" in capsys.readouterr().out
