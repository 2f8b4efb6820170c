"""The launch cell installs cheaplib only when missing, and every chapter has the current one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import launch_cell

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = launch_cell.chapters()


def _run_cell(source: str, monkeypatch, *, missing: bool) -> tuple[list, str]:
    """Execute the cell's source; record any subprocess call (there must be none)."""
    calls: list = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd))
    if missing:
        monkeypatch.setitem(sys.modules, "cheaplib", None)  # import raises ImportError
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<launch cell>", "exec"), {})
    return calls, out.getvalue()


def test_cell_is_silent_when_cheaplib_is_present(monkeypatch):
    calls, printed = _run_cell(launch_cell.cell_source(), monkeypatch, missing=False)
    assert calls == [] and printed == ""


def test_cell_says_what_to_do_when_cheaplib_is_missing(monkeypatch):
    with pytest.raises(SystemExit) as stop:
        _run_cell(launch_cell.cell_source(), monkeypatch, missing=True)
    message = str(stop.value.code)
    assert message == launch_cell.MESSAGE
    for how in ("make book", "jupyter lab", "pip wheel", "cheaplib"):
        assert how in message
    assert stop.value.__suppress_context__  # no ImportError chained into a traceback


def test_cell_installs_nothing_and_names_no_address(monkeypatch):
    source = launch_cell.cell_source()
    assert "pip install" not in source and "git+" not in source and "http" not in source
    with pytest.raises(SystemExit):
        calls, _ = _run_cell(source, monkeypatch, missing=True)
    assert "subprocess" not in source


def test_cell_lines_fit_88_columns():
    assert max(len(line) for line in launch_cell.cell_source().splitlines()) <= 88


def test_the_book_offers_no_launch_button_while_the_repository_is_not_public():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    buttons = config.get("launch_buttons") or {}
    assert not buttons.get("binderhub_url") and not buttons.get("colab_url")
    html = config.get("html") or {}
    assert not html.get("use_repository_button") and not html.get("use_issues_button")
    assert config["repository"]["url"].startswith("https://")  # named once, for later


def test_apply_inserts_before_the_first_code_cell_and_check_agrees(tmp_path):
    path = tmp_path / CHAPTERS[0].name
    before = nbformat.read(CHAPTERS[0], as_version=4)
    before.cells = [c for c in before.cells if c.get("id") != launch_cell.CELL_ID]  # a new chapter
    nbformat.write(before, path)
    first_code = next(i for i, c in enumerate(before.cells) if c.cell_type == "code")
    assert launch_cell.main(["--apply", str(path)]) == 0
    nb = nbformat.read(path, as_version=4)
    cell = nb.cells[first_code]
    assert cell.id == launch_cell.CELL_ID and cell.metadata["tags"] == ["hide-input"]
    assert cell.source == launch_cell.cell_source()
    assert [c.id for c in nb.cells if c.id != launch_cell.CELL_ID] == [c.id for c in before.cells]
    assert launch_cell.main(["--check", str(path)]) == 0
    once = path.read_bytes()
    assert launch_cell.main(["--apply", str(path)]) == 0
    assert path.read_bytes() == once, "--apply is not idempotent"
    # An edited cell is caught by --check and repaired by --apply.
    nb.cells[first_code].source += "\nprint('hi')"
    nbformat.write(nb, path)
    assert launch_cell.main(["--check", str(path)]) == 1
    launch_cell.main(["--apply", str(path)])
    assert launch_cell.main(["--check", str(path)]) == 0


def test_every_chapter_has_the_current_launch_cell():
    problems = {
        p.name: launch_cell.problem(nbformat.read(p, as_version=4), launch_cell.cell_source())
        for p in CHAPTERS
    }
    bad = {k: v for k, v in problems.items() if v}
    assert not bad, f"run `python tools/launch_cell.py --apply` and re-execute: {bad}"


def test_apply_updates_the_cell_in_place_keeping_its_count(tmp_path):
    path = tmp_path / CHAPTERS[0].name
    nb = nbformat.read(CHAPTERS[0], as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == launch_cell.CELL_ID)
    cell.source = "import cheaplib  # an older launch cell"
    count = cell.execution_count
    nbformat.write(nb, path)
    assert launch_cell.main(["--check", str(path)]) == 1
    assert launch_cell.main(["--apply", str(path)]) == 0
    after = nbformat.read(path, as_version=4)
    new = next(c for c in after.cells if c.get("id") == launch_cell.CELL_ID)
    assert new.source == launch_cell.cell_source() and new.execution_count == count
    assert launch_cell.main(["--check", str(path)]) == 0
