"""Execute chapter notebooks in place: fresh kernel, top to bottom, outputs stored.

This is the one way notebooks are produced for commit (``make execute``).  Each notebook
is run by nbclient in a fresh ``python3`` kernel with ``chapters/`` as working directory;
execution counts come out 1..N; widget state and timing metadata are not stored, and
consecutive stdout (or stderr) chunks of a cell are merged into one output (the kernel
splits them by timing), and live widget views (whose models are not stored, so they could
only show "model not found") keep their text form alone.  A re-execution with unchanged
code gives a byte-identical file.

Usage: python -m tools.execute_notebooks [NOTEBOOK ...]   (default: chapters/*.ipynb)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def merge_streams(outputs: list) -> list:
    """Merge consecutive stream outputs of the same name (stdout/stderr) into one."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and prev is not None
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            prev["text"] = "".join(prev["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def execute(path: Path, timeout: int = 600, write: bool = True) -> float:
    """Execute ``path`` in a fresh kernel; store the outputs in place unless ``write`` is false.

    Returns the wall time of the execution in seconds (kernel start-up included).
    """
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata.pop("widgets", None)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    if not write:
        return elapsed
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
            for out in cell.outputs:  # a live view's model id is random and its model is
                out.get("data", {}).pop(WIDGET_VIEW, None)  # not stored: keep text only
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        print(f"executing {path} ...", flush=True)
        seconds = execute(path.resolve())
        print(f"  done in {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
