"""Generate the book page ``claims.md`` from ``chapters/claims.yml``.

Usage: python tools/make_ledger.py [--check]
With ``--check`` nothing is written; the exit code says whether ``claims.md`` is current.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cheaplib.ledger import load, render_markdown, validate

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "chapters" / "claims.yml"
PAGE = ROOT / "claims.md"


def chapter_titles() -> dict[str, str]:
    titles = {}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            heads = [ln for ln in "".join(cell["source"]).splitlines() if ln.startswith("# ")]
            if heads:
                titles[path.stem] = heads[0][2:].strip()
                break
    return titles


def build_page() -> str:
    entries = load(LEDGER)
    problems = validate(entries, ROOT / "chapters")
    if problems:
        raise SystemExit("ledger does not match the notebooks:\n  " + "\n  ".join(problems))
    return render_markdown(entries, chapter_titles())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = build_page()
    if args.check:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            print("claims.md is stale: run `make ledger`", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
