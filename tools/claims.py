"""The claims ledger: built from the executed notebooks, checked against them.

Every check cell of a chapter calls :func:`cheaplib.claims.check`, which stores a record
(the claim, its numeric comparisons and the status computed from them) in the metadata of
one of the cell's outputs. This tool reads those records from the committed notebooks and

* ``--write`` writes ``chapters/claims.yml`` (the ledger) and ``claims.md`` (its book page);
* ``--check`` (the default; ``make claims``, part of ``make test``) fails on any
  disagreement between ``claims.yml`` and the notebooks — an id, a status, a measured or
  reference value, a tolerance, a statement — on a stale ``claims.md``, and on any claim
  whose verdict could not fail:

  - every tolerance must be finite and narrower than its reference (or, for a zero
    reference, than the quantity's stated scale);
  - the recorded status must be the one the numbers earn (recomputed here);
  - moving any one measured value to the other side of its tolerance must change the
    verdict (shown for every comparison of every claim).

Usage (from the repository root): ``python -m tools.claims [--check | --write]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from cheaplib.claims import METADATA_KEY, STATUSES, Compare, verdict_status

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
FIELDS = ("id", "chapter", "cell", "kind", "source", "equation", "statement", "status", *ROLES)


# --- reading the notebooks -----------------------------------------------------------------
def collect(chapters: Path = CHAPTERS) -> list[dict[str, Any]]:
    """Every claim record stored in the notebooks under ``chapters``, in book order."""
    claims = []
    for path in sorted(chapters.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            for out in cell.get("outputs", []):
                rec = out.get("metadata", {}).get(METADATA_KEY, {}).get("claim")
                if rec is None:
                    continue
                entry = {"id": rec["id"], "chapter": path.stem, "cell": cell.get("id", "")}
                entry.update({k: rec[k] for k in FIELDS if k in rec and k not in entry})
                claims.append(entry)
    return claims


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
def comparisons(entry: dict[str, Any]) -> dict[str, list[Compare]]:
    """The entry's comparisons rebuilt (this re-applies the vacuity rules of Compare)."""
    return {role: [Compare.from_record(r) for r in entry.get(role) or []] for role in ROLES}


def flips(entry: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The status after moving measured values across their tolerances, one test per row.

    Every row the verdict rests on is moved: a row that agrees is moved two tolerances
    away from its reference (alone); for a slip, the source rows that disagree are moved
    onto their references together (the source's statement made true). Rows of a slip's
    source that agree are context (parts of the statement that hold) and are not moved.
    Returns (role, names, new status) triples.
    """
    rows = comparisons(entry)
    status = verdict_status(*(rows[r] for r in ROLES))
    out = []

    def trial(changes: dict[tuple[str, int], Compare]) -> str:
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
            ("compare", i): Compare.from_record({**c.record(), "measured": c.reference})
            for i, c in enumerate(rows["compare"])
            if not c.agrees
        }
        names = ", ".join(rows["compare"][i].name for _, i in off)
        out.append(("compare", names, trial(off)))
    return out


def problems_of(entry: dict[str, Any]) -> list[str]:
    """What is wrong with one ledger entry on its own (vacuity, status, shape)."""
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
    source = str(entry.get("source", ""))
    if source[:3] not in SOURCES and not source.startswith("lit:"):
        found.append(f"{where}: source must start with a paper number 000-003 or lit:<key>")
    for role, name, new in flips(entry):
        if new == status:
            found.append(f"{where}: moving {role} {name} across its tolerance leaves {new!r}")
    return found


def check(chapters: Path = CHAPTERS, ledger: Path = LEDGER, page: Path = PAGE) -> list[str]:
    """Every disagreement between the ledger, its page and the notebooks."""
    found: list[str] = []
    notebook = collect(chapters)
    counts = Counter(e["id"] for e in notebook)
    found += [f"{k}: recorded by {n} cells" for k, n in counts.items() if n > 1]
    for entry in notebook:
        found += problems_of(entry)
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


def normalise(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry with every field present and comparisons as plain dicts of floats."""
    out: dict[str, Any] = {k: entry.get(k, "") for k in FIELDS if k not in ROLES}
    for role in ROLES:
        out[role] = [
            {
                k: (float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
                for k, v in r.items()
            }
            for r in entry.get(role) or []
        ]
    return out


# --- writing ---------------------------------------------------------------------------------
def _row(role: str, rec: dict[str, Any]) -> str:
    t = Compare.from_record(rec).text("")
    cells = [role, f"`{t['name']}`", t["measured"], t["reference"], t["tolerance"], t["margin"]]
    return "| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |"


def _reasons(entry: dict[str, Any]) -> str:
    parts = dict.fromkeys(
        f"`{r['name']}`: {r['reason']}"
        for role in ROLES
        for r in entry.get(role) or []
        if r.get("reason")
    )
    return "Tolerances — " + "; ".join(parts) + "." if parts else ""


def render(entries: list[dict[str, Any]], titles: dict[str, str]) -> str:
    """The book page: a summary by chapter and status, then one card per claim."""
    stats = Counter((e["chapter"], e["status"]) for e in entries)
    chapters = list(dict.fromkeys(e["chapter"] for e in entries))
    total = Counter(e["status"] for e in entries)
    kinds = Counter(e.get("kind", "claim") for e in entries)
    lines = [
        "(claims-ledger)=",
        "# Claims ledger",
        "",
        "Every claim of the sources that the book checks. Each card shows what the source "
        "states (or implies), what the book measured, the tolerance and its reason, and the "
        "margin (tolerance minus the distance; positive means agreement). The status is "
        "computed from those numbers, never typed: **reproduced** when the source's "
        "statement agrees within tolerance, **refined** when it agrees and a sharper "
        "statement is checked too, **slip in source** when it does not agree and the "
        "corrected statement does. The page is generated from the executed notebooks by "
        "`python -m tools.claims --write`; `make test` fails if the ledger, this page or a "
        "verdict drifts from what the notebooks compute, or if any verdict could not fail.",
        "",
        f"{len(entries)} entries ({kinds.get('claim', 0)} claims of the sources, "
        f"{kinds.get('exercise', 0)} exercise solutions): "
        + ", ".join(f"{total.get(s, 0)} {s}" for s in STATUSES)
        + ".",
        "",
        "| chapter | " + " | ".join(STATUSES) + " | all |",
        "| --- | " + " | ".join("---" for _ in STATUSES) + " | --- |",
    ]
    for ch in chapters:
        counts = [stats.get((ch, s), 0) for s in STATUSES]
        lines.append(
            f"| {{ref}}`{titles.get(ch, ch)} <claims-{ch}>` | "
            + " | ".join(str(n) for n in counts)
            + f" | {sum(counts)} |"
        )
    lines += ["", "Sources: " + "; ".join(f"{k} = {v}" for k, v in SOURCES.items()) + ".", ""]
    for ch in chapters:
        lines += [f"(claims-{ch})=", f"## {titles.get(ch, ch)}", ""]
        lines += [f"Checked in {{doc}}`chapters/{ch}`.", ""]
        for status in STATUSES:
            group = [e for e in entries if e["chapter"] == ch and e["status"] == status]
            if not group:
                continue
            lines += [f"### {status.capitalize()} ({len(group)})", ""]
            for e in group:
                where = e["source"] + (f", eq. {e['equation']}" if e.get("equation") else "")
                label = " · exercise" if e.get("kind") == "exercise" else ""
                lines += [
                    f'<div class="claim-card claim-{status.replace(" ", "-")}" '
                    f'id="claim-{e["id"]}">',
                    "",
                    f"**`{e['id']}`** — {where}{label} — **{status}** — "
                    f'<a href="chapters/{ch}.html#check-{e["id"]}">check cell</a>',
                    "",
                    e["statement"].replace("\n", " "),
                    "",
                    "| against | quantity | measured | reference | tolerance | margin |",
                    "| --- | --- | --- | --- | --- | --- |",
                ]
                for role in ROLES:
                    lines += [
                        _row(role if role != "compare" else "source", r) for r in e.get(role) or []
                    ]
                reasons = _reasons(e)
                lines += ["", reasons, "", "</div>", ""] if reasons else ["", "</div>", ""]
    return "\n".join(lines).rstrip() + "\n"


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
        entries = write()
        bad = [p for e in entries for p in problems_of(e)]
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
    n_flips = sum(len(flips(e)) for e in entries)
    print(
        f"claims ledger consistent: {len(entries)} entries; all {n_flips} flip tests "
        "(each row a verdict rests on, moved across its tolerance) change the verdict"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
