"""Mutation tests of the check cells: does a check see a change of the library behind it?

For each chapter, one kernel executes the notebook top to bottom (as strict nbval does).
At each check cell (a cell whose committed outputs hold a claim record), after it has run
normally, every cheaplib function the cell calls (``f(...)`` or ``module.f(...)``, found
with :mod:`ast` and resolved in the kernel) is wrapped in turn so that its numeric return
value is multiplied by ``1 + EPS`` (floats, ints, arrays, and the numbers inside tuples,
lists, dicts and dataclasses), and the cell is run again. The mutant is *killed* when the
cell raises or its text outputs (text/plain, text/html, streams, glued values, after the
sanitizer of strict nbval) differ from the committed ones: what strict nbval would see.

A cell that calls no cheaplib function itself is mutated through its producer: the
nearest earlier cell that assigns a name the check cell reads and calls cheaplib
functions; both are re-run, the producer mutated. Before any mutant, the same re-run
without mutation must reproduce the committed outputs (else the cell is reported as not
re-runnable, e.g. it draws from a generator defined earlier); after the mutants, the
unmutated re-run restores the kernel's state for the cells below.

A mutant whose wrapped function returned no non-zero number during the run (not called,
it returns a string, a bool or an object without numeric fields, or only zeros, which a
factor leaves unchanged) is *not applicable* and not counted.

A mutant that is not killed is *equivalent* when every number of the cell's claim records
(the measured values, references and bounds in the output metadata, at full precision) is
that of the unmutated re-run within :data:`UNREACHED` (a ten-thousandth of the mutation:
round-off, or the stopping tolerance of an iterative fit), relative to the number or to
its row's natural size (``|reference|``, or ``scale`` for a quantity that should vanish,
so that a residual of 1e-16 scaled by the mutant is still a residual of 1e-16; without a
size a zero must stay zero): the change never reached what the claim records (the
function's value is normalised away, a ratio of two of its outputs, a scale a fit
standardises, a residual at round-off, or only its sign, argmax or ordering is used).
Equivalents are listed apart and not counted; the kill rate is killed / (killed +
survived). A survivor changed a recorded number and the check did not see it. (A cell that
rounds a value itself before recording it makes its mutants look equivalent: the list of
equivalents is printed so that a reader can judge them.)

With ``--wide`` the measurement reaches further, for the check cells it otherwise skips:
methods of cheaplib objects (``classes.evidence(x)``, wrapped on their class for the run)
are mutated too, and a check cell may serve as the producer of a later one. A mutant that
makes such a producer's own check fail was seen by that check, not by the consumer: it is
listed as *seen upstream* and not counted for the consumer.

Usage (from the repository root; slow, run by its own Makefile target)::

    python -m tools.mutants [--chapters 02 07] [--limit N] [--per-cell K] [--fail-under 95]
                            [--wide] [--json FILE]

prints, per chapter and overall, the mutants killed, the kill rate and the survivors.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
EPS = 1e-3
#: Relative change of a recorded number below which a mutant did not reach it: 1e-4 of
#: EPS, above round-off and the stopping tolerances of the fits (a fit that standardises
#: its features moves by ~1e-9 when they are scaled by 1 + EPS), far below EPS itself.
UNREACHED = 1e-4 * EPS
METADATA_KEY = "deep-and-cheap"
#: Modules whose functions are the book's machinery, not the computations behind a claim.
NOT_MUTATED = ("cheaplib.claims", "cheaplib.plotting", "cheaplib.widgets", "cheaplib.validation")
TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex")
GLUE_PREFIX = "application/papermill.record/"

_HELPER = r"""
def __mut_install():
    import dataclasses, inspect, sys
    import numpy as _np

    state = {"hits": 0}
    skip = %(skip)r
    wide = %(wide)r

    def method(obj, name):
        # a plain function of a cheaplib class, reached through an instance (--wide)
        cls = type(obj)
        if not wide or not (cls.__module__ or "").startswith("cheaplib."):
            return None
        found = inspect.getattr_static(cls, name, None)
        return found if inspect.isfunction(found) else None

    def resolve(dotted):
        parts = dotted.split(".")
        g = globals()
        if parts[0] not in g:
            return None
        obj = g[parts[0]]
        for i, p in enumerate(parts[1:]):
            if not inspect.ismodule(obj):
                if i != len(parts) - 2:
                    return None
                obj = method(obj, p)
                break
            obj = getattr(obj, p, None)
        mod = getattr(obj, "__module__", "") or ""
        if (
            callable(obj)
            and not inspect.isclass(obj)
            and mod.startswith("cheaplib.")
            and not mod.startswith(skip)
        ):
            return obj
        return None

    def targets(names):
        return [n for n in names if resolve(n) is not None]

    def integral(v):
        if isinstance(v, (bool, int, _np.bool_, _np.integer)):
            return True
        return isinstance(v, _np.ndarray) and v.dtype.kind in "biu"

    def scale(r, f):
        if r is None or isinstance(r, (bool, _np.bool_, str, bytes)):
            return r
        if isinstance(r, (int, float, _np.integer, _np.floating)):
            state["hits"] += bool(r != 0)  # x 1.001 changes nothing of a zero
            return r * f
        if isinstance(r, _np.ndarray):
            if r.dtype.kind in "iuf" and r.size:
                state["hits"] += bool(_np.any(r != 0))
                return r * f
            return r
        if isinstance(r, tuple) and hasattr(r, "_fields"):
            return type(r)(*[scale(x, f) for x in r])
        if isinstance(r, (list, tuple)):
            return type(r)(scale(x, f) for x in r)
        if isinstance(r, dict):
            return {k: scale(v, f) for k, v in r.items()}
        if dataclasses.is_dataclass(r) and not isinstance(r, type):
            # Only the real-valued fields: an object's integer fields are its sizes and
            # counts (which its own validation holds to integers), not its numbers.  A
            # rebuild the object refuses mutates nothing: not counted as applied.
            hits = state["hits"]
            changes = {
                fl.name: scale(getattr(r, fl.name), f)
                for fl in dataclasses.fields(r)
                if fl.init and not integral(getattr(r, fl.name))
            }
            try:
                return dataclasses.replace(r, **changes)
            except Exception:
                state["hits"] = hits
                return r
        return r

    patched = []

    def patch(dotted, f):
        parts = dotted.split(".")
        orig = resolve(dotted)

        def wrapper(*a, **k):
            return scale(orig(*a, **k), f)

        wrapper.__wrapped__ = orig
        if len(parts) == 1:
            owner_set = lambda v: globals().__setitem__(parts[0], v)
        else:
            owner = globals()[parts[0]]
            for p in parts[1:-1]:
                owner = getattr(owner, p)
            if not inspect.ismodule(owner):
                owner = type(owner)  # a method: wrapped on the class for the run
            owner_set = lambda v, o=owner, a=parts[-1]: setattr(o, a, v)
        owner_set(wrapper)
        patched.append((owner_set, orig))
        state["hits"] = 0

    def unpatch():
        while patched:
            owner_set, orig = patched.pop()
            owner_set(orig)
        return state["hits"]

    return targets, patch, unpatch


__mut_targets, __mut_patch, __mut_unpatch = __mut_install()
del __mut_install
"""


# --- reading the notebook --------------------------------------------------------------------
def _source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def claim_ids(cell: dict) -> list[str]:
    """The claim ids recorded by a cell's committed outputs."""
    return [
        out["metadata"][METADATA_KEY]["claim"]["id"]
        for out in cell.get("outputs", [])
        if "claim" in out.get("metadata", {}).get(METADATA_KEY, {})
    ]


def _tree(source: str) -> ast.AST | None:
    code = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines())
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def called_names(source: str) -> list[str]:
    """Dotted names of the functions a cell calls (``f``, ``mod.f``), in order, once each."""
    tree = _tree(source)
    if tree is None:
        return []
    names = [_dotted(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    return list(dict.fromkeys(n for n in names if n))


def read_names(source: str) -> set[str]:
    """Names a cell reads."""
    tree = _tree(source)
    if tree is None:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def assigned_names(source: str) -> set[str]:
    """Names a cell assigns (targets of assignments, loops, with, imports, defs)."""
    tree = _tree(source)
    if tree is None:
        return set()
    found = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    found |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    return found


# --- comparing outputs -----------------------------------------------------------------------
def _sanitizer() -> list[tuple[re.Pattern[str], str]]:
    rules, current = [], {}
    cfg = CHAPTERS / "sanitize.cfg"
    for line in cfg.read_text(encoding="utf-8").splitlines() if cfg.exists() else []:
        if line.startswith("regex:"):
            current["regex"] = line.split(":", 1)[1].strip()
        elif line.startswith("replace:"):
            rules.append((re.compile(current["regex"]), line.split(":", 1)[1].strip()))
    return rules


SANITIZE = _sanitizer()


def _clean(text: str) -> str:
    for pattern, repl in SANITIZE:
        text = pattern.sub(repl, text)
    return text


def shown_text(outputs: list[dict]) -> list[tuple[str, str]]:
    """The text outputs strict nbval compares, streams merged, sanitized."""
    found: list[tuple[str, str]] = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = "".join(out.get("text", ""))
            if found and found[-1][0] == "stream:" + out.get("name", ""):
                found[-1] = (found[-1][0], found[-1][1] + text)
            else:
                found.append(("stream:" + out.get("name", ""), text))
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {})
            for mime in sorted(data):
                if mime in TEXT_MIMES or mime.startswith(GLUE_PREFIX):
                    if "image/png" in data and mime == "text/plain":
                        continue  # a figure's repr: nbval's figure plugin compares pixels
                    found.append((mime, "".join(data[mime])))
        elif kind == "error":
            found.append(("error", out.get("ename", "")))
    return [(k, _clean(v)) for k, v in found]


def recorded_numbers(outputs: list[dict]) -> list[tuple[str, str, str, float, float]]:
    """Every number of the claim records in ``outputs`` as (claim id, role:name, field,
    value, size of its row), at full precision: what a mutant must change to be more than
    *equivalent*. The size is ``max(|reference|, scale)`` (0 for a bound)."""
    found = []
    for out in outputs:
        rec = out.get("metadata", {}).get(METADATA_KEY, {}).get("claim")
        if not rec:
            continue
        for role in ("compare", "corrected", "sharper"):
            for row in rec.get(role) or []:
                size = max(abs(row.get("reference") or 0.0), abs(row.get("scale") or 0.0))
                for key in ("measured", "reference", "lower", "upper"):
                    value = row.get(key)
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        name = f"{role}:{row.get('name')}"
                        found.append((rec.get("id", ""), name, key, value, size))
    return found


def unchanged(mutated: list[tuple], baseline: list[tuple]) -> bool:
    """Whether the recorded numbers of a mutant are the baseline's within :data:`UNREACHED`
    (relative to the larger of the two numbers and the baseline row's size)."""
    if not baseline or [m[:3] for m in mutated] != [b[:3] for b in baseline]:
        return False
    return all(
        abs(m[3] - b[3]) <= UNREACHED * max(abs(m[3]), abs(b[3]), b[4])
        for m, b in zip(mutated, baseline, strict=True)
    )


# --- the kernel ------------------------------------------------------------------------------
class Kernel:
    """One kernel, in ``chapters/``, running code and collecting its outputs."""

    def __init__(self, timeout: float = 300.0) -> None:
        from jupyter_client.manager import KernelManager

        self.timeout = timeout
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(CHAPTERS))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def run(self, code: str) -> tuple[list[dict], str | None]:
        """(outputs, error text or None)."""
        outputs: list[dict] = []
        error: list[str] = []

        def hook(msg: dict) -> None:
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"],
                                "text": content["text"]})  # fmt: skip
            elif kind in ("display_data", "execute_result"):
                outputs.append({"output_type": kind, "data": content["data"],
                                "metadata": content.get("metadata", {})})  # fmt: skip
            elif kind == "error":
                error.append(f"{content['ename']}: {content['evalue']}"[:300])
            elif kind == "clear_output":
                outputs.clear()

        try:
            self.kc.execute_interactive(
                code, output_hook=hook, timeout=self.timeout, allow_stdin=False
            )
        except TimeoutError:
            self.km.interrupt_kernel()
            error.append(f"timeout after {self.timeout:g} s")
        return outputs, (error[0] if error else None)

    def value(self, expression: str) -> Any:
        """A JSON value computed in the kernel."""
        outputs, err = self.run(f"import json as __j; print(__j.dumps({expression}))")
        if err:
            raise RuntimeError(err)
        text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
        return json.loads(text.strip().splitlines()[-1])

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


# --- the mutation run ------------------------------------------------------------------------
@dataclass
class Result:
    """The mutants of one chapter."""

    chapter: str
    killed: list[tuple[str, str, str]] = field(default_factory=list)
    survived: list[tuple[str, str, str]] = field(default_factory=list)
    not_applicable: list[tuple[str, str, str]] = field(default_factory=list)
    equivalent: list[tuple[str, str, str]] = field(default_factory=list)
    upstream: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    claims: set[str] = field(default_factory=set)
    seconds: float = 0.0


def _producer(
    cells: list[dict], index: int, kernel: Kernel, wide: bool = False
) -> tuple[int, list[str]] | None:
    """The nearest earlier code cell assigning a name the check cell reads, with its
    cheaplib calls (None if there is none within the chapter); a check cell only when
    ``wide``."""
    wanted = read_names(_source(cells[index]))
    for j in range(index - 1, -1, -1):
        cell = cells[j]
        if cell.get("cell_type") != "code" or "nbval-skip" in _tags(cell):
            continue
        if claim_ids(cell) and not wide:
            continue
        if assigned_names(_source(cell)) & wanted:
            targets = kernel.value(f"__mut_targets({called_names(_source(cell))!r})")
            if targets:
                return j, targets
    return None


def mutate_chapter(
    path: Path,
    limit: int | None = None,
    per_cell: int | None = None,
    log: Any = print,
    wide: bool = False,
) -> Result:
    """Run every mutant of the check cells of one notebook (see the module doc)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    result = Result(path.stem)
    start = time.perf_counter()
    kernel = Kernel()
    try:
        kernel.run(_HELPER % {"skip": NOT_MUTATED, "wide": wide})
        done = 0
        for i, cell in enumerate(cells):
            if cell.get("cell_type") != "code" or "nbval-skip" in _tags(cell):
                continue
            outputs, err = kernel.run(_source(cell))
            ids = claim_ids(cell)
            if not ids or (limit is not None and done >= limit):
                if err and "raises-exception" not in _tags(cell):
                    log(f"  {path.stem} cell {cell.get('id')}: {err}")
                continue
            done += 1
            where = f"{cell.get('id')} ({', '.join(ids)})"
            committed = shown_text(cell.get("outputs", []))
            if err or shown_text(outputs) != committed:
                result.skipped.append((where, "its first run differs from the committed one"))
                continue
            targets = kernel.value(f"__mut_targets({called_names(_source(cell))!r})")
            sequence = [i]
            if not targets:
                found = _producer(cells, i, kernel, wide)
                if found is None:
                    result.skipped.append((where, "no cheaplib call in the cell or its producer"))
                    continue
                j, targets = found
                sequence = [j, i]

            failed_at: list[int] = []

            def rerun(
                sequence: list[int] = sequence, failed_at: list[int] = failed_at
            ) -> tuple[list[dict], str | None]:
                out: tuple[list[dict], str | None] = ([], None)
                failed_at.clear()
                for k in sequence:
                    out = kernel.run(_source(cells[k]))
                    if out[1]:
                        failed_at.append(k)
                        return out
                return out

            outputs, err = rerun()
            if err or shown_text(outputs) != committed:
                result.skipped.append((where, "not re-runnable (a re-run changes its output)"))
                rerun()
                continue
            baseline = recorded_numbers(outputs)
            for name in targets[:per_cell]:
                kernel.run(f"__mut_patch({name!r}, {1 + EPS!r})")
                outputs, err = rerun()
                hits = kernel.value("__mut_unpatch()")
                row = (where, name, err or "")
                if not hits:
                    result.not_applicable.append(row)
                elif err and failed_at and failed_at[0] != i and claim_ids(cells[failed_at[0]]):
                    result.upstream.append(row)  # the producer's own check saw it
                elif err or shown_text(outputs) != committed:
                    result.killed.append(row)
                    result.claims.update(ids)
                elif unchanged(recorded_numbers(outputs), baseline):
                    result.equivalent.append(row)
                else:
                    result.survived.append(row)
                    result.claims.update(ids)
            rerun()  # the cell's own state again, for the cells below
    finally:
        kernel.close()
    result.seconds = time.perf_counter() - start
    return result


def report(results: list[Result]) -> tuple[int, int]:
    """Print the kill rates and survivors; return (killed, total)."""
    killed = sum(len(r.killed) for r in results)
    total = killed + sum(len(r.survived) for r in results)
    for r in results:
        n = len(r.killed) + len(r.survived)
        rate = f"{len(r.killed) / n:.1%}" if n else "-"
        print(
            f"{r.chapter}: {len(r.killed)}/{n} mutants killed ({rate}) over {len(r.claims)} "
            f"claims; {len(r.equivalent)} equivalent, {len(r.not_applicable)} not applicable; "
            f"{len(r.skipped)} cells skipped; "
            f"{r.seconds:.0f} s"
        )
    claims = sum(len(r.claims) for r in results)
    rate = f"{killed / total:.1%}" if total else "-"
    print(f"\nkill rate: {killed}/{total} = {rate} over {claims} claims (goal >= 95 %)")
    for field_, title in (
        ("survived", "survivors (the cell's output did not change)"),
        ("equivalent", "equivalent (claim records moved < 1e-4 of the mutation; not counted)"),
        ("upstream", "seen upstream (the producer's own check failed; not counted here)"),
    ):
        listed = [(r.chapter, *m) for r in results for m in getattr(r, field_)]
        if listed:
            print(f"\n{title}:")
            for chapter, where, name, _ in listed:
                print(f"  {chapter} {where}: {name} x (1 + {EPS:g})")
    skipped = [(r.chapter, *s) for r in results for s in r.skipped]
    if skipped:
        print("\ncheck cells without mutants:")
        for chapter, where, why in skipped:
            print(f"  {chapter} {where}: {why}")
    return killed, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", nargs="*", default=[], help="chapter numbers or stems")
    parser.add_argument("--limit", type=int, default=None, help="check cells per chapter")
    parser.add_argument("--per-cell", type=int, default=None, help="functions per cell")
    parser.add_argument("--fail-under", type=float, default=None, help="kill rate, percent")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument(
        "--wide",
        action="store_true",
        help="also mutate methods of cheaplib objects and let check cells be producers",
    )
    args = parser.parse_args(argv)
    paths = sorted(CHAPTERS.glob("*.ipynb"))
    if args.chapters:
        paths = [p for p in paths if any(p.stem.startswith(c) for c in args.chapters)]
    results = []
    for path in paths:
        print(f"{path.stem} ...", flush=True)
        results.append(mutate_chapter(path, args.limit, args.per_cell, wide=args.wide))
    killed, total = report(results)
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "chapter": r.chapter,
                        "killed": r.killed,
                        "survived": r.survived,
                        "equivalent": r.equivalent,
                        "upstream": r.upstream,
                        "not_applicable": r.not_applicable,
                        "skipped": r.skipped,
                        "claims": sorted(r.claims),
                        "seconds": r.seconds,
                    }
                    for r in results
                ],
                indent=1,
            ),
            encoding="utf-8",
        )
    if args.fail_under is not None and (not total or 100 * killed / total < args.fail_under):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
