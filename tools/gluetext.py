"""Computed numbers written into the prose, so that they read wherever a notebook opens.

A number the prose quotes is computed and glued by a cell (``cheaplib.claims.glue`` or a
check's verdict).  MyST's ``{glue:text}`key``` role shows it in the built book only:
JupyterLab (with jupyterlab-myst), a plain Markdown viewer and an editor show the raw
role.  The book therefore writes each value into the Markdown itself, between two HTML
comments that name its glue key (and, optionally, a format spec)::

    the bound is reached at n = <!--g:swindle-boolean-atoms-threshold.n_star-->12<!--/g-->

Comments are invisible in the HTML book, its PDF, JupyterLab and any Markdown viewer, so
every reader sees ``12``; the key stays in the source for the tools:

* ``python -m tools.claims --write`` (``make execute``, ``make ledger``) turns every
  ``{glue:text}`` role an author wrote into such a marked value and refreshes every
  marked value from the glued outputs of the executed notebook (:func:`fill`);
* ``python -m tools.claims --check`` (``make claims``, part of ``make test``) fails when a
  marked value differs from what its key holds, when a key is glued by no cell, and when a
  ``{glue:text}`` role is left (:func:`problems`).

A value without a spec is the glued text exactly as the cell wrote it (``2,408,240``
stays ``2,408,240``; myst-nb's role would parse it as a Python literal and show a
tuple).  With a spec (``<!--g:key:.4f-->``) the glued number is formatted with it, as the
role does.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
GLUE_PREFIX = "application/papermill.record/"

#: ``{glue:text}`key``` or ``{glue:text}`key:spec```.
ROLE = re.compile(r"\{glue:text\}`(?P<body>[^`]+)`")
#: A marked value: ``<!--g:key-->text<!--/g-->`` or ``<!--g:key:spec-->text<!--/g-->``.
MARK = re.compile(r"<!--g:(?P<body>[^\s>]+?)-->(?P<text>.*?)<!--/g-->", re.S)
#: A line that starts with a mark: Markdown would read it as an HTML block (the comment
#: opening a line ends the paragraph and leaves the rest of the line unrendered).
_LINE_START = re.compile(r"^( {0,3})(<!--g:)", re.M)
#: Lines a mark may not be joined to (blank, a fence, a heading, a list or table line).
_NO_JOIN = re.compile(r"^\s*$|^\s*(```|:::|#|\||[-*+] |\d+\. |\$\$)")
WORD_JOINER = "\u2060"
#: Format specs end in a presentation type (as myst-nb requires).
_SPEC = re.compile(r"^[^:]*[bcdeEfFgGnosxX%]$")


def split_body(body: str) -> tuple[str, str | None]:
    """``key`` or ``key:spec`` -> (key, spec or None)."""
    if ":" in body:
        key, spec = body.rsplit(":", 1)
        if _SPEC.match(spec):
            return key, spec
    return body, None


def glued(nb: dict[str, Any]) -> dict[str, str]:
    """Every glue key of an executed notebook -> the text its cell glued."""
    found: dict[str, str] = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            meta = (out.get("metadata") or {}).get("scrapbook")
            if not meta:
                continue
            data = out.get("data", {})
            text = data.get(GLUE_PREFIX + "text/plain", "")
            found[meta["name"]] = "".join(text) if isinstance(text, list) else str(text)
    return found


def render(text: str, spec: str | None) -> str:
    """What the reader sees for glued ``text`` under ``spec`` (see the module docstring)."""
    if spec is None:
        return text
    try:
        value: Any = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = float(text.replace(",", ""))
    if isinstance(value, str):
        value = float(value.replace(",", ""))
    return format(value, spec)


def keep_inline(text: str) -> str:
    """Keep every mark inside its paragraph: never at the start of a line.

    A mark that opens a line is joined to the line before when that is a line of the same
    paragraph; where it opens a paragraph, an invisible word joiner (U+2060) goes first.
    """
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        if _LINE_START.match(line):
            if out and not _NO_JOIN.match(out[-1]):
                out[-1] = out[-1].rstrip() + " " + line.lstrip()
                continue
            line = _LINE_START.sub(lambda m: m[1] + WORD_JOINER + m[2], line)
        out.append(line)
    return "\n".join(out)


def _markdown(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def fill(nb: dict[str, Any]) -> int:
    """Turn roles into marked values and refresh every marked value; return the changes.

    Raises
    ------
    KeyError
        If a role or mark names a key no cell of the notebook glues.
    """
    values = glued(nb)
    changed = 0

    def value_of(body: str) -> str:
        key, spec = split_body(body)
        if key not in values:
            raise KeyError(f"{key!r} is glued by no cell of this notebook")
        return render(values[key], spec)

    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        old = _markdown(cell)
        new = ROLE.sub(lambda m: f"<!--g:{m['body']}-->{value_of(m['body'])}<!--/g-->", old)
        new = MARK.sub(lambda m: f"<!--g:{m['body']}-->{value_of(m['body'])}<!--/g-->", new)
        new = keep_inline(new)
        if new != old:
            cell["source"] = new
            changed += 1
    return changed


def problems(nb: dict[str, Any], name: str = "") -> list[str]:
    """Marked values that differ from their keys, unknown keys, and leftover roles."""
    values = glued(nb)
    found = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = _markdown(cell)
        where = f"{name} cell {cell.get('id')}"
        if _LINE_START.search(text):
            found.append(f"{where}: a marked value opens a line (Markdown reads it as HTML)")
        for m in ROLE.finditer(text):
            found.append(f"{where}: a {{glue:text}} role is left ({m[0]}): run --write")
        for m in MARK.finditer(text):
            key, spec = split_body(m["body"])
            if key not in values:
                found.append(f"{where}: {key!r} is glued by no cell")
                continue
            want = render(values[key], spec)
            if m["text"] != want:
                found.append(f"{where}: {key} reads {m['text']!r} but is glued as {want!r}")
    return found


def _notebooks(args: list[str]) -> list[Path]:
    return [Path(a) for a in args] or sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.gluetext [--write] [NB ...]``: check (or fill) the marked values."""
    args = sys.argv[1:] if argv is None else argv
    write = "--write" in args
    paths = _notebooks([a for a in args if a != "--write"])
    bad = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if write and fill(nb):
            nbformat.write(nb, path)
        bad += problems(nb, path.name)
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
