"""The PDF's headings as text (tools/pdf.py): maths turned into readable text, headings found
once each with a unique anchor. Method checks of the book's tooling, no browser needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.pdf import book_outline, front_matter, tex_to_text


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\(v^n\)", "vⁿ"),
        (r"-\mu - H(0)", "−μ − H(0)"),
        (r"\sigma''(0) = 0", "σ″(0) = 0"),
        (r"\sigma_k \neq 0", "σₖ ≠ 0"),
        (r"k \le n", "k ≤ n"),
        (r"\ell^2", "ℓ²"),
        (r"\tau = 1/T", "τ = 1/T"),
        (r"K_c", "K_c"),
        (r"p_y(x)", "p_y(x)"),
        (r"2^{n}", "2ⁿ"),
        (r"x_{i+1}", "xᵢ₊₁"),
        (r"e^{-\beta H}", "e^(−βH)"),
        (r"\frac{1}{2}", "1/2"),
        (r"\frac{a+b}{c}", "(a + b)/c"),
        (r"\sqrt{n}", "√n"),
        (r"\mathrm{Tr}\,\rho", "Tr ρ"),
        (r"\left( x \right)", "(x)"),
        (r"\{0, 1\}^n", "{0, 1}ⁿ"),
        (r"n\text{ bits}", "n bits"),
    ],
)
def test_tex_to_text(tex: str, text: str) -> None:
    assert tex_to_text(tex) == text


def test_tex_to_text_leaves_no_tex() -> None:
    for tex in [r"\operatorname{argmax}_{\theta} \sum_{i=1}^{N} \log p_\theta(x_i)", r"\hat{H}"]:
        out = tex_to_text(tex)
        assert "\\" not in out and "{" not in out and "}" not in out, out


PAGE = """<html><body><article class="bd-article">
<section id="front"><h1>Front<a class="headerlink" href="#front">#</a></h1>
<p><em>A subtitle</em></p>
<section id="how"><h2>How to read it</h2></section>
<div class="toctree-wrapper">
<span id="document-chapters/01_a"></span>
<section id="one"><h2><span class="section-number">1. </span>One</h2>
<section id="exercises"><h3><span class="section-number">1.1. </span>Exercises</h3>
<section id="deep"><h4><span class="section-number">1.1.1. </span>The bias
<span class="math notranslate nohighlight">\\(\\mu\\)</span></h4>
<section id="deeper"><h5>Too deep</h5></section></section></section></section>
<span id="document-chapters/02_b"></span>
<section id="two"><h2><span class="section-number">2. </span>Two</h2>
<section id="exercises"><h3><span class="section-number">2.1. </span>Exercises</h3></section>
</section></div></section></article></body></html>"""


def test_book_outline(tmp_path: Path) -> None:
    page = tmp_path / "intro.html"
    page.write_text(PAGE, encoding="utf-8")
    headings = book_outline(page)
    assert [(h.level, h.title) for h in headings] == [
        (1, "Front"),
        (2, "How to read it"),
        (1, "1. One"),
        (2, "1.1. Exercises"),
        (3, "1.1.1. The bias μ"),
        (1, "2. Two"),
        (2, "2.1. Exercises"),
    ]
    anchors = [h.anchor for h in headings]
    assert len(set(anchors)) == len(anchors), anchors  # two chapters have #exercises
    assert headings[4].key == "Thebias"  # the browser's check: letters, maths aside
    html = front_matter(
        {"title": "T", "subtitle": "S", "authors": "A", "edition": "Built 2026-01-01"}, headings
    )
    assert html.count('data-dc-page="') == 6  # the contents lists chapters and sections
    assert "1.1.1." not in html
