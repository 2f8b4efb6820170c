"""The claims ledger: every checked claim of the sources, where it is checked, what came out.

The ledger is one YAML file, ``chapters/claims.yml``, a list of entries::

    - id: swindle-megapixel-digits          # unique, [a-z0-9-]
      source: "001 Sec. I A"                # which paper (000-003) and where
      equation: ""                          # equation number(s), or "" if none
      statement: "There are 256^(10^6) ..." # the claim, in the book's own words
      chapter: 01_swindle                   # notebook stem under chapters/
      cell: check-megapixel-digits          # the id of the code cell that asserts it
      measured: "2,408,240 digits"          # verbatim text printed by that cell
      tolerance: "exact integer"
      status: reproduced                    # reproduced | refined | slip in source

:func:`validate` checks the entries against the notebooks: the chapter exists, the cell
exists and is a code cell containing an ``assert`` (or a ``np.testing`` call), and the
``measured`` text occurs in that cell's committed output — so the ledger cannot drift from
what the book prints.  :func:`render_markdown` produces the book page ``claims.md``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

__all__ = ["FIELDS", "STATUSES", "load", "render_markdown", "validate"]

FIELDS = (
    "id",
    "source",
    "equation",
    "statement",
    "chapter",
    "cell",
    "measured",
    "tolerance",
    "status",
)
STATUSES = ("reproduced", "refined", "slip in source")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SOURCES = {
    "000": "Schwab & Mehta, comment",
    "001": "Lin & Tegmark, preprint",
    "002": "Lin, Tegmark & Rolnick, J. Stat. Phys.",
    "003": "Berman & Klinger, ERG slides",
}


def load(path: str | Path) -> list[dict[str, Any]]:
    """Read the ledger and check its shape (not yet its links to the notebooks).

    Raises
    ------
    ValueError
        If the file is not a list of mappings with exactly :data:`FIELDS`, ids repeat or
        are malformed, a status is unknown, or a source does not name a paper 000-003.
    """
    with open(path, encoding="utf-8") as fh:
        entries = yaml.safe_load(fh)
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: the ledger must be a YAML list of entries")
    problems = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(f"entry {i}: not a mapping")
            continue
        where = f"entry {i} ({entry.get('id', '?')})"
        keys = set(entry)
        if keys != set(FIELDS):
            missing, extra = set(FIELDS) - keys, keys - set(FIELDS)
            problems.append(f"{where}: missing {sorted(missing)}, unexpected {sorted(extra)}")
            continue
        for key in FIELDS:
            entry[key] = "" if entry[key] is None else str(entry[key])
        if not _ID.match(entry["id"]):
            problems.append(f"{where}: id must match {_ID.pattern}")
        if entry["status"] not in STATUSES:
            problems.append(f"{where}: status {entry['status']!r} not in {STATUSES}")
        if entry["source"][:3] not in _SOURCES:
            problems.append(f"{where}: source must start with a paper number 000-003")
        for key in ("statement", "chapter", "cell", "measured", "tolerance"):
            if not entry[key].strip():
                problems.append(f"{where}: {key} is empty")
    counts = Counter(e.get("id") for e in entries if isinstance(e, dict))
    problems += [f"id {k!r} appears {n} times" for k, n in counts.items() if n > 1]
    if problems:
        raise ValueError(f"{path}: invalid ledger:\n  " + "\n  ".join(problems))
    return entries


def _cell_output_text(cell: dict[str, Any]) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append("".join(out.get("text", "")))
        elif "data" in out:
            for mime in ("text/plain", "text/markdown", "text/html"):
                if mime in out["data"]:
                    parts.append("".join(out["data"][mime]))
    return "\n".join(parts)


def validate(entries: list[dict[str, Any]], chapters_dir: str | Path) -> list[str]:
    """Check every entry against the committed notebooks; return a list of problems.

    An entry is linked when ``chapters_dir/<chapter>.ipynb`` exists, has a code cell whose
    ``id`` is ``cell``, that cell asserts something, and its stored output contains the
    ``measured`` text verbatim.
    """
    chapters_dir = Path(chapters_dir)
    notebooks: dict[str, dict[str, Any]] = {}
    problems = []
    for entry in entries:
        where = f"{entry['id']}"
        name = entry["chapter"]
        if name not in notebooks:
            path = chapters_dir / f"{name}.ipynb"
            if not path.exists():
                problems.append(f"{where}: chapter {name!r} has no notebook {path}")
                continue
            notebooks[name] = json.loads(path.read_text(encoding="utf-8"))
        cells = {c.get("id"): c for c in notebooks[name]["cells"]}
        cell = cells.get(entry["cell"])
        if cell is None:
            problems.append(f"{where}: no cell with id {entry['cell']!r} in {name}")
            continue
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") != "code":
            problems.append(f"{where}: cell {entry['cell']!r} is not a code cell")
        elif "assert" not in source and "np.testing" not in source:
            problems.append(f"{where}: cell {entry['cell']!r} asserts nothing")
        elif entry["measured"] not in _cell_output_text(cell):
            problems.append(
                f"{where}: measured text {entry['measured']!r} is not in the output of "
                f"cell {entry['cell']!r}"
            )
    return problems


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(entries: list[dict[str, Any]], chapter_titles: dict[str, str]) -> str:
    """The book page listing every claim, grouped by chapter, with a status summary.

    Parameters
    ----------
    entries : list of dict
        Validated ledger entries.
    chapter_titles : dict
        Notebook stem -> chapter title, for the section headings.
    """
    status_counts = Counter(e["status"] for e in entries)
    lines = [
        "(claims-ledger)=",
        "# Claims ledger",
        "",
        "Every claim of the sources that the book checks, the cell that checks it and what "
        "that cell printed when the book was last executed. The page is generated from "
        "`chapters/claims.yml`; a test fails if an entry names a cell that does not exist, "
        "a cell that asserts nothing, or a measured value the cell no longer prints.",
        "",
        "Status: **reproduced** — the computation agrees with the source within the stated "
        "tolerance; **refined** — it agrees, and the book adds a sharper statement (a "
        "constant, a rate, a condition); **slip in source** — the source is wrong as "
        "written, and the cell shows the computation that settles it.",
        "",
        f"{len(entries)} claims: "
        + ", ".join(f"{status_counts.get(s, 0)} {s}" for s in STATUSES)
        + ".",
        "",
    ]
    sources = ", ".join(f"{k} = {v}" for k, v in _SOURCES.items())
    lines += [f"Sources: {sources}.", ""]
    order = list(dict.fromkeys(e["chapter"] for e in entries))
    for chapter in sorted(order):
        title = chapter_titles.get(chapter, chapter)
        lines += [
            f"## {title}",
            "",
            f"Checked in {{doc}}`chapters/{chapter}`.",
            "",
            "| claim | source | statement | cell | measured | tolerance | status |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for e in (e for e in entries if e["chapter"] == chapter):
            src = e["source"] + (f", eq. {e['equation']}" if e["equation"] else "")
            row = [
                f"`{e['id']}`",
                src,
                e["statement"],
                f"`{e['cell']}`",
                e["measured"],
                e["tolerance"],
                e["status"],
            ]
            lines.append("| " + " | ".join(_md_escape(x) for x in row) + " |")
        lines.append("")
    return "\n".join(lines)
