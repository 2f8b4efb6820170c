"""The launch cell: the first code cell of every chapter, which checks for cheaplib.

A chapter opened outside a set-up clone (a downloaded ``.ipynb``, a notebook server of
one's own) may run where the book's package is not installed.  Its first code cell
imports ``cheaplib`` and, only when that fails, stops the notebook with a plain message
that says how to get it: a clone of the book set up with ``make book``, or a wheel of
cheaplib (``pip wheel . --no-deps`` in a clone) installed with pip.  No traceback, and no
install from an address that may not exist: the book's repository is not public yet, so
the book offers no Binder or Colab button (``_config.yml`` names the repository in one
place, ``repository.url``, for the day it is).  When cheaplib is present (a clone set up
with ``make``, CI) the cell does nothing and prints nothing, so strict nbval sees no
output.

The cell has the id ``install-cheaplib`` and the tag ``hide-input``: a live notebook shows
it, the HTML book folds it.  It sits just before the chapter's first other code cell,
after the title and the opening box.

Usage::

    python -m tools.launch_cell --print            # show the cell
    python -m tools.launch_cell --apply [NB ...]   # insert or update it (default: chapters)
    python -m tools.launch_cell --check [NB ...]   # exit 1 if any notebook's cell differs

``--apply`` leaves the new cell unexecuted: re-execute the notebooks afterwards
(``python -m tools.execute_notebooks``) so that execution counts run 1..N again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CELL_ID = "install-cheaplib"
TAGS = ["hide-input"]

MESSAGE_LINES = (
    "This notebook needs the book's package, cheaplib, which is not installed",
    "in this kernel. In a clone of the book, run `make book` (it creates .venv",
    "with cheaplib and every pinned package) and open the notebook with",
    "`.venv/bin/jupyter lab chapters/`; or install a cheaplib wheel (`pip wheel",
    ". --no-deps` in a clone) into this environment and restart the kernel.",
)
MESSAGE = " ".join(MESSAGE_LINES)

TEMPLATE = """\
# The book's package, cheaplib, does the computing in every cell below.
try:
    import cheaplib  # noqa: F401
except ImportError:
    raise SystemExit(
{lines}
    ) from None"""


def cell_source() -> str:
    """The source of the launch cell."""
    parts = [line + " " for line in MESSAGE_LINES[:-1]] + [MESSAGE_LINES[-1]]
    quoted = ['"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"' for part in parts]
    return TEMPLATE.format(lines="\n".join(f"        {q}" for q in quoted))


def _is_current(cell: Any, source: str) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    return cell.get("cell_type") == "code" and cell.get("source") == source and tags == TAGS


def _position(nb: Any) -> int:
    """Index of the first code cell other than the launch cell (or the end)."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.get("id") != CELL_ID:
            return i
    return len(nb.cells)


def problem(nb: Any, source: str) -> str | None:
    """Why ``nb`` does not have the current launch cell in place, or ``None``."""
    found = [i for i, c in enumerate(nb.cells) if c.get("id") == CELL_ID]
    if not found:
        return f"no cell with id {CELL_ID!r}"
    if len(found) > 1:
        return f"{len(found)} cells with id {CELL_ID!r}"
    (i,) = found
    if not _is_current(nb.cells[i], source):
        return "the launch cell differs from tools/launch_cell.py's (run --apply)"
    codes = [j for j, c in enumerate(nb.cells) if c.cell_type == "code"]
    if codes[0] != i:
        return "the launch cell is not the first code cell"
    return None


def apply(path: Path, source: str) -> bool:
    """Insert or update the launch cell of ``path``; return whether the file changed.

    A launch cell already first among the code cells gets the new source in place,
    keeping its execution count (it prints nothing where cheaplib is installed, so its
    outputs stay what they were); a missing or misplaced one is inserted unexecuted.
    """
    nb = nbformat.read(path, as_version=4)
    if problem(nb, source) is None:
        return False
    found = [c for c in nb.cells if c.get("id") == CELL_ID]
    codes = [c for c in nb.cells if c.cell_type == "code"]
    if len(found) == 1 and codes and codes[0] is found[0] and not found[0].get("outputs"):
        found[0].source = source
        found[0].metadata["tags"] = list(TAGS)
        nbformat.validate(nb)
        nbformat.write(nb, path)
        return True
    nb.cells = [c for c in nb.cells if c.get("id") != CELL_ID]
    cell = nbformat.v4.new_code_cell(source=source)
    cell.id = CELL_ID
    cell.metadata = dict(found[0].metadata) if found else {}
    cell.metadata["tags"] = list(TAGS)
    nb.cells.insert(_position(nb), cell)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return True


def chapters() -> list[Path]:
    """The chapter notebooks, in order."""
    return sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--apply", action="store_true", help="insert or update the cell")
    mode.add_argument("--check", action="store_true", help="fail if a cell differs")
    mode.add_argument("--print", action="store_true", help="print the cell's source")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter")
    args = parser.parse_args(argv)
    source = cell_source()
    if args.print:
        print(source)
        return 0
    paths = args.notebooks or chapters()
    if args.apply:
        for path in paths:
            if apply(path, source):
                print(f"{path}: launch cell written (re-execute this notebook)")
        return 0
    bad = 0
    for path in paths:
        why = problem(nbformat.read(path, as_version=4), source)
        if why:
            bad += 1
            print(f"{path}: {why}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
