"""Result tables: the small rendered tables of formatted numbers beside the check verdicts.

A chapter shows its measured numbers in two ways: a check's verdict
(:func:`cheaplib.claims.check`, one row per comparison) and, where a claim rests on a
series of values (an error per lambda, a count per n), a table of them. The tables come
from :func:`result_table`, so every chapter's tables look alike, are accessible (column
headers with ``scope="col"``), and read as text where HTML is not rendered.
"""

from __future__ import annotations

import html
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cheaplib.validation import check_instance

__all__ = ["ResultTable", "result_table"]

# One number as a table shows it: an optional sign or comparison, digits with separators
# and a decimal point, an optional exponent and percent sign (a minus may be U+2212).
#: A number inside text that a browser could break at its minus sign: e-notation or a
#: negative number.
_INNER_NUMBER = re.compile(r"(?<![\w.])[+\-−]?\d[\d.,]*e[+\-−]?\d+|(?<![\w.])[\-−]\d[\d.,]*")
_NUMBER = re.compile(r"^[~<>≤≥±+\-−]?\s?\d[\d,.]*(?:e[+\-−]?\d+)?\s?%?$")


@dataclass(frozen=True)
class ResultTable:
    """A small table of already formatted results, rendered as HTML in a notebook.

    Built by :func:`result_table`, which validates its parts. The HTML has a header row of
    ``<th scope="col">`` cells (so a screen reader announces each value with its column)
    and escaped text; a text front end (and strict nbval) sees the same table in plain
    text, columns aligned.

    Attributes
    ----------
    header
        The column titles.
    rows
        The rows, each with one text per column.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.header, tuple) or not all(isinstance(h, str) for h in self.header):
            raise TypeError("header must be a tuple of str (build tables with result_table)")
        if not isinstance(self.rows, tuple) or not all(
            isinstance(r, tuple) and all(isinstance(c, str) for c in r) for r in self.rows
        ):
            raise TypeError("rows must be a tuple of tuples of str (use result_table)")
        if any(len(r) != len(self.header) for r in self.rows):
            raise ValueError("every row must have one cell per header column")

    def html(self) -> str:
        """The table as HTML: a head row of column headers, one body row per row.

        The table has the class ``cheap-table``; a cell that holds one number (such as
        ``-1.3e-10``, ``< 1e-12`` or ``97.5 %``) has the class ``num``, which the book's
        stylesheet keeps on one line (a browser would otherwise break a number after
        its minus sign) and aligns to the right.
        """
        esc = html.escape

        def cell(text: str) -> str:
            if _NUMBER.match(text):
                return f'<td class="num">{esc(text)}</td>'
            # a number inside text (e.g. "exact (D = 2e-15)") is kept whole as well
            inner = _INNER_NUMBER.sub(r'<span class="num">\g<0></span>', esc(text))
            return f"<td>{inner}</td>"

        head = "".join(f'<th scope="col">{esc(h)}</th>' for h in self.header)
        body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in self.rows)
        return (
            f'<table class="cheap-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def plain(self) -> str:
        """The table as aligned plain text, a rule under the header."""
        lines = [self.header, *self.rows]
        widths = [max(len(line[k]) for line in lines) for k in range(len(self.header))]

        def fmt(line: tuple[str, ...]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([fmt(self.header), rule, *(fmt(r) for r in self.rows)])

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.plain()


def _cell_text(name: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        return str(int(value))
    raise TypeError(
        f"{name} must be a str (a number formatted to the precision it has) or an int, "
        f"got {type(value).__name__}"
    )


def result_table(header: Sequence[str], rows: Sequence[Sequence[str | int]]) -> ResultTable:
    """A rendered table of results: column titles and rows of formatted numbers.

    Floats are refused: each number is formatted by the caller to the precision it has
    (``f"{x:.3f}"``, ``f"{err:.1e}"``), so that what the reader sees, and what strict nbval
    compares, does not carry digits the computation cannot vouch for. Integers (counts) are
    written in full.

    Parameters
    ----------
    header
        Column titles (non-empty strings), at least one.
    rows
        Each row one entry per column: a string, or an int.

    Returns
    -------
    ResultTable
        Displayed as an HTML table in a notebook (``<th scope="col">`` headers, escaped
        text) and as aligned text elsewhere.

    Raises
    ------
    TypeError
        If ``header`` or ``rows`` is not a sequence (a bare string is not), a title is not a
        string, or a cell is neither a string nor an int (a bool or a float is refused).
    ValueError
        If ``header`` is empty, a title is blank, or a row's length differs from the
        header's.

    Examples
    --------
    >>> t = result_table(["n", "error"], [(2, "1.5e-03"), (4, "2.0e-05")])
    >>> print(t)
    n  error
    -  -------
    2  1.5e-03
    4  2.0e-05
    >>> t.html()[:60]
    '<table class="cheap-table"><thead><tr><th scope="col">n</th>'
    """
    for name, value in (("header", header), ("rows", rows)):
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise TypeError(
                f"{name} must be a sequence (list or tuple), got {type(value).__name__}"
            )
    titles = tuple(check_instance(f"header[{k}]", h, str) for k, h in enumerate(header))
    if not titles:
        raise ValueError("header must name at least one column")
    for k, h in enumerate(titles):
        if not h.strip():
            raise ValueError(f"header[{k}] must not be blank")
    body = []
    for i, row in enumerate(rows):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence):
            raise TypeError(
                f"rows[{i}] must be a sequence (list or tuple), got {type(row).__name__}"
            )
        if len(row) != len(titles):
            raise ValueError(f"rows[{i}] has {len(row)} entries for {len(titles)} columns")
        body.append(tuple(_cell_text(f"rows[{i}][{j}]", c) for j, c in enumerate(row)))
    return ResultTable(titles, tuple(body))
