"""The claims ledger: built from the executed notebooks, checked against them.

Every check cell of a chapter calls :func:`cheaplib.claims.check`, which stores a record
(the claim, its numeric comparisons, the digits and format they are shown with, the kind
of evidence of each row, and the status computed from them) in the metadata of one of the
cell's outputs. This tool reads those records from the committed notebooks and

* ``--write`` writes ``chapters/claims.yml`` (the ledger) and ``claims.md`` (its book page);
* ``--check`` (the default; ``make claims``, part of ``make test``) fails on

  - a cell whose displayed verdict (text/plain and text/html) or glued numbers differ
    from what its record rebuilds: the record is the one source of truth, and strict
    nbval vouches that the displayed text is what the code computes today;
  - any disagreement between ``claims.yml`` and the notebooks — an id, a status, a
    measured or reference value, a tolerance, a statement — and a stale ``claims.md``;
  - any claim whose verdict could not fail: a tolerance that is infinite or not
    narrower than its reference (or, for a zero reference, than its stated scale), a
    recorded status other than the one the numbers earn, a row that does not flip the
    verdict when moved across its tolerance, and a row that the lint of
    :mod:`tools.claimlint` finds (a measured value that is a literal or a constant
    expression, or its reference up to constant arithmetic, or a typed scale on a zero
    reference; :data:`KNOWN_LINT` lists the rows reported but not failed); the rows are
    rebuilt from their records, so :class:`~cheaplib.claims.Compare`'s tolerance rules
    (half the reference, a "round-off" tolerance above 1 %) apply to what is stored too;
  - with :data:`REQUIRE_KINDS`, a row that does not name its kind of evidence.

Records written before the display fields were stored (no ``digits``) are completed from
the text the cell shows (the digits or format that reproduce it), so the page shows
exactly what the cell shows; a re-execution stores the fields.

Usage (from the repository root): ``python -m tools.claims [--check | --write]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from cheaplib import claims as lib
from cheaplib.claims import (
    EVIDENCE,
    METADATA_KEY,
    STATUSES,
    UNLABELLED,
    Verdict,
    row_from_record,
    verdict_status,
)
from tools.claimlint import lint_notebook

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
LEDGER = CHAPTERS / "claims.yml"
PAGE = ROOT / "claims.md"
ROLES = ("compare", "corrected", "sharper")
SOURCES = {
    "000": "Schwab & Mehta, comment (arXiv:1609.03541)",
    "001": "Lin & Tegmark, preprint (arXiv:1608.08225)",
    "002": "Lin, Tegmark & Rolnick, J. Stat. Phys. 168 (2017)",
    "003": "Berman & Klinger, slides of arXiv:2212.11379",
    "lit:": "a work beyond the four sources, by its key in references.bib",
}
FIELDS = (
    "id",
    "chapter",
    "cell",
    "kind",
    "source",
    "equation",
    "statement",
    "status",
    "show",
    *ROLES,
)
#: Fail on a comparison row without ``kind=`` (on once every chapter labels its rows).
REQUIRE_KINDS = True
#: Rows the lint of :mod:`tools.claimlint` finds today, by (claim id, row name): reported,
#: not failed, until the chapter rewrites them. Remove an entry when it is fixed.
KNOWN_LINT: set[tuple[str, str]] = set()
#: Formats tried, after digits 1..17, to complete a record written without its format.
LEGACY_FORMATS = tuple(f"{{:.{n}f}}" for n in range(7)) + tuple(f"{{:.{n}%}}" for n in range(4))
GLUE_PREFIX = "application/papermill.record/"
_LINE = re.compile(
    r"^  (?P<role>\S+)\s+(?P<name>\S+): measured (?P<measured>.*?), reference "
    r"(?P<reference>.*?), tolerance \S+, margin \S+ \((?:agrees|disagrees)\)"
)


# --- reading the notebooks -----------------------------------------------------------------
def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def scan(chapters: Path = CHAPTERS) -> Iterator[tuple[Path, dict, dict, dict]]:
    """(notebook path, cell, output, record) for every claim record, in book order."""
    for path in sorted(chapters.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            for out in cell.get("outputs", []):
                rec = out.get("metadata", {}).get(METADATA_KEY, {}).get("claim")
                if rec is not None:
                    yield path, cell, out, rec


def glued_in(cell: dict) -> dict[str, str]:
    """Glue key -> glued text of a cell's outputs."""
    found = {}
    for out in cell.get("outputs", []):
        meta = out.get("metadata", {}).get("scrapbook")
        if meta and "name" in meta:
            found[meta["name"]] = _text(out.get("data", {}).get(GLUE_PREFIX + "text/plain", ""))
    return found


def _shown(value: float, digits: int, fmt: str | None) -> str | None:
    try:
        return lib.format_number(value, digits, fmt)
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def _complete_row(rec: dict[str, Any], measured: str | None, reference: str | None) -> dict:
    """``rec`` with the ``digits``/``fmt`` that reproduce the shown texts (legacy records)."""
    if "digits" in rec:
        return rec
    out = {**rec, "digits": 4, "fmt": None, "kind": rec.get("kind")}
    candidates = [(4, None), *((d, None) for d in range(1, 18)), *((4, f) for f in LEGACY_FORMATS)]
    for digits, fmt in candidates:
        trial = row_from_record({**out, "digits": digits, "fmt": fmt})
        t = trial.text("")
        if (measured is None or t["measured"] == measured) and (
            reference is None or t["reference"] == reference
        ):
            return {**out, "digits": digits, "fmt": fmt}
    return out  # nothing reproduces the text: the display check reports it


def complete(rec: dict[str, Any], cell: dict, out: dict) -> dict[str, Any]:
    """The record with every display field, completed from the cell for legacy records."""
    rec = dict(rec)
    plain = _text(out.get("data", {}).get("text/plain", ""))
    rec.setdefault("show", "text/html" in out.get("data", {}))
    lines = [m.groupdict() for m in map(_LINE.match, plain.splitlines()[1:]) if m]
    glued = glued_in(cell)
    k = 0
    for role in ROLES:
        rows = []
        for r in rec.get(role) or []:
            line = lines[k] if k < len(lines) and lines[k]["name"] == r.get("name") else None
            k += 1
            measured = line["measured"] if line else glued.get(f"{rec['id']}.{r.get('name')}")
            rows.append(_complete_row(r, measured, line["reference"] if line else None))
        rec[role] = rows
    return rec


def collect(chapters: Path = CHAPTERS) -> list[dict[str, Any]]:
    """Every claim record stored in the notebooks under ``chapters``, in book order."""
    claims = []
    for path, cell, out, rec in scan(chapters):
        rec = complete(rec, cell, out)
        entry = {"id": rec["id"], "chapter": path.stem, "cell": cell.get("id", "")}
        entry.update({k: rec[k] for k in FIELDS if k in rec and k not in entry})
        claims.append(entry)
    return claims


def display_problems(chapters: Path = CHAPTERS) -> list[str]:
    """Cells whose displayed verdict or glued numbers differ from what their record gives."""
    found = []
    for _, cell, out, rec in scan(chapters):
        where = f"{rec.get('id', '?')} (cell {cell.get('id')})"
        try:
            verdict = Verdict.from_record(complete(rec, cell, out))
            bundle, glued = verdict.bundle(), verdict.glued()
        except (ValueError, TypeError, KeyError) as exc:
            found.append(f"{where}: its record does not make a verdict: {exc}")
            continue
        data = out.get("data", {})
        for mime, text in bundle.items():
            shown = _text(data.get(mime, ""))
            if shown != text:
                at = next(
                    (i for i, (x, y) in enumerate(zip(shown, text, strict=False)) if x != y),
                    min(len(shown), len(text)),
                )
                lo = max(0, at - 40)
                found.append(
                    f"{where}: the cell's {mime} differs from what its record gives: "
                    f"shows ...{shown[lo : at + 40]!r}..., "
                    f"record gives ...{text[lo : at + 40]!r}..."
                )
        extra = set(data) - set(bundle) - {"text/markdown"}
        if extra:
            found.append(f"{where}: the verdict output holds {sorted(extra)} beyond its text")
        in_cell = glued_in(cell)
        for key, text in glued.items():
            if in_cell.get(key) != text:
                found.append(
                    f"{where}: glued {key} is {in_cell.get(key)!r}, its record gives {text!r}"
                )
    return found


def lint_problems(chapters: Path = CHAPTERS) -> tuple[list[str], list[str]]:
    """(new findings of the lint, known ones listed in :data:`KNOWN_LINT`)."""
    new, known = [], []
    for path in sorted(chapters.glob("*.ipynb")):
        for f in lint_notebook(path):
            (known if (f.claim, f.row) in KNOWN_LINT else new).append(f"cannot fail: {f}")
    return new, known


def chapter_titles(chapters: Path = CHAPTERS) -> dict[str, str]:
    """Notebook stem -> its H1 title."""
    titles = {}
    for path in sorted(chapters.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            heads = [ln for ln in "".join(cell["source"]).splitlines() if ln.startswith("# ")]
            if heads:
                titles[path.stem] = heads[0][2:].strip()
                break
    return titles


# --- the rules -------------------------------------------------------------------------------
def comparisons(entry: dict[str, Any]) -> dict[str, list[Any]]:
    """The entry's rows rebuilt (this re-applies the rules of Compare and Bound)."""
    return {role: [row_from_record(r) for r in entry.get(role) or []] for role in ROLES}


def flips(entry: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The status after moving measured values across their tolerances, one test per row.

    Every row the verdict rests on is moved: a row that agrees is moved two tolerances
    away from its reference (past the nearest end of a bound), alone; for a slip, the
    source rows that disagree are moved onto their references together (the source's
    statement made true). Rows of a slip's source that agree are context (parts of the
    statement that hold) and are not moved. Returns (role, names, new status) triples.
    This only shows that no tolerance is infinite; the mutation tests
    (``python -m tools.mutants``) show that the cells see a change of the code.
    """
    rows = comparisons(entry)
    status = verdict_status(*(rows[r] for r in ROLES))
    out = []

    def trial(changes: dict[tuple[str, int], Any]) -> str:
        moved = {r: list(v) for r, v in rows.items()}
        for (role, i), c in changes.items():
            moved[role][i] = c
        return verdict_status(*(moved[r] for r in ROLES))

    for role in ROLES:
        for i, c in enumerate(rows[role]):
            if c.agrees and not (status == "slip in source" and role == "compare"):
                out.append((role, c.name, trial({(role, i): c.moved_past_tolerance()})))
    if status == "slip in source":
        off = {
            ("compare", i): c.made_to_agree() for i, c in enumerate(rows["compare"]) if not c.agrees
        }
        names = ", ".join(rows["compare"][i].name for _, i in off)
        out.append(("compare", names, trial(off)))
    return out


def problems_of(entry: dict[str, Any]) -> list[str]:
    """What is wrong with one ledger entry on its own (vacuity, status, shape, kinds)."""
    where = entry.get("id", "?")
    try:
        rows = comparisons(entry)
    except (ValueError, TypeError, KeyError) as exc:
        return [f"{where}: {exc}"]
    found = []
    status = verdict_status(*(rows[r] for r in ROLES))
    if status != entry.get("status"):
        found.append(f"{where}: status {entry.get('status')!r}, but the numbers give {status!r}")
    if entry.get("status") not in STATUSES:
        found.append(f"{where}: unknown status {entry.get('status')!r}")
    if entry.get("kind", "claim") not in lib.KINDS:
        found.append(f"{where}: unknown kind {entry.get('kind')!r}")
    source = str(entry.get("source", ""))
    if source[:3] not in SOURCES and not source.startswith("lit:"):
        found.append(f"{where}: source must start with a paper number 000-003 or lit:<key>")
    for role, name, new in flips(entry):
        if new == status:
            found.append(f"{where}: moving {role} {name} across its tolerance leaves {new!r}")
    if REQUIRE_KINDS:
        found += [
            f"{where}: {role} row {c.name!r} does not name its kind of evidence "
            f"(kind= one of {EVIDENCE})"
            for role in ROLES
            for c in rows[role]
            if c.kind is None
        ]
    return found


def wide_rows(entries: list[dict[str, Any]]) -> list[str]:
    """Two-sided comparisons whose tolerance is at least half the reference (to be Bounds)."""
    return [
        f"{e['id']} ({e['chapter']}): {role} {c.name} = {c.measured:.6g} against "
        f"{c.reference:.6g} ± {c.tolerance:.3g}"
        for e in entries
        for role, rows in comparisons(e).items()
        for c in rows
        if hasattr(c, "too_wide") and c.too_wide()
    ]


def written_value_problems(chapters: Path = CHAPTERS) -> list[str]:
    """The computed numbers written into the prose that differ from their glued values,
    and the citations and references whose written text is missing or stale (tools.xrefs).
    """
    import nbformat

    from tools import gluetext, xrefs

    found: list[str] = []
    for path in sorted(Path(chapters).glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found += gluetext.problems(nb, path.name)
        found += xrefs.problems(nb, _book_path(path))
    return found


def _book_path(path: Path) -> str:
    """``path`` from the book's root (``chapters/01_x.ipynb``), for tools.xrefs."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return f"chapters/{path.name}"


def fill_written_values(chapters: Path = CHAPTERS) -> int:
    """Write every glued value (tools.gluetext) and the text of every citation and
    reference JupyterLab cannot resolve (tools.xrefs) into the prose; return notebooks
    changed."""
    import nbformat

    from tools import gluetext, xrefs

    changed = 0
    for path in sorted(Path(chapters).glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if gluetext.fill(nb) + xrefs.fill(nb, _book_path(path)):
            nbformat.write(nb, path)
            changed += 1
    return changed


def check(chapters: Path = CHAPTERS, ledger: Path = LEDGER, page: Path = PAGE) -> list[str]:
    """Every disagreement between the ledger, its page, the notebooks and their display."""
    found: list[str] = []
    notebook = collect(chapters)
    counts = Counter(e["id"] for e in notebook)
    found += [f"{k}: recorded by {n} cells" for k, n in counts.items() if n > 1]
    for entry in notebook:
        found += problems_of(entry)
    found += display_problems(chapters)
    found += lint_problems(chapters)[0]
    found += written_value_problems(chapters)
    if not ledger.exists():
        return [*found, f"{ledger} is missing: run `python -m tools.claims --write`"]
    written = yaml.safe_load(ledger.read_text(encoding="utf-8")) or []
    by_id = {e["id"]: e for e in notebook}
    seen = set()
    for entry in written:
        cid = entry.get("id")
        seen.add(cid)
        if cid not in by_id:
            found.append(f"{cid}: in claims.yml but recorded by no check cell")
            continue
        found += problems_of(entry)
        ref = normalise(by_id[cid])
        for key in FIELDS:
            if normalise(entry).get(key) != ref.get(key):
                found.append(
                    f"{cid}: {key} in claims.yml differs from the notebook "
                    f"({normalise(entry).get(key)!r} != {ref.get(key)!r})"
                )
    found += [
        f"{cid}: recorded in the notebooks but not in claims.yml" for cid in by_id.keys() - seen
    ]
    if not page.exists() or page.read_text(encoding="utf-8") != render(
        notebook, chapter_titles(chapters)
    ):
        found.append(f"{page.name} is stale: run `python -m tools.claims --write`")
    return found


def _plain(key: str, value: Any) -> Any:
    if key == "digits" or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(value)


def normalise(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry with every field present and comparisons as plain dicts of floats."""
    out: dict[str, Any] = {k: entry.get(k, "") for k in FIELDS if k not in ROLES}
    out["show"] = entry.get("show", True)
    for role in ROLES:
        out[role] = [{k: _plain(k, v) for k, v in r.items()} for r in entry.get(role) or []]
    return out


# --- writing ---------------------------------------------------------------------------------
def _row(role: str, rec: dict[str, Any]) -> str:
    t = row_from_record(rec).text("")
    cells = [
        role,
        f"`{t['name']}`",
        t["measured"],
        t["reference"],
        t["tolerance"],
        t["margin"],
        t["kind"],
    ]
    return "| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |"


def _reasons(entry: dict[str, Any]) -> str:
    parts = dict.fromkeys(
        f"`{r['name']}`: {r['reason']}"
        for role in ROLES
        for r in entry.get(role) or []
        if r.get("reason")
    )
    return "Tolerances — " + "; ".join(parts) + "." if parts else ""


def _rows(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(role, c) for role, rows in comparisons(entry).items() for c in rows]


def evidence_counts(entries: list[dict[str, Any]]) -> Counter[str]:
    """Rows by kind of evidence (``unlabelled`` for a row without ``kind=``)."""
    return Counter(c.kind or UNLABELLED for e in entries for _, c in _rows(e))


def loosest(entries: list[dict[str, Any]], n: int = 10) -> list[tuple[float, str, str, Any]]:
    """The ``n`` rows with the widest tolerance relative to their reference (or scale).

    Bounds (one-sided, or intervals) are declared statements, not tolerances: left out.
    """
    found = [
        (c.relative_tolerance, e["id"], role, c)
        for e in entries
        for role, c in _rows(e)
        if hasattr(c, "tolerance") and c.tolerance > 0
    ]
    found.sort(key=lambda t: (-t[0], t[1], t[3].name))
    return found[:n]


ENTRY_KINDS = {"claim": "claims of the sources", "exercise": "exercise solutions",
               "method": "method checks"}  # fmt: skip


def render(entries: list[dict[str, Any]], titles: dict[str, str]) -> str:
    """The book page: summaries by chapter, status and kind, the loosest rows, the cards."""
    chapters = list(dict.fromkeys(e["chapter"] for e in entries))
    sourced = [e for e in entries if e.get("kind", "claim") != "method"]
    methods = [e for e in entries if e.get("kind", "claim") == "method"]
    stats = Counter((e["chapter"], e["status"]) for e in sourced)
    total = Counter(e["status"] for e in sourced)
    kinds = Counter(e.get("kind", "claim") for e in entries)
    rows_by = {ch: evidence_counts([e for e in entries if e["chapter"] == ch]) for ch in chapters}
    evidence = (*EVIDENCE, UNLABELLED)
    lines = [
        "(claims-ledger)=",
        "# Claims ledger",
        "",
        "Every claim of the sources that the book checks. Each card shows what the source "
        "states (or implies), what the book measured, the tolerance and its reason, the "
        "margin (tolerance minus the distance; positive means agreement) and the kind of "
        "evidence the reference is: **source** (the value the source states), "
        "**closed-form**, **independent** (another algorithm, library or brute force) or "
        "**regression** (an earlier run of the same code). The status is computed from "
        "those numbers, never typed: **reproduced** when the source's statement agrees "
        "within tolerance, **refined** when it agrees and a sharper statement is checked "
        "too, **slip in source** when it does not agree and the corrected statement does, "
        "**regression only** when it passes but rests only on regression values. Checks "
        "of the book's own tools (method checks) are listed apart and not counted as "
        "claims of the sources. The page is generated from the executed notebooks by "
        "`python -m tools.claims --write`; `make test` fails if the ledger, this page or a "
        "verdict drifts from what the notebooks show, or if any verdict could not fail.",
        "",
        "Sources are named by a code: **000** the comment by Schwab and Mehta "
        "{cite}`schwab2016comment`; **001** the preprint of Lin and Tegmark "
        "{cite}`lin2016preprint`; **002** its journal version with Rolnick "
        "{cite}`lin2017deep`; **003** the slides of Berman and Klinger on exact "
        "renormalization as inverse Bayesian inference {cite}`berman2024inverse`. "
        "Works beyond these four are named by their bibliography key (`lit:key`).",
        "",
        f"{len(entries)} entries ({kinds.get('claim', 0)} claims of the sources, "
        f"{kinds.get('exercise', 0)} exercise solutions, {kinds.get('method', 0)} method "
        "checks). Claims and exercises: "
        + ", ".join(f"{total.get(s, 0)} {s}" for s in STATUSES)
        + ".",
        "",
        "| chapter | " + " | ".join(STATUSES) + " | all | method checks |",
        "| --- | " + " | ".join("---" for _ in STATUSES) + " | --- | --- |",
    ]
    for ch in chapters:
        counts = [stats.get((ch, s), 0) for s in STATUSES]
        n_methods = sum(e["chapter"] == ch for e in methods)
        lines.append(
            f"| {{ref}}`{titles.get(ch, ch)} <claims-{ch}>` | "
            + " | ".join(str(n) for n in counts)
            + f" | {sum(counts)} | {n_methods} |"
        )
    lines += [
        "",
        "Comparison rows by kind of evidence:",
        "",
        "| chapter | " + " | ".join(evidence) + " |",
        "| --- | " + " | ".join("---" for _ in evidence) + " |",
    ]
    for ch in chapters:
        lines.append(
            f"| {titles.get(ch, ch)} | "
            + " | ".join(str(rows_by[ch].get(k, 0)) for k in evidence)
            + " |"
        )
    lines += [
        "",
        "The ten loosest tolerances (relative to the reference, or to the stated scale "
        "for a reference of 0):",
        "",
        "| claim | quantity | measured | reference | tolerance | relative |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for rel, cid, _, c in loosest(entries):
        t = c.text("")
        lines.append(
            f'| <a href="#claim-{cid}"><code>{cid}</code></a> | `{c.name}` | {t["measured"]} | '
            f"{t['reference']} | "
            f"{t['tolerance']} | {rel:.2g} |"
        )
    lines += ["", "Sources: " + "; ".join(f"{k} = {v}" for k, v in SOURCES.items()) + ".", ""]
    for ch in chapters:
        lines += [f"(claims-{ch})=", f"## {titles.get(ch, ch)}", ""]
        lines += [f"Checked in {{doc}}`chapters/{ch}`.", ""]
        groups = [
            (f"{s.capitalize()}", [e for e in sourced if e["chapter"] == ch and e["status"] == s])
            for s in STATUSES
        ] + [("Method checks", [e for e in methods if e["chapter"] == ch])]
        for title, group in groups:
            if not group:
                continue
            lines += [f"### {title} ({len(group)})", ""]
            for e in group:
                lines += _card(e, ch)
    return "\n".join(lines).rstrip() + "\n"


def _card(e: dict[str, Any], ch: str) -> list[str]:
    status = e["status"]
    where = e["source"] + (f", eq. {e['equation']}" if e.get("equation") else "")
    label = {"exercise": " · exercise", "method": " · method check"}.get(e.get("kind", ""), "")
    lines = [
        f'<div class="claim-card claim-{status.replace(" ", "-")}" id="claim-{e["id"]}">',
        "",
        f"**`{e['id']}`** — {where}{label} — **{status}** — "
        f'<a href="chapters/{ch}.html#check-{e["id"]}">check cell</a>',
        "",
        e["statement"].replace("\n", " "),
        "",
        "| against | quantity | measured | reference | tolerance | margin | evidence |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for role in ROLES:
        lines += [_row(role if role != "compare" else "source", r) for r in e.get(role) or []]
    reasons = _reasons(e)
    return lines + (["", reasons, "", "</div>", ""] if reasons else ["", "</div>", ""])


def write(
    chapters: Path = CHAPTERS, ledger: Path = LEDGER, page: Path = PAGE
) -> list[dict[str, Any]]:
    """Write ``claims.yml`` and ``claims.md`` from the notebooks; return the entries."""
    entries = [normalise(e) for e in collect(chapters)]
    header = (
        "# The claims ledger, generated from the executed notebooks by\n"
        "# `python -m tools.claims --write`; `make test` fails if it differs from them.\n"
        "# Do not edit by hand: change the check cell, re-execute, and regenerate.\n"
    )
    body = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=100)
    ledger.write_text(header + body, encoding="utf-8")
    page.write_text(render(entries, chapter_titles(chapters)), encoding="utf-8")
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail on any disagreement (default)")
    mode.add_argument("--write", action="store_true", help="regenerate claims.yml and claims.md")
    args = parser.parse_args(argv)
    if args.write:
        filled = fill_written_values()
        if filled:
            print(f"computed values written into the prose of {filled} notebook(s)")
        entries = write()
        bad = [p for e in entries for p in problems_of(e)] + display_problems()
        print(f"wrote {LEDGER.relative_to(ROOT)} and {PAGE.name}: {len(entries)} entries")
        if bad:
            print("problems:\n  " + "\n  ".join(bad), file=sys.stderr)
            return 1
        return 0
    found = check()
    if found:
        print(
            "the claims ledger disagrees with the notebooks:\n  " + "\n  ".join(found),
            file=sys.stderr,
        )
        return 1
    entries = collect()
    known = lint_problems()[1]
    wide = wide_rows(entries)
    unlabelled = evidence_counts(entries).get(UNLABELLED, 0)
    print(
        f"claims ledger consistent: {len(entries)} entries, every displayed verdict rebuilt "
        "from its record"
    )
    if known:
        print(f"{len(known)} known row(s) that cannot fail (KNOWN_LINT):\n  " + "\n  ".join(known))
    if wide:
        print(
            f"{len(wide)} row(s) with a tolerance of at least half the reference "
            "(to become Bounds before STRICT_TOLERANCES):\n  " + "\n  ".join(wide)
        )
    if unlabelled:
        print(f"{unlabelled} row(s) without a kind of evidence (before REQUIRE_KINDS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
