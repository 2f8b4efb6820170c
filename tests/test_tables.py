"""cheaplib.tables.result_table: the chapters' result tables (HTML, text, validation)."""

from html.parser import HTMLParser

import numpy as np
import pytest

from cheaplib.tables import ResultTable, result_table


class _Cells(HTMLParser):
    """Collects (tag, attributes, text) of every th/td of an HTML table."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, dict, str]] = []
        self._open: tuple[str, dict] | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("th", "td"):
            self._open, self._text = (tag, dict(attrs)), ""

    def handle_data(self, data):
        if self._open:
            self._text += data

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            self.cells.append((*self._open, self._text))
            self._open = None


def _parse(markup: str) -> list[tuple[str, dict, str]]:
    parser = _Cells()
    parser.feed(markup)
    return parser.cells


def test_html_has_column_headers_and_one_row_per_row():
    t = result_table(["n", "error"], [(2, "1.5e-03"), (4, "2.0e-05")])
    cells = _parse(t.html())
    assert cells == [
        ("th", {"scope": "col"}, "n"),
        ("th", {"scope": "col"}, "error"),
        ("td", {"class": "num"}, "2"),
        ("td", {"class": "num"}, "1.5e-03"),
        ("td", {"class": "num"}, "4"),
        ("td", {"class": "num"}, "2.0e-05"),
    ]
    assert t.html().count("<tr>") == 3
    assert t._repr_html_() == t.html()


def test_numbers_are_marked_and_text_is_not():
    """Cells holding one number get class num (kept on one line by the book's CSS)."""
    header = ["quantity", "value"]
    rows = [("slope", "-1.3e-10"), ("bound", "< 1e-12"), ("share", "97.5 %"), ("n", "1,024")]
    rows += [("note", "n = 3"), ("minus", "\u22122.8e-17"), ("word", "exact")]
    cells = _parse(result_table(header, rows).html())[2:]
    numeric = {text for tag, attrs, text in cells if attrs.get("class") == "num"}
    assert numeric == {"-1.3e-10", "< 1e-12", "97.5 %", "1,024", "\u22122.8e-17"}
    assert result_table(header, rows).html().startswith('<table class="cheap-table">')


def test_text_is_escaped():
    t = result_table(["a < b", "x"], [("<1e-14", "R&D")])
    assert "<1e-14" not in t.html() and "&lt;1e-14" in t.html()
    assert [c[2] for c in _parse(t.html())] == ["a < b", "x", "<1e-14", "R&D"]


def test_plain_text_is_aligned():
    t = result_table(["n", "max coefficient error"], [(10, "3e-15"), (3, "1.2e-9")])
    lines = repr(t).splitlines()
    assert lines[0] == "n   max coefficient error"
    assert lines[1] == "--  ---------------------"
    assert lines[2:] == ["10  3e-15", "3   1.2e-9"]
    assert str(t) == repr(t)


def test_integers_are_written_in_full_numpy_integers_too():
    t = result_table(["n", "count"], [(np.int64(3), 2**70)])
    assert t.rows == (("3", str(2**70)),)


def test_no_rows_is_a_header_only_table():
    t = result_table(["a"], [])
    assert t == ResultTable(("a",), ())
    assert "<tbody></tbody>" in t.html()


@pytest.mark.parametrize(
    ("header", "rows", "error", "match"),
    [
        ("ab", [], TypeError, "header must be a sequence"),
        (["a"], "x", TypeError, "rows must be a sequence"),
        (["a"], [{"x"}], TypeError, r"rows\[0\] must be a sequence"),
        ([], [], ValueError, "at least one column"),
        (["a", " "], [], ValueError, r"header\[1\] must not be blank"),
        ([1], [], TypeError, r"header\[0\] must be a str"),
        (["a", "b"], [("1",)], ValueError, r"rows\[0\] has 1 entries for 2 columns"),
        (["a"], [(0.5,)], TypeError, r"rows\[0\]\[0\] must be a str .*got float"),
        (["a"], [(True,)], TypeError, r"rows\[0\]\[0\].*got bool"),
        (["a"], [(np.float64(1.0),)], TypeError, "got float64"),
        (["a"], [(None,)], TypeError, "got NoneType"),
    ],
)
def test_bad_input_is_refused_with_the_argument_named(header, rows, error, match):
    with pytest.raises(error, match=match):
        result_table(header, rows)
