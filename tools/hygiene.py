"""Notebook hygiene: was a notebook executed top to bottom, with its outputs stored?

Strict nbval compares only cells that have an execution count, so a notebook committed
unexecuted (or with cleared outputs) would pass it vacuously.  :func:`problems` lists what
strict nbval cannot vouch for; the test suite requires it to be empty for every chapter.

Strict nbval also passes a notebook that shows something twice, as long as it does so every
time. :func:`repetitions` finds what a reader would see twice: a paragraph (or a long
sentence) of the prose repeated, the same rendered output twice in one cell (a check cell
whose last line both displays its verdict and returns it), and a stray ``Out[n]`` holding a
bare quoted string or ``None`` (a last line that returns text, e.g. a bare ``glue(...)``).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path


def must_print(source: str) -> bool:
    """Whether a cell's code necessarily shows something (ends in an expression, prints)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    if not tree.body:
        return False
    if isinstance(tree.body[-1], ast.Expr):
        return True
    return any(_prints(stmt) for stmt in tree.body)


def _prints(stmt: ast.stmt) -> bool:
    """Whether ``stmt`` always calls print/display (branches and handlers may not run)."""
    if isinstance(stmt, ast.If):
        return False
    if isinstance(stmt, ast.Try):
        return any(_prints(s) for s in stmt.body + stmt.finalbody)
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"print", "display"}
        for node in ast.walk(stmt)
    )


def problems(path: str | Path) -> list[str]:
    """Every reason strict nbval could not vouch for the notebook at ``path``."""
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    meta = nb.get("metadata", {})
    if meta.get("kernelspec", {}).get("name") != "python3":
        found.append("kernelspec is not python3")
    if meta.get("language_info", {}).get("name") != "python":
        found.append("language_info is missing (the book build needs it)")
    if "widgets" in meta:
        found.append("widget state is committed (make execute strips it)")
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c.get("execution_count") for c in cells]
    if counts != list(range(1, len(cells) + 1)):
        found.append(f"execution counts {counts[:8]}... are not 1..N: run `make execute`")
    for cell in cells:
        where = f"cell {cell.get('id')}"
        kinds = {o["output_type"] for o in cell.get("outputs", [])}
        if "error" in kinds:
            found.append(f"{where} has an error output")
        if must_print("".join(cell["source"])) and not cell.get("outputs"):
            found.append(f"{where} should show something but has no stored output")
        if "NBVAL_" in "".join(cell["source"]):
            found.append(f"{where}: nbval markers belong in cell tags, not in code")
    return found


# --- things shown twice, stray outputs --------------------------------------------------------
#: Prose units (paragraphs, sentences) at least this long must not repeat in a notebook.
MIN_REPEATED_CHARS = 60
_FENCE = re.compile(r"^(```|:::).*?^\1", re.S | re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(*{$`])")
_QUOTED = re.compile(r"""^(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")$""", re.S)


def _prose_units(markdown: str) -> list[str]:
    """The paragraphs of ``markdown`` and the sentences within them, whitespace-normalised.

    Sentences count too, so that text appended inside a paragraph (no blank line between
    the copies) is found as well as a repeated paragraph.
    """
    units = []
    for para in re.split(r"\n\s*\n", markdown):
        para = " ".join(para.split())
        if not para:
            continue
        units.append(para)
        sentences = _SENTENCE_END.split(para)
        if len(sentences) > 1:
            units.extend(sentences)
    return units


def repeated_prose(cells: list[dict], min_chars: int = MIN_REPEATED_CHARS) -> list[str]:
    """Paragraphs or sentences of at least ``min_chars`` characters that occur twice or more.

    Parameters
    ----------
    cells
        The notebook's cells (``nb["cells"]``); only markdown cells are read.
    min_chars
        Shorter units (a heading, "See the figure.") may legitimately repeat.

    Returns
    -------
    list of str
        One entry per repeated unit: the cells it is in and its first 60 characters.
    """
    where: dict[str, list[str]] = {}
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        for unit in _prose_units(_FENCE.sub("", text)):
            if len(unit) >= min_chars:
                where.setdefault(unit, []).append(str(cell.get("id")))
    return [
        f"{len(ids)}x in cells {', '.join(sorted(set(ids)))}: {unit[:60]!r}"
        for unit, ids in where.items()
        if len(ids) > 1
    ]


def _shown(output: dict) -> str | None:
    """What a reader sees of a rendered output: its HTML, else its plain text (no figures)."""
    data = output.get("data", {})
    if any(key.startswith("image/") for key in data):
        return None  # two figures of one size share their text/plain; compare pictures not
    for key in ("text/html", "text/plain"):
        if key in data:
            return "".join(data[key])
    return None


def repeated_outputs(cell: dict) -> list[str]:
    """The rendered outputs (text/html, else text/plain) that a code cell shows twice."""
    seen: dict[str, int] = {}
    for out in cell.get("outputs", []):
        if out.get("output_type") in ("display_data", "execute_result"):
            shown = _shown(out)
            if shown is not None:
                seen[shown] = seen.get(shown, 0) + 1
    return [f"shown {n}x: {text[:60]!r}" for text, n in seen.items() if n > 1]


def stray_results(cell: dict) -> list[str]:
    """``Out[n]`` results that are a bare quoted string or ``None`` (a value left on the
    last line, such as the text a bare ``glue(...)`` returns)."""
    found = []
    for out in cell.get("outputs", []):
        if out.get("output_type") != "execute_result":
            continue
        text = "".join(out.get("data", {}).get("text/plain", "")).strip()
        if text == "None" or _QUOTED.match(text):
            found.append(f"stray result {text[:60]}")
    return found


def repetitions(path: str | Path) -> list[str]:
    """Everything the notebook at ``path`` shows twice, and its stray results."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    found = [f"prose repeated {r}" for r in repeated_prose(nb["cells"])]
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            where = f"cell {cell.get('id')}"
            found += [f"{where}: output {r}" for r in repeated_outputs(cell)]
            found += [f"{where}: {r}" for r in stray_results(cell)]
    return found


# --- typed results in prose -------------------------------------------------------------------
#: The rule: a decimal number with three or more significant digits (``0.959``, ``46.05``,
#: ``1.135``; not ``0.5`` or ``2.0``) in a chapter's markdown, outside a glue role and a code
#: span, is a typed result. Results are glued from execution (``{glue:text}`key```). What
#: may be typed is what the computation does not produce: constants quoted from the
#: literature with their citation, and numbers quoted from the sources to be checked. Each
#: such number is listed here with its reason; the list is short on purpose.
PROSE_ALLOWED = {
    "2.3728639": "Le Gall's matrix-multiplication exponent, quoted with {cite}`legall2014`",
    "0.6271361": "the exponent source 001 states (Sec. III G) from Le Gall's bound: quoted",
    "0.4407": "Onsager's K_c = ln(1 + sqrt 2)/2 to four places, quoted with {cite}`onsager1944`",
    "0.408": "Mehta & Schwab's coupling J = 0.408, quoted with {cite}`mehta2014exact`",
}
_DECIMAL = re.compile(r"(?<![\w.])(?:\d*\.\d{3,}|[1-9]\d*\.\d{2,})(?![\w.])")
# A computed value written into the prose between its glue-key comments (tools.gluetext),
# or the text of a citation or reference written beside its role (tools.xrefs).
_MARKED = re.compile(r"<!--g:[^\s>]+?-->.*?<!--/g-->|<!--r:.*?-->.*?<!--/r-->", re.S)
_GLUE = re.compile(r"\{glue(?::[a-z]+)?\}`[^`]*`")
_CODE = re.compile(r"`[^`]*`")


def typed_results(path: str | Path) -> list[str]:
    """Decimal results typed into the markdown of the notebook at ``path`` (see the rule)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = _CODE.sub("", _GLUE.sub("", _MARKED.sub("", "".join(cell["source"]))))
        for number in _DECIMAL.findall(text):
            if number not in PROSE_ALLOWED:
                found.append(f"cell {cell.get('id')}: {number}")
    return found
