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

A number equal to a value the chapter glues (any of the four kinds; a glued ``89.7%`` is
0.897, a glued ``<1e-11`` is 1e-11) is refused even when a code cell holds the same
literal: typed in place of the glue of a deviation of ``0.50``, "0.50" is not the
``atol=0.5`` of some check, and "256" typed in place of a glued count of 256 is not the
256 of a grid. Such a number passes only inside a phrase of :data:`CHOSEN` that says
what it is ("256 observations": the 2^8 observations of the model), each with its reason,
or as a cited constant of :data:`ALLOWED`. An integer with a leading zero (``002``) is a
source's number, never a result.

HTML comments and tags are not prose (``<details>``, ``</summary>``, ``<!--...-->``); a
"<" before a number is ("measured <1e-11"). Values written in by :mod:`tools.gluetext`
and texts written by :mod:`tools.xrefs`, between their marker comments, are skipped.

Numbers inside maths (``$...$``) are scanned too: a typed ``$0.13$`` is as typed as
``0.13``. Integers there are not compared with glued values (exponents, indices, the
sizes of a formula: ``$n = 256$``); a maths span that is a bare number (``$256$``) is
prose.

Usage: ``python -m tools.prose [PAGE ...]`` (part of ``make claims``) prints the findings
and exits non-zero on one, or, without arguments, on a phrase of :data:`CHOSEN` that lets
no number through; the default pages are every document of ``_toc.yml`` (the chapters'
notebooks and the Markdown pages) but the generated ones. :func:`typed_numbers` returns
the findings of one page for a test.
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

#: Numbers a page may type although they equal a value its code glues (or, on a page
#: without code, a decimal): the phrase around each number, as it reads in the prose, says
#: what the number is -- a parameter the prose chooses or a number of the sources -- and
#: why it is not the glued result it happens to equal. Page (notebook or Markdown stem) ->
#: phrase -> reason. Only the number inside the phrase passes: "256 observations" lets
#: the 256 of chapter 3's observations through, not "256 values" typed in place of the
#: glued ``values_T3``.
CHOSEN: dict[str, dict[str, str]] = {
    "01_swindle": {
        "by 10 until": "the factor of the digit-count search (raise a power of ten by 10 until it "
        "exceeds the number), a step of the method",
        "16 independent samples": "the number of fits per sample size (reps = 16), a parameter",
    },
    "02_hamiltonians": {
        "first 16 Fourier modes": "the truncation of the Burgers equation (K = 16), a parameter",
        "(4, 8 and 16)": "the sizes n the translation-invariance check runs at, parameters",
        "not 23": "the paper's beta > D ln 10 ~ 23 for D = 10 (001, quoted in md-010): the "
        "source's number the table corrects",
        "of 12 bits": "the size of the arbitrary function compiled (n = 12), a parameter",
    },
    "03_hierarchies": {
        "256 possible observations": "the 2^8 observations of the 8-pixel ring, the model's size",
        "256 observations": "the 2^8 observations of the 8-pixel ring, the model's size",
        "256 rows of 625 cells": "the size of the rule-90 pattern drawn, parameters",
    },
    "04_renormalization": {
        "within 5 %": "the accuracy the prose chooses for the range of the first-order estimate "
        "(rg-b-max-5pc is computed for it)",
    },
    "05_no_flattening": {
        "16-point Walsh–Hadamard": "the size of the transform built (n = 16), a parameter",
        "blocks of 32": "the block size Strassen's recursion stops at, a parameter (and the "
        "exercise's question)",
        "32-input": "the text's example of 32 inputs (002), the size the chapter checks",
        "32 inputs": "the text's example of 32 inputs (002), the size the chapter checks",
        "product of 32 numbers": "the text's example of 32 inputs (002)",
        "64 random": "the number of random tanh neurons fitted, a parameter",
        "256 training": "the training-set size given to MLPRegressor, a parameter",
        "32 fixed random points": "the widget's evaluation points, a parameter",
        "5 numbers with 16 neurons": "the exercise's statement, 2^(n-1) neurons for n = 5 (002 "
        "App. A), which its solution checks (ex-noflat-halving.neurons)",
        "and 16 is worse": "the 16 x 16 blocks the exercise asks about, a parameter",
        "the 16-blocks": "the 16 x 16 blocks the exercise asks about, a parameter",
    },
    "07_learning_rg": {
        "2000 uniform samples": "the size of the T = infinity control sample, a parameter",
        "2000 samples": "the size of the T = infinity control sample, a parameter",
    },
    "08_real_data": {
        "100 faces": "the LFW subset's 100 faces, all of them used: the data set's size",
        "other 100 images": "the rest of the LFW subset (200 images), left out",
    },
    "intro": {"Python 3.11": "the Python version the book requires (pyproject.toml)"},
    "contributing": {
        "Python 3.11": "the Python version the book requires (pyproject.toml)",
        "6.4 inches": "the width figures should not exceed (matplotlib's default), a convention",
    },
    "benchmarks": {"within 1.5 s": "a budget the page sets for the widgets' maths, a target"},
}
#: Pages of the book written by a tool from checked data, not typed: not scanned.
GENERATED = {
    "claims.md": "the ledger's page, written by tools.claims --write from the check records "
    "(--check fails when it differs from them)",
}

_FENCE = re.compile(r"^(```|:::|~~~).*?^\1", re.S | re.M)
_ROLE = re.compile(r"\{[a-z:-]+\}`[^`]*`")
_CODE = re.compile(r"`[^`]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
_LABEL = re.compile(r"^\([^)]*\)=\s*$", re.M)
#: An HTML comment, or a tag: "<" then a letter, "/", "!" or "?" (``<details>``, ``</p>``,
#: ``<br/>``, ``<!DOCTYPE html>``). A "<" before a number or a space is text: "measured
#: <1e-11", "$a < b$".
_TAG = re.compile(
    r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<![A-Za-z\[][^<>]*>|<\?.*?\?>", re.S
)
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


def _glued_numbers(text: str) -> list[float]:
    """The numbers a glued text shows, as the quantities they denote: ``0.897`` and
    ``89.7%`` are both 0.897; a bound ``<1e-11`` or ``~1e-3`` is 1e-11 or 1e-3; a range
    ``0.066–0.081`` gives both ends."""
    text = text.strip().strip("'\"").lstrip("<>~≈ ")
    found = []
    for part in text.split("–"):
        part = part.strip()
        pct = part.endswith("%")
        value = _value(part.rstrip("%").strip())
        if value is not None:
            found.append(value / 100 if pct else value)
    return found


def glued_values(cells: list[dict]) -> dict[float, str]:
    """Numeric value -> glue key, for every number the chapter glues (percentages as
    fractions, see :func:`_glued_numbers`)."""
    found: dict[float, str] = {}
    for cell in cells:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            meta = out.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            text = "".join(out.get("data", {}).get(meta.get("mime_prefix", "") + "text/plain", ""))
            for value in _glued_numbers(text):
                found.setdefault(value, meta.get("name", ""))
    return found


def _close(value: float, pool: set[float] | dict[float, str]) -> bool:
    return any(abs(value - p) <= 1e-12 * max(1.0, abs(p)) for p in pool)


def _phrase(phrase: str) -> re.Pattern[str]:
    """A phrase of :data:`CHOSEN` as it reads in the stripped prose (any spacing)."""
    words = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.compile(r"(?<![\w.])" + words + r"(?![\w])")


def _chosen_spans(text: str, phrases: dict[str, str]) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), p) for p in phrases for m in _phrase(p).finditer(text)]


def scan_cells(cells: list[dict], page: str = "", used: set[str] | None = None) -> list[str]:
    """Typed numbers in the markdown of ``cells`` (``nb["cells"]``), one line each.

    ``page`` (the notebook's or Markdown page's stem) selects the phrases of
    :data:`CHOSEN`; the phrases that let a number through are added to ``used``.
    """
    params = parameters(cells)
    glued = glued_values(cells)
    phrases = CHOSEN.get(page, {})
    found = []
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        prose, maths = _strip("".join(cell.get("source", "")))
        maths = re.sub(r"\\[a-zA-Z]+", " ", maths)
        hits = [(m, False) for m in _NUMBER.finditer(prose)]
        hits += [(m, True) for m in _NUMBER.finditer(maths)]
        spans = {False: _chosen_spans(prose, phrases), True: _chosen_spans(maths, phrases)}
        for m, in_maths in hits:
            num, pct = m.group("num"), bool(m.group("pct"))
            rule = kind_of(num, pct)
            if not rule or num in ALLOWED or (num + "%") in ALLOWED:
                continue
            if in_maths and rule == "integer":
                continue  # exponents, indices, denominators of a formula
            if rule == "integer" and len(num) > 1 and num.startswith("0"):
                continue  # a source's number (001, 002): results are not zero-padded
            value = _value(num)
            if value is None:
                continue
            value = value / 100 if pct else value
            if rule == "integer" and (
                len(num.replace(",", "")) < MIN_INTEGER_DIGITS or not _close(value, glued)
            ):
                continue
            covering = [p for a, b, p in spans[in_maths] if a <= m.start() and m.end() <= b]
            if covering:
                if used is not None:
                    used.update(covering)
                continue
            shown = num + ("%" if pct else "")
            if _close(value, glued):
                # A value the chapter glues is refused even where a code cell holds the
                # same literal: "0.50" for a glued deviation of 0.50 is not the atol=0.5 of
                # some check, "256" for a glued count is not the 256 of a grid.
                key = next(k for v, k in glued.items() if _close(value, {v}))
                what = num if rule == "integer" else f"{shown} ({rule})"
                found.append(f"cell {cell.get('id')}: {what} equals the glued {key}")
            elif not (_close(value, params) or (pct and _close(value * 100, params))):
                found.append(f"cell {cell.get('id')}: {shown} ({rule})")
    return found


def scan_text(
    markdown: str, code: str = "", glue: dict[str, str] | None = None, page: str = ""
) -> list[str]:
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
    return scan_cells(cells, page)


def _cells(path: Path) -> list[dict]:
    """A notebook's cells, or a Markdown page as one markdown cell named by its stem."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return [{"cell_type": "markdown", "id": path.stem, "source": text}]
    return json.loads(text)["cells"]


def typed_numbers(path: str | Path, used: set[str] | None = None) -> list[str]:
    """Typed numbers in the markdown of the notebook or Markdown page at ``path`` (see the
    module rules); the phrases of :data:`CHOSEN` that let a number through go to ``used``."""
    path = Path(path)
    return scan_cells(_cells(path), path.stem, used)


def pages() -> list[Path]:
    """Every document of ``_toc.yml`` (chapters and Markdown pages) but the generated ones
    of :data:`GENERATED`."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    found = []
    for doc in docs:
        for suffix in (".ipynb", ".md"):
            path = ROOT / (doc + suffix)
            if path.exists() and path.name not in GENERATED:
                found.append(path)
                break
    return found


def unused_phrases(paths: list[Path] | None = None) -> list[str]:
    """Phrases of :data:`CHOSEN` that let no number through (stale after an edit)."""
    used: dict[str, set[str]] = {}
    for path in paths or pages():
        typed_numbers(path, used.setdefault(path.stem, set()))
    return [
        f"{page}: {phrase!r}"
        for page, phrases in CHOSEN.items()
        for phrase in phrases
        if phrase not in used.get(page, set())
    ]


def main(argv: list[str] | None = None) -> int:
    paths = [Path(a) for a in (argv or [])] or pages()
    total = 0
    for path in paths:
        found = typed_numbers(path)
        total += len(found)
        for line in found:
            print(f"{path.stem}: {line}")
    stale = [] if argv else unused_phrases(paths)
    for line in stale:
        print(f"unused phrase of tools.prose.CHOSEN: {line}")
    print(f"{total} typed number(s) in {len(paths)} page(s)")
    return 1 if total or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
