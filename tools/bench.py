"""Benchmarks of the book: notebook execution, the test command, widgets, hot kernels.

Usage: python -m tools.bench [--only notebooks,tests,widgets,kernels] [--repeat 3]
       (``make bench`` runs everything)

Prints a Markdown report to stdout and writes it to ``benchmarks/latest.md``, which the
book's benchmark page includes.  Every figure is measured on the machine it runs on, in the
same run; each target is reported as met or missed, never hidden.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tools.execute_notebooks import execute

ROOT = Path(__file__).resolve().parents[1]

SLOW_CHAPTERS = ("04_", "05_", "06_")  # renormalization, no-flattening, ERG: 30 s budget
KERNEL_TARGET = 50.0
WIDGET_TARGET_MS = 100.0


def machine_speed(repeat: int = 3) -> float:
    """Seconds one core takes for a fixed pure-Python loop (10 million additions; the
    best of ``repeat``): the same code on a machine twice as slow takes twice as long,
    so timings of this report can be compared across machines and days."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - t0)
    return best


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    """Met or missed, in words."""
    return "met" if ok else "**missed**"


def bench_notebooks(repeat: int) -> str:
    """Each notebook's execution time in a fresh kernel (median of ``repeat``)."""
    rows, total = [], 0.0
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        times = []
        for i in range(repeat):
            times.append(execute(path, write=False))
            print(f"  {path.name} run {i + 1}/{repeat}: {times[-1]:.1f} s", file=sys.stderr)
        med = statistics.median(times)
        total += med
        target = 30.0 if path.name.startswith(SLOW_CHAPTERS) else 20.0
        rows.append(
            [
                path.stem,
                f"{med:.1f} s",
                f"{min(times):.1f}–{max(times):.1f} s",
                f"< {target:.0f} s",
                verdict(med < target),
            ]
        )
    rows.append(["**total**", f"{total:.1f} s", "", "", ""])
    header = ["notebook", f"median of {repeat}", "range", "target", "status"]
    return "## Notebook execution (fresh kernel, top to bottom)\n\n" + table(header, rows)


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    print("  $ " + " ".join(cmd), file=sys.stderr)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{tail}")
    return elapsed


TEST_PARTS = ("lint", "unit", "claims", "nbval", "build", "pdf", "browser")
TEST_TARGET_S = 600.0
BROWSER_TARGET_S = 180.0


def bench_tests() -> str:
    """Each part of `make test`, timed by running its own Makefile target.

    The parts run in the order `make test` runs them, once with the build folder and the
    property-test cache removed first (cold) and once again (warm); each target's recipe
    alone is timed (`make -o setup`: the virtual environment is never part of a timing).
    The browser part is timed as its Makefile recipe (the pytest run of tests/browser on
    every core), the book and the PDF it needs being timed by their own rows.
    """
    rows = []
    totals = {"cold": 0.0, "warm": 0.0}
    times: dict[str, dict[str, float]] = {}
    for kind in ("cold", "warm"):
        if kind == "cold":
            shutil.rmtree(ROOT / "_build", ignore_errors=True)
            shutil.rmtree(ROOT / ".hypothesis", ignore_errors=True)
        for part in TEST_PARTS:
            # Only the part's own recipe: the targets it depends on are timed in their rows.
            done = [t for t in ("setup", "build", "pdf", "system-tools", "axe") if t != part]
            cmd = ["make", "--no-print-directory"]
            cmd += [arg for t in done for arg in ("-o", t)] + [part]
            elapsed = _timed(cmd)
            times.setdefault(part, {})[kind] = elapsed
            totals[kind] += elapsed
    for part in TEST_PARTS:
        rows.append([part, f"{times[part]['cold']:.1f} s", f"{times[part]['warm']:.1f} s"])
    rows.append(["**make test**", f"{totals['cold']:.1f} s", f"{totals['warm']:.1f} s"])
    load = os.getloadavg()[0]
    return (
        "## The test command's parts\n\n"
        + table(["part", "cold", "warm"], rows)
        + f"\n\nTargets: `make test` under {TEST_TARGET_S / 60:.0f} minutes — "
        f"{verdict(totals['cold'] < TEST_TARGET_S)}; the browser part under "
        f"{BROWSER_TARGET_S / 60:.0f} minutes — "
        f"{verdict(times['browser']['cold'] < BROWSER_TARGET_S)}. Cold: the build folder "
        "and the property-test cache removed first. Load average (1 min) when done: "
        f"{load:.1f} on {os.cpu_count()} cores."
    )


def bench_widgets() -> str:
    """Each widget's update latency: in the kernel, and end to end in JupyterLab."""
    from tools.bench_widgets import report

    return report()


def bench_kernels() -> str:
    """Vectorised cheaplib kernels against plain-Python references."""
    from tools.bench_kernels import HEADER, rows, run_all

    results = run_all()
    body = rows(results)
    loops = [r for r, res in zip(body, results, strict=True) if res.loop_reference]
    worst = min(float(r[4].rstrip("×").replace(",", "")) for r in loops)
    return (
        "## Vectorised kernels against plain loops\n\n"
        + table(HEADER, body)
        + f"\n\nTarget: at least {KERNEL_TARGET:.0f}× faster than the plain loops at the sizes "
        f"the book uses — {verdict(worst >= KERNEL_TARGET)} (smallest speed-up {worst:,.0f}×). "
        "Growth exponents are slopes of log(time) against log(number of elements); a "
        "vectorised exponent well below 1 means fixed per-call overhead still dominates at "
        "those sizes. The DFT row compares two algorithms (sparse factors against one dense "
        "product), not code styles, and is left out of the target."
    )


def bench_reader() -> str:
    """Per page of the built book: time until its maths is typeset, phone width, wide blocks."""
    from tools.reader_metrics import HEADER, PHONE, TYPESET_BUDGET_S, measure, rows

    with tempfile.TemporaryDirectory() as out:
        html = _built_html(out)
        body = rows(measure(html))
    return (
        "## The book in a browser (headless Chromium, offline)\n\n"
        + table(HEADER, body)
        + f"\n\nMaths typeset: seconds from the start of navigation until the first frame in "
        f"which the page is parsed, every formula on the first screen (1400 × 900) is typeset "
        f"(by MathJax in the page, lazily) and its fonts are loaded, over three loads; "
        f"target under "
        f"{TYPESET_BUDGET_S} s. Width at {PHONE[0]} px: the page's scroll width on a phone, "
        f"target {PHONE[0]} px (no sideways scrolling). Blocks scrolling at 1400 px: code and "
        "output blocks wider than their box with every folded block open; target 0."
    )


STATIC_SWAP_MS = 150.0


def _built_html(out: str) -> Path:
    """The built HTML book: `_build/html` when there, else a build into ``out``."""
    html = ROOT / "_build" / "html"
    if not (html / "index.html").exists():
        jb = str(Path(sys.executable).parent / "jupyter-book")
        _timed([jb, "build", ".", "--path-output", out])
        html = Path(out) / "_build" / "html"
    return html


def bench_static() -> str:
    """Each chapter's kernel-free widget: time from a control's move to the new picture."""
    from tools.reader_metrics import measure_static_swaps

    with tempfile.TemporaryDirectory() as out:
        results = measure_static_swaps(_built_html(out))
    rows = []
    worst = 0.0
    for r in results:
        t = r["times"]
        if not t:
            rows.append([r["page"], "0", "", "", "**no swap seen**"])
            worst = float("inf")
            continue
        med = statistics.median(t)
        worst = max(worst, med)
        rows.append(
            [
                r["page"],
                str(len(t)),
                f"{med:.0f} ms",
                f"{max(t):.0f} ms",
                verdict(med < STATIC_SWAP_MS),
            ]  # fmt: skip
        )
    return (
        "## Static widgets in the built book (no kernel)\n\n"
        + table(["page", "moves", "median", "worst", f"median < {STATIC_SWAP_MS:.0f} ms"], rows)
        + "\n\nFrom a move of the first control (the event a key press sends) to the first "
        "frame that shows the new state's picture decoded, served from 127.0.0.1 in headless "
        f"Chromium. Target: median under {STATIC_SWAP_MS:.0f} ms — "
        f"{verdict(worst < STATIC_SWAP_MS)}."
    )


FIT_TARGET_S = 10.0


def bench_maxent(repeat: int = 3) -> str:
    """Chapter 8's exact 4 x 4 maximum-entropy fits (all 65,536 states), per order."""
    from cheaplib.maxent import fit_maxent, image_patterns

    rows = []
    worst = 0.0
    for name in ("camera", "grass", "astronaut"):
        patterns = image_patterns(name, 4)
        for order in (2, 3):
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                fit_maxent(patterns, order)
                times.append(time.perf_counter() - t0)
            med = statistics.median(times)
            worst = max(worst, max(times))
            rows.append(
                [name, str(order), str(len(patterns)), f"{med:.2f} s", f"{max(times):.2f} s"]
            )
    return (
        "## Exact maximum-entropy fits (chapter 8)\n\n"
        + table(["picture", "order", "patches", "median", "worst"], rows)
        + f"\n\nOne exact fit of a 4 × 4 patch model (Newton on the exact log-likelihood over "
        f"all 65,536 states), each from cold. Target: under {FIT_TARGET_S:.0f} s — "
        f"{verdict(worst < FIT_TARGET_S)}."
    )


SECTIONS = {
    "notebooks": bench_notebooks,
    "tests": bench_tests,
    "widgets": bench_widgets,
    "static": bench_static,
    "maxent": bench_maxent,
    "kernels": bench_kernels,
    "reader": bench_reader,
}


def merge(old: str, sections: list[str], speed: float | None = None) -> str:
    """``old`` report with the sections of the same heading replaced by ``sections``.

    A section is a block starting with a ``## `` heading; a replaced one says when it was
    measured (and, given ``speed``, the machine's :func:`machine_speed`), and a new one
    goes at the end.
    """
    blocks = old.rstrip("\n").split("\n\n## ")
    blocks = blocks[:1] + ["## " + b for b in blocks[1:]]
    for section in sections:
        heading = section.splitlines()[0]
        on = f" (one core: {speed:.2f} s for the fixed loop)" if speed is not None else ""
        stamp = f"\n\n*This section measured again on its own on {date.today().isoformat()}{on}.*"
        heads = [b.splitlines()[0] for b in blocks]
        if heading in heads:
            blocks[heads.index(heading)] = section + stamp
        else:
            blocks.append(section + stamp)
    return "\n\n".join(blocks) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks, print the report and write benchmarks/latest.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help="sections to measure; the other sections of the report are kept",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "latest.md")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {list(SECTIONS)}")
    if not args.output.exists():  # the book build timed below includes this file
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("*Not measured yet: run `make bench`.*\n", encoding="utf-8")
    speed = machine_speed()
    parts = [
        f"Measured on {date.today().isoformat()}: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; one core's speed: "
        f"{speed:.2f} s for a fixed Python loop of 10 million additions (a "
        "slower machine takes proportionally longer for every figure below); load "
        f"average {os.getloadavg()[0]:.1f} at the start.",
    ]
    for name in chosen:
        print(f"benchmark: {name} ...", file=sys.stderr, flush=True)
        fn = SECTIONS[name]
        parts.append(fn(args.repeat) if name == "notebooks" else fn())
    report = "\n\n".join(parts) + "\n"
    if set(chosen) != set(SECTIONS):
        report = merge(args.output.read_text(encoding="utf-8"), parts[1:], speed)
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    print(f"written to {args.output.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
