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
    """Execute the cell's source; record pip calls instead of making them."""
    calls: list = []

    def fake_run(cmd, **kwargs):
        calls.append(cmd)
        sys.modules.pop("cheaplib", None)  # "installed": the next import succeeds
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
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


def test_cell_installs_from_the_configured_repository(monkeypatch, tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://example.org/me/book/\n  branch: dev\n")
    source = launch_cell.cell_source(config)
    calls, printed = _run_cell(source, monkeypatch, missing=True)
    spec = "git+https://example.org/me/book@dev"
    assert calls == [[sys.executable, "-m", "pip", "install", "-q", spec]]
    assert spec in printed


def test_repository_url_comes_from_the_book_config():
    import yaml

    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert f"git+{url.rstrip('/')}" in launch_cell.cell_source()


def test_bad_repository_url_is_refused(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: ''\n")
    with pytest.raises(ValueError, match="repository.url"):
        launch_cell.package_spec(config)


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
