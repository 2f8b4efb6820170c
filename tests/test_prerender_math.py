"""The build-time maths step (tools/prerender_math.py) on synthetic pages, without a browser.

The browser half (MathJax typesetting a real page) is covered by tests/browser: every built
page with maths must carry the rendered formulas and load no MathJax.
"""

from __future__ import annotations

import json
import re

import pytest

from tools.prerender_math import (
    MARKER,
    MathsError,
    _font_urls_relative,
    _typesetting_config,
    pages_with_mathjax,
    rewrite,
)

CONFIG = (
    '<script>window.MathJax = {"loader": {"load": ["ui/lazy"]}, '
    '"options": {"processHtmlClass": "math"}}</script>\n'
)
LOADER = '<script defer="defer" src="../_static/mathjax/tex-chtml.js"></script>\n'
PAGE = (
    "<html><head><title>t</title>\n" + CONFIG + LOADER + "</head><body>\n"
    '<p>Let <span class="math notranslate nohighlight">\\(a &lt; b\\)</span> and</p>\n'
    '<div class="math notranslate nohighlight" id="eq-1">\n\\[x^2\\]</div>\n'
    "</body></html>"
)


def _items(**change):
    items = [
        {"tex": "\\(a < b\\)", "html": "<mjx-container>A</mjx-container>", "formulas": 1},
        {"tex": "\n\\[x^2\\]", "html": "<mjx-container>B</mjx-container>", "formulas": 1},
    ]
    for item in items:
        item["error"] = None
    for key, value in change.items():
        items[1][key] = value
    return items


def test_rewrite_puts_each_typeset_formula_in_its_element_and_drops_mathjax():
    out = rewrite(PAGE, _items(), ".mjx-c::before{}", "p.html")
    assert (
        '<span class="math notranslate nohighlight"><mjx-container>A</mjx-container></span>' in out
    )
    assert '<div class="math notranslate nohighlight" id="eq-1"><mjx-container>B' in out
    assert "mathjax/tex-chtml.js" not in out and "window.MathJax" not in out
    head = out.split("</head>")[0]
    assert MARKER in head and ".mjx-c::before{}" in head
    assert "\\(" not in out and "x^2" not in out  # no TeX source left
    assert out.count("<p>Let ") == 1 and out.endswith("</body></html>")  # the rest untouched


@pytest.mark.parametrize(
    "items, message",
    [
        (_items()[:1], "2 formulas in the file, 1 in the browser"),
        (_items(tex="\\[y\\]"), "in the file"),
        (_items(formulas=0), "did not typeset"),
        (_items(formulas=2), "did not typeset"),
        (_items(error="Undefined control sequence \\foo"), "Undefined control sequence"),
    ],
    ids=["count", "tex", "none", "two", "error"],
)
def test_rewrite_refuses_anything_that_does_not_match(items, message):
    with pytest.raises(MathsError, match=re.escape(message)):
        rewrite(PAGE, items, "", "p.html")


def test_rewrite_needs_the_mathjax_scripts():
    with pytest.raises(MathsError, match="MathJax scripts not found"):
        rewrite(PAGE.replace(LOADER, ""), _items(), "", "p.html")


def test_the_renderer_typesets_everything_at_once_without_a_menu():
    text = _typesetting_config(PAGE)
    config = json.loads(re.search(r"window\.MathJax = (\{.*?\})</script>", text).group(1))
    assert config["loader"]["load"] == []  # no lazy typesetting
    assert config["options"] == {"processHtmlClass": "math", "enableMenu": False}
    assert config["startup"]["typeset"] is False  # TeX is read before typesetting
    with pytest.raises(MathsError, match="no MathJax configuration"):
        _typesetting_config(PAGE.replace(CONFIG, ""))


def test_font_urls_become_relative_to_the_page(tmp_path):
    css = '@font-face {src: url("http://127.0.0.1:5/_static/mathjax/f.woff")}'
    page = tmp_path / "chapters" / "c.html"
    out = _font_urls_relative(css, "http://127.0.0.1:5", page, tmp_path)
    assert out == '@font-face {src: url("../_static/mathjax/f.woff")}'
    top = _font_urls_relative(css, "http://127.0.0.1:5", tmp_path / "i.html", tmp_path)
    assert top == '@font-face {src: url("_static/mathjax/f.woff")}'


def test_only_pages_that_still_load_mathjax_are_rendered(tmp_path):
    (tmp_path / "a.html").write_text(PAGE)
    (tmp_path / "b.html").write_text(rewrite(PAGE, _items(), "", "b.html"))
    (tmp_path / "c.html").write_text("<html><head></head><body>no maths</body></html>")
    assert [p.name for p in pages_with_mathjax(tmp_path)] == ["a.html"]
