"""Prose that cannot carry a typed result: the stricter scan of a chapter's markdown.

Results reach the prose through glue (``{glue:text}`claim-id.name```), never typed. The
scan of :mod:`tools.hygiene` catches decimals of three or more significant digits; this
one also refuses, in markdown cells outside code spans, glue and other roles, link
targets, labels and HTML tags,

* a decimal with two or more significant digits or two decimal places (``0.13``,
  ``0.50``, ``1.5``, ``93.5``; not ``0.5`` or ``2.0``);
* a percentage (``89.7%``, ``93.5 %``, ``50\\%``);
* e-notation (``1e-11``, ``6.15e-05``);
* an integer of two or more digits equal to a value glued by the chapter (``256`` where
  ``{glue:text}`...``` gives 256), thousands separators allowed (``2,408,240``);

unless the number is a parameter the chapter chooses — a number literal in one of its
code cells (``N_PIXELS = 8``, ``n_runs = 100_000``, ``atol=1e-12``; a percentage counts
as its fraction too) — or a cited constant of :data:`ALLOWED` (each with its source).

Numbers inside maths (``$...$``) are scanned too: a typed ``$0.13$`` is as typed as
``0.13``; integers there are only refused when equal to a glued value.

Usage: ``python -m tools.prose [NOTEBOOK ...]`` prints the findings (default: every
chapter); :func:`typed_numbers` returns them for a test.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

from tools.hygiene import PROSE_ALLOWED

ROOT = Path(__file__).resolve().parents[1]

#: Numbers a chapter may type although no code cell holds them: constants quoted from the
#: literature or the sources, each with its source. Extends tools.hygiene's allowlist.
ALLOWED: dict[str, str] = {
    **PROSE_ALLOWED,
}
#: Integers of fewer digits are not compared with glued values (counts such as "4
#: neurons" are the sources' own statements far more often than typed results).
MIN_INTEGER_DIGITS = 2

_FENCE = re.compile(r"^(```|:::|~~~).*?^\1", re.S | re.M)
_ROLE = re.compile(r"\{[a-z:-]+\}`[^`]*`")
_CODE = re.compile(r"`[^`]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
_LABEL = re.compile(r"^\([^)]*\)=\s*$", re.M)
_TAG = re.compile(r"<[^>]+>")
_OPTION = re.compile(r"^:[a-z-]+:.*$", re.M)
#: References to numbered things of the sources: eq. (15), eqs. 15–16, Sec. III F,
#: Fig. 2, App. A13, Table 1, ref. [12], and years in citations.
_REFERENCE = re.compile(
    r"\b(?:[Ee]qs?|[Ss]ecs?|[Ff]igs?|[Aa]pps?|[Tt]ables?|[Rr]efs?|[Cc]h|[Pp]p?)\.?\s*"
    r"\(?[A-Z]?\d+[a-z]?\)?(?:\s*(?:[–,-]|and|to)\s*\(?[A-Z]?\d+[a-z]?\)?)*"
    r"|\([A-Z]?\d+\)"
)
#: A computed value written into the prose between its glue-key comments (tools.gluetext),
#: or the text of a citation or reference written beside its role (tools.xrefs).
_MARKED = re.compile(r"<!--g:[^\s>]+?-->.*?<!--/g-->|<!--r:.*?-->.*?<!--/r-->", re.S)
#: Text quoted from a source ("... if n > 260 ..."): numbers the book checks, not results.
_QUOTE = re.compile(r'"[^"\n]*"|“[^”]*”')
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S)
_NUMBER = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"(?P<pct>\s?\\?%)?(?![\w.]*\w)"
)


def _strip(markdown: str) -> tuple[str, str]:
    """(prose, maths) of the markdown, without code, roles, link targets, labels, tags,
    references to numbered equations and sections, and quotations of the sources.

    A maths span that is a bare number (``$256$``) stays in the prose.
    """
    text = _FENCE.sub("", markdown)
    text = _MARKED.sub(" ", text)  # written in by tools.gluetext and tools.xrefs
    for pattern in (_ROLE, _CODE, _LINK_TARGET, _LABEL, _TAG, _OPTION):
        text = pattern.sub(" ", text)
    maths: list[str] = []

    def keep(m: re.Match[str]) -> str:
        inner = m.group(0).strip("$")
        if re.fullmatch(r"\s*[\d.,]+\s*(?:\\%)?\s*", inner):
            return " " + inner + " "
        maths.append(inner)
        return " "

    text = _MATH.sub(keep, text)
    for pattern in (_REFERENCE, _QUOTE):
        text = pattern.sub(" ", text)
    return text, "\n".join(maths)


def _value(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _significant(num: str) -> int:
    digits = num.replace(",", "").split("e")[0].split("E")[0]
    whole, _, frac = digits.partition(".")
    if whole.strip("0"):
        return len(whole.lstrip("0")) + len(frac.rstrip("0"))
    return len(frac.lstrip("0"))


def kind_of(num: str, pct: bool) -> str:
    """Which rule a number falls under: percentage, e-notation, decimal, integer or ""."""
    if pct:
        return "percentage"
    if "e" in num.lower():
        return "e-notation"
    if "." in num:
        frac = num.split(".")[1]
        return "decimal" if len(frac) >= 2 or _significant(num) >= 2 else ""
    return "integer"


def parameters(cells: list[dict]) -> set[float]:
    """Number literals of the code cells: the parameters the chapter chooses."""
    found: set[float] = set()
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = "\n".join(
            ln
            for ln in "".join(cell.get("source", "")).splitlines()
            if not ln.lstrip().startswith(("%", "!"))
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        regression = {id(n) for n in _regression_references(tree)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, int | float)
                and not isinstance(node.value, bool)
                and id(node) not in regression
            ):
                found.add(float(node.value))
    return found


def _regression_references(tree: ast.AST) -> list[ast.AST]:
    """The reference literals of rows labelled ``kind="regression"``: earlier results of
    the same code, which the prose may not type either."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Compare"):
            continue
        kinds = [k.value for k in node.keywords if k.arg == "kind"]
        if not (kinds and isinstance(kinds[0], ast.Constant) and kinds[0].value == "regression"):
            continue
        refs = [k.value for k in node.keywords if k.arg == "reference"] + node.args[2:3]
        for ref in refs:
            found += list(ast.walk(ref))
    return found


def glued_values(cells: list[dict]) -> dict[float, str]:
    """Numeric value -> glue key, for every number the chapter glues."""
    found: dict[float, str] = {}
    for cell in cells:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            meta = out.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            text = "".join(out.get("data", {}).get(meta.get("mime_prefix", "") + "text/plain", ""))
            value = _value(text.strip().strip("'\"").rstrip("%"))
            if value is not None:
                found.setdefault(value, meta.get("name", ""))
    return found


def _close(value: float, pool: set[float]) -> bool:
    return any(abs(value - p) <= 1e-12 * max(1.0, abs(p)) for p in pool)


def scan_cells(cells: list[dict]) -> list[str]:
    """Typed numbers in the markdown of ``cells`` (``nb["cells"]``), one line each."""
    params = parameters(cells)
    glued = glued_values(cells)
    found = []
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        prose, maths = _strip("".join(cell.get("source", "")))
        hits = [(m, False) for m in _NUMBER.finditer(prose)]
        hits += [(m, True) for m in _NUMBER.finditer(re.sub(r"\\[a-zA-Z]+", " ", maths))]
        for m, in_maths in hits:
            num, pct = m.group("num"), bool(m.group("pct"))
            rule = kind_of(num, pct)
            if not rule or num in ALLOWED or (num + "%") in ALLOWED:
                continue
            if in_maths and rule == "integer":
                continue  # exponents, indices, denominators of a formula
            value = _value(num)
            if value is None:
                continue
            chosen = _close(value, params) or (pct and _close(value / 100, params))
            if rule == "integer":
                if len(num.replace(",", "")) < MIN_INTEGER_DIGITS or not _close(value, set(glued)):
                    continue
                if chosen:
                    continue
                key = next(k for v, k in glued.items() if _close(value, {v}))
                found.append(f"cell {cell.get('id')}: {num} equals the glued {key}")
                continue
            if not chosen:
                shown = num + ("%" if pct else "")
                found.append(f"cell {cell.get('id')}: {shown} ({rule})")
    return found


def scan_text(markdown: str, code: str = "", glue: dict[str, str] | None = None) -> list[str]:
    """:func:`scan_cells` for one markdown text, with optional code and glued values."""
    cells: list[dict] = [{"cell_type": "markdown", "id": "md", "source": markdown}]
    if code:
        cells.append({"cell_type": "code", "id": "code", "source": code, "outputs": []})
    outputs = [
        {
            "output_type": "display_data",
            "data": {"application/papermill.record/text/plain": text},
            "metadata": {
                "scrapbook": {"name": key, "mime_prefix": "application/papermill.record/"}
            },
        }
        for key, text in (glue or {}).items()
    ]
    cells.append({"cell_type": "code", "id": "glue", "source": "", "outputs": outputs})
    return scan_cells(cells)


def typed_numbers(path: str | Path) -> list[str]:
    """Typed numbers in the markdown of the notebook at ``path`` (see the module rules)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return scan_cells(nb["cells"])


def main(argv: list[str] | None = None) -> int:
    paths = [Path(a) for a in (argv or [])] or sorted((ROOT / "chapters").glob("*.ipynb"))
    total = 0
    for path in paths:
        found = typed_numbers(path)
        total += len(found)
        for line in found:
            print(f"{path.stem}: {line}")
    print(f"{total} typed number(s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
